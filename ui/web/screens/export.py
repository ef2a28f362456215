"""Export: take the current subgraph away as GraphML, GEXF, JSON, CSV, Cypher or an offline HTML page."""

from __future__ import annotations

from functools import partial

import streamlit as st

from graph.export import FORMATS, export_bytes
from graph.service import EvidenceService
from ui.web.state import get_settings, get_store, view_state
from ui.web.viewmodel import current_subgraph, export_name

__all__ = ["render"]


def render() -> None:
    store = get_store()
    state = view_state()
    st.title("Export")
    whole = st.toggle("Export the whole store instead of the current view", key="evx_export_all")
    if not whole and not state.trail:
        st.info("Nothing is selected in Explore yet: search for a node there, or export the whole store.")
        return
    graph = store.subgraph() if whole else current_subgraph(store, state)
    # what a curator corrected travels with the export: rejected edges marked, relabels applied
    graph = EvidenceService.for_settings(store, get_settings()).curated_graph(graph)
    st.caption(f"{graph.number_of_nodes()} nodes and {graph.number_of_edges()} edges")
    row = st.container(horizontal=True)
    for fmt in FORMATS.values():
        row.download_button(
            f"Download {fmt.label}",
            data=partial(export_bytes, graph, fmt.name),
            file_name=export_name(graph, state if not whole else type(state)(), fmt.name, fmt.suffix),
            mime=fmt.mime,
            help=fmt.hint,
            key=f"evx_export_{fmt.name}",
            on_click="ignore",
        )
