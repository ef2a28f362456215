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


def _pyvis_page(graph: nx.MultiDiGraph, *, selected: str | None = None, height_px: int = 620) -> str:
    """The page as pyvis renders it from scratch (what the cached shell must reproduce)."""
    from pyvis.network import Network

    from graph.export.html import _LEGEND_PX, _edge, _finish, _node, _options

    big = graph.number_of_nodes() > 300
    net = Network(
        height=f"{height_px - _LEGEND_PX}px", width="100%", directed=True, cdn_resources="in_line", heading=""
    )
    net.nodes = [_node(str(n), d, selected=n == selected) for n, d in graph.nodes(data=True)]
    net.edges = [_edge(str(s), str(t), str(k), d, big=big) for s, t, k, d in graph.edges(keys=True, data=True)]
    net.options = _options(graph.number_of_nodes())
    return _finish(net.generate_html(notebook=False), caption="the caption")


def _ring(count: int) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for i in range(count):
        graph.add_node(f"study:{i}", kind="Study", name=f"<b>S{i}</b> & 'x'")
        graph.add_edge(f"study:{i}", f"study:{(i + 1) % count}", key=f"e{i}", type="SUPPORTS", quote="</script>")
    return graph


def test_cached_shell_gives_the_page_pyvis_renders(memory_store) -> None:
    # small, with pyvis's progress bar (> 100 nodes), and big (> 300 nodes: cheap options)
    cases = [(memory_store.subgraph(), "drug:mecasermin"), (_ring(150), "study:3"), (_ring(320), None)]
    for graph, selected in cases:
        for _ in range(2):  # the second call comes from the cache
            page = network_html(graph, selected=selected, caption="the caption").html
            assert page == _pyvis_page(graph, selected=selected), graph.number_of_nodes()
    assert '<div id="loadingBar">' in network_html(_ring(150)).html
    assert '<div id="loadingBar">' not in network_html(_ring(5)).html


def test_update_carries_the_drawn_graph_as_data(memory_store) -> None:
    drawn = network_html(memory_store.subgraph(), selected="drug:mecasermin")
    update = drawn.update
    page_nodes = _nodes_json(drawn.html)
    assert update["nodes"] == page_nodes  # the very definitions the page starts from
    assert len(update["edges"]) == drawn.drawn_edges and update["selected"] == "drug:mecasermin"
    hostile = next(n for n in update["nodes"] if n["id"] == "study:doi:javascript:alert(5)")
    assert hostile["label"] == HOSTILE and "title" not in hostile  # text for the canvas and a text node
    assert update["caption"] == f"{drawn.drawn_nodes} nodes, {drawn.drawn_edges} edges"
    assert 0 < update["iterations"] <= 100
    # pages that differ in more than the data have different shells and are reloaded, not updated
    shells = {network_html(g).update["shell"] for g in (_ring(5), _ring(150), _ring(320))}
    shells.add(network_html(_ring(5), height_px=480).update["shell"])
    assert len(shells) == 4 and network_html(_ring(7)).update["shell"] == network_html(_ring(5)).update["shell"]


def test_in_place_updates_only_take_data_from_the_parent(memory_store) -> None:
    page = network_html(memory_store.subgraph()).html
    bridge = page[page.index("window.evxNetwork = network;") :]
    assert "event.source !== window.parent" in bridge and 'msg.evx !== "update"' in bridge
    assert "innerHTML" not in bridge and "insertAdjacentHTML" not in bridge
    assert "caption.textContent" in bridge and "copy.title = tip(item.tip)" in page
    assert "network.stabilize(" in bridge and "setOptions({physics: {enabled: false}})" in page
