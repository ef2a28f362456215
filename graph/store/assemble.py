"""Rows → :class:`Evidence`: one assembly and one order for every backend and for exported graphs.

A backend fetches the stance rows, figures and recommendations of a link its own way (a
Cypher query, an adjacency index, a networkx walk); what an item is made of, its edge id
and the order items and recommendations are listed in are decided here, once.  Pure: no
store, no I/O, so :mod:`graph.export.bundle` reads evidence from an exported graph with
the same function the memory store uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.ids import edge_id
from graph.model import EdgeType, NodeKind, kind_of
from graph.views import Citation, Evidence, EvidenceItem, EvidenceNode, FigureView, FindingView, Recommendation

if TYPE_CHECKING:
    from graph.store.base import GraphPath

__all__ = [
    "evidence",
    "evidence_from_graph",
    "findings_about",
    "item",
    "item_order",
    "recommendation",
    "unique_paths",
]

_EVIDENCE_KINDS = frozenset({NodeKind.STUDY.value, NodeKind.GUIDELINE.value})
_STANCES = frozenset({EdgeType.SUPPORTS, EdgeType.CONTRADICTS})


def item(
    finding: Mapping[str, Any],
    stance: EdgeType | str,
    node: Mapping[str, Any],
    edge: Mapping[str, Any],
    figures: Iterable[Mapping[str, Any]] = (),
) -> EvidenceItem:
    """One item from a stance edge's columns (``quote``, ``source_doc``, ``span_start``/``span_end``)."""
    stance = EdgeType(stance)
    span = (edge["span_start"], edge["span_end"]) if edge.get("span_start") is not None else None
    source_doc = edge.get("source_doc")
    return EvidenceItem(
        edge_id=edge_id(stance, str(node["id"]), str(finding["id"]), source_doc),
        stance=stance,
        finding=FindingView(finding),
        evidence=EvidenceNode(node),
        provenance=Citation(edge.get("quote"), source_doc, span),
        figures=tuple(FigureView(f) for f in sorted(figures, key=lambda f: f["id"])),
    )


def recommendation(node: Mapping[str, Any], edge: Mapping[str, Any], about: str | None) -> Recommendation:
    """One recommendation from a RECOMMENDS edge's columns; ``about`` is the drug or claim it is about."""
    return Recommendation(
        evidence=EvidenceNode(node),
        about=about,
        edge_id=edge.get("id"),
        quote=edge.get("quote"),
        source_doc=edge.get("source_doc"),
        strength=edge.get("strength"),
        text=edge.get("text"),
    )


def item_order(i: EvidenceItem) -> tuple[str, str, str, str]:
    """The order :meth:`EvidenceStore.evidence` lists items in: stance, study, claim, quote."""
    return (i.stance.value, i.evidence.id, i.finding.id, i.quote or "")


def evidence(
    drug: Mapping[str, Any],
    target: Mapping[str, Any],
    items: Iterable[EvidenceItem],
    recommendations: Iterable[Recommendation] = (),
) -> Evidence:
    """The link's :class:`Evidence`, items and recommendations in the one order every backend gives."""
    return Evidence(
        drug=dict(drug),
        target=dict(target),
        items=tuple(sorted(items, key=item_order)),
        recommendations=tuple(sorted(recommendations, key=lambda r: (r.evidence.id, r.edge_id or ""))),
    )


def unique_paths(paths: Iterable[GraphPath], limit: int) -> list[GraphPath]:
    """One path per sequence of nodes (the first by its edges), in node order, at most ``limit``.

    Two parallel edges between the same nodes are one path to a reader, however the
    engine enumerates them.
    """
    unique: dict[tuple[str, ...], GraphPath] = {}
    for path in sorted(paths, key=lambda p: (p.nodes, p.edges)):
        unique.setdefault(path.nodes, path)
    return sorted(unique.values(), key=lambda p: p.nodes)[:limit]


def findings_about(g: nx.MultiDiGraph, drug_id: str, target_id: str) -> list[str]:
    """Claims ABOUT both nodes of ``g``, once each (several documents may state the same ABOUT edge)."""
    found = {
        finding
        for finding, _, data in g.in_edges(drug_id, data=True)
        if data["type"] == EdgeType.ABOUT
        and kind_of(finding) is NodeKind.FINDING
        and any(d["type"] == EdgeType.ABOUT for d in g.get_edge_data(finding, target_id, default={}).values())
    }
    return sorted(found)


def evidence_from_graph(g: nx.MultiDiGraph, drug_id: str, target_id: str) -> Evidence:
    """The evidence of a link in a graph as the stores and exports shape it (nodes keyed by id).

    The caller checks that both nodes exist.
    """
    items: list[EvidenceItem] = []
    recommendations: list[Recommendation] = []
    for finding in findings_about(g, drug_id, target_id):
        for src, _, data in g.in_edges(finding, data=True):
            etype = EdgeType(data["type"])
            if etype in _STANCES and g.nodes[src].get("kind") in _EVIDENCE_KINDS:
                figures = {
                    fig
                    for _, fig, d in g.out_edges(src, data=True)
                    if d["type"] == EdgeType.REPORTS and g.has_edge(fig, finding)
                }
                items.append(item(g.nodes[finding], etype, g.nodes[src], data, (g.nodes[f] for f in figures)))
            elif etype is EdgeType.RECOMMENDS:
                recommendations.append(recommendation(g.nodes[src], data, finding))
    for src, _, data in g.in_edges(drug_id, data=True):
        if data["type"] == EdgeType.RECOMMENDS:
            recommendations.append(recommendation(g.nodes[src], data, drug_id))
    return evidence(g.nodes[drug_id], g.nodes[target_id], items, recommendations)
