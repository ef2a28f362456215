"""Explore: find a node, walk the graph by clicking, read the evidence behind a link."""

from __future__ import annotations

import streamlit as st

from graph.evidence_view import link_outs
from graph.export.html import network_html, node_label
from graph.model import NodeKind
from graph.store.base import EvidenceStore
from ui.components import graph_canvas
from ui.evidence_panel import render_evidence
from ui.state import get_store, sync_url, view_state
from ui.viewmodel import ViewState, current_subgraph, evidence_pair, linked_targets, md_escape

__all__ = ["SEARCH_KINDS", "render"]

#: What the search box finds: concepts first, and studies and guidelines by name.
SEARCH_KINDS = (NodeKind.DRUG, NodeKind.CONDITION, NodeKind.OUTCOME, NodeKind.STUDY, NodeKind.GUIDELINE)
#: Most nodes drawn at once; the rest are counted in the caption.
MAX_DRAWN = 1500
_HIDDEN_PROPS = {"id", "kind", "name", "text", "synonyms", "source_doc", "span_start", "span_end"}


def render() -> None:
    store = get_store()
    state = view_state()
    st.title("Evidence Explorer")
    _search(store, state)
    if not state.trail:
        st.info("Search for a drug, condition or outcome to start, e.g. mecasermine, Increlex or hypoglykemie.")
        sync_url(state)
        return
    graph = current_subgraph(store, state)
    names = {n: node_label(d, n) for n, d in graph.nodes(data=True)}
    kinds = {n: str(d.get("kind") or "") for n, d in graph.nodes(data=True)}
    _breadcrumb(state, names)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        _graph(graph, state)
    with right:
        _details(store, state, graph, names)
    pair = evidence_pair(state, kinds)
    if pair:
        st.divider()
        render_evidence(store, *pair)
    sync_url(state)


def _search(store: EvidenceStore, state: ViewState) -> None:
    text = st.text_input(
        "Find a drug, condition or outcome (Dutch or English)",
        key="evx_search",
        placeholder="mecasermine, Increlex, hypoglykemie…",
    )
    if not text.strip():
        return
    hits = store.search(text, kinds=SEARCH_KINDS, limit=8)
    if not hits:
        st.caption(f"Nothing called “{md_escape(text)}”. Try a shorter part of the name.")
        return
    row = st.container(horizontal=True)
    for hit in hits:
        matched = f" (as {hit.matched})" if hit.matched.lower() != hit.name.lower() else ""
        row.button(
            md_escape(f"{hit.name} · {hit.kind.value}{matched}"),
            key=f"evx_hit_{hit.id}",
            on_click=state.start,
            args=(hit.id,),
        )


def _breadcrumb(state: ViewState, names: dict[str, str]) -> None:
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.markdown("**Path:**")
    for i, node_id in enumerate(state.trail):
        if i:
            row.markdown("→")
        last = i == len(state.trail) - 1
        row.button(
            md_escape(names.get(node_id, node_id)),
            key=f"evx_crumb_{i}",
            on_click=state.step_back,
            args=(i,),
            type="primary" if last else "secondary",
            help="You are here" if last else "Step back to here",
        )


def _graph(graph: object, state: ViewState) -> None:
    drawn = network_html(graph, selected=state.selected, pinned=state.trail, max_nodes=MAX_DRAWN)  # type: ignore[arg-type]
    st.caption(
        f"{drawn.drawn_nodes} nodes, {drawn.drawn_edges} edges"
        + (f" drawn; {drawn.hidden_nodes} more not drawn" if drawn.hidden_nodes else "")
        + ". Click a node to select it."
    )
    graph_canvas(drawn.html, key="evx_graph", height=620, on_click=state.walk, update=drawn.update)


def _details(store: EvidenceStore, state: ViewState, graph: object, names: dict[str, str]) -> None:
    node_id = state.selected
    node = store.node(node_id) if node_id else None
    if node is None:
        st.warning("The selected node is no longer in the store.")
        return
    name = md_escape(node.get("name") or node_id)
    st.subheader(f"{name}")
    st.caption(f"{md_escape(node.get('kind') or '')} · {md_escape(node_id)}")
    more = graph.graph.get("more", {})  # type: ignore[attr-defined]
    row = st.container(horizontal=True)
    if node_id not in state.expanded:
        row.button("Show neighbours", key="evx_expand", on_click=state.expand, args=(node_id,), type="primary")
    else:
        if more.get(node_id):
            row.button(f"Show more ({more[node_id]} not shown)", key="evx_more", on_click=state.expand, args=(node_id,))
        row.button("Hide neighbours", key="evx_collapse", on_click=state.collapse, args=(node_id,))
    for link in link_outs(node):
        row.link_button(link.label, link.url)
    if node.get("kind") == NodeKind.DRUG.value:
        targets = linked_targets(graph, node_id)  # type: ignore[arg-type]
        if targets:
            st.markdown("**Linked outcomes and conditions** — open one to read its evidence:")
            for target, target_name, sup, con in targets:
                st.button(
                    md_escape(f"{target_name}: {sup} supporting, {con} contradicting"),
                    key=f"evx_link_{target}",
                    on_click=state.walk,
                    args=(target,),
                )
    props = {k: v for k, v in node.items() if k not in _HIDDEN_PROPS and v not in (None, "")}
    if node.get("synonyms"):
        props["synonyms"] = node["synonyms"]
    if props:
        st.table({"property": list(props), "value": [str(v) for v in props.values()]})
    if node.get("kind") == NodeKind.SOURCE.value and isinstance(node.get("text"), str):
        with st.expander("Document text"):
            st.text(node["text"])
