"""The explorer's graph page at 2,000 drawn elements: it settles, stops its physics and still answers a click.

The page is the one the explore screen draws (:func:`graph.export.html.network_html` with the
screen's layout and limits), loaded straight into Chromium: what is measured is the drawing,
not the store.
"""

from __future__ import annotations

import random
from typing import Any

import networkx as nx
import pytest

from graph.export.html import drawn_label, network_html
from graph.walk_view import layered_positions
from tests.e2e.test_browser import TIMEOUT
from ui.web.screens.explore import GRAPH_PX, MAX_DRAWN

pytestmark = pytest.mark.browser


def _crowded(nodes: int, edges: int, *, seed: int = 7) -> nx.MultiDiGraph:
    """A drug, its outcomes and the studies behind them: ``nodes`` nodes and ``edges`` edges."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    graph.add_node("drug:d", kind="Drug", name="the drug")
    outcomes = [f"outcome:o{i}" for i in range(nodes // 10)]
    studies = [f"study:s{i}" for i in range(nodes - 1 - len(outcomes))]
    for o in outcomes:
        graph.add_node(o, kind="Outcome", name=f"outcome {o[9:]}")
        graph.add_edge("drug:d", o, key=f"l-{o}", type="LINKED_TO", supporting=3, contradicting=1)
    for s in studies:
        graph.add_node(s, kind="Study", name=f"Study {s[7:]} 2020", design="RCT")
    while graph.number_of_edges() < edges:
        s, o = rng.choice(studies), rng.choice(outcomes)
        stance = rng.choice(("SUPPORTS", "CONTRADICTS"))
        graph.add_edge(s, o, key=f"e{graph.number_of_edges()}", type=stance)
    return graph


@pytest.mark.parametrize("laid_out", [True, False], ids=["laid-out", "physics"])
def test_two_thousand_drawn_elements_settle_and_answer_a_click(browser: Any, laid_out: bool) -> None:
    graph = _crowded(800, 1200)
    labels = {str(n): drawn_label(d, str(n)) for n, d in graph.nodes(data=True)}
    positions = layered_positions(graph, "drug:d", labels=labels, order=["drug:d"]) if laid_out else None
    drawn = network_html(
        graph, selected="drug:d", pinned=["drug:d"], max_nodes=MAX_DRAWN, height_px=GRAPH_PX, positions=positions
    )
    assert drawn.drawn_nodes + drawn.drawn_edges == 2000
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.abort())  # the page needs nothing from anywhere
    page = context.new_page()
    try:
        page.set_content(drawn.html, wait_until="domcontentloaded")
        page.wait_for_selector("body[data-evx-painted='1']", state="attached", timeout=TIMEOUT)
        state = page.evaluate(
            """() => { const n = window.evxNetwork; return {nodes: n.body.data.nodes.length,
            edges: n.body.data.edges.length, physics: n.physics.physicsEnabled}; }"""
        )
        assert state == {"nodes": 800, "edges": 1200, "physics": False}, state
        # still usable: zoomed in on a node, a click where it is drawn reports that node (the explorer walks to it)
        target = "outcome:o3"
        page.evaluate(
            f"() => window.evxNetwork.moveTo({{position: window.evxNetwork.getPositions(['{target}'])"
            f"['{target}'], scale: 1.0, animation: false}})"
        )
        point = page.evaluate(
            """(id) => { const n = window.evxNetwork; const p = n.canvasToDOM(n.getPositions([id])[id]);
            const r = n.canvas.frame.canvas.getBoundingClientRect(); return {x: r.left + p.x, y: r.top + p.y}; }""",
            target,
        )
        page.evaluate("() => { window.evxNetwork.on('click', (p) => { window.evxClicked = p.nodes; }); }")
        page.mouse.click(point["x"], point["y"])
        page.wait_for_function("(id) => (window.evxClicked || []).includes(id)", arg=target, timeout=TIMEOUT)
    finally:
        context.close()
