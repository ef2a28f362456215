"""Pooled incidence per population: Wilson for one study, DerSimonian–Laird across several.

Only figures that are a proportion of known patients are pooled (``unit == "%"`` with a
denominator, or a numerator and a denominator).  A numerator computed from a
percentage — ``round_half_up(value / 100 × denominator)`` — is marked *derived* and
never shown as reported.  Populations are pooled apart: averaging 51% in untreated
Laron syndrome with 16% in other growth disorders would hide the finding.

Random-effects pooling is on the **logit** scale: per study
``y = ln(x / (n − x))``, ``v = 1/x + 1/(n − x)`` (0.5 added to both cells when x is 0
or n), DerSimonian–Laird τ² through
:func:`statsmodels.stats.meta_analysis.combine_effects`, the 95% interval
``ŷ ± 1.959964 · se`` transformed back with the logistic function.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph.proportions import exact, round_half_up, wilson
from graph.synthesis.testimony import Testimony, population_key, population_label
from graph.synthesis.weights import Weights
from graph.values import text_or_none, whole_number

__all__ = ["PooledEstimate", "Pooling", "StudyProportion", "Unpooled", "exact", "pool", "wilson"]

Z95 = 1.959964


@dataclass(frozen=True)
class StudyProportion:
    """One study's events / patients in one population, with its own 95% interval."""

    study: str
    evidence_id: str
    stance: str
    population: str
    outcome: str
    events: int
    total: int
    events_derived: bool
    derivation: str | None
    reported_value: float | None
    low: float
    high: float
    exact_low: float
    exact_high: float
    figure_id: str | None
    quote: str | None

    @property
    def proportion(self) -> float:
        return self.events / self.total

    @property
    def text(self) -> str:
        derived = " (derived)" if self.events_derived else ""
        return f"{self.events}/{self.total}{derived} = {self.proportion:.1%} (95% CI {self.low:.1%}–{self.high:.1%})"


@dataclass(frozen=True)
class PooledEstimate:
    """The incidence in one population (and outcome), from ``k`` studies."""

    population: str
    outcome: str
    k: int
    events: int
    total: int
    proportion: float
    low: float
    high: float
    method: str
    i2: float | None
    tau2: float | None
    q: float | None
    studies: tuple[StudyProportion, ...]


@dataclass(frozen=True)
class Unpooled:
    """A number behind the claim that cannot be pooled, and why."""

    study: str
    figure: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class Pooling:
    estimates: tuple[PooledEstimate, ...]
    unpooled: tuple[Unpooled, ...]
    scale: str = "logit"


def pool(testimonies: Iterable[Testimony], weights: Weights) -> Pooling:
    """Every proportion behind the claims, pooled per (population, outcome)."""
    rows: dict[tuple[str, str, str, int, int], StudyProportion] = {}
    unpooled: list[Unpooled] = []
    seen_figures: set[tuple[str, str]] = set()
    for t in testimonies:
        proportions = [f for f in t.figures if _is_percent(f) or _has_counts(f)]
        for fig in t.figures:
            if (t.evidence_id, str(fig.get("id"))) in seen_figures:
                continue
            seen_figures.add((t.evidence_id, str(fig.get("id"))))
            row, reason = _proportion(t, fig, weights)
            if row is None:
                unpooled.append(Unpooled(t.name, fig, reason))
                continue
            rows.setdefault(_row_key(row), row)
        if not proportions and (zero := _inferred_zero(t, weights)) is not None:
            rows.setdefault(_row_key(zero), zero)
    strata: dict[tuple[str, str], list[StudyProportion]] = {}
    labels: dict[tuple[str, str], str] = {}
    for row in rows.values():
        key = (population_key(row.population), row.outcome)
        strata.setdefault(key, []).append(row)
        labels.setdefault(key, row.population)
    estimates = [_estimate(labels[key], key[1], members) for key, members in strata.items()]
    estimates.sort(key=lambda e: (e.outcome != "any", -e.proportion, e.population))
    return Pooling(tuple(estimates), tuple(unpooled))


def _row_key(row: StudyProportion) -> tuple[str, str, str, int, int]:
    # the same number of the same study read from two documents is one observation
    return (row.evidence_id, population_key(row.population), row.outcome, row.events, row.total)


def _is_percent(fig: dict[str, Any]) -> bool:
    return str(fig.get("unit") or "").strip() == "%" and isinstance(fig.get("value"), int | float)


