"""Claim summaries: who supports and who contradicts a claim, and how certain it is.

GRADE-style and spelled out: the body of evidence starts at the level of its best
design (or the grade a guideline gives itself), is rated down for imprecision (few
patients), inconsistency (weighty contradicting evidence, heterogeneous pooled
results) and indirectness (evidence from other populations than the one asked
about), and rated up for a large effect only when nothing was rated down.  Every
step is written out in ``ratings`` (applied) and ``notes`` (checked, not applied);
the thresholds come from :mod:`graph.synthesis.weights`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.synthesis.pooling import Pooling, pool
from graph.synthesis.testimony import Testimony, population_key
from graph.synthesis.weights import LEVELS, Weights

__all__ = ["ClaimSummary", "Rating", "summarise"]


@dataclass(frozen=True)
class Rating:
    """One step up or down, and why."""

    domain: str
    change: int  # −2, −1 or +1
    reason: str

    @property
    def text(self) -> str:
        word = "down" if self.change < 0 else "up"
        levels = "two levels" if abs(self.change) == 2 else "one level"
        return f"Rated {word} {levels} for {self.domain}: {self.reason}"


@dataclass(frozen=True)
class ClaimSummary:
    """A claim, the testimonies for and against it, their weights, and its certainty."""

    finding_id: str | None
    claim: str
    population: str | None
    supporting: tuple[Testimony, ...]
    contradicting: tuple[Testimony, ...]
    support_weight: float
    contradict_weight: float
    direction: str  # supported / contradicted / disputed / no evidence
    start: str
    start_reason: str
    certainty: str
    ratings: tuple[Rating, ...]
    notes: tuple[str, ...]
    total_n: int
    pooling: Pooling

    @property
    def reasons(self) -> list[str]:
        """The start and each applied rating, as sentences a reader can check."""
        return [self.start_reason, *(r.text for r in self.ratings)]


def summarise(
    testimonies: Sequence[Testimony],
    weights: Weights,
    *,
    claim: str,
    finding_id: str | None = None,
    population: str | None = None,
) -> ClaimSummary:
    """Weigh ``testimonies`` about one claim and rate their certainty.

    ``population`` is the population the question is about (a Finding's own
    population, or the condition a report asks about); evidence from elsewhere is
    indirect.
    """
    sup = tuple(t for t in testimonies if t.stance == "supports")
    con = tuple(t for t in testimonies if t.stance == "contradicts")
    w_sup, w_con = round(sum(t.weight for t in sup), 4), round(sum(t.weight for t in con), 4)
    pooled = pool(testimonies, weights)
    direction = (
        "no evidence"
        if not testimonies
        else "supported"
        if w_sup > w_con
        else "contradicted"
        if w_con > w_sup
        else "disputed"
    )
    total_n = sum(n for n in _primary_sizes(testimonies).values() if n is not None)
    if not testimonies:
        return ClaimSummary(
            finding_id,
            claim,
            population,
            sup,
            con,
            0.0,
            0.0,
            direction,
            LEVELS[0],
            "No study or guideline takes a stance on this claim.",
            LEVELS[0],
            (),
            (),
            0,
            pooled,
        )
    best = max(testimonies, key=lambda t: (LEVELS.index(t.start), t.weight))
    start_reason = f"Starts at {best.start}: the best evidence is {best.name} ({best.start_note})."
    ratings: list[Rating] = []
    notes: list[str] = []
    _imprecision(testimonies, weights, ratings, notes)
    _inconsistency(w_sup, w_con, con if w_sup >= w_con else sup, pooled, weights, ratings, notes)
    _indirectness(sup or con, population, weights, ratings, notes)
    _large_effect(testimonies, pooled, weights, ratings, notes)
    level = LEVELS.index(best.start) + sum(r.change for r in ratings)
    certainty = LEVELS[min(max(level, 0), len(LEVELS) - 1)]
    return ClaimSummary(
        finding_id,
        claim,
        population,
        sup,
        con,
        w_sup,
        w_con,
        direction,
        best.start,
        start_reason,
        certainty,
        tuple(ratings),
        tuple(notes),
        total_n,
        pooled,
    )


def _primary_sizes(testimonies: Sequence[Testimony]) -> dict[str, int | None]:
    return {t.evidence_id: t.n for t in testimonies if t.rule.primary}


def _imprecision(ts: Sequence[Testimony], weights: Weights, ratings: list[Rating], notes: list[str]) -> None:
    rule = weights.rating_down.imprecision
    sizes = _primary_sizes(ts)
    names = {t.evidence_id: t.name for t in ts}
    if not sizes:
        notes.append(
            "Imprecision not judged here: the claim rests on guidelines, labels or reviews, which weigh it themselves."
        )
        return
    known = {k: n for k, n in sizes.items() if n is not None}
    unknown = sorted(names[k] for k, n in sizes.items() if n is None)
    total = sum(known.values())
    parts = " + ".join(f"{names[k]} {n}" for k, n in sorted(known.items(), key=lambda kv: names[kv[0]]))
    counted = f"n = {parts} = {total}" if len(known) > 1 else f"n = {total}"
    if not known:
        ratings.append(Rating("imprecision", -1, f"number of patients not reported ({', '.join(unknown)})"))
    elif total < rule.very_serious_below_n:
        ratings.append(Rating("imprecision", -2, f"very few patients: {counted} (< {rule.very_serious_below_n})"))
    elif total < rule.serious_below_n:
        ratings.append(Rating("imprecision", -1, f"few patients: {counted} (< {rule.serious_below_n})"))
    else:
        notes.append(f"Not imprecise: {counted} patients in primary studies (≥ {rule.serious_below_n}).")
    if known and unknown:
        notes.append(f"Number of patients not reported for {', '.join(unknown)}.")


def _inconsistency(
    w_sup: float,
    w_con: float,
    minority: Sequence[Testimony],
    pooled: Pooling,
    weights: Weights,
    ratings: list[Rating],
    notes: list[str],
) -> None:
    rule = weights.rating_down.inconsistency
    applied = False
    if w_sup and w_con:
        share = min(w_sup, w_con) / (w_sup + w_con)
        names = ", ".join(f"{t.name} ({_pop(t)})" for t in minority)
        arithmetic = f"{min(w_sup, w_con):g} / ({w_sup:g} + {w_con:g}) = {share:.0%}"
        if share >= rule.contradicting_weight_share:
            ratings.append(
                Rating("inconsistency", -1, f"the evidence disagrees: {names} carry {arithmetic} of the weight")
            )
            applied = True
        else:
            notes.append(
                f"Not rated down for inconsistency: the disagreeing evidence ({names}) carries {arithmetic} "
                f"of the weight (< {rule.contradicting_weight_share:.0%}); see the conflicts."
            )
    for est in pooled.estimates:
        if est.i2 is not None and est.i2 > rule.i2_above and not applied:
            ratings.append(
                Rating(
                    "inconsistency",
                    -1,
                    f"heterogeneous results in {est.population}: I² = {est.i2:.0%} (> {rule.i2_above:.0%})",
                )
            )
            applied = True


def _indirectness(
    ts: Sequence[Testimony], population: str | None, weights: Weights, ratings: list[Rating], notes: list[str]
) -> None:
    if not population:
        return
    rule = weights.rating_down.indirectness
    wanted = population_key(population)
    total = sum(t.weight for t in ts)
    direct = [t for t in ts if wanted and wanted in population_key(t.population or t.finding_population)]
    share = sum(t.weight for t in direct) / total if total else 0.0
    if share < rule.direct_weight_share:
        others = sorted({_pop(t) for t in ts if t not in direct})
        ratings.append(
            Rating(
                "indirectness",
                -1,
                f"indirect population: the question is about {population}, but {1 - share:.0%} of the weight "
                f"comes from other populations ({'; '.join(others)})",
            )
        )
    else:
        notes.append(f"Direct: {share:.0%} of the weight comes from evidence in {population}.")


def _large_effect(
    ts: Sequence[Testimony], pooled: Pooling, weights: Weights, ratings: list[Rating], notes: list[str]
) -> None:
    bound = weights.rating_up.large_effect.min_lower_bound
    large = [e for e in pooled.estimates if e.low >= bound and e.outcome == "any"]
    if not large:
        return
    best = max(large, key=lambda e: e.low)
    where = f"{best.population}: {best.proportion:.0%}, 95% CI from {best.low:.0%} (≥ {bound:.0%})"
    if any(r.change < 0 for r in ratings):
        notes.append(f"Large effect in {where}, but not rated up because the evidence was rated down.")
    elif max(LEVELS.index(t.start) for t in ts) >= LEVELS.index("high"):
        notes.append(f"Large effect in {where}; already at the highest starting level.")
    else:
        ratings.append(Rating("large effect", +1, where))


def _pop(t: Testimony) -> str:
    return t.finding_population or t.population or "population not stated"
