"""What the evidence adds up to: claim summaries with certainty, incidence by population,
conflicts side by side, the weights used, curation badges and form, and the report download.

Only arranges widgets: the numbers come from :mod:`graph.synthesis` through
:func:`graph.report.report_for`, corrections from :mod:`graph.curation`.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from graph.curation import CurationLog
from graph.errors import RecordError
from graph.link_page import LinkPage
from graph.model import EdgeType
from graph.report import EvidenceReport, render_html, render_markdown
from graph.service import Curation, LinkEvidence, curation_log
from graph.store.base import EvidenceStore
from graph.synthesis.conflicts import Conflict
from graph.synthesis.pooling import PooledEstimate
from ui.web.charts import pooled_records
from ui.web.state import get_settings
from ui.web.viewmodel import md_escape, plural

__all__ = ["pooled_chart", "render_synthesis"]

#: Certainty as a coloured text badge (no emoji: many machines have no emoji font).
_CERTAINTY_COLOUR = {"high": "green", "moderate": "blue", "low": "orange", "very low": "red"}
#: Conflict pairs shown at first; the rest are one click away.
_CONFLICTS_SHOWN = 3
#: Above this many rows, or when the table shows only part of the link, the synthesis is worked out
#: only when asked for: it reads and weighs every study of the link and compares every pair.
SYNTHESIS_ROWS = 200
_ASKED = "evx_synthesis_of"


def certainty_badge(certainty: str) -> str:
    """``:red-badge[Certainty: very low]``: Streamlit markdown for a text badge."""
    return f":{_CERTAINTY_COLOUR.get(certainty, 'gray')}-badge[Certainty: {md_escape(certainty)}]"


def render_synthesis(store: EvidenceStore, link: LinkEvidence | LinkPage, log: CurationLog | None = None) -> None:
    """The synthesis panel for one drug → outcome link (call it under the evidence table).

    ``log`` is where the curation form records corrections: the log of the store the
    explorer was started on (:func:`graph.service.curation_log`).
    """
    log = log if log is not None else curation_log(get_settings())
    pair = f"{link.drug.get('id')}→{link.target.get('id')}"
    total = link.total_rows if isinstance(link, LinkPage) else len(link.rows)
    if (total > SYNTHESIS_ROWS or total > len(link.rows)) and st.session_state.get(_ASKED) != pair:
        st.subheader("What the evidence adds up to")
        st.info(
            f"This link rests on {total:,} studies and guidelines. Weighing all of them (certainty, pooled "
            "incidence, conflicts between pairs) takes a while on a link this large, so it is worked out when "
            "you ask."
        )
        st.button(
            "Work out the synthesis", key="evx_synthesis_go", on_click=st.session_state.__setitem__, args=(_ASKED, pair)
        )
        return
    report = link.report
    syn = report.synthesis
    o = syn.overall
    st.subheader("What the evidence adds up to")
    st.markdown(
        f"{certainty_badge(o.certainty)} — {md_escape(o.direction)}, "
        f"{len(o.supporting)} supporting (weight {o.support_weight:g}) against {len(o.contradicting)} "
        f"contradicting (weight {o.contradict_weight:g})"
    )
    for line in report.conclusion[1:]:
        st.markdown(md_escape(line))
    with st.expander("Why this certainty", expanded=False):
        for reason in o.reasons:
            st.markdown(f"- {md_escape(reason)}")
        for note in o.notes:
            st.caption(md_escape(note))
    st.markdown("**Claim summaries**")
    st.dataframe(
        [
            {
                "claim": c.claim,
                "direction": c.direction,
                "certainty": c.certainty,
                "supporting": ", ".join(f"{t.name} ({t.weight:g})" for t in c.supporting),
                "contradicting": ", ".join(f"{t.name} ({t.weight:g})" for t in c.contradicting),
                "why": " · ".join(c.reasons),
            }
            for c in syn.claims
        ],
        hide_index=True,
    )
    if syn.overall.pooling.estimates:
        st.markdown("**Incidence by population** (pooled per population, never across)")
        pooled_chart(syn.overall.pooling.estimates)
    _conflicts(report)
    _badges(report)
    with st.expander("How evidence is weighed (graph/data/evidence_weights.yaml)"):
        st.table(
            [
                {
                    "design": w.design,
                    "weight": w.weight,
                    "certainty starts at": w.start,
                    "n counted": "yes" if w.counts_patients else "no",
                }
                for w in report.weights
            ]
        )
    _curation_form(report, log)
    name = f"evidence-{syn.drug.get('name', 'drug')}-{syn.target.get('name', 'outcome')}".replace(" ", "-")
    row = st.container(horizontal=True)
    row.download_button(
        "Download report", render_html(report), file_name=f"{name}.html", mime="text/html", key="evx_dl_report"
    )
    row.download_button(
        "Markdown", render_markdown(report), file_name=f"{name}.md", mime="text/markdown", key="evx_dl_md"
    )


def _conflicts(report: EvidenceReport) -> None:
    conflicts = report.synthesis.conflicts
    if not conflicts:
        return
    # studies against studies first, the heaviest pairs first: a guideline against a case report is noise
    ranked = sorted(
        conflicts,
        key=lambda c: (
            not (c.supporting.rule.primary and c.contradicting.rule.primary),
            -(c.supporting.weight + c.contradicting.weight),
        ),
    )
    st.markdown(f"**Conflicts** ({plural(len(conflicts), 'pair')}; studies against studies first)")
    more = len(ranked) > _CONFLICTS_SHOWN and st.toggle(
        f"Show {plural(len(ranked) - _CONFLICTS_SHOWN, 'more pair')}", key="evx_more_conflicts"
    )
    for i, c in enumerate(ranked if more else ranked[:_CONFLICTS_SHOWN]):
        _conflict(c, expanded=i == 0)


def _conflict(c: Conflict, *, expanded: bool) -> None:
    with st.expander(f"{c.supporting.name} versus {c.contradicting.name}", expanded=expanded):
        st.table(
            {
                "": [d.attribute for d in c.differences],
                f"supports: {c.supporting.name}": [d.supporting for d in c.differences],
                f"contradicts: {c.contradicting.name}": [d.contradicting for d in c.differences],
            }
        )
        if c.not_recorded:
            st.caption("Not recorded for either: " + md_escape(", ".join(c.not_recorded)))


def pooled_chart(estimates: Sequence[PooledEstimate]) -> None:
    """Each study's proportion with its 95% interval, and one diamond per population (Vega-Lite)."""
    frame = pd.DataFrame(pooled_records(estimates))
    colour = alt.Color(
        "stance:N",
        scale=alt.Scale(domain=["supports", "contradicts", "estimate"], range=["#2b7a3d", "#c0392b", "#1f3b73"]),
        legend=alt.Legend(orient="bottom", title=None),
    )
    base = alt.Chart(frame).encode(
        y=alt.Y("row:N", sort=None, title=None, axis=alt.Axis(labelLimit=360, labelOverlap=False))
    )
    rules = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("low:Q", title="percent of patients (95% CI)", scale=alt.Scale(domain=[0, 100])),
        x2="high:Q",
        color=colour,
    )
    studies = base.transform_filter(alt.datum.what == "study").mark_point(filled=True, size=90, shape="square")
    pooled = base.transform_filter(alt.datum.what == "estimate").mark_point(filled=True, size=220, shape="diamond")
    marks = [
        layer.encode(x="value:Q", color=colour, tooltip=["row:N", "text:N", "low:Q", "high:Q"])
        for layer in (studies, pooled)
    ]
    labels = base.mark_text(align="left", dx=8, fontSize=11).encode(x="high:Q", text="text:N")
    chart = alt.layer(rules, *marks, labels).properties(height=alt.Step(26))
    st.altair_chart(chart, width="stretch")


