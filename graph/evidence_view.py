"""The evidence behind a drug → outcome link, shaped for reading: rows, figures, links out.

Pure functions over :class:`graph.store.base.Evidence`, so the Streamlit panel, the CLI
and a written report show the same table and the same forest-chart numbers.  Nothing
here escapes HTML: callers that build HTML escape, widgets that render text do not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from graph.dose import stated_doses
from graph.model import EdgeType
from graph.proportions import round_half_up, wilson
from graph.values import text_or_none
from graph.views import FACT_LABELS, Evidence, EvidenceItem, FigureView, node_facts

__all__ = [
    "FACT_LABELS",
    "EvidenceRow",
    "FigureLine",
    "ForestPoint",
    "Link",
    "Passage",
    "QuoteRef",
    "RecommendationRow",
    "evidence_rows",
    "figure_line",
    "figure_text",
    "forest_points",
    "link_outs",
    "node_facts",
    "passage",
    "population_key",
    "population_label",
    "recommendation_rows",
    "shown_quotes",
    "study_groups",
]

_N_NOTE = re.compile(r"\(\s*n\s*=\s*\d+\s*\)", re.IGNORECASE)

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^\d{1,9}$")
_NCT = re.compile(r"^NCT\d{8}$", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class QuoteRef:
    """A sentence a row was read from: where it sits in its document, and the edge that carries it."""

    text: str | None
    source_doc: str | None
    span: tuple[int, int] | None
    edge_id: str = ""


@dataclass(frozen=True)
class FigureLine:
    """A number as its source reported it, and anything computed from it, kept apart.

    ``reported`` is the headline (``51% (n=21)``); ``derived`` says what was computed and
    how (``11/21 = 52.4%, derived from 51% × 21``), so a reader never mistakes it for the
    source's own number.
    """

    reported: str
    group: str | None = None
    derived: str | None = None

    @property
    def text(self) -> str:
        return " — ".join(p for p in (self.reported, self.group) if p)


@dataclass(frozen=True)
class EvidenceRow:
    """One study or guideline taking one stance on the link: one row, however often it was read.

    A guideline quoted by two documents, or a study supporting two claims of the same link,
    is one row holding every quote and figure; counts are counted from these rows.
    """

    stance: str  # "supports" / "contradicts"
    kind: str
    evidence_id: str
    name: str
    title: str | None
    design: str | None
    n: int | None
    year: int | None
    populations: tuple[str, ...]
    figures: tuple[FigureLine, ...]
    quotes: tuple[QuoteRef, ...]
    claims: tuple[str, ...]
    links: tuple[Link, ...] = ()
    curation: tuple[str, ...] = ()
    doses: tuple[str, ...] = ()  # the doses its claims and figures state ("≥ 200 µg/kg/day")

    @property
    def population(self) -> str | None:
        return "; ".join(self.populations) or None

    @property
    def figures_text(self) -> str:
        return "; ".join(f.text for f in self.figures)

    @property
    def quote(self) -> str | None:
        return next((q.text for q in self.quotes if q.text), None)

    @property
    def edge_ids(self) -> tuple[str, ...]:
        return tuple(q.edge_id for q in self.quotes if q.edge_id)

    @property
    def shown_quotes(self) -> tuple[tuple[int, QuoteRef], ...]:
        """The quotes a reader sees, with their index in :attr:`quotes` (see :func:`shown_quotes`)."""
        return shown_quotes(self.quotes)


class Quoted(Protocol):
    """What :func:`shown_quotes` reads of a quote (a :class:`QuoteRef`, or a testimony's quote)."""

    @property
    def text(self) -> str | None: ...
    @property
    def source_doc(self) -> str | None: ...
    @property
    def span(self) -> tuple[int, int] | None: ...


Q = TypeVar("Q", bound=Quoted)


def shown_quotes(quotes: Sequence[Q]) -> tuple[tuple[int, Q], ...]:
    """Each passage once, with its index in ``quotes``: a row keeps every quote (and its edge), but
    the same words read from two documents, the same span twice, or a sentence that another quote
    of the row already holds whole would show the reader one passage twice; the longer one stays."""
    kept: list[tuple[int, Q, str]] = []
    for i, q in enumerate(quotes):
        if not q.text:
            continue
        words = " ".join(q.text.split()).casefold()
        if any(
            words in seen or (q.span is not None and (q.source_doc, q.span) == (k.source_doc, k.span))
            for _, k, seen in kept
        ):
            continue
        inside = [n for n, (_, _, seen) in enumerate(kept) if seen in words]
        if inside:
            kept[inside[0]] = (i, q, words)
            kept = [k for n, k in enumerate(kept) if n not in inside[1:]]
        else:
            kept.append((i, q, words))
    return tuple((i, q) for i, q, _ in kept)


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


def figure_text(fig: Mapping[str, Any]) -> str:
    """``51% (n=21) — Laron syndrome`` : value, unit, n and population of one figure."""
    fig = _figure(fig)
    parts = [_reported(fig)]
    if pop := fig.population:
        parts.append(pop)
    elif label := fig.figure_label:
        parts.append(label)
    return " — ".join(parts)


def _figure(fig: Mapping[str, Any]) -> FigureView:
    return fig if isinstance(fig, FigureView) else FigureView(fig)


def _reported(fig: FigureView) -> str:
    """The number as reported with its unit and group size: ``51% (n=21)``, ``0.1 events per treatment-year``."""
    value, unit, n = fig.value, fig.unit, fig.denominator
    if value is not None:
        number = f"{value:g}"
        shown = f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()
    else:
        shown = fig.name or "?"
    return shown + (f" (n={n})" if n is not None else "")


def evidence_rows(evidence: Evidence) -> list[EvidenceRow]:
    """One row per (study or guideline, stance); supporting first, then contradicting, each by year then name."""
    groups: dict[tuple[str, str], list[EvidenceItem]] = {}
    for item in evidence.items:
        groups.setdefault((item.evidence.id, item.stance.value), []).append(item)
    rows = [_row(items) for items in groups.values()]
    order = {"supports": 0, "contradicts": 1}
    rows.sort(key=lambda r: (order.get(r.stance, 2), r.year or 0, r.name, r.claims))
    return rows


def figure_line(fig: Mapping[str, Any]) -> FigureLine:
    """The reported number of one figure as the headline, its group, and what was derived from it."""
    fig = _figure(fig)
    value, n = fig.value, fig.denominator
    group = population_label(fig.population) or fig.figure_label
    derived = None
    if fig.unit == "%" and value is not None and n and fig.numerator is None:
        events = round_half_up(value / 100.0 * n)
        derived = f"{events}/{n} = {events / n:.1%}, derived from {value:g}% × {n}"
    return FigureLine(_reported(fig), group, derived)


def population_label(text: str | None) -> str | None:
    """A population as written, without its "(n=21)" note: "niet-behandelde Laronsyndroomgroep"."""
    if not text:
        return None
    cleaned = " ".join(_N_NOTE.sub("", text).split()).strip(" ;,")
    return cleaned or None


def population_key(text: str | None) -> str:
    """Case-, accent- and n-blind key; different wording stays a different population.

    Deliberately literal: "zonder Laronsyndroom" (without Laron) must never fall into
    the Laron stratum, which a synonym lookup would do.
    """
    label = population_label(text) or ""
    folded = unicodedata.normalize("NFKD", label.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def study_groups(figures: Iterable[Mapping[str, Any]], *fallbacks: str | None) -> tuple[str, ...]:
    """The populations a study reported on, from its own groups (its figures), else as it describes itself.

    Bang 2021 reports 51% in its untreated Laron group and 16% in its group without Laron
    syndrome: both groups, not the study's headline "Laron syndrome".
    """
    groups: dict[str, str] = {}
    for fig in figures:
        label = population_label(_figure(fig).population)
        if label:
            groups.setdefault(population_key(label), label)
    if groups:
        return tuple(groups.values())
    return next(((f,) for f in (text_or_none(f) for f in fallbacks) if f), ())


def forest_points(evidence: Evidence) -> list[ForestPoint]:
    """Every numeric figure behind the link, once, with a 95% Wilson interval for proportions.

    The same number of the same study in the same group is one point, however many
    documents report it (Grimberg 2016's 42% is read from two).
    """
    points: list[ForestPoint] = []
    seen: set[tuple[Any, ...]] = set()
    for item in evidence.items:
        for fig in item.figures:
            value = fig.value
            if value is None:
                continue
            unit = fig.unit
            n = fig.denominator  # never the study's n: a figure's group may be a subset of it
            key = (item.evidence.id, value, unit, n, population_key(fig.population))
            if key in seen or fig.id in seen:
                continue
            seen.update((key, fig.id))
            low = high = None
            if unit == "%" and n:
                events = fig.numerator
                events = round_half_up(value / 100.0 * n) if events is None else events
                low, high = (bound * 100.0 for bound in wilson(min(max(events, 0), n), n))
            points.append(
                ForestPoint(
                    study=item.evidence.label or "?",
                    population=population_label(fig.population)
                    or item.finding.population
                    or fig.figure_label
                    or item.evidence.population
                    or "all patients",
                    value=value,
                    unit=unit,
                    n=n,
                    low=low,
                    high=high,
                    stance=row_stance(item),
                    label=fig.figure_label or fig.name or "",
                )
            )
    points.sort(key=lambda p: (p.unit, p.study, -(p.n or 0)))
    return points


def recommendation_rows(evidence: Evidence) -> list[RecommendationRow]:
    rows = []
    for rec in evidence.recommendations:
        ev = rec.evidence
        rows.append(
            RecommendationRow(
                source=ev.label or "?",
                strength=text_or_none(rec.strength) or ev.text("strength"),
                text=text_or_none(rec.text) or text_or_none(rec.quote) or ev.text("text"),
                about=text_or_none(rec.about),
                year=ev.year,
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


def _row(items: Sequence[EvidenceItem]) -> EvidenceRow:
    first = items[0]
    ev = first.evidence
    figures: dict[tuple[str, str], FigureLine] = {}
    for item in items:
        for fig in item.figures:
            line = figure_line(fig)
            figures.setdefault((line.reported, population_key(fig.population) or ""), line)
    quotes: dict[tuple[str | None, str | None], QuoteRef] = {}
    for item in items:
        ref = QuoteRef(item.quote, item.source_doc, item.span, item.edge_id)
        quotes.setdefault((" ".join((item.quote or "").split()) or None, item.source_doc), ref)
    curation = tuple(
        dict.fromkeys(
            f"{c.get('curation_status')} by {c.get('curated_by')} on {c.get('curated_at')}"
            + (f": {c['curation_reason']}" if c.get("curation_reason") else "")
            for item in items
            for c in item.curation
        )
    )
    all_figures = [f for item in items for f in item.figures]
    return EvidenceRow(
        stance=row_stance(first),
        kind=ev.kind or "",
        evidence_id=ev.id,
        name=ev.label,
        title=ev.title,
        design=ev.design,
        n=ev.n,
        year=ev.year,
        populations=study_groups(all_figures, ev.population, first.finding.population),
        figures=tuple(figures.values()),
        quotes=tuple(quotes.values()),
        claims=tuple(dict.fromkeys(i.finding.label for i in items)),
        links=link_outs(ev),
        curation=curation,
        doses=stated_doses([*(i.finding for i in items), *all_figures]),
    )


def row_stance(item: EvidenceItem) -> str:
    """The item's stance as rows name it ("supports" / "contradicts")."""
    return "supports" if item.stance is EdgeType.SUPPORTS else "contradicts"


def row_key(item: EvidenceItem) -> tuple[str, str]:
    """The row an item belongs to: one per (study or guideline, stance)."""
    return (item.evidence.id, row_stance(item))


def points_of_rows(evidence: Evidence, rows: Sequence[EvidenceRow]) -> list[ForestPoint]:
    """The numbers of ``rows`` only: a table showing 50 of 3,000 studies charts those 50."""
    wanted = {(r.evidence_id, r.stance) for r in rows}
    return forest_points(replace(evidence, items=tuple(i for i in evidence.items if row_key(i) in wanted)))
