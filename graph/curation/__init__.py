"""Curation: a person's corrections to extracted edges, kept apart from the extracted data.

Three concerns, one module each: :mod:`~graph.curation.corrections` (what a correction is,
its YAML form), :mod:`~graph.curation.log` (the file it is kept in) and
:mod:`~graph.curation.overlay` (how corrections apply when evidence or a graph is read).
"""

from __future__ import annotations

from graph.curation.corrections import Correction, added_edge_id, correction_of, latest, parse_corrections
from graph.curation.log import CURATION_FILE, CurationLog, curation_path, read_corrections
from graph.curation.overlay import CuratedEvidence, curate_evidence, curate_graph

__all__ = [
    "CURATION_FILE",
    "Correction",
    "CuratedEvidence",
    "CurationLog",
    "added_edge_id",
    "correction_of",
    "curate_evidence",
    "curate_graph",
    "curation_path",
    "latest",
    "parse_corrections",
    "read_corrections",
]
