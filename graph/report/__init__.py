"""The evidence report for one drug → outcome (or condition): what it holds, how it is built, how it is drawn.

``model`` (the report's records) ← ``build`` (from evidence, curation and the synthesis) and
``render`` (HTML and Markdown); nothing here imports upwards, so the three never circle.
"""

from __future__ import annotations

from graph.report.build import build_report, evidence_sources, figure_line, incidence_headline, report_for
from graph.report.model import EvidenceReport, ReportRow, SourceEntry
from graph.report.render import render_html, render_markdown

__all__ = [
    "EvidenceReport",
    "ReportRow",
    "SourceEntry",
    "build_report",
    "evidence_sources",
    "figure_line",
    "incidence_headline",
    "render_html",
    "render_markdown",
    "report_for",
]
