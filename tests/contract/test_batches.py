"""A batch of documents in one transaction, on every store: what one-by-one ingest stores, once each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.documents import ctgov_page, pubmed_set
from graph.errors import QueryError
from graph.model import Document, EdgeType
from graph.store import EvidenceStore
from graph.store.memory import MemoryStore
from loaders import load_path
from tests.contract.conftest import neo4j_store
from tests.neo4j_server import BoltServer


@pytest.fixture
def documents(tmp_path: Path) -> list[Document]:
    """PubMed sets and trial pages that share drugs and outcomes (and so shortcut pairs)."""
    out: list[Document] = []
    for i in range(2):
        pubmed = tmp_path / f"pubmed_{i}.xml"
        pubmed.write_text(pubmed_set(i * 15, 15, seed=3), encoding="utf-8")
        trials = tmp_path / f"ctgov_{i}.json"
        trials.write_text(ctgov_page(i * 4, 4, seed=3), encoding="utf-8")
        out += [*load_path(pubmed), *load_path(trials)]
    return out


def _linked(store: EvidenceStore) -> dict[tuple[str, str], tuple[Any, Any]]:
    return {
        (s, t): (d.get("supporting"), d.get("contradicting"))
        for s, t, d in store.subgraph().edges(data=True)
        if d["type"] == EdgeType.LINKED_TO
    }


def _one_by_one(documents: list[Document]) -> MemoryStore:
    reference = MemoryStore()
    for document in documents:
        reference.ingest(document)
    return reference


def test_a_batch_stores_what_one_by_one_ingest_stores(store: EvidenceStore, documents: list[Document]) -> None:
    half = len(documents) // 2
    first = store.ingest_many(documents[:half])
    second = store.ingest_many([*documents[half:], documents[0]])  # meets stored concepts, pairs and a repeat
    assert not first.failures and not second.failures
    reports = [*first.reports, *second.reports]
    assert [r.source_id for r in reports] == [d.source.id for d in [*documents, documents[0]]]
    assert [r.already_loaded for r in reports] == [False] * len(documents) + [True]
    reference = _one_by_one(documents)
    assert store.stats() == reference.stats()
    assert _linked(store) == _linked(reference) and any(s for s, _ in _linked(store).values())
    assert sum(r.nodes_added for r in reports) == reference.stats().total_nodes  # each node credited once


@pytest.mark.neo4j
def test_a_document_neo4j_refuses_costs_only_itself(
    bolt: BoltServer, documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.store.neo4j import store as neo4j_module

    bad = documents[3].source.id
    real = neo4j_module.reports

    def refusing(plan: Any, *counts: Any) -> Any:  # after every write of the transaction: it must roll back
        if any(d.source.id == bad for d in plan.documents):
            raise QueryError("the server refused a value")
        return real(plan, *counts)

    monkeypatch.setattr(neo4j_module, "reports", refusing)
    with neo4j_store(bolt) as server:
        result = server.ingest_many(documents)
        assert [source for source, _ in result.failures] == [bad]
        assert "refused a value" in str(result.failures[0][1])
        assert server.node(bad) is None
        reference = _one_by_one([d for d in documents if d.source.id != bad])
        assert server.stats() == reference.stats()
        assert _linked(server) == _linked(reference)


@pytest.mark.neo4j
def test_neo4j_writes_a_batch_in_one_transaction(
    bolt: BoltServer, documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.store.neo4j.store import Neo4jStore

    transactions: list[object] = []
    real = Neo4jStore._write

    def counted(self: Neo4jStore, work: Any) -> Any:
        transactions.append(work)
        return real(self, work)

    monkeypatch.setattr(Neo4jStore, "_write", counted)
    with neo4j_store(bolt) as server:
        assert not server.ingest_many(documents).failures
        assert len(transactions) == 1  # not one round of transactions per document
        assert server.stats().documents == len(documents)


def test_a_batch_stores_every_value_one_by_one_ingest_stores(store: EvidenceStore, documents: list[Document]) -> None:
    """Every property of every node and edge, not only the counts: a batch leaves out of what it sends
    the columns none of its rows use, and a concept named by several documents takes its values from all."""
    assert not store.ingest_many(documents).failures
    reference = _one_by_one(documents)
    graph, expected = store.subgraph(), reference.subgraph()
    assert sorted(graph.nodes) == sorted(expected.nodes)
    for node_id in expected.nodes:
        assert store.node(node_id) == reference.node(node_id), node_id

    def edges(g: Any) -> dict[str, dict[str, Any]]:
        return {
            key: {k: v for k, v in data.items() if v is not None} for _, _, key, data in g.edges(keys=True, data=True)
        }

    assert edges(graph) == edges(expected)
    assert any(data.get("quote") for data in edges(graph).values())
