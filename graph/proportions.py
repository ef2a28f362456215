"""Intervals for proportions, and the one rounding rule for numerators derived from percentages."""

from __future__ import annotations

import math

__all__ = ["exact", "round_half_up", "wilson"]


def wilson(events: int, total: int) -> tuple[float, float]:
    """95% Wilson score interval (statsmodels)."""
    from statsmodels.stats.proportion import proportion_confint  # imported late: statsmodels is slow to load

    low, high = proportion_confint(events, total, alpha=0.05, method="wilson")
    return float(low), float(high)


def exact(events: int, total: int) -> tuple[float, float]:
    """95% Clopper–Pearson ("exact") interval (statsmodels' ``beta`` method)."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(events, total, alpha=0.05, method="beta")
    return float(low), float(high)


def round_half_up(x: float) -> int:
    """10.5 → 11 (Python's ``round`` would give 10: banker's rounding)."""
    return math.floor(x + 0.5)
