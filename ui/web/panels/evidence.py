"""The heart of the product: the studies and guidelines behind one drug → outcome link.

Everything here comes from one :class:`graph.link_page.LinkPage` (the strongest rows, curated
once, and the link's counts per stance), so the table, the counts above it and the chart show
the same evidence; the synthesis below weighs the whole link.
"""

from __future__ import annotations

import streamlit as st

from graph.curation import CurationLog
from graph.evidence_view import EvidenceRow, passage
from graph.link_page import LinkPage
from graph.service import LinkEvidence
from graph.store.base import EvidenceStore
from ui.web.charts import forest_records
from ui.web.components import clickable_html
from ui.web.evidence_html import evidence_html, passage_html
from ui.web.panels.synthesis import render_synthesis
from ui.web.viewmodel import md_escape, plural

__all__ = ["TABLE_ROWS", "forest_chart", "render_evidence", "rows_wanted"]

_PASSAGE = "evx_passage"
_MORE_ROWS = "evx_more_rows_of"
_FOREST = "evx_forest"
#: Rows of the evidence table shown at first and added per "show more" (strongest first); a hub
#: link can have thousands.
TABLE_ROWS = 50
_STANCE_COLOURS = {"domain": ["supports", "contradicts"], "range": ["#2ca02c", "#d62728"]}


def rows_wanted(drug_id: str, target_id: str, *, first: int = TABLE_ROWS) -> int:
    """How many rows of this link the researcher asked to see (``first``, plus a page per "show more")."""
    asked = st.session_state.get(_MORE_ROWS)
    pages = asked[1] if isinstance(asked, tuple) and asked[0] == f"{drug_id}→{target_id}" else 0
    return first * (1 + pages)


def _show_more(pair: str) -> None:
    asked = st.session_state.get(_MORE_ROWS)
    pages = asked[1] if isinstance(asked, tuple) and asked[0] == pair else 0
    st.session_state[_MORE_ROWS] = (pair, pages + 1)


def render_evidence(
    store: EvidenceStore,
    link: LinkPage,
    rows: list[EvidenceRow],
    *,
    filtered: bool = False,
    passing: int | None = None,
    whole: LinkEvidence | LinkPage | None = None,
    log: CurationLog | None = None,
) -> None:
    """Counts of the whole link, then table and chart of ``rows`` (the rows the filters let through: of
    the page, or of ``whole``, the whole link, when they choose by design, population or year; ``passing``
    of them in all), then the synthesis."""
    drug, target = link.drug.get("name", link.drug.get("id")), link.target.get("name", link.target.get("id"))
    st.subheader(f"Evidence: {md_escape(drug)} → {md_escape(target)}")
    c1, c2, c3 = st.columns(3)
    c1.metric("Supporting", f"{link.supporting:,}", help="Studies and guidelines supporting the link (one row each)")
    c2.metric("Contradicting", f"{link.contradicting:,}")
    c3.metric("Recommendations", f"{max(link.recommendations_total, len(link.recommendations)):,}")
    if filtered and whole is not None:
        shown = f"; the strongest {len(rows):,} shown" if len(rows) < (passing or 0) else ""
        st.caption(f"Filtered: {plural(passing or 0, 'row')} of the link's {len(whole.rows):,} pass{shown}.")
    elif filtered:
        st.caption(f"Filtered: {plural(len(rows), 'row')} of the {len(link.rows):,} shown.")
    pair = f"{link.drug.get('id')}→{link.target.get('id')}"
    if link.more_rows:
        st.button(
            f"Show {min(TABLE_ROWS, link.more_rows):,} more (the strongest {len(link.rows):,} "
            f"of {link.total_rows:,} rows are shown)",
            key="evx_more_rows",
            on_click=_show_more,
            args=(pair,),
        )

    def open_quote(value: str) -> None:
        parts = value.split(":")
        if len(parts) == 3 and parts[0] == "quote" and parts[1].isdigit() and parts[2].isdigit():
            i, j = int(parts[1]), int(parts[2])
            if i < len(rows) and j < len(rows[i].quotes):
                q = rows[i].quotes[j]
                st.session_state[_PASSAGE] = (q.source_doc, q.span, q.text, rows[i].name)

    key = f"evx_evidence_{link.drug.get('id')}_{link.target.get('id')}"
    recs = evidence_html(rows, link.recommendations, recommendations_total=link.recommendations_total)
    clickable_html(recs, key=key, on_click=open_quote)
    st.caption("Click a quote to read it in its source document. Figures are as reported; derived numbers are marked.")
    points = list((whole or link).points_for(rows))
    # Drawn when asked for: a chart makes the page load and run Vega (about 1 MB of script) after every
    # click, and the table above already lists each figure.
    forest = st.expander(
        f"Forest plot: {plural(len(points), 'figure')} with their 95% intervals",
        key=_FOREST,
        on_change="rerun",
    )
    if forest.open:
        with forest:
            forest_chart(points)
    render_synthesis(store, link, log)
    pending = st.session_state.pop(_PASSAGE, None)
    if pending:
        _passage_dialog(store, *pending)


def forest_chart(points: list) -> None:  # type: ignore[type-arg]
    """Every number behind the link, one row per study and group, with its 95% interval.

    A Vega-Lite spec written out (rules, squares, labels): what Altair would produce, without the
    ~0.3 s its schema validation costs on every rerun of the page.
    """
    records = forest_records(points)
    if not records:
        st.caption("No study reports a number for this link.")
        return
    units = sorted({r["unit"] for r in records})
    for unit in units:
        st.vega_lite_chart(forest_spec([r for r in records if r["unit"] == unit], unit), width="stretch")


def forest_spec(records: list[dict[str, object]], unit: str) -> dict[str, object]:
    """The forest-style chart of one unit's figures as a Vega-Lite spec."""
    stance = {
        "field": "stance",
        "type": "nominal",
        "scale": _STANCE_COLOURS,
        "legend": {"orient": "bottom", "title": None},
    }
    y = {
        "field": "row",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelLimit": 320, "labelOverlap": False},
    }
    title = "percent of patients (95% CI)" if unit == "%" else str(unit)
    tooltip = [
        {"field": f, "type": t}
        for f, t in (("study", "nominal"), ("population", "nominal"), ("value", "quantitative"), ("n", "quantitative"))
    ] + [{"field": "low", "type": "quantitative"}, {"field": "high", "type": "quantitative"}]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": records},
        "title": f"Figures as reported ({unit})",
        "height": {"step": 28},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "y": y,
                    "x": {"field": "low", "type": "quantitative", "title": title},
                    "x2": {"field": "high"},
                    "color": stance,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 90, "shape": "square"},
                "encoding": {
                    "y": y,
                    "x": {"field": "value", "type": "quantitative"},
                    "color": stance,
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 10, "fontSize": 12},
                "encoding": {
                    "y": y,
                    "x": {"field": "high", "type": "quantitative"},
                    "text": {"field": "text", "type": "nominal"},
                },
            },
        ],
    }


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
