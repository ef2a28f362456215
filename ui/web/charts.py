"""The rows of the explorer's charts: the forest plot of reported figures, and pooled incidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.evidence_view import ForestPoint

__all__ = ["forest_records", "pooled_records"]


def forest_records(points: Sequence[ForestPoint]) -> list[dict[str, Any]]:
    """Rows for the forest-style chart: one per study and population, with n and interval."""
    return [
        {
            "row": p.row_label,
            "study": p.study,
            "population": p.population,
            "value": p.value,
            "low": p.low if p.low is not None else p.value,
            "high": p.high if p.high is not None else p.value,
            "n": p.n,
            "unit": p.unit or "(no unit)",
            "stance": p.stance,
            "text": f"{p.value:g}{p.unit if p.unit == '%' else ' ' + p.unit}".strip()
            + (f" (n={p.n})" if p.n is not None else ""),
        }
        for p in points
    ]


def pooled_records(estimates: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of the incidence chart: each study's proportion, then its population's pooled estimate (a diamond).

    ``headline`` is the study's own reported percentage where it gave one; the plotted
    proportion uses the counts (derived where marked), with its 95% interval.
    """
    out: list[dict[str, Any]] = []
    for e in estimates:
        group = e.population + ("" if e.outcome == "any" else f" — {e.outcome}")
        for s in e.studies:
            reported = f"{s.reported_value:g}% reported; " if s.reported_value is not None else ""
            counts = f"{s.events}/{s.total}" + (" derived" if s.events_derived else "")
            out.append(
                {
                    "row": f"{s.study} · {group}",
                    "group": group,
                    "what": "study",
                    "stance": s.stance,
                    "value": round(s.proportion * 100, 2),
                    "low": round(s.low * 100, 2),
                    "high": round(s.high * 100, 2),
                    "text": f"{reported}{counts}",
                }
            )
        if e.k == 1:
            continue  # one study: its own row is the estimate
        out.append(
            {
                "row": f"{group}: pooled, k={e.k}",
                "group": group,
                "what": "estimate",
                "stance": "estimate",
                "value": round(e.proportion * 100, 2),
                "low": round(e.low * 100, 2),
                "high": round(e.high * 100, 2),
                "text": f"{e.proportion:.1%} ({e.low:.1%}–{e.high:.1%})",
            }
        )
    return out
