"""What the evidence adds up to: claim summaries with certainty, incidence by population,
conflicts side by side, the weights used, curation badges and form, and the report download.

Only arranges widgets: the numbers come from :mod:`graph.synthesis` through
:func:`graph.report.report_for`, corrections from :mod:`graph.curation`.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from pydantic import ValidationError

from graph.curation import Correction, CurationLog
from graph.errors import EvidenceError
from graph.model import EdgeType
from graph.report import EvidenceReport, render_html, render_markdown, report_for
from graph.settings import Settings
from graph.store.base import EvidenceStore
from ui.viewmodel import md_escape

__all__ = ["render_synthesis"]

_CERTAINTY_ICON = {"high": "🟢", "moderate": "🟡", "low": "🟠", "very low": "🔴"}


def render_synthesis(store: EvidenceStore, drug_id: str, target_id: str) -> None:
    """The synthesis panel for one drug → outcome link (call it under the evidence table)."""
    log = CurationLog.for_store(Settings.from_env().store)
    try:
        report = report_for(store, drug_id, target_id, corrections=log.corrections)
    except EvidenceError as exc:
        st.error(md_escape(str(exc)))
        return
    syn = report.synthesis
    o = syn.overall
    st.subheader("What the evidence adds up to")
    st.markdown(
        f"{_CERTAINTY_ICON.get(o.certainty, '')} **Certainty: {o.certainty}** — {md_escape(o.direction)}, "
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
                "certainty": f"{_CERTAINTY_ICON.get(c.certainty, '')} {c.certainty}",
                "supporting": ", ".join(f"{t.name} ({t.weight:g})" for t in c.supporting),
                "contradicting": ", ".join(f"{t.name} ({t.weight:g})" for t in c.contradicting),
                "why": " · ".join(c.reasons),
            }
            for c in syn.claims
        ],
        hide_index=True,
    )
    if report.forest_svg:
        st.markdown("**Incidence by population** (pooled per population, never across)")
        st.html(report.forest_svg)
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
    st.markdown(f"**Conflicts** ({len(conflicts)} pairs; studies against studies first)")
    for i, c in enumerate(conflicts):
        with st.expander(f"{c.supporting.name} ⟷ {c.contradicting.name}", expanded=i == 0):
            st.table(
                {
                    "": [d.attribute for d in c.differences],
                    f"supports: {c.supporting.name}": [d.supporting for d in c.differences],
                    f"contradicts: {c.contradicting.name}": [d.contradicting for d in c.differences],
                }
            )
            if c.not_recorded:
                st.caption("Not recorded for either: " + md_escape(", ".join(c.not_recorded)))


def _badges(report: EvidenceReport) -> None:
    curated = [(row, b) for row in (*report.rows, *report.rejected) for b in row.curation]
    for row, badge in curated:
        st.badge(md_escape(f"{row.name}: {badge}"), icon="✍️", color="orange")


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
                correction = Correction(
                    action=action,
                    edge=options[label],
                    new_type=EdgeType(new_type) if action == "relabel" else None,
                    curator=curator,
                    date=dt.date.today(),
                    reason=reason or None,
                )
            except ValidationError as exc:
                st.error(md_escape("; ".join(e["msg"] for e in exc.errors())))
                return
            log.add(correction)
            st.success(f"Recorded: {action} by {md_escape(curator)}")
            st.rerun()