def _has_counts(fig: dict[str, Any]) -> bool:
    return whole_number(fig.get("numerator")) is not None and whole_number(fig.get("denominator")) is not None


def _proportion(t: Testimony, fig: dict[str, Any], weights: Weights) -> tuple[StudyProportion | None, str]:
    value = fig.get("value") if _is_percent(fig) else None
    num, den = whole_number(fig.get("numerator")), whole_number(fig.get("denominator"))
    if value is None and not _has_counts(fig):
        return None, f"not a proportion (unit {fig.get('unit')!r})"
    if not den:
        return None, "no denominator: the number of patients is not given"
    derivation = None
    if num is None:
        if not 0 <= float(value) <= 100:  # type: ignore[arg-type]
            return None, f"{value}% is not a percentage"
        exact_num = float(value) / 100 * den  # type: ignore[arg-type]
        num = round_half_up(exact_num)
        derivation = f"{value:g}% × {den} = {exact_num:.2f} → {num}"
    if not 0 <= num <= den:
        return None, f"{num} events of {den} patients is impossible"
    population = population_label(text_or_none(fig.get("population"))) or _fallback_population(t)
    return _row(t, fig, population, _outcome(fig, weights), num, den, derivation, value), ""


def _inferred_zero(t: Testimony, weights: Weights) -> StudyProportion | None:
    """0/n for a contradicting study that saw no events and gives n but no figure."""
    if not (weights.pooling.infer_zero_events_from_contradicting and t.stance == "contradicts" and t.rule.primary):
        return None
    if not t.n:
        return None
    how = f"contradicts the claim with no events reported (“{_first_quote(t)}”), n={t.n} → 0/{t.n}"
    return _row(t, None, _fallback_population(t), "any", 0, t.n, how, None)


def _row(
    t: Testimony,
    fig: dict[str, Any] | None,
    population: str,
    outcome: str,
    events: int,
    total: int,
    derivation: str | None,
    value: Any,
) -> StudyProportion:
    low, high = wilson(events, total)
    elow, ehigh = exact(events, total)
    return StudyProportion(
        study=t.name,
        evidence_id=t.evidence_id,
        stance=t.stance,
        population=population,
        outcome=outcome,
        events=events,
        total=total,
        events_derived=derivation is not None,
        derivation=derivation,
        reported_value=float(value) if isinstance(value, int | float) else None,
        low=low,
        high=high,
        exact_low=elow,
        exact_high=ehigh,
        figure_id=str(fig.get("id")) if fig else None,
        quote=text_or_none(fig.get("quote")) if fig else _first_quote(t),
    )


def _estimate(population: str, outcome: str, members: list[StudyProportion]) -> PooledEstimate:
    members.sort(key=lambda r: (r.study, r.total))
    events, total = sum(r.events for r in members), sum(r.total for r in members)
    if len(members) == 1:
        (only,) = members
        return PooledEstimate(
            population,
            outcome,
            1,
            events,
            total,
            only.proportion,
            only.low,
            only.high,
            "single study: Wilson score interval",
            None,
            None,
            None,
            tuple(members),
        )
    from statsmodels.stats.meta_analysis import combine_effects

    y, v = [], []
    for r in members:
        x, n = float(r.events), float(r.total)
        if r.events in (0, r.total):
            x, n = x + 0.5, n + 1.0  # 0.5 added to both cells
        y.append(math.log(x / (n - x)))
        v.append(1.0 / x + 1.0 / (n - x))
    result = combine_effects(np.array(y), np.array(v), method_re="dl", row_names=[r.study for r in members])
    mean, se = float(result.mean_effect_re), float(result.sd_eff_w_re)
    return PooledEstimate(
        population,
        outcome,
        len(members),
        events,
        total,
        _expit(mean),
        _expit(mean - Z95 * se),
        _expit(mean + Z95 * se),
        "random effects (DerSimonian–Laird), logit scale",
        float(result.i2),
        float(result.tau2),
        float(result.q),
        tuple(members),
    )


def _outcome(fig: dict[str, Any], weights: Weights) -> str:
    text = " ".join(str(fig.get(k) or "") for k in ("label", "name")).casefold()
    for qualifier, words in weights.pooling.outcome_qualifiers.items():
        if any(word in text for word in words):
            return qualifier
    return "any"


def _fallback_population(t: Testimony) -> str:
    return population_label(t.finding_population) or population_label(t.population) or "population not stated"


def _first_quote(t: Testimony) -> str:
    return next((" ".join(q.text.split()) for q in t.quotes if q.text), "")


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
