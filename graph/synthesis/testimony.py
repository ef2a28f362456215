"""One study or guideline's stance on one claim, weighed: the unit every synthesis counts.

``store.evidence`` returns one item per stance *edge*; a guideline read from two
documents gives two edges for one opinion, and a store may repeat rows.  Here they are
folded into one :class:`Testimony` per (claim, evidence node, stance), keeping every
quote and edge id, so nothing is counted twice and nothing read is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graph.evidence_view import Link, link_outs, population_key, population_label
from graph.synthesis.weights import DesignRule, Weights, design_of, quality_level
from graph.views import Evidence, EvidenceItem

__all__ = ["Quote", "Testimony", "population_key", "population_label", "weigh"]


@dataclass(frozen=True)
class Quote:
    """A sentence a stance was read from, and the edge that carries it."""

    text: str | None
    source_doc: str | None
    span: tuple[int, int] | None
    edge_id: str
    curation: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Testimony:
    """A study or guideline supporting or contradicting one claim, with its weight."""

    finding_id: str
    claim: str
    finding_population: str | None
    stance: str  # "supports" / "contradicts"
    evidence_id: str
    name: str
    kind: str
    design: str | None
    rule: DesignRule
    n: int | None
    year: int | None
    population: str | None
    interventions: str | None
    size_factor: float
    weight: float
    start: str
    start_note: str
    quotes: tuple[Quote, ...]
    figures: tuple[dict[str, Any], ...]
    links: tuple[Link, ...]
    node: dict[str, Any]

    @property
    def edge_ids(self) -> tuple[str, ...]:
        return tuple(q.edge_id for q in self.quotes)

    @property
    def curation(self) -> tuple[dict[str, Any], ...]:
        return tuple(c for q in self.quotes for c in q.curation)


def weigh(evidence: Evidence, weights: Weights) -> list[Testimony]:
    """One weighed testimony per (claim, evidence node, stance), strongest first."""
    groups: dict[tuple[str, str, str], list[EvidenceItem]] = {}
    for item in evidence.items:
        key = (item.finding.id, item.evidence.id, item.stance.value)
        groups.setdefault(key, []).append(item)
    out = [_testimony(items, weights) for items in groups.values()]
    out.sort(key=lambda t: (t.stance != "supports", -t.weight, t.name, t.finding_id))
    return out


def _testimony(items: list[EvidenceItem], weights: Weights) -> Testimony:
    first = items[0]
    ev, finding = first.evidence, first.finding
    rule = design_of(weights, ev)
    n = ev.n
    size = weights.size_factor(n) if rule.primary else 1.0
    start, note = rule.start, f"{rule.label.lower()}: starts at {rule.start}"
    if (graded := quality_level(weights, ev)) is not None:
        start, note = graded, f"{rule.label.lower()} that grades its own evidence {ev.get('quality')}: {graded}"
    quotes: dict[str, Quote] = {}
    for item in items:
        if item.edge_id not in quotes:
            quotes[item.edge_id] = Quote(item.quote, item.source_doc, item.span, item.edge_id, item.curation)
    return Testimony(
        finding_id=finding.id,
        claim=finding.label,
        finding_population=finding.population,
        stance="supports" if first.supports else "contradicts",
        evidence_id=ev.id,
        name=ev.label,
        kind=ev.kind or "",
        design=ev.text("design") or ev.text("guideline_type"),
        rule=rule,
        n=n,
        year=ev.year,
        population=ev.population or finding.population,
        interventions=ev.text("interventions"),
        size_factor=size,
        weight=round(rule.weight * size, 4),
        start=start,
        start_note=note,
        quotes=tuple(quotes.values()),
        figures=_unique_figures(f for item in items for f in item.figures),
        links=link_outs(ev),
        node=dict(ev),
    )


def _unique_figures(figures: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    seen: dict[str, dict[str, Any]] = {}
    for fig in figures:
        seen.setdefault(str(fig.get("id")), dict(fig))
    return tuple(sorted(seen.values(), key=lambda f: str(f.get("id"))))
