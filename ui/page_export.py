"""Export: take the current subgraph away as GraphML, GEXF, JSON, CSV, Cypher or an offline HTML page."""

from __future__ import annotations

from functools import partial

import streamlit as st

from graph.export import SUFFIXES, WRITERS
from graph.service import EvidenceService
from ui.state import get_settings, get_store, view_state
from ui.viewmodel import current_subgraph, export_bytes, export_name

__all__ = ["render"]

_FORMATS = {
    "graphml": ("GraphML", "application/graphml+xml", "Gephi, Cytoscape, yEd"),
    "gexf": ("GEXF", "application/xml", "Gephi"),
    "json": ("JSON", "application/json", "networkx node-link JSON"),
    "csv": ("CSV", "application/zip", "nodes.csv and edges.csv in a zip"),
    "cypher": ("Cypher script", "text/plain", "recreates the subgraph in Neo4j"),
    "html": ("HTML page", "text/html", "opens offline in any browser"),
}


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
    for fmt in WRITERS:
        label, mime, help_text = _FORMATS.get(fmt, (fmt, "application/octet-stream", fmt))
        row.download_button(
            f"Download {label}",
            data=partial(export_bytes, graph, fmt),
            file_name=export_name(graph, state if not whole else type(state)(), fmt, SUFFIXES.get(fmt, "")),
            mime=mime,
            help=help_text,
            key=f"evx_export_{fmt}",
            on_click="ignore",
        )
