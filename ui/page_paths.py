"""Paths: the shortest ways two nodes are connected, drawn and listed."""

from __future__ import annotations

import streamlit as st

from graph.errors import EvidenceError
from graph.export.html import network_html
from ui.components import graph_canvas
from ui.state import get_store
from ui.viewmodel import md_escape
from ui.widgets import pick_node

__all__ = ["render"]


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
        st.warning(f"No path of at most {hops} hops connects them.")
        return
    ids = list(dict.fromkeys(n for p in paths for n in p.nodes))
    graph = store.subgraph(ids)
    names = {n: str(d.get("name") or n) for n, d in graph.nodes(data=True)}
    st.caption(f"{len(paths)} shortest path(s) of {len(paths[0])} hops")
    for i, path in enumerate(paths, 1):
        steps = [names.get(path.nodes[0], path.nodes[0])]
        for (src, etype, _dst, _eid), node in zip(path.edges, path.nodes[1:], strict=True):
            arrow = f"—{etype}→" if src != node else f"←{etype}—"
            steps.append(f"{arrow} {names.get(node, node)}")
        st.markdown(f"{i}\\. " + md_escape(" ".join(steps)))
    drawn = network_html(graph, selected=source, pinned=[target])
    graph_canvas(drawn.html, key="evx_paths_graph", height=480)
