"""The curation overlay: corrections applied when reading, the extracted data left alone.

Overlay rules, the same everywhere:

* confirm — the edge stays; it gets ``curation_status = "confirmed"``.
* reject  — in a graph the edge stays, marked ``curation_status = "rejected"`` (so an
  export shows what was rejected); in evidence and synthesis it no longer counts.
* relabel — the edge's ``type`` becomes ``new_type`` (``original_type`` keeps the old).
* add     — a new edge ``edge:curated:…`` with ``curation_status = "added"``.

Both functions take evidence or a graph and return a new one (the networkx style).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx

from graph.curation.corrections import Correction, latest
from graph.model import EdgeType
from graph.views import Citation, Evidence, EvidenceItem, EvidenceNode, FindingView

__all__ = ["CuratedEvidence", "curate_evidence", "curate_graph"]

_STANCE_TYPES = (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)


def curate_graph(graph: nx.MultiDiGraph, corrections: Sequence[Correction]) -> nx.MultiDiGraph:
    """A copy of ``graph`` with corrections applied as edge attributes (see module docs)."""
    out = graph.copy()
    edges = {data.get("id") or key: data for _, _, key, data in out.edges(keys=True, data=True)}
    for edge_id, c in latest(corrections).items():
        if c.action == "add":
            if c.source in out and c.target in out:
                out.add_edge(
                    c.source,
                    c.target,
                    key=edge_id,
                    id=edge_id,
                    type=c.type.value,  # type: ignore[union-attr]
                    source_doc="curation",
                    quote=c.quote,
                    **c.record(),
                )
            continue
        data = edges.get(edge_id)
        if data is None:
            continue
        data.update(c.record())
        if c.action == "relabel" and c.new_type is not None:
            data.setdefault("original_type", data.get("type"))
            data["type"] = c.new_type.value
    return out


@dataclass(frozen=True)
class CuratedEvidence:
    """Evidence after the overlay, what the overlay removed, and corrections that found no edge."""

    evidence: Evidence
    rejected: tuple[EvidenceItem, ...]
    unmatched: tuple[Correction, ...]


def curate_evidence(
    evidence: Evidence,
    corrections: Sequence[Correction],
    *,
    node: Callable[[str], dict[str, Any] | None] | None = None,
) -> CuratedEvidence:
    """Evidence with corrections applied: rejected stances removed, relabels and additions in.

    ``node`` looks up a node's properties (``store.node``); it is needed to add an
    edge from a study that is not yet part of this evidence.
    """
    in_force = latest(corrections)
    used: set[str] = set()
    items: list[EvidenceItem] = []
    rejected: list[EvidenceItem] = []
    for item in evidence.items:
        c = in_force.get(item.edge_id)
        if c is None:
            items.append(item)
            continue
        used.add(item.edge_id)
        curated = replace(item, curation=(_badge(c),))
        if c.action == "reject":
            rejected.append(curated)
        elif c.action == "relabel" and c.new_type in _STANCE_TYPES:
            items.append(replace(curated, stance=c.new_type))
        else:
            items.append(curated)
    findings: dict[str, Mapping[str, Any]] = {i.finding.id: i.finding for i in evidence.items}
    for edge_id, c in in_force.items():
        if c.action != "add" or c.type not in _STANCE_TYPES:
            continue
        finding = findings.get(c.target or "") or (node(c.target) if node and c.target else None)
        source = _source_node(evidence, c.source or "", node)
        if finding is None or source is None or not _about(finding, evidence):
            continue
        used.add(edge_id)
        items.append(
            EvidenceItem(
                edge_id=edge_id,
                stance=c.type,
                finding=FindingView(finding),
                evidence=EvidenceNode(source),
                provenance=Citation(c.quote, "curation", None),
                curation=(_badge(c),),
            )
        )
    unmatched = tuple(c for eid, c in in_force.items() if eid not in used)
    # an edge outside this drug → outcome link is not "unmatched" in the log, only here
    return CuratedEvidence(replace(evidence, items=tuple(items)), tuple(rejected), unmatched)


def _badge(c: Correction) -> dict[str, Any]:
    out = c.record()
    if c.action == "relabel" and c.new_type is not None:
        out["new_type"] = c.new_type.value
    return out


def _source_node(
    evidence: Evidence, node_id: str, node: Callable[[str], dict[str, Any] | None] | None
) -> Mapping[str, Any] | None:
    for item in evidence.items:
        if item.evidence.id == node_id:
            return item.evidence
    return node(node_id) if node else None


def _about(finding: Mapping[str, Any], evidence: Evidence) -> bool:
    if any(i.finding.id == finding.get("id") for i in evidence.items):
        return True
    names = {str(evidence.drug.get("name", "")).casefold(), str(evidence.target.get("name", "")).casefold()}
    return {str(finding.get("drug", "")).casefold(), str(finding.get("outcome", "")).casefold()} <= names
