"""Replacing a document (`evx load --replace`): the same on every backend.

After ``replace(edited)``, the store must hold what a fresh store holds after loading the
other documents and then the edited one: the same nodes, the same edges with the same
provenance, the same drug → outcome counts.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.model import Document, EdgeType, NodeKind
from graph.store import EvidenceStore
from graph.store import derived as derived_module
from loaders.base import DocumentBuilder
from tests.conftest import TRIAL_TEXT, build_evidence_document
from tests.contract.conftest import STORE_FACTORIES

DRUG, OUTCOME = "drug:mecasermin", "outcome:hypoglycemia"
SMITH_TEXT = " Smith 2020 saw hypoglycaemia in 40 of 90 adults with Laron syndrome."


def edited_report(text: str = TRIAL_TEXT, *, khwaja: bool = False, smith: bool = True) -> Document:
    """The evidence document of ``tests.conftest`` as a curator edited it: other studies, same text."""
    b = DocumentBuilder(text=text, source_type="test", title="Test evidence about mecasermin (edited)")
    drug = b.concept("rhIGF-1", NodeKind.DRUG)
    outcome = b.concept("hypoglycaemia", NodeKind.OUTCOME)
    laron = b.concept("Laron syndrome", NodeKind.CONDITION)
    assert drug and outcome and laron
    finding = b.add_finding(drug, outcome, quote="51% had hypoglycaemia")
    bang = b.add_node(
        "study:doi:10.1530/eje-20-0325", NodeKind.STUDY, "Bang 2021", {"year": 2021, "doi": "10.1530/EJE-20-0325"}
    )
    b.add_edge(EdgeType.SUPPORTS, bang, finding, quote="51% had hypoglycaemia")
    if khwaja:
        study = b.add_node("study:doi:10.1073/pnas.1311141111", NodeKind.STUDY, "Khwaja 2014", {"year": 2014})
        b.add_edge(EdgeType.CONTRADICTS, study, finding, quote="Khwaja 2014 saw no hypoglycemia")
    if smith:
        study = b.add_node("study:smith-2020", NodeKind.STUDY, "Smith 2020", {"year": 2020, "n": 90})
        b.add_edge(EdgeType.SUPPORTS, study, finding)
        b.add_edge(EdgeType.STUDIED_IN, study, laron)
    return b.build()


def fingerprint(store: EvidenceStore) -> dict[str, Any]:
    """Everything that must match a clean load (node properties aside: the first writer's values stay)."""
    g = store.subgraph()
    return {
        "nodes": sorted((n, d.get("kind")) for n, d in g.nodes(data=True)),
        "edges": sorted((k, d["type"], u, v, d.get("source_doc")) for u, v, k, d in g.edges(keys=True, data=True)),
        "linked": sorted(
            (u, v, d.get("supporting"), d.get("contradicting"))
            for u, v, d in g.edges(data=True)
            if d["type"] == EdgeType.LINKED_TO
        ),
    }


@pytest.fixture
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A second, empty store of the same backend (the memory store for Neo4j: one database per server)."""
    opened: list[EvidenceStore] = []

    def make(backend: str) -> EvidenceStore:
        store = STORE_FACTORIES[backend](request, tmp_path_factory.mktemp("fresh"))
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def _expected(fresh: Any, store: EvidenceStore, *documents: Document) -> dict[str, Any]:
    backend = "memory" if store.backend == "neo4j" else store.backend
    other = fresh(backend)
    for document in documents:
        other.ingest(document)
    return fingerprint(other)


def test_an_edited_document_with_the_same_text_is_told_apart(store: EvidenceStore) -> None:
    original = build_evidence_document()
    store.ingest(original)
    edited = edited_report()
    assert edited.source.id == original.source.id  # same text, same Source
    assert store.ingest(edited).already_loaded
    assert store.unapplied_changes(edited)
    assert not store.unapplied_changes(build_evidence_document())  # a repeat is not an edit
    assert not store.unapplied_changes(edited_report("Another text entirely."))  # not stored at all


def test_replace_swaps_the_records_of_one_document(store: EvidenceStore, fresh: Any) -> None:
    store.ingest(build_evidence_document())
    edited = edited_report()
    report = store.replace(edited)
    assert not report.already_loaded and report.nodes_added > 0
    assert fingerprint(store) == _expected(fresh, store, edited)
    assert not store.unapplied_changes(edited)
    assert store.node("study:doi:10.1073/pnas.1311141111") is None  # Khwaja was only in the old version
    assert store.node("study:smith-2020") is not None
    linked = store.subgraph([DRUG, OUTCOME])
    (counts,) = [d for _, _, d in linked.edges(data=True) if d["type"] == EdgeType.LINKED_TO]
    assert (counts["supporting"], counts["contradicting"]) == (2, 0)


def test_replace_keeps_what_other_documents_state(store: EvidenceStore, fresh: Any) -> None:
    other = build_evidence_document(text="Second report. " + TRIAL_TEXT)
    store.ingest(build_evidence_document())
    store.ingest(other)
    edited = edited_report()
    store.replace(edited)
    assert fingerprint(store) == _expected(fresh, store, other, edited)
    assert store.node("study:doi:10.1073/pnas.1311141111") is not None  # the other document cites Khwaja
    assert store.node(DRUG) is not None and store.stats().documents == 2


def test_replace_back_and_forth_ends_where_it_started(store: EvidenceStore, fresh: Any) -> None:
    original = build_evidence_document()
    store.ingest(original)
    before = fingerprint(store)
    store.replace(edited_report())
    store.replace(original)
    assert fingerprint(store) == before


def test_replace_of_a_document_not_stored_loads_it(store: EvidenceStore, fresh: Any) -> None:
    edited = edited_report()
    assert not store.replace(edited).already_loaded
    assert fingerprint(store) == _expected(fresh, store, edited)


def test_a_failed_replace_leaves_the_old_records(store: EvidenceStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.ingest(build_evidence_document())
    before = fingerprint(store)

    def explode(document: object) -> object:
        raise RuntimeError("disk full")  # after the old records were taken out, before the new are in

    monkeypatch.setattr(derived_module, "linked_pairs", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        store.replace(edited_report())
    monkeypatch.undo()
    assert fingerprint(store) == before
