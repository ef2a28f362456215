"""The heart of the product: the studies and guidelines behind one drug → outcome link.

Everything here comes from one :class:`graph.service.LinkEvidence` (curated once), so the
table, the counts above it, the chart and the synthesis below always show the same evidence.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from graph.curation import CurationLog
from graph.evidence_view import EvidenceRow, passage
from graph.service import LinkEvidence
from graph.store.base import EvidenceStore
from ui.components import clickable_html
from ui.synthesis_panel import render_synthesis
from ui.viewmodel import evidence_html, forest_records, md_escape, passage_html, plural

__all__ = ["TABLE_ROWS", "forest_chart", "render_evidence"]

_PASSAGE = "evx_passage"
_ALL_ROWS = "evx_all_rows_of"
#: Rows of the evidence table shown at first (strongest first); a hub link can have thousands.
TABLE_ROWS = 50
_STANCE_COLOURS = alt.Scale(domain=["supports", "contradicts"], range=["#2ca02c", "#d62728"])


def render_evidence(
    store: EvidenceStore,
    link: LinkEvidence,
    rows: list[EvidenceRow],
    *,
    filtered: bool = False,
    log: CurationLog | None = None,
) -> None:
    """Counts, table and chart of ``rows`` (the link's rows the filters let through), then the synthesis."""
    drug, target = link.drug.get("name", link.drug.get("id")), link.target.get("name", link.target.get("id"))
    st.subheader(f"Evidence: {md_escape(drug)} → {md_escape(target)}")
    supporting = sum(r.stance == "supports" for r in rows)
    contradicting = sum(r.stance == "contradicts" for r in rows)
    c1, c2, c3 = st.columns(3)
    c1.metric("Supporting", supporting, help="Studies and guidelines supporting the link (one per row below)")
    c2.metric("Contradicting", contradicting)
    c3.metric("Recommendations", len(link.recommendations))
    if filtered:
        st.caption(f"Filtered: {plural(len(rows), 'row')} of {len(link.rows)} shown.")
    pair = f"{link.drug.get('id')}→{link.target.get('id')}"
    if len(rows) > TABLE_ROWS and st.session_state.get(_ALL_ROWS) != pair:
        st.button(
            f"Show all {len(rows):,} rows (the strongest {TABLE_ROWS} are shown)",
            key="evx_all_rows",
            on_click=st.session_state.__setitem__,
            args=(_ALL_ROWS, pair),
        )
        rows = rows[:TABLE_ROWS]

    def open_quote(value: str) -> None:
        parts = value.split(":")
        if len(parts) == 3 and parts[0] == "quote" and parts[1].isdigit() and parts[2].isdigit():
            i, j = int(parts[1]), int(parts[2])
            if i < len(rows) and j < len(rows[i].quotes):
                q = rows[i].quotes[j]
                st.session_state[_PASSAGE] = (q.source_doc, q.span, q.text, rows[i].name)

    key = f"evx_evidence_{link.drug.get('id')}_{link.target.get('id')}"
    clickable_html(evidence_html(rows, link.recommendations), key=key, on_click=open_quote)
    st.caption("Click a quote to read it in its source document. Figures are as reported; derived numbers are marked.")
    forest_chart(list(link.points_for(rows)))
    render_synthesis(store, link, log)
    pending = st.session_state.pop(_PASSAGE, None)
    if pending:
        _passage_dialog(store, *pending)


def forest_chart(points: list) -> None:  # type: ignore[type-arg]
    """Every number behind the link, one row per study and group, with its 95% interval."""
    records = forest_records(points)
    if not records:
        st.caption("No study reports a number for this link.")
        return
    frame = pd.DataFrame(records)
    for unit, group in frame.groupby("unit", sort=True):
        stance = alt.Color("stance:N", scale=_STANCE_COLOURS, legend=alt.Legend(orient="bottom", title=None))
        base = alt.Chart(group).encode(
            y=alt.Y("row:N", sort=None, title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False))
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
        ).properties(title=f"Figures as reported ({unit})", height=alt.Step(28))
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
