"""The staged graph and its layout, without a browser (the browser test measures the drawn labels)."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.curation import Correction
from graph.export.html import drawn_label, network_html, node_label
from graph.model import EdgeType, NodeKind
from graph.service import EvidenceService
from graph.store import EvidenceStore, open_store
from graph.walk_view import (
    CHAR_PX,
    TARGET_PAGE,
    GraphFilters,
    label_width,
    layered_positions,
    net_stance,
    row_height,
    staged_graph,
)
from loaders import load_path, sample_paths
from loaders.base import DocumentBuilder

DRUG, OUTCOME = "drug:mecasermin", "outcome:hypoglycemia"


@pytest.fixture
def samples() -> EvidenceStore:
    store = open_store(backend="memory")
    for path in sample_paths():
        for document in load_path(path):
            store.ingest(document)
    return store


def _kinds(graph) -> set[str]:
    return {str(d.get("kind")) for _, d in graph.nodes(data=True)}


def test_a_drug_shows_its_outcomes_only(samples: EvidenceStore) -> None:
    graph = staged_graph(samples, [DRUG], {DRUG: 100})
    assert _kinds(graph) == {"Drug", "Outcome"}
    assert {d["type"] for _, _, d in graph.edges(data=True)} == {"LINKED_TO"}
    hypo = graph.get_edge_data(DRUG, OUTCOME)
    assert next(iter(hypo.values()))["supporting"] == 4


def test_an_opened_outcome_shows_the_evidence_for_and_against_with_figures(samples: EvidenceStore) -> None:
    link = EvidenceService(samples).link(DRUG, OUTCOME)
    graph = staged_graph(samples, [DRUG, OUTCOME], {DRUG: 100}, link=link)
    assert _kinds(graph) == {"Drug", "Outcome", "Study", "Guideline", "Figure"}  # no claims, no provenance
    stances = {graph.nodes[s]["evx_stance"] for s, t, d in graph.edges(data=True) if t == OUTCOME and s != DRUG}
    assert stances == {"supports", "contradicts"}
    figures = [n for n, d in graph.nodes(data=True) if d["kind"] == "Figure"]
    assert len({node_label(graph.nodes[f], f) for f in figures}) == len(figures)  # Grimberg's 42% once
    asked = GraphFilters(kinds=GraphFilters().kinds | {NodeKind.FINDING.value}, stances=frozenset({"contradicts"}))
    narrowed = staged_graph(samples, [DRUG, OUTCOME], {DRUG: 100}, link=link, filters=asked)
    assert "Finding" in _kinds(narrowed)
    evidence = [n for n, d in narrowed.nodes(data=True) if d["kind"] in ("Study", "Guideline")]
    assert {narrowed.nodes[n]["name"] for n in evidence} == {"Khwaja 2014", "Martín-Rivada 2021"}


def test_the_opened_links_counts_are_the_curated_ones(samples: EvidenceStore) -> None:
    khwaja = next(r for r in EvidenceService(samples).link(DRUG, OUTCOME).rows if r.name == "Khwaja 2014")
    reject = Correction(action="reject", edge=khwaja.edge_ids[0], curator="A", date=dt.date(2026, 1, 1), reason="x")
    link = EvidenceService(samples, [reject]).link(DRUG, OUTCOME)
    graph = staged_graph(samples, [DRUG, OUTCOME], {DRUG: 100}, link=link)
    (edge,) = [d for d in graph.get_edge_data(DRUG, OUTCOME).values() if d["type"] == "LINKED_TO"]
    assert (edge["supporting"], edge["contradicting"]) == (4, 1)
    assert khwaja.evidence_id not in graph


def test_a_crowded_drug_is_capped_with_more_to_show() -> None:
    b = DocumentBuilder(text="many outcomes", source_type="test", title="Many")
    drug = b.concept("mecasermine", NodeKind.DRUG)
    assert drug
    for i in range(TARGET_PAGE + 5):
        outcome = b.add_node(f"outcome:test-{i:02d}", NodeKind.OUTCOME, f"outcome {i:02d}")
        study = b.add_node(f"study:test-{i:02d}", NodeKind.STUDY, f"Study {i:02d}")
        b.add_edge(EdgeType.SUPPORTS, study, b.add_finding(drug, outcome))
    store = open_store(backend="memory")
    store.ingest(b.build())
    first = staged_graph(store, [drug], {drug: 100})
    assert first.number_of_nodes() == TARGET_PAGE + 1 and first.graph["more"][drug] == 5
    more = staged_graph(store, [drug], {drug: 200})
    assert more.number_of_nodes() == TARGET_PAGE + 6 and more.graph["more"][drug] == 0


def test_layout_rows_and_columns_keep_labels_apart_and_in_place(samples: EvidenceStore) -> None:
    link = EvidenceService(samples).link(DRUG, OUTCOME)
    stage1 = staged_graph(samples, [DRUG], {DRUG: 100})
    stage2 = staged_graph(samples, [DRUG, OUTCOME], {DRUG: 100}, link=link)
    placed = []
    for graph in (stage1, stage2):
        labels = {n: drawn_label(d, n) for n, d in graph.nodes(data=True)}
        pos = layered_positions(graph, DRUG, labels=labels)
        boxes = [
            (x - label_width(labels[n]) / 2, x + label_width(labels[n]) / 2, y, row_height([labels[n]]))
            for n, (x, y) in pos.items()
        ]
        for i, (l1, r1, y1, h1) in enumerate(boxes):
            for l2, r2, y2, h2 in boxes[i + 1 :]:
                assert abs(y1 - y2) >= max(h1, h2) or min(r1, r2) <= max(l1, l2), "labels overlap"
        placed.append(pos)
    assert placed[0][DRUG] == placed[1][DRUG] and placed[0][OUTCOME] == placed[1][OUTCOME]
    assert CHAR_PX > 0


def test_positions_travel_to_the_page_and_links_carry_weight_and_stance(samples: EvidenceStore) -> None:
    graph = staged_graph(samples, [DRUG], {DRUG: 100})
    labels = {n: drawn_label(d, n) for n, d in graph.nodes(data=True)}
    drawn = network_html(graph, selected=DRUG, positions=layered_positions(graph, DRUG, labels=labels))
    nodes = {n["id"]: n for n in drawn.update["nodes"]}
    assert nodes[DRUG]["physics"] is False and nodes[DRUG]["y"] == 0.0
    edge = next(e for e in drawn.update["edges"] if e["to"] == OUTCOME)
    # the counts are the outcome's second line, not a label on the edge (a drug's fan of labels collides)
    assert nodes[OUTCOME]["label"] == "hypoglycemia\n4 for · 2 against" and "label" not in edge
    assert edge["color"] == "#2ca02c" and edge["width"] > 5 and "4 supporting, 2 contradicting" in edge["tip"]
    assert drawn.update["fit"] is True
    assert net_stance(1, 2) == "contradicts" and net_stance(2, 2) == "mixed"


def test_the_embedded_store_reads_a_drugs_links_in_one_hop(samples: EvidenceStore, tmp_path) -> None:
    from graph.settings import Settings

    with open_store(Settings(store=tmp_path / "db")) as embedded:
        for path in sample_paths():
            for document in load_path(path):
                embedded.ingest(document)
        fast = staged_graph(embedded, [DRUG], {DRUG: 100})
    slow = staged_graph(samples, [DRUG], {DRUG: 100})
    assert set(fast) == set(slow)
    assert {(u, v, d["supporting"], d["contradicting"]) for u, v, d in fast.edges(data=True)} == {
        (u, v, d["supporting"], d["contradicting"]) for u, v, d in slow.edges(data=True)
    }
