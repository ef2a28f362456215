"""The bundled samples give the same answers from the embedded store and from Neo4j."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from graph.errors import UnsupportedFormatError
from graph.model import Document, EdgeType, NodeKind
from graph.store import EvidenceStore
from graph.store.ladybug.store import LadybugStore
from graph.store.memory import MemoryStore
from loaders import load_path, sample_paths
from tests.contract.conftest import neo4j_store
from tests.neo4j_server import BoltServer

pytestmark = pytest.mark.neo4j

SEARCHES = ("mecasermine", "Increlex", "hypoglykemie", "diabetes", "syndroom", "insulin", "meca", "Laron")


def sample_documents() -> list[Document]:
    """Every document of every sample whose format has a loader today."""
    documents = []
    for path in sample_paths():
        try:
            documents.extend(load_path(path))
        except UnsupportedFormatError:
            continue
    return documents


@pytest.fixture(scope="module")
def stores(bolt_server: BoltServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[EvidenceStore, EvidenceStore]:
    documents = sample_documents()
    assert documents, "no sample could be loaded"
    bolt_server.clear()
    embedded = LadybugStore(Path(tmp_path_factory.mktemp("parity")) / "store")
    server = neo4j_store(bolt_server)
    for doc in documents:
        embedded.ingest(doc)
        server.ingest(doc)
    yield embedded, server
    embedded.close()
    server.close()


def _links(store: EvidenceStore) -> list[tuple[str, str]]:
    graph = store.subgraph()
    return sorted({(u, v) for u, v, t in graph.edges(data="type") if t == EdgeType.LINKED_TO})


def test_same_records(stores: tuple[EvidenceStore, EvidenceStore]) -> None:
    embedded, server = stores
    assert embedded.stats() == server.stats()
    a, b = embedded.subgraph(), server.subgraph()
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert sorted(a.edges(keys=True, data=True)) == sorted(b.edges(keys=True, data=True))


@pytest.mark.parametrize("text", SEARCHES)
def test_same_search(stores: tuple[EvidenceStore, EvidenceStore], text: str) -> None:
    embedded, server = stores
    kinds = list(NodeKind)
    assert embedded.search(text, kinds=kinds, limit=50) == server.search(text, kinds=kinds, limit=50)
    assert embedded.search(text) == server.search(text)


def test_same_neighbourhoods(stores: tuple[EvidenceStore, EvidenceStore]) -> None:
    embedded, server = stores
    starts = sorted({n for pair in _links(embedded) for n in pair})
    assert starts, "the samples link no drug to an outcome"
    for node_id, hops in itertools.product(starts, (1, 2)):
        a = embedded.neighbourhood(node_id, hops=hops, limit=40)
        b = server.neighbourhood(node_id, hops=hops, limit=40)
        assert set(a) == set(b), node_id
        assert sorted(a.edges(keys=True, data="type")) == sorted(b.edges(keys=True, data="type")), node_id
        assert a.graph["more"] == b.graph["more"]


def test_same_evidence(stores: tuple[EvidenceStore, EvidenceStore]) -> None:
    embedded, server = stores
    reference = MemoryStore()
    for doc in sample_documents():
        reference.ingest(doc)
    links = _links(embedded)
    assert links == _links(server)
    for drug, target in links:
        a, b = embedded.evidence(drug, target), server.evidence(drug, target)
        # the items (stances, quotes, figures) also match the in-memory reference store
        assert b.items == reference.evidence(drug, target).items, ("Neo4j differs from the reference", drug, target)
        summary = [(i.evidence["name"], i.stance, i.quote, [f["value"] for f in i.figures]) for i in b.items]
        assert [(i.evidence["name"], i.stance, i.quote, [f["value"] for f in i.figures]) for i in a.items] == summary, (
            "the embedded store differs from Neo4j and the reference store",
            drug,
            target,
        )
        assert a == b, (drug, target)


def test_same_shortest_paths(stores: tuple[EvidenceStore, EvidenceStore]) -> None:
    embedded, server = stores
    graph = embedded.subgraph()
    ends = sorted(n for n, k in graph.nodes(data="kind") if k in ("Drug", "Outcome", "Condition", "Guideline"))[:8]
    compared = 0
    for a, b in itertools.combinations(ends, 2):
        left = embedded.shortest_paths(a, b, max_hops=4)
        right = server.shortest_paths(a, b, max_hops=4)
        assert [p.nodes for p in left] == [p.nodes for p in right], (a, b)
        assert left == right, (a, b)
        compared += bool(left)
    assert compared, "no pair of sample nodes is connected"
