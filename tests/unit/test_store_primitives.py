"""The pure modules every backend shares (the ingest plan, name matching, the answer cap) and the
storage primitives a store copy reads through, on the in-memory and the embedded store."""

from __future__ import annotations

import pytest

from graph.errors import QueryError, WriteRefusedError
from graph.model import NodeKind
from graph.store.cypher import capped_result, check_cypher, result_graph
from graph.store.ladybug.store import LadybugStore
from graph.store.memory import MemoryStore
from graph.store.names import names_of, ranked, text_hit
from graph.store.plan import missing_values, plan_batch
from tests.synthetic import synthetic_document


def test_a_plan_merges_what_documents_share_and_leaves_each_its_own() -> None:
    first, second = synthetic_document(3, tag="a"), synthetic_document(2, tag="b")
    plan = plan_batch([first, second])
    ids = {n.id for d in (first, second) for n in d.all_nodes}
    assert {i for table in plan.nodes.values() for i in table} == ids
    shared = {n.id for n in first.all_nodes} & {n.id for n in second.all_nodes}
    assert shared, "the two documents are meant to share their concepts"
    assert all(plan.node_owner[i] == 0 for i in shared)  # the first document to name a node owns it
    assert len(plan.edge_owner) == len({e.id for d in (first, second) for e in d.edges})


def test_missing_values_fill_only_what_is_stored_empty() -> None:
    row = {"id": "drug:x", "name": "X", "synonyms": "Y", "atc": None}
    assert missing_values(row, {"id": "drug:x", "name": "Old", "synonyms": None}) == {"synonyms": "Y"}


def test_names_and_order_are_one_rule() -> None:
    assert names_of("Mecasermin", "Increlex; rhIGF-1", "A title") == ["Mecasermin", "Increlex", "rhIGF-1", "A title"]
    hit = text_hit("zzz", "study:1", NodeKind.STUDY, "Name", ["Name"])  # found by the engine, no name matches
    assert (hit.score, hit.matched) == (2, "Name")
    hits = [text_hit("incr", f"drug:{i}", NodeKind.DRUG, n, [n]) for i, n in enumerate(["xincr", "Incr", "incrX"])]
    assert [h.name for h in ranked(hits, 2)] == ["Incr", "incrX"]


def test_user_cypher_checks_and_caps() -> None:
    with pytest.raises(QueryError, match="empty"):
        check_cypher("  ", write=False, read_only=False, where="here")
    with pytest.raises(WriteRefusedError):
        check_cypher("MATCH (n) DETACH DELETE n", write=False, read_only=False, where="here")
    with pytest.raises(WriteRefusedError, match="here was opened read-only"):
        check_cypher("CREATE (n)", write=True, read_only=True, where="here")
    result = capped_result(["x"], [[1], [2], [3]], 2, lambda rows: (rows, None))
    assert (result.rows, result.truncated) == ([[1], [2]], True)
    assert result_graph({}, []) is None
    g = result_graph({1: {"id": "a"}, 2: {"id": "b"}}, [(1, 2, {"id": "e"}), (1, 3, {"id": "lost"})])
    assert list(g.edges(keys=True)) == [("a", "b", "e")]


@pytest.mark.parametrize("make", [MemoryStore, LadybugStore], ids=["memory", "ladybug"])
def test_source_ids_and_members_agree_with_the_documents(make: type) -> None:
    documents = [synthetic_document(2, tag="a"), synthetic_document(1, tag="b")]
    with make() as store:
        for document in documents:
            store.ingest(document)
        sources = sorted(d.source.id for d in documents)
        assert store.source_ids() == sources
        members = store.members([*sources, "src:absent"])
        assert members["src:absent"] == []
        for document in documents:
            stated = {e.source for e in document.edges if e.type.value == "FROM_SOURCE"}
            assert members[document.source.id] == sorted(stated)
