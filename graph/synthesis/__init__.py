"""Evidence synthesis: claim summaries with certainty, pooled incidence, conflicts.

Pure functions over :class:`graph.store.base.Evidence` (what ``store.evidence`` returns),
so the CLI report, the explorer and the evidence bundle show the same numbers::

    synthesis = synthesise(store.evidence("drug:mecasermin", "outcome:hypoglycemia"))
    synthesis.overall.certainty, synthesis.overall.reasons
    synthesis.overall.pooling.estimates      # one per population, never averaged across
    synthesis.conflicts[0].differences       # population, design, n, … side by side

The weights and GRADE thresholds are data: ``graph/data/evidence_weights.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.store.base import Evidence
from graph.synthesis.certainty import ClaimSummary, Rating, summarise
from graph.synthesis.conflicts import Conflict, Difference, conflicts, result_text
from graph.synthesis.pooling import PooledEstimate, Pooling, StudyProportion, Unpooled, exact, pool, wilson
from graph.synthesis.testimony import Quote, Testimony, weigh
from graph.synthesis.weights import LEVELS, Weights, WeightsRow, load_weights, weights_table

__all__ = [
    "LEVELS",
    "ClaimSummary",
    "Conflict",
    "Difference",
    "PooledEstimate",
    "Pooling",
    "Quote",
    "Rating",
    "StudyProportion",
    "Synthesis",
    "Testimony",
    "Unpooled",
    "Weights",
    "WeightsRow",
    "conflicts",
    "exact",
    "load_weights",
    "pool",
    "result_text",
    "summarise",
    "synthesise",
    "weigh",
    "weights_table",
    "wilson",
]


@dataclass(frozen=True)
class Synthesis:
    """Everything a reader needs to judge one drug → outcome link."""

    drug: dict
    target: dict
    population: str | None
    testimonies: tuple[Testimony, ...]
    claims: tuple[ClaimSummary, ...]
    overall: ClaimSummary
    conflicts: tuple[Conflict, ...]
    weights: Weights

    @property
    def title(self) -> str:
        return f"{self.drug.get('name', self.drug.get('id'))} → {self.target.get('name', self.target.get('id'))}"


def synthesise(evidence: Evidence, *, weights: Weights | None = None, population: str | None = None) -> Synthesis:
    """Summaries per claim (Finding), one over the whole link, and the conflicts in it.

    ``population`` is the population the question is about (e.g. "diabetes mellitus");
    evidence from other populations is then rated down as indirect.
    """
    weights = weights or load_weights()
    ts = weigh(evidence, weights)
    by_finding: dict[str, list[Testimony]] = {}
    for t in ts:
        by_finding.setdefault(t.finding_id, []).append(t)
    claims = [
        summarise(
            group, weights, claim=group[0].claim, finding_id=fid, population=population or group[0].finding_population
        )
        for fid, group in by_finding.items()
    ]
    claims.sort(key=lambda c: (-(c.support_weight + c.contradict_weight), c.claim))
    title = f"{evidence.drug.get('name', evidence.drug.get('id'))} → {evidence.target.get('name', evidence.target.get('id'))}"
    overall = summarise(ts, weights, claim=f"{title} (all claims)", population=population)
    return Synthesis(
        drug=dict(evidence.drug),
        target=dict(evidence.target),
        population=population,
        testimonies=tuple(ts),
        claims=tuple(claims),
        overall=overall,
        conflicts=tuple(conflicts(ts)),
        weights=weights,
    )
