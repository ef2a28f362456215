from __future__ import annotations

import json
import re

import networkx as nx

from graph.export import write
from graph.export.html import capped, network_html, remote_references

HOSTILE = "<img src=x onerror=alert(1)>"


def _nodes_json(page: str) -> list[dict]:
    match = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL)
    assert match, "pyvis node data not found"
    return json.loads(match.group(1))


def test_page_is_offline_and_inlines_vis_network(memory_store) -> None:
    page = network_html(memory_store.subgraph(), selected="drug:mecasermin").html
    assert remote_references(page) == []
    assert "bootstrap" not in page.lower()
    assert "vis.Network" in page and "<style>" in page  # library and CSS inlined
    assert 'id="evx-legend"' in page and "contradicts" in page


def test_remote_references_finds_cdn_links() -> None:
    page = '<link href="https://cdn.x/b.css" rel="stylesheet"><script src="//cdn.y/a.js"></script><style>@import "https://f/g.css"; a{background:url(http://i/p.png)}</style>'
    assert remote_references(page) == ["https://cdn.x/b.css", "//cdn.y/a.js", "http://i/p.png", "https://f/g.css"]


def test_untrusted_text_never_reaches_the_page_as_markup(memory_store) -> None:
    page = network_html(memory_store.subgraph()).html
    assert HOSTILE not in page and "<script>alert" not in page
    nodes = _nodes_json(page)
    hostile = next(n for n in nodes if n["id"] == "study:doi:javascript:alert(5)")
    assert hostile["label"] == HOSTILE  # drawn on the canvas as text
    assert HOSTILE in hostile["tip"] and "title" not in hostile  # tooltip becomes a text node in JS
    assert "d.textContent = text" in page


def test_styles_by_kind_and_stance(memory_store) -> None:
    page = network_html(memory_store.subgraph()).html
    nodes = {n["id"]: n for n in _nodes_json(page)}
    assert nodes["drug:mecasermin"]["shape"] == "diamond"
    edges = json.loads(re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL).group(1))
    colours = {e["label"]: e["color"] for e in edges if "label" in e}
    assert colours["supports"] == "#2ca02c" and colours["contradicts"] == "#d62728"


def test_draw_cap_keeps_pinned_nodes() -> None:
    graph = nx.MultiDiGraph(nx.star_graph(50))
    graph = nx.relabel_nodes(graph, {i: f"study:{i}" for i in graph})
    small = capped(graph, max_nodes=5, keep=["study:49"])
    assert small.number_of_nodes() == 5 and "study:49" in small and "study:0" in small
    drawn = network_html(graph, max_nodes=10)
    assert (drawn.drawn_nodes, drawn.hidden_nodes) == (10, 41)
    assert "41 more nodes not drawn" in drawn.html


def test_big_graphs_drop_expensive_drawing() -> None:
    graph = nx.MultiDiGraph()
    for i in range(400):
        graph.add_node(f"study:{i}", kind="Study", name=f"S{i}")
        graph.add_edge(f"study:{i}", f"study:{(i + 1) % 400}", key=f"e{i}", type="SUPPORTS")
    page = network_html(graph).html
    options = json.loads(re.search(r"var options = (\{.*?\});\n", page, re.DOTALL).group(1))
    assert options["edges"]["smooth"] is False and options["layout"]["improvedLayout"] is False
    assert options["physics"]["stabilization"]["iterations"] <= 150
    assert "setOptions({physics: {enabled: false}})" in page  # physics stops once stable


def test_html_is_a_registered_export(memory_store, tmp_path) -> None:
    path = write(memory_store.subgraph(), "html", tmp_path / "view.html")
    page = path.read_text(encoding="utf-8")
    assert remote_references(page) == [] and "drug:mecasermin" in page
