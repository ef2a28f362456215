"""Add documents: upload, watch them load, read what was extracted and every warning.

The loading is :meth:`graph.service.EvidenceService.upload`, the same load as ``evx load`` with
each file read within bounds; this page only arranges the widgets.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.service import EvidenceService
from ui.web.state import get_settings, get_store
from ui.web.viewmodel import md_escape, plural

__all__ = ["render"]


def render() -> None:
    store = get_store()
    st.title("Add documents")
    files = st.file_uploader(
        "Documents to load (curated YAML, reports, trial digests…)", accept_multiple_files=True, key="evx_upload"
    )
    replace = st.checkbox(
        "Replace documents already loaded when the file has changed",
        key="evx_upload_replace",
        help="A file with the same text as a loaded document but other records (an edited curated file) "
        "replaces that document's records; otherwise its changes are not applied.",
    )
    if not files or not st.button(f"Load {plural(len(files), 'file')}", type="primary", key="evx_upload_go"):
        return
    bar = st.progress(0.0, text="Loading…")

    def progress(done: int, total: int, name: str) -> None:
        bar.progress(done / max(total, 1), text=f"Loading {name}…" if name else "Done")

    service = EvidenceService(store, settings=get_settings())
    summary = service.upload([(f.name, f.getvalue()) for f in files], progress, replace=replace)
    st.success(
        f"{plural(summary.documents, 'document')} read"
        + (f", {summary.already_loaded} already in the store" if summary.already_loaded else "")
        + (f", {summary.replaced} replaced" if summary.replaced else "")
    )
    for item in summary.unapplied:
        st.warning(
            md_escape(f"{item}: already loaded; its other changes were not applied")
            + " — tick *Replace documents already loaded* (or use `evx load --replace`)"
        )
    left, right = st.columns(2)
    if summary.nodes:
        left.markdown("**Nodes by kind**")
        left.table(pd.DataFrame(sorted(summary.nodes.items()), columns=["kind", "count"]))
    if summary.edges:
        right.markdown("**Edges by type**")
        right.table(pd.DataFrame(sorted(summary.edges.items()), columns=["type", "count"]))
    for warning in summary.warnings:
        st.warning(md_escape(warning))
    for error in summary.errors:
        st.error(md_escape(error))
