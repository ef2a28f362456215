"""What every store must do, checked identically on each backend."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.errors import NotFoundError, QueryError, WriteRefusedError
from graph.model import EdgeType, NodeKind
from graph.store import EvidenceStore
from graph.store import derived as derived_module
from loaders import load_path
from tests.conftest import SAMPLES, build_evidence_document

DRUG, OUTCOME = "drug:mecasermin", "outcome:hypoglycemia"


@pytest.fixture
def loaded(store: EvidenceStore) -> EvidenceStore:
    store.ingest(build_evidence_document())
    return store


def test_ingest_reports_what_was_added(store: EvidenceStore) -> None:
    doc = build_evidence_document()
    report = store.ingest(doc)
    assert not report.already_loaded
    assert report.nodes_added == len(doc.all_nodes)
    assert report.edges_added == len(doc.edges)
    stats = store.stats()
    assert stats.nodes["Study"] == 2
    assert stats.nodes["Figure"] == 2
    assert stats.edges["SUPPORTS"] == 1
    assert stats.edges["CONTRADICTS"] == 1
    assert stats.edges["LINKED_TO"] == 1
    assert stats.documents == 1


def test_loading_the_same_document_twice_changes_nothing(loaded: EvidenceStore) -> None:
    before = loaded.stats()
    again = loaded.ingest(build_evidence_document())
    assert again.already_loaded
    assert loaded.stats() == before


def test_failed_ingest_leaves_the_store_exactly_as_before(
    loaded: EvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = loaded.stats()
    other = build_evidence_document(text="Another source text. " + build_evidence_document().source.props["text"])

    def explode(document: object) -> object:
        raise RuntimeError("disk full")  # fails after nodes and edges were written

    monkeypatch.setattr(derived_module, "linked_pairs", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        loaded.ingest(other)
    monkeypatch.undo()
    assert loaded.stats() == before
    assert loaded.node(other.source.id) is None
    assert not loaded.ingest(other).already_loaded  # and it loads cleanly afterwards


def test_a_second_document_merges_into_shared_concepts(loaded: EvidenceStore) -> None:
    other = build_evidence_document(text="Second report. " + build_evidence_document().source.props["text"])
    loaded.ingest(other)
    stats = loaded.stats()
    assert stats.nodes["Drug"] == 1
    assert stats.nodes["Study"] == 2
    assert stats.documents == 2
    assert stats.edges["SUPPORTS"] == 2  # one per source document
    assert stats.edges["LINKED_TO"] == 1
    link = [d for _, _, d in loaded.subgraph([DRUG, OUTCOME]).edges(data=True) if d["type"] == "LINKED_TO"]
    assert link[0]["supporting"] == 1 and link[0]["contradicting"] == 1  # distinct studies, not edges
    ev = loaded.evidence(DRUG, OUTCOME)
    # one item per stance edge (each document's own quote), not multiplied by repeated ABOUT edges
    assert [i.evidence["name"] for i in ev.supporting] == ["Bang 2021", "Bang 2021"]
    assert len({i.source_doc for i in ev.supporting}) == 2
    assert all(len(i.figures) == 2 for i in ev.supporting)


def test_node_returns_properties_or_none(loaded: EvidenceStore) -> None:
    drug = loaded.node(DRUG)
    assert drug is not None
    assert drug["name"] == "mecasermin"
    assert drug["kind"] == "Drug"
    assert drug["atc"] == "H01AC03"
    assert "Increlex" in drug["synonyms"]
    assert loaded.node("drug:does-not-exist") is None
    assert loaded.node("not an id") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mecasermine", DRUG),
        ("Increlex", DRUG),
        ("increlex", DRUG),
        ("hypoglykemie", OUTCOME),
        ("hypoglycaemia", OUTCOME),
        ("HYPOGLYCEMIA", OUTCOME),
        ("Laronsyndroom", "condition:laron-syndrome"),
        ("meca", DRUG),
    ],
)
def test_search_finds_dutch_english_and_brand_names(loaded: EvidenceStore, typed: str, expected: str) -> None:
    hits = loaded.search(typed)
    assert hits, typed
    assert hits[0].id == expected


def test_search_ranks_exact_before_partial_and_respects_kinds_and_limit(loaded: EvidenceStore) -> None:
    hits = loaded.search("syndrome")
    assert {h.id for h in hits} == {"condition:laron-syndrome", "condition:rett-syndrome"}
    assert loaded.search("syndrome", kinds=[NodeKind.DRUG]) == []
    assert len(loaded.search("syndrome", limit=1)) == 1
    assert loaded.search("   ") == []
    studies = loaded.search("bang", kinds=[NodeKind.STUDY])
    assert [h.name for h in studies] == ["Bang 2021"]


def test_resolve_accepts_ids_names_and_synonyms(loaded: EvidenceStore) -> None:
    assert loaded.resolve("Increlex")["id"] == DRUG
    assert loaded.resolve(DRUG)["id"] == DRUG
    with pytest.raises(NotFoundError, match="no node called"):
        loaded.resolve("paracetamol")


def test_neighbourhood_of_a_drug(loaded: EvidenceStore) -> None:
    g = loaded.neighbourhood(DRUG)
    assert isinstance(g, nx.MultiDiGraph)
    assert DRUG in g
    assert OUTCOME in g  # through the LINKED_TO shortcut
    assert "guideline:doi:10.1159/000452150" in g  # RECOMMENDS
    assert g.nodes[OUTCOME]["kind"] == "Outcome"
    types = {d["type"] for *_, d in g.edges(data=True)}
    assert {"LINKED_TO", "RECOMMENDS", "ABOUT"} <= types
    assert g.graph["more"] == 0


def test_neighbourhood_pages_with_limit_and_offset(loaded: EvidenceStore) -> None:
    full = loaded.neighbourhood(DRUG)
    neighbours = sorted(set(full) - {DRUG})
    first = loaded.neighbourhood(DRUG, limit=2)
    assert sorted(set(first) - {DRUG}) == neighbours[:2]
    assert first.graph["more"] == len(neighbours) - 2
    second = loaded.neighbourhood(DRUG, limit=2, offset=2)
    assert sorted(set(second) - {DRUG}) == neighbours[2:4]


def test_neighbourhood_two_hops_reaches_studies(loaded: EvidenceStore) -> None:
    g = loaded.neighbourhood(OUTCOME, hops=2, limit=500)
    assert "study:doi:10.1530/eje-20-0325" not in loaded.neighbourhood(OUTCOME, hops=1)
    assert "finding:" in " ".join(g)
    assert DRUG in g


def test_more_counts_distinct_neighbours_over_two_hops(loaded: EvidenceStore) -> None:
    first_layer = loaded.neighbourhood(OUTCOME, hops=1, limit=10_000).number_of_nodes() - 1
    everything = loaded.neighbourhood(OUTCOME, hops=2, limit=10_000).number_of_nodes() - 1
    assert everything > first_layer + 1  # the second hop reaches nodes of several kinds
    page = loaded.neighbourhood(OUTCOME, hops=2, limit=first_layer + 1)
    assert page.number_of_nodes() - 1 == first_layer + 1
    assert page.graph["more"] == everything - first_layer - 1


def test_neighbourhood_of_unknown_node(store: EvidenceStore) -> None:
    with pytest.raises(NotFoundError):
        store.neighbourhood("drug:nothing")


def test_evidence_behind_a_link(loaded: EvidenceStore) -> None:
    ev = loaded.evidence(DRUG, OUTCOME)
    assert ev.drug["name"] == "mecasermin"
    assert ev.target["name"] == "hypoglycemia"
    assert [i.evidence["name"] for i in ev.supporting] == ["Bang 2021"]
    assert [i.evidence["name"] for i in ev.contradicting] == ["Khwaja 2014"]
    bang = ev.supporting[0]
    assert bang.quote == "51% had hypoglycaemia"
    assert bang.evidence["kind"] == "Study"
    assert bang.evidence["n"] == 242
    text = loaded.node(bang.source_doc)["text"]
    assert bang.span is not None
    assert text[bang.span[0] : bang.span[1]] == bang.quote
    figures = {(f["value"], f["denominator"], f["population"]) for f in bang.figures}
    assert figures == {(51.0, 21, "untreated Laron syndrome"), (16.0, 114, "without Laron syndrome")}
    assert ev.contradicting[0].figures == ()
    assert [r["evidence"]["name"] for r in ev.recommendations] == ["Grimberg 2016"]
    assert ev.recommendations[0]["strength"] == "Strong recommendation"


def test_evidence_for_unlinked_pair_is_empty_and_unknown_is_an_error(loaded: EvidenceStore) -> None:
    ev = loaded.evidence(DRUG, "condition:rett-syndrome")
    assert ev.items == ()
    with pytest.raises(NotFoundError):
        loaded.evidence(DRUG, "outcome:nothing")


def test_shortest_paths_walk_through_claims(loaded: EvidenceStore) -> None:
    paths = loaded.shortest_paths(DRUG, "study:doi:10.1073/pnas.1311141111")
    assert paths
    assert all(len(p) == 2 for p in paths)
    assert paths[0].nodes[0] == DRUG and paths[0].nodes[-1] == "study:doi:10.1073/pnas.1311141111"
    assert paths[0].nodes[1].startswith("finding:")
    types = {step[1] for p in paths for step in p.edges}
    assert types <= {"ABOUT", "CONTRADICTS"}
    # provenance and the derived shortcut are not walked
    assert all("source:" not in n for p in paths for n in p.nodes)


def test_shortest_paths_respect_max_hops_and_report_no_path(loaded: EvidenceStore) -> None:
    assert loaded.shortest_paths(DRUG, "condition:rett-syndrome", max_hops=1) == []
    assert len(loaded.shortest_paths(DRUG, "condition:rett-syndrome", max_hops=4)[0]) == 3
    with pytest.raises(NotFoundError):
        loaded.shortest_paths(DRUG, "study:none")


def test_subgraph_whole_and_induced(loaded: EvidenceStore) -> None:
    whole = loaded.subgraph()
    stats = loaded.stats()
    assert whole.number_of_nodes() == stats.total_nodes
    assert whole.number_of_edges() == stats.total_edges
    part = loaded.subgraph([DRUG, OUTCOME, "drug:unknown"])
    assert set(part) == {DRUG, OUTCOME}
    assert [d["type"] for *_, d in part.edges(data=True)] == ["LINKED_TO"]
    for _, _, key, data in whole.edges(keys=True, data=True):
        assert key == data["id"]
        assert data["type"] == data["type"].upper()


def test_curated_sample_loads_on_every_backend(store: EvidenceStore) -> None:
    for doc in load_path(SAMPLES / "curated_mecasermin_example.yaml"):
        store.ingest(doc)
    ev = store.evidence(DRUG, OUTCOME)
    assert [i.evidence["name"] for i in ev.supporting] == ["Grimberg 2016"]
    assert ev.supporting[0].figures[0]["value"] == 42.0


# -- Cypher (backends that speak it) ---------------------------------------------------


@pytest.fixture
def cypher_store(loaded: EvidenceStore) -> EvidenceStore:
    if not loaded.supports_cypher:
        with pytest.raises(QueryError, match="does not run Cypher"):
            loaded.query("MATCH (n) RETURN n")
        pytest.skip(f"{loaded.backend} has no Cypher (checked that it says so)")
    return loaded


def test_cypher_read_returns_rows_and_graph(cypher_store: EvidenceStore) -> None:
    result = cypher_store.query("MATCH (s:Study)-[r:SUPPORTS]->(f:Finding) RETURN s.name AS study, r, f ORDER BY study")
    assert result.columns == ["study", "r", "f"]
    assert result.rows[0][0] == "Bang 2021"
    assert result.rows[0][1]["type"] == "SUPPORTS"
    assert result.rows[0][1]["quote"] == "51% had hypoglycaemia"
    assert result.graph is not None and result.graph.number_of_edges() == 0  # s is not returned as a node
    nodes = cypher_store.query("MATCH (s:Study)-[r:SUPPORTS]->(f:Finding) RETURN s, r, f")
    assert nodes.graph is not None
    assert nodes.graph.number_of_nodes() == 2 and nodes.graph.number_of_edges() == 1


def test_cypher_parameters(cypher_store: EvidenceStore) -> None:
    result = cypher_store.query("MATCH (d:Drug) WHERE d.id = $id RETURN d.name", {"id": DRUG})
    assert result.rows == [["mecasermin"]]


@pytest.mark.parametrize(
    "attempt",
    [
        "CREATE (:Drug {id: 'drug:x', name: 'x'})",
        "MATCH (d:Drug) SET d.name = 'changed'",
        "MATCH (d:Drug) DETACH DELETE d",
        "MERGE (:Drug {id: 'drug:y'})",
        "MATCH (d:Drug) RETURN d; MATCH (s:Study) DELETE s",
        "MATCH (d:Drug) /* harmless */ CREATE (:Drug {id: 'drug:z'})",
    ],
)
def test_cypher_is_read_only_unless_asked(cypher_store: EvidenceStore, attempt: str) -> None:
    before = cypher_store.stats()
    with pytest.raises(WriteRefusedError):
        cypher_store.query(attempt)
    assert cypher_store.stats() == before
    assert cypher_store.node(DRUG)["name"] == "mecasermin"


def test_cypher_write_when_allowed(cypher_store: EvidenceStore) -> None:
    cypher_store.query("MATCH (d:Drug) WHERE d.id = $id SET d.atc = 'X'", {"id": DRUG}, write=True)
    assert cypher_store.node(DRUG)["atc"] == "X"


def test_cypher_row_cap(cypher_store: EvidenceStore) -> None:
    result = cypher_store.query("MATCH (n:Source)-[r]-(m) RETURN m.id", row_limit=3)
    assert len(result.rows) == 3
    assert result.truncated


def test_cypher_syntax_error_has_position(cypher_store: EvidenceStore) -> None:
    with pytest.raises(QueryError) as info:
        cypher_store.query("MATCH (d:Drug RETURN d")
    assert info.value.position is not None
    assert info.value.position > 1


def test_cypher_empty_query(cypher_store: EvidenceStore) -> None:
    with pytest.raises(QueryError, match="empty"):
        cypher_store.query("   ")


def test_edge_types_are_upper_case_everywhere(loaded: EvidenceStore) -> None:
    types = {d["type"] for *_, d in loaded.subgraph().edges(data=True)}
    assert types <= {e.value for e in EdgeType}
