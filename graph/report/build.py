"""Building the evidence report of one drug → outcome (or condition) link from its evidence.

Regenerated from the store, so it changes when evidence is added or curated: the
conclusion, the evidence table (rejected rows kept, marked), recommendations and sources.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from graph.curation import Correction, CuratedEvidence, curate_evidence
from graph.evidence_view import recommendation_rows, shown_quotes, study_groups
from graph.report.model import EvidenceReport, ReportRow, SourceEntry
from graph.store.base import EvidenceStore
from graph.synthesis import Synthesis, Testimony, synthesise, weights_table
from graph.synthesis.forest import forest_svg
from graph.synthesis.pooling import PooledEstimate, round_half_up
from graph.synthesis.weights import Weights
from graph.views import Evidence, EvidenceItem

__all__ = ["build_report", "evidence_sources", "figure_line", "incidence_headline", "report_for"]


def figure_line(fig: dict[str, Any]) -> str:
    """A figure as read, with any derived count marked: ``51% of 21 (11 derived: 51% × 21 = 10.71 → 11)``."""
    value, unit = fig.get("value"), str(fig.get("unit") or "")
    num, den = fig.get("numerator"), fig.get("denominator")
    if isinstance(value, int | float):
        text = f"{value:g}%" if unit == "%" else f"{value:g} {unit}".strip()
    else:
        text = str(fig.get("name") or "?")
    if num is not None and den is not None:
        text += f" ({num}/{den})"
    elif den is not None:
        text += f" of {den}"
        if unit == "%" and isinstance(value, int | float):
            exact = value / 100 * den
            text += f" ({round_half_up(exact)} derived: {value:g}% × {den} = {exact:.2f} → {round_half_up(exact)})"
    elif num is not None:
        text += f" ({num} patients; denominator not given)"
    if fig.get("population"):
        text += f" — {fig['population']}"
    elif fig.get("label") and fig.get("label") != text:
        text += f" — {fig['label']}"
    return " ".join(text.split())


def build_report(
    evidence: Evidence,
    *,
    sources: dict[str, dict[str, Any]] | None = None,
    corrections: Sequence[Correction] = (),
    node: Callable[[str], dict[str, Any] | None] | None = None,
    population: str | None = None,
    weights: Weights | None = None,
    generated: str | None = None,
    curated: CuratedEvidence | None = None,
) -> EvidenceReport:
    """The report for ``evidence`` after the curation overlay; ``sources`` maps source ids to nodes.

    ``curated`` is ``evidence`` with ``corrections`` already applied (the application layer
    curates once and shares the result); without it the overlay is applied here.
    """
    curated = curated if curated is not None else curate_evidence(evidence, corrections, node=node)
    syn = synthesise(curated.evidence, weights=weights, population=population)
    sources = sources or {}
    rows = tuple(_row(t, sources) for t in syn.testimonies)
    rejected = tuple(_rejected_row(item, sources) for item in curated.rejected)
    return EvidenceReport(
        title=f"Evidence report: {syn.title}" + (f" in {population}" if population else ""),
        synthesis=syn,
        conclusion=tuple(_conclusion(syn)),
        rows=rows,
        rejected=rejected,
        recommendations=tuple(recommendation_rows(curated.evidence)),
        sources=tuple(_sources(syn, sources)),
        weights=tuple(weights_table(syn.weights)),
        corrections=tuple(corrections),
        forest_svg=forest_svg(syn.overall.pooling.estimates, title=f"{syn.title}: incidence by population"),
        generated=generated or dt.date.today().isoformat(),
    )


def report_for(
    store: EvidenceStore,
    drug: str,
    target: str,
    *,
    corrections: Sequence[Correction] = (),
    population: str | None = None,
    weights: Weights | None = None,
) -> EvidenceReport:
    """Resolve names as a person types them ("mecasermine", "hypoglykemie") and build the report."""
    drug_node = store.resolve(drug)
    target_node = store.resolve(target)
    evidence = store.evidence(drug_node["id"], target_node["id"])
    sources = evidence_sources(evidence, store.node)
    return build_report(
        evidence, sources=sources, corrections=corrections, node=store.node, population=population, weights=weights
    )


def evidence_sources(evidence: Evidence, node: Callable[[str], dict[str, Any] | None]) -> dict[str, dict[str, Any]]:
    """The source documents the link's items and recommendations were read from, by id (``node`` looks them up)."""
    ids = {i.source_doc for i in evidence.items} | {i.evidence.source_doc for i in evidence.items}
    ids |= {r.source_doc for r in evidence.recommendations}
    return {sid: found for sid in sorted(i for i in ids if i) if (found := node(sid)) is not None}


