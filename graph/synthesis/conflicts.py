"""Conflicts: a supporting and a contradicting piece of evidence side by side, with what differs.

Disagreement is rarely noise: Khwaja 2014 (10 girls with Rett syndrome, no
hypoglycaemia) and Bang 2021 (242 patients, 51% of untreated Laron patients) differ in
population, design and size.  Listing those differences is what lets a reader see why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.dose import Dose, find_doses
from graph.synthesis.testimony import Testimony, population_key

__all__ = ["Conflict", "Difference", "conflicts"]

#: What is compared, in the order shown.  ``dose`` is the dose the evidence states: on its figures
#: (``dose_value``/``dose_unit``/``dose_regimen``), else in the sentences it was read from
#: ("in hogere doseringen"), else the study's ``interventions`` text.
ATTRIBUTES: tuple[str, ...] = ("claim", "population", "design", "n", "year", "dose", "result")


@dataclass(frozen=True)
class Difference:
    attribute: str
    supporting: str
    contradicting: str


@dataclass(frozen=True)
class Conflict:
    """One supporting and one contradicting testimony about the same drug → outcome link."""

    supporting: Testimony
    contradicting: Testimony
    differences: tuple[Difference, ...]
    same: tuple[str, ...]
    not_recorded: tuple[str, ...]

    @property
    def differing(self) -> tuple[str, ...]:
        return tuple(d.attribute for d in self.differences)


def conflicts(testimonies: Sequence[Testimony]) -> list[Conflict]:
    """Every supporting × contradicting pair, the weightiest pairs first."""
    sup = _one_per_node(t for t in testimonies if t.stance == "supports")
    con = _one_per_node(t for t in testimonies if t.stance == "contradicts")
    pairs = [_compare(s, c) for s in sup for c in con]
    # studies against studies first: two sets of patients disagreeing explain the most
    pairs.sort(
        key=lambda p: (
            -(p.supporting.rule.primary + p.contradicting.rule.primary),
            -(p.supporting.weight + p.contradicting.weight),
            p.supporting.name,
            p.contradicting.name,
        )
    )
    return pairs


def result_text(t: Testimony) -> str:
    """What the evidence reported: its figures, else its quote."""
    figures = list(dict.fromkeys(_figure(f) for f in t.figures))
    if figures:
        return "; ".join(figures)
    quote = next((" ".join(q.text.split()) for q in t.quotes if q.text), None)
    return f"“{quote}”" if quote else ("contradicts the claim" if t.stance == "contradicts" else "supports the claim")


def dose_text(t: Testimony) -> str | None:
    """The dose(s) a testimony states, most specific source first; ``None`` when none is stated."""
    doses: list[Dose] = []
    for fig in t.figures:
        value, unit, regimen = fig.get("dose_value"), fig.get("dose_unit"), fig.get("dose_regimen")
        if value is not None or unit or regimen:
            doses.append(Dose(float(value) if isinstance(value, int | float) else None, unit or None, regimen or None))
    if not doses:
        for quote in t.quotes:
            doses.extend(find_doses(quote.text or ""))
    shown = list(dict.fromkeys(d.describe() for d in doses))
    return "; ".join(shown) if shown else t.interventions


def _one_per_node(ts: object) -> list[Testimony]:
    """The weightiest testimony of each study or guideline, per dose its sentences state.

    A trial stopped for hypoglycaemia "at or above 200 µg/kg/day" that also counts
    hypoglycaemia per arm testifies twice: the claim at that dose is compared on its own.
    """
    best: dict[tuple[str, str], Testimony] = {}
    for t in ts:  # type: ignore[attr-defined]
        key = (t.evidence_id, _quoted_dose(t))
        if key not in best or t.weight > best[key].weight:
            best[key] = t
    return list(best.values())


def _quoted_dose(t: Testimony) -> str:
    doses = {d.key() for q in t.quotes for d in find_doses(q.text or "")}
    return next(iter(doses)) if len(doses) == 1 else ""


def _values(t: Testimony) -> dict[str, str | None]:
    return {
        "claim": t.claim,
        "population": t.population or t.finding_population,
        "design": t.design or t.rule.label,
        "n": str(t.n) if t.n is not None else None,
        "year": str(t.year) if t.year is not None else None,
        "dose": dose_text(t),
        "result": result_text(t),
    }


def _compare(s: Testimony, c: Testimony) -> Conflict:
    a, b = _values(s), _values(c)
    differences, same, missing = [], [], []
    for attr in ATTRIBUTES:
        left, right = a[attr], b[attr]
        if left is None and right is None:
            missing.append(attr)
        elif _same(attr, left, right):
            same.append(attr)
        else:
            differences.append(Difference(attr, left or "not recorded", right or "not recorded"))
    return Conflict(s, c, tuple(differences), tuple(same), tuple(missing))


def _same(attr: str, left: str | None, right: str | None) -> bool:
    if left is None or right is None:
        return False
    if attr == "population":
        return population_key(left) == population_key(right)
    return left.strip().casefold() == right.strip().casefold()


def _figure(fig: dict) -> str:
    value, unit = fig.get("value"), str(fig.get("unit") or "")
    num, den = fig.get("numerator"), fig.get("denominator")
    shown = f"{value:g}{unit}" if isinstance(value, int | float) and unit == "%" else f"{value} {unit}".strip()
    if num is not None and den is not None:
        shown += f" ({num}/{den})"
    elif den is not None:
        shown += f" of {den}"
    elif num is not None:
        shown += f" ({num} patients)"
    pop = fig.get("population")
    return f"{shown} in {pop}" if pop else shown
