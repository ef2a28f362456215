"""The evidence behind a drug → outcome link, shaped for reading: rows, figures, links out.

Pure functions over :class:`graph.store.base.Evidence`, so the Streamlit panel, the CLI
and a written report show the same table and the same forest-chart numbers.  Nothing
here escapes HTML: callers that build HTML escape, widgets that render text do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from graph.model import EdgeType
from graph.proportions import round_half_up, wilson
from graph.store.base import Evidence, EvidenceItem
from graph.values import text_or_none, whole_number

__all__ = [
    "EvidenceRow",
    "ForestPoint",
    "Link",
    "Passage",
    "RecommendationRow",
    "evidence_rows",
    "figure_text",
    "forest_points",
    "link_outs",
    "passage",
    "recommendation_rows",
]

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^\d{1,9}$")
_NCT = re.compile(r"^NCT\d{8}$", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class EvidenceRow:
    """One study or guideline taking a stance on one claim, flattened for a table."""

    stance: str  # "supports" / "contradicts"
    kind: str
    evidence_id: str
    name: str
    title: str | None
    design: str | None
    n: int | None
    population: str | None
    year: int | None
    figures: str
    quote: str | None
    source_doc: str | None
    span: tuple[int, int] | None
    finding: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class ForestPoint:
    """One number of one study in one population: a row of the forest-style chart."""

    study: str
    population: str
    value: float
    unit: str
    n: int | None
    low: float | None
    high: float | None
    stance: str
    label: str = ""

    @property
    def row_label(self) -> str:
        n = f" (n={self.n})" if self.n is not None and f"n={self.n}" not in self.population else ""
        value = f"{self.value:g}{self.unit if self.unit == '%' else ''}"
        return f"{self.study} · {self.population}{n} · {value}"


@dataclass(frozen=True)
class RecommendationRow:
    source: str
    strength: str | None
    text: str | None
    about: str | None
    year: int | None
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Passage:
    """A quote in its document: the text before it, the quote itself, the text after."""

    before: str
    quote: str
    after: str
    found: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def link_outs(props: dict[str, Any]) -> tuple[Link, ...]:
    """DOI, PubMed and ClinicalTrials.gov links, only for identifiers that look valid.

    Validation matters: the values come from documents, and a link must never become
    a ``javascript:`` URL or point somewhere the identifier does not name.
    """
    links: list[Link] = []
    doi = text_or_none(props.get("doi"))
    if doi and _DOI.match(doi):
        links.append(Link("DOI", "https://doi.org/" + quote(doi, safe="/:;()._-")))
    pmid = text_or_none(props.get("pmid"))
    if pmid and _PMID.match(pmid):
        links.append(Link("PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
    nct = text_or_none(props.get("nct_id"))
    if nct and _NCT.match(nct):
        links.append(Link("ClinicalTrials.gov", f"https://clinicaltrials.gov/study/{nct.upper()}"))
    return tuple(links)


def figure_text(fig: dict[str, Any]) -> str:
    """``51% (n=21) — Laron syndrome`` : value, unit, n and population of one figure."""
    value = fig.get("value")
    unit = text_or_none(fig.get("unit")) or ""
    if isinstance(value, int | float):
        number = f"{value:g}"
        shown = f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()
    else:
        shown = text_or_none(fig.get("name")) or "?"
    n = _figure_n(fig)
    parts = [shown + (f" (n={n})" if n is not None else "")]
    if pop := text_or_none(fig.get("population")):
        parts.append(pop)
    elif label := text_or_none(fig.get("label")):
        parts.append(label)
    return " — ".join(parts)


def evidence_rows(evidence: Evidence) -> list[EvidenceRow]:
    """Supporting rows first, then contradicting, each by year then name."""
    rows = [_row(item) for item in evidence.items]
    order = {"supports": 0, "contradicts": 1}
    rows.sort(key=lambda r: (order.get(r.stance, 2), r.year or 0, r.name, r.finding))
    return rows


def forest_points(evidence: Evidence) -> list[ForestPoint]:
    """Every numeric figure behind the link, with a 95% Wilson interval for proportions."""
    points: list[ForestPoint] = []
    seen: set[str] = set()
    for item in evidence.items:
        for fig in item.figures:
            value = fig.get("value")
            if not isinstance(value, int | float) or fig.get("id") in seen:
                continue
            seen.add(str(fig.get("id")))
            unit = text_or_none(fig.get("unit")) or ""
            n = _figure_n(fig)  # never the study's n: a figure's group may be a subset of it
            low = high = None
            if unit == "%" and n:
                events = whole_number(fig.get("numerator"))
                events = round_half_up(float(value) / 100.0 * n) if events is None else events
                low, high = (bound * 100.0 for bound in wilson(min(max(events, 0), n), n))
            points.append(
                ForestPoint(
                    study=text_or_none(item.evidence.get("name")) or item.evidence.get("id", "?"),
                    population=text_or_none(fig.get("population"))
                    or text_or_none(item.finding.get("population"))
                    or text_or_none(fig.get("label"))
                    or text_or_none(item.evidence.get("population"))
                    or "all patients",
                    value=float(value),
                    unit=unit,
                    n=n,
                    low=low,
                    high=high,
                    stance=_stance(item),
                    label=text_or_none(fig.get("label")) or text_or_none(fig.get("name")) or "",
                )
            )
    points.sort(key=lambda p: (p.unit, p.study, -(p.n or 0)))
    return points


def recommendation_rows(evidence: Evidence) -> list[RecommendationRow]:
    rows = []
    for rec in evidence.recommendations:
        ev = rec.get("evidence", {})
        rows.append(
            RecommendationRow(
                source=text_or_none(ev.get("name")) or str(ev.get("id", "?")),
                strength=text_or_none(rec.get("strength")) or text_or_none(ev.get("strength")),
                text=text_or_none(rec.get("text")) or text_or_none(rec.get("quote")) or text_or_none(ev.get("text")),
                about=text_or_none(rec.get("about")),
                year=whole_number(ev.get("year")),
                links=link_outs(ev),
            )
        )
    return rows


def passage(text: str, span: tuple[int, int] | None, quote_text: str | None, *, context: int = 600) -> Passage:
    """The quote located in its source text, with ``context`` characters either side.

    Uses the stored span when it still points at the quote, else the first verbatim
    occurrence; ``found`` is false when the quote is not in the text at all.
    """
    start = end = None
    if (
        span is not None
        and 0 <= span[0] <= span[1] <= len(text)
        and (quote_text is None or text[span[0] : span[1]] == quote_text)
    ):
        start, end = span
    if start is None and quote_text:
        at = text.find(quote_text)
        if at >= 0:
            start, end = at, at + len(quote_text)
    if start is None or end is None:
        return Passage(before=text[: context * 2], quote="", after="", found=False)
    lo, hi = max(0, start - context), min(len(text), end + context)
    before = ("…" if lo else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < len(text) else "")
    return Passage(before=before, quote=text[start:end], after=after)


def _row(item: EvidenceItem) -> EvidenceRow:
    ev = item.evidence
    figs = "; ".join(dict.fromkeys(figure_text(f) for f in item.figures))
    return EvidenceRow(
        stance=_stance(item),
        kind=str(ev.get("kind") or ""),
        evidence_id=str(ev.get("id")),
        name=text_or_none(ev.get("name")) or str(ev.get("id")),
        title=text_or_none(ev.get("title")),
        design=text_or_none(ev.get("design"))
        or (text_or_none(ev.get("guideline_type")) if ev.get("kind") == "Guideline" else None),
        n=whole_number(ev.get("n")),
        population=text_or_none(ev.get("population")) or text_or_none(item.finding.get("population")),
        year=whole_number(ev.get("year")),
        figures=figs,
        quote=item.quote,
        source_doc=item.source_doc,
        span=item.span,
        finding=text_or_none(item.finding.get("name")) or str(item.finding.get("id")),
        links=link_outs(ev),
    )


def _stance(item: EvidenceItem) -> str:
    return "supports" if item.stance is EdgeType.SUPPORTS else "contradicts"


def _figure_n(fig: dict[str, Any]) -> int | None:
    return whole_number(fig.get("denominator"))
