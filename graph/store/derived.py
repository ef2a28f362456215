"""The derived drug → outcome shortcut (``LINKED_TO``) that every store keeps up to date.

It is not evidence: it counts the distinct studies and guidelines that support or
contradict any claim linking the pair, so that the first hop from a drug is one edge.
Its ``source_doc`` is ``"derived"``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from graph.model import EDGE_COLUMNS, Document, EdgeType, NodeKind, kind_of

__all__ = ["DERIVED", "TARGET_KINDS", "linked_edge_id", "linked_edge_row", "linked_pairs"]

DERIVED = "derived"
TARGET_KINDS = (NodeKind.OUTCOME, NodeKind.CONDITION)


def linked_pairs(document: Document) -> Iterator[tuple[str, str]]:
    """(drug id, outcome or condition id) pairs whose claims this document touches."""
    about: dict[str, list[str]] = {}
    for edge in document.edges:
        if edge.type is EdgeType.ABOUT:
            about.setdefault(edge.source, []).append(edge.target)
    pairs = set()
    for targets in about.values():
        drugs = [t for t in targets if kind_of(t) is NodeKind.DRUG]
        others = [t for t in targets if kind_of(t) in TARGET_KINDS]
        pairs.update((d, o) for d in drugs for o in others)
    yield from sorted(pairs)


def linked_edge_id(drug_id: str, target_id: str) -> str:
    return "edge:linked:" + hashlib.sha1(f"{drug_id}\x1f{target_id}".encode(), usedforsecurity=False).hexdigest()[:20]


def linked_edge_row(drug_id: str, target_id: str, supporting: int, contradicting: int) -> dict[str, Any]:
    """The stored columns of the shortcut edge, plus its ``type``."""
    row: dict[str, Any] = dict.fromkeys(EDGE_COLUMNS)
    row.update(
        id=linked_edge_id(drug_id, target_id),
        type=EdgeType.LINKED_TO.value,
        source_doc=DERIVED,
        supporting=supporting,
        contradicting=contradicting,
    )
    return row
