"""What an evidence report holds: its rows, sources and synthesis, built by :mod:`.build`, drawn by :mod:`.render`."""

from __future__ import annotations

from dataclasses import dataclass

from graph.curation import Correction
from graph.evidence_view import Link, RecommendationRow
from graph.synthesis import Synthesis, WeightsRow

__all__ = ["EvidenceReport", "ReportRow", "SourceEntry"]


@dataclass(frozen=True)
class ReportRow:
    """One row of the evidence table."""

    stance: str
    name: str
    links: tuple[Link, ...]
    design: str
    weight: float
    n: int | None
    population: str
    claim: str
    figures: tuple[str, ...]
    quotes: tuple[str, ...]
    sources: tuple[str, ...]
    curation: tuple[str, ...]
    edge_ids: tuple[str, ...]


@dataclass(frozen=True)
class SourceEntry:
    id: str
    title: str
    kind: str
    url: str | None
    conclusion: str | None


@dataclass(frozen=True)
class EvidenceReport:
    """Everything the report shows, as data (rendered by :func:`render_html` / :func:`render_markdown`)."""

    title: str
    synthesis: Synthesis
    conclusion: tuple[str, ...]
    rows: tuple[ReportRow, ...]
    rejected: tuple[ReportRow, ...]
    recommendations: tuple[RecommendationRow, ...]
    sources: tuple[SourceEntry, ...]
    weights: tuple[WeightsRow, ...]
    corrections: tuple[Correction, ...]
    forest_svg: str
    generated: str
