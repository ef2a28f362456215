"""The heart of the product: the studies and guidelines behind one drug → outcome link."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from graph.errors import EvidenceError
from graph.evidence_view import evidence_rows, forest_points, passage, recommendation_rows
from graph.store.base import EvidenceStore
from ui.components import clickable_html
from ui.synthesis_panel import render_synthesis
from ui.viewmodel import evidence_html, forest_records, md_escape, passage_html

__all__ = ["render_evidence"]

_PASSAGE = "evx_passage"


def render_evidence(store: EvidenceStore, drug_id: str, target_id: str) -> None:
    """Table, forest-style chart and recommendations for ``drug_id`` → ``target_id``."""
    try:
        evidence = store.evidence(drug_id, target_id)
    except EvidenceError as exc:
        st.error(md_escape(str(exc)))
        return
    drug, target = evidence.drug.get("name", drug_id), evidence.target.get("name", target_id)
    st.subheader(f"Evidence: {md_escape(drug)} → {md_escape(target)}")
    rows = evidence_rows(evidence)
    recs = recommendation_rows(evidence)
    c1, c2, c3 = st.columns(3)
    c1.metric("Supporting studies and guidelines", len({r.evidence_id for r in rows if r.stance == "supports"}))
    c2.metric("Contradicting", len({r.evidence_id for r in rows if r.stance == "contradicts"}))
    c3.metric("Recommendations", len(recs))

    def open_quote(value: str) -> None:
        kind, _, index = value.partition(":")
        if kind == "quote" and index.isdigit() and int(index) < len(rows):
            row = rows[int(index)]
            st.session_state[_PASSAGE] = (row.source_doc, row.span, row.quote, row.name)

    clickable_html(evidence_html(rows, recs), key=f"evx_evidence_{drug_id}_{target_id}", on_click=open_quote)
    st.caption("Click a quote to read it in its source document.")
    _forest_chart(evidence)
    render_synthesis(store, drug_id, target_id)
    pending = st.session_state.pop(_PASSAGE, None)
    if pending:
        _passage_dialog(store, *pending)


def _forest_chart(evidence: object) -> None:
    records = forest_records(forest_points(evidence))  # type: ignore[arg-type]
    if not records:
        st.caption("No study reports a number for this link.")
        return
    frame = pd.DataFrame(records)
    for unit, group in frame.groupby("unit", sort=True):
        stance = alt.Color(
            "stance:N",
            scale=alt.Scale(domain=["supports", "contradicts"], range=["#2ca02c", "#d62728"]),
            legend=alt.Legend(orient="bottom", title=None),
        )
        base = alt.Chart(group).encode(
            y=alt.Y("row:N", sort=None, title=None, axis=alt.Axis(labelLimit=420, labelOverlap=False))
        )
        title = "percent of patients (95% CI)" if unit == "%" else str(unit)
        chart = (
            base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", title=title), x2="high:Q", color=stance)
            + base.mark_point(filled=True, size=90, shape="square").encode(
                x="value:Q",
                color=stance,
                tooltip=["study:N", "population:N", "value:Q", "n:Q", "low:Q", "high:Q"],
            )
            + base.mark_text(align="left", dx=10, fontSize=12).encode(x="high:Q", text="text:N")
        ).properties(title=f"Figures ({unit})", height=alt.Step(28))  # one readable row per study and population
        st.altair_chart(chart, width="stretch")


@st.dialog("Source document", width="large")
def _passage_dialog(
    store: EvidenceStore, source_doc: str | None, span: tuple[int, int] | None, quote: str | None, name: str
) -> None:
    source = store.node(source_doc) if source_doc else None
    if source is None:
        st.warning("The source document of this quote is not in the store.")
        return
    st.markdown(f"**{md_escape(source.get('name') or source_doc)}** — quoted for {md_escape(name)}")
    text = source.get("text")
    if not isinstance(text, str) or not text:
        st.info("The store holds no text for this document; the quote is:")
        st.text(quote or "")
        return
    found = passage(text, span, quote)
    if not found.found:
        st.warning("The quote was not found in the document text; showing its beginning.")
    st.html(passage_html(found.before, found.quote, found.after))
