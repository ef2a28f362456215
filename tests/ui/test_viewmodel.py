from __future__ import annotations

import networkx as nx

from graph.evidence_view import evidence_rows, recommendation_rows
from ui.web.evidence_html import RECOMMENDATIONS_SHOWN, evidence_html, passage_html
from ui.web.viewmodel import (
    PAGE,
    ViewState,
    current_subgraph,
    decode_params,
    encode_params,
    evidence_pair,
    export_bytes,
    export_name,
    linked_targets,
    md_escape,
)

BANG = "study:doi:10.1530/eje-20-0325"


def test_walking_extends_the_breadcrumb_and_revisiting_cuts_it() -> None:
    state = ViewState()
    state.start("drug:mecasermin")
    for node in ("outcome:hypoglycemia", BANG, "figure:abc"):
        state.walk(node)
    assert state.trail == ["drug:mecasermin", "outcome:hypoglycemia", BANG, "figure:abc"]
    state.walk("outcome:hypoglycemia")
    assert state.trail == ["drug:mecasermin", "outcome:hypoglycemia"]
    assert state.selected == "outcome:hypoglycemia"


def test_stepping_back_drops_later_expansions() -> None:
    state = ViewState()
    state.start("drug:mecasermin")
    state.expand(BANG)
    state.expand(BANG)
    assert state.expanded == {"drug:mecasermin": PAGE, BANG: 2 * PAGE}  # "show more" adds a page
    state.step_back(0)
    assert state.trail == ["drug:mecasermin"] and state.expanded == {"drug:mecasermin": PAGE}
    state.step_back(7)  # out of range: nothing happens
    assert state.trail == ["drug:mecasermin"]


def test_query_params_round_trip_and_reject_junk() -> None:
    state = ViewState(trail=["drug:mecasermin", "outcome:hypoglycemia"], expanded={"drug:mecasermin": PAGE, BANG: 300})
    params = encode_params(state)
    assert params == {
        "trail": ["drug:mecasermin", "outcome:hypoglycemia"],
        "expand": ["drug:mecasermin", f"{BANG}@300"],
    }
    assert decode_params(params) == state
    junk = decode_params({"trail": ["<script>", "drug:x", "drug:x"], "expand": ["nope", "drug:x@99999"]})
    assert junk.trail == ["drug:x"] and junk.expanded == {"drug:x": 10 * PAGE}
    assert decode_params({"trail": "drug:x"}).trail == ["drug:x"]  # a single value is a string
    assert decode_params({}) == ViewState()


def test_evidence_pair_follows_the_walk() -> None:
    trail = ["drug:mecasermin", "outcome:hypoglycemia", BANG, "figure:abc"]
    assert evidence_pair(ViewState(trail=trail)) == ("drug:mecasermin", "outcome:hypoglycemia")
    assert evidence_pair(ViewState(trail=["drug:mecasermin"])) is None
    assert evidence_pair(ViewState(trail=["outcome:hypoglycemia", "drug:mecasermin"])) is None
    assert evidence_pair(ViewState(trail=["drug:a", "condition:laron-syndrome"])) == (
        "drug:a",
        "condition:laron-syndrome",
    )


def test_current_subgraph_and_linked_targets(memory_store) -> None:
    state = ViewState()
    state.start("drug:mecasermin")
    graph = current_subgraph(memory_store, state)
    assert "outcome:hypoglycemia" in graph and graph.graph["more"] == {"drug:mecasermin": 0}
    (target, name, sup, con), *_ = linked_targets(graph, "drug:mecasermin")
    assert (target, name) == ("outcome:hypoglycemia", "hypoglycemia") and sup >= 2 and con == 1
    state.walk(BANG)  # walked but not expanded: drawn, its figures not
    graph = current_subgraph(memory_store, state)
    assert BANG in graph and not any(d.get("kind") == "Figure" for _, d in graph.nodes(data=True))


def test_evidence_html_escapes_document_text(memory_store) -> None:
    evidence = memory_store.evidence("drug:mecasermin", "outcome:hypoglycemia")
    page = evidence_html(evidence_rows(evidence), recommendation_rows(evidence))
    assert "<img" not in page and "<script" not in page and "javascript:" not in page.replace("javascript:alert", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert 'href="https://doi.org/10.1530/EJE-20-0325"' in page
    assert 'data-evx-click="quote:0:0"' in page
    assert "<mark" in passage_html("a<b", "<i>q</i>", "c") and "<i>" not in passage_html("a<b", "<i>q</i>", "c")


def test_a_hub_links_recommendations_are_listed_only_in_part() -> None:
    from graph.evidence_view import RecommendationRow

    recs = [RecommendationRow(f"Guideline {i}", "strong", "use it", None, 2020) for i in range(25)]
    page = evidence_html([], recs)
    assert page.count("<li>") == RECOMMENDATIONS_SHOWN and f"and {25 - RECOMMENDATIONS_SHOWN:,} more" in page
    # a page of the link's recommendations: the rest counted from the link's total
    page = evidence_html([], recs[:RECOMMENDATIONS_SHOWN], recommendations_total=1339)
    assert page.count("<li>") == RECOMMENDATIONS_SHOWN and f"and {1339 - RECOMMENDATIONS_SHOWN:,} more" in page


def test_md_escape_neutralises_markdown() -> None:
    escaped = md_escape("![x](http://evil/img.png) **b** <img>")
    assert "![" not in escaped and "](" not in escaped and "**" not in escaped and "<img>" not in escaped


def test_export_names_say_what_is_inside(memory_store) -> None:
    state = ViewState()
    state.start("drug:mecasermin")
    graph = current_subgraph(memory_store, state)
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    assert export_name(graph, state, "graphml", ".graphml") == f"mecasermin-neighbourhood-{n}-nodes-{m}-edges.graphml"
    assert export_name(graph, state, "csv", ".zip").endswith("-csv.zip")
    assert export_name(graph, ViewState(), "json", ".json").startswith("evidence-graph-")


def test_export_bytes_round_trip(memory_store, tmp_path) -> None:
    graph = memory_store.subgraph()
    data = export_bytes(graph, "graphml")
    (tmp_path / "g.graphml").write_bytes(data)
    assert set(nx.read_graphml(tmp_path / "g.graphml").nodes) == set(graph.nodes)
    assert export_bytes(graph, "html").startswith(b"<!DOCTYPE html>")