def _conclusion(syn: Synthesis) -> list[str]:
    o = syn.overall
    lines = [
        f"{syn.title}: {o.direction} — {len(o.supporting)} supporting and {len(o.contradicting)} contradicting "
        f"(weight {o.support_weight:g} against {o.contradict_weight:g}); certainty {o.certainty.upper()}."
    ]
    any_outcome = [e for e in o.pooling.estimates if e.outcome == "any"]
    if any_outcome:
        parts = [f"{incidence_headline(e)} in {e.population}" for e in any_outcome]
        split = " — reported per population, not pooled across populations" if len(any_outcome) > 1 else ""
        lines.append("Incidence: " + "; ".join(parts) + split + ".")
    against = [t for t in o.contradicting]
    if against:
        who = ", ".join(
            f"{t.name} ({t.finding_population or t.population or 'population not stated'}"
            + (f", n={t.n}" if t.n is not None else "")
            + ")"
            for t in against
        )
        lines.append(f"Contradicting evidence: {who}; see the conflicts for what differs.")
    return lines


def incidence_headline(e: PooledEstimate) -> str:
    """What the source reported first, what was computed beside it: ``51% of 21 (11/21 = 52.4%, derived)``.

    A single study's reported percentage is the headline; the count derived from it (needed
    for the interval) is marked as derived.  A pooled estimate is the computation itself.
    """
    derived = any(s.events_derived for s in e.studies)
    if e.k == 1 and (only := e.studies[0]).reported_value is not None:
        counted = f"{only.events}/{only.total} = {only.proportion:.1%}" + (", derived" if derived else "")
        return f"{only.reported_value:g}% of {only.total} ({counted})"
    if e.k == 1:
        return f"{e.proportion:.1%} ({e.events}/{e.total}{', derived' if derived else ''})"
    return f"{e.proportion:.1%} pooled from {e.k} studies ({e.events}/{e.total}{', counts derived' if derived else ''})"


def _row(t: Testimony, sources: dict[str, dict[str, Any]]) -> ReportRow:
    badges = tuple(
        f"{c['curation_status']} by {c['curated_by']} on {c['curated_at']}: {c['curation_reason']}".rstrip(": ")
        for c in t.curation
    )
    return ReportRow(
        stance=t.stance,
        name=t.name + (f" ({t.year})" if t.year and str(t.year) not in t.name else ""),
        links=t.links,
        design=t.design or t.rule.label,
        weight=t.weight,
        n=t.n,
        population="; ".join(study_groups(t.figures, t.finding_population, t.population)),
        claim=t.claim,
        figures=tuple(dict.fromkeys(figure_line(f) for f in t.figures)),
        quotes=tuple(dict.fromkeys(" ".join((q.text or "").split()) for _, q in shown_quotes(t.quotes))),
        sources=tuple(dict.fromkeys(_source_title(q.source_doc, sources) for q in t.quotes if q.source_doc)),
        curation=badges,
        edge_ids=t.edge_ids,
    )


def _rejected_row(item: EvidenceItem, sources: dict[str, dict[str, Any]]) -> ReportRow:
    ev = item.evidence
    c = item.curation[0] if item.curation else {}
    return ReportRow(
        stance=item.stance.value.lower(),
        name=ev.label,
        links=(),
        design=ev.text("design") or ev.text("guideline_type") or "",
        weight=0.0,
        n=ev.get("n"),
        population=item.finding.population or ev.population or "",
        claim=item.finding.name or "",
        figures=(),
        quotes=(" ".join(item.quote.split()),) if item.quote else (),
        sources=(_source_title(item.source_doc, sources),) if item.source_doc else (),
        curation=(f"rejected by {c.get('curated_by')} on {c.get('curated_at')}: {c.get('curation_reason')}",),
        edge_ids=(item.edge_id,),
    )


def _source_title(source_id: str | None, sources: dict[str, dict[str, Any]]) -> str:
    node = sources.get(source_id or "")
    return str((node or {}).get("title") or (node or {}).get("name") or source_id)


def _sources(syn: Synthesis, sources: dict[str, dict[str, Any]]) -> list[SourceEntry]:
    out = []
    for sid, node in sources.items():
        uri = node.get("uri")
        url = uri if isinstance(uri, str) and re.match(r"^https?://[^\s\"'<>]+$", uri) else None
        out.append(
            SourceEntry(
                sid,
                str(node.get("title") or node.get("name") or sid),
                str(node.get("source_type") or ""),
                url,
                node.get("conclusion") or node.get("advice"),
            )
        )
    return out
