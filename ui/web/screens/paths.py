"""Paths: the shortest ways two nodes are connected, drawn and listed."""

from __future__ import annotations

import streamlit as st

from graph.errors import EvidenceError
from graph.export.html import network_html, node_label
from graph.walk_view import layered_positions
from ui.web.components import graph_canvas
from ui.web.state import get_store
from ui.web.viewmodel import md_escape, path_rows, plural
from ui.web.widgets import pick_node

__all__ = ["render"]

#: Height of the drawn paths; the page is drawn for the same height, so it fits its box.
_GRAPH_PX = 480


def render() -> None:
    store = get_store()
    st.title("Paths between two nodes")
    left, right = st.columns(2)
    with left:
        source = pick_node(store, "From", key="evx_path_from")
    with right:
        target = pick_node(store, "To", key="evx_path_to")
    k = st.slider("Most paths to show (k)", 1, 20, 5, key="evx_path_k")
    hops = st.slider("Longest path (hops)", 1, 8, 6, key="evx_path_hops")
    if not (source and target):
        st.info("Choose two nodes, e.g. mecasermin and Laron syndrome.")
        return
    try:
        paths = store.shortest_paths(source, target, max_hops=hops, limit=k)
    except EvidenceError as exc:
        st.error(md_escape(str(exc)))
        return
    if not paths:
        st.warning(f"No path of at most {plural(hops, 'hop')} connects them.")
        return
    ids = list(dict.fromkeys(n for p in paths for n in p.nodes))
    graph = store.subgraph(ids)
    st.caption(f"{plural(len(paths), 'shortest path')} of {plural(len(paths[0]), 'hop')}")
    st.table(path_rows(paths, graph))
    labels = {str(n): node_label(d, str(n)) for n, d in graph.nodes(data=True)}
    positions = layered_positions(graph, source, labels=labels, order=[target])
    drawn = network_html(graph, selected=source, pinned=[target], height_px=_GRAPH_PX, positions=positions)
    graph_canvas(drawn.html, key="evx_paths_graph", height=_GRAPH_PX)