def _badges(report: EvidenceReport) -> None:
    curated = [(row, b) for row in (*report.rows, *report.rejected) for b in row.curation]
    for row, badge in curated:
        st.badge(md_escape(f"curated · {row.name}: {badge}"), color="orange")


def _curation_form(report: EvidenceReport, log: CurationLog) -> None:
    options = {
        f"{row.stance} · {row.name} · {row.claim} ({edge})": edge for row in report.rows for edge in row.edge_ids
    }
    options |= {
        f"rejected · {row.name} · {row.claim} ({edge})": edge for row in report.rejected for edge in row.edge_ids
    }
    if not options:
        return
    with st.expander("Curate an edge"), st.form("evx_curate", clear_on_submit=True):
        label = st.selectbox("Edge", list(options))
        action = st.radio("Action", ["confirm", "reject", "relabel"], horizontal=True)
        new_type = st.selectbox("New type (relabel)", [EdgeType.SUPPORTS.value, EdgeType.CONTRADICTS.value])
        curator = st.text_input("Your name")
        reason = st.text_area("Reason")
        if st.form_submit_button("Record"):
            try:
                Curation(log).record(
                    action=action,
                    edge=options[label],
                    new_type=EdgeType(new_type) if action == "relabel" else None,
                    curator=curator,
                    reason=reason or None,
                )
            except RecordError as exc:
                st.error(md_escape(str(exc)))
                return
            st.success(f"Recorded: {action} by {md_escape(curator)}")
            st.rerun()
