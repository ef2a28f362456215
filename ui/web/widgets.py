"""Small widgets shared by pages."""

from __future__ import annotations

import streamlit as st

from graph.model import NodeKind
from graph.store.base import EvidenceStore
from ui.web.viewmodel import md_escape

__all__ = ["pick_node"]


def pick_node(store: EvidenceStore, label: str, *, key: str, default: str = "") -> str | None:
    """A search box and a choice among its hits; the chosen node's id, or ``None``."""
    text = st.text_input(label, key=f"{key}_text", value=default)
    if not text.strip():
        return None
    hits = store.search(text, kinds=tuple(NodeKind), limit=20)
    if not hits:
        st.caption(f"Nothing called “{md_escape(text)}”.")
        return None
    labels = {h.id: f"{h.name} · {h.kind.value}" for h in hits}
    return st.selectbox(f"{label}: choose", list(labels), format_func=labels.__getitem__, key=f"{key}_pick")
