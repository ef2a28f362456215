"""The embedded store's reads that are more than one statement: a link's evidence, and a subgraph by Cypher alone.

Functions of a ``rows(cypher, params)`` reader (the store's, inside its lock), apart from the
store so that what is read and how it is put together can be followed on one page: the
evidence behind a link as rows (stances, figures, recommendations), the nodes those rows name,
the :class:`~graph.views.Evidence` built from them (:mod:`graph.store.assemble`, as for every
backend), and the subgraph of a large node set (an export) walked by the engine rather than
the adjacency index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx

from graph.model import EdgeType, NodeKind, kind_of
from graph.store import assemble
from graph.store.base import CONCEPT_KINDS, Evidence, GraphPath
from graph.store.ladybug import queries as q
from graph.store.ladybug.values import edge_from, node_from

__all__ = ["assemble_rows", "engine_next_layer", "engine_paths", "engine_subgraph", "evidence_rows", "wanted_nodes"]

Rows = Callable[[str, Mapping[str, Any] | None], list[list[Any]]]
#: (finding id, evidence id) → figure id → figure
Figures = dict[tuple[str, str], dict[str, dict[str, Any]]]

_ALL = 2**62  # LIMIT for "every row"
_SHORT_LIST = 512  # up to this many nodes, edges are walked per kind pair from the smaller side


def evidence_rows(rows: Rows, drug_id: str, target_id: str) -> tuple[list[list[Any]], Figures, list[list[Any]]]:
    """The stances on the claims linking drug and target, the figures measuring those claims, and the
    recommendations (of the drug, and of those claims), as :func:`ladybug_queries.evidence` and friends give them."""
    tkind = kind_of(target_id)
    params = {"drug": drug_id, "target": target_id}
    stances: list[list[Any]] = []
    figures: Figures = {}
    claim_recs: list[list[Any]] = []
    if tkind in (NodeKind.OUTCOME, NodeKind.CONDITION):
        stances = rows(q.evidence(tkind), params)
        for fid, eid, *values in rows(q.evidence_figures(tkind), params):
            figure = node_from(NodeKind.FIGURE, values)
            # one row per REPORTS edge: several documents may cite the same number
            figures.setdefault((fid, eid), {})[figure["id"]] = figure
        if stances:
            claim_recs = rows(q.evidence_recommendations(tkind), params)
    finding_ids = {row[0] for row in stances}
    recs = rows(q.recommendations_for_drug(), {"drug": drug_id})
    recs += [row for row in claim_recs if row[-1] in finding_ids]
    return stances, figures, recs


def wanted_nodes(stances: list[list[Any]], recs: list[list[Any]]) -> dict[NodeKind, set[str]]:
    """The nodes (by kind) that evidence rows name: claims, studies and guidelines, recommenders."""
    wanted: dict[NodeKind, set[str]] = {NodeKind.FINDING: {row[0] for row in stances}}
    for _, _, eid, ekind, *_ in stances:
        wanted.setdefault(NodeKind(ekind), set()).add(eid)
    for gid, gkind, *_ in recs:
        wanted.setdefault(NodeKind(gkind), set()).add(gid)
    return wanted


def assemble_rows(
    drug: dict[str, Any],
    target: dict[str, Any],
    stances: list[list[Any]],
    figures: Mapping[tuple[str, str], Mapping[str, dict[str, Any]]],
    recs: list[list[Any]],
    nodes: Mapping[str, dict[str, Any]],
) -> Evidence:
    """Evidence from the rows of :func:`ladybug_queries.evidence` and friends, in the store's order."""
    items = [
        assemble.item(nodes[fid], stance, nodes[eid], edge_from(stance, values), figures.get((fid, eid), {}).values())
        for fid, stance, eid, _, *values in stances
    ]
    recommendations = [
        assemble.recommendation(nodes[gid], edge_from(EdgeType.RECOMMENDS.value, values[:-1]), values[-1])
        for gid, _, *values in recs
    ]
    return assemble.evidence(drug, target, items, recommendations)


def engine_subgraph(
    rows: Rows, by_kind: Mapping[NodeKind, list[str]], sizes: Callable[[], Mapping[NodeKind, int]]
) -> nx.MultiDiGraph:
    """Nodes by primary key and the edges among them by Cypher alone (for large sets: one pass per kind)."""
    g = nx.MultiDiGraph()
    offsets: dict[NodeKind, list[int]] = {}
    found: dict[NodeKind, list[str]] = {}
    for kind, ids in by_kind.items():
        for offset, *values in rows(q.nodes_by_ids(kind), {"ids": ids}):
            node = node_from(kind, values)
            g.add_node(node["id"], **node)
            offsets.setdefault(kind, []).append(offset)
            found.setdefault(kind, []).append(node["id"])
    if g.number_of_nodes() <= _SHORT_LIST:
        _edges_among_few(rows, g, offsets, found, sizes)
    else:
        _edges_among_many(rows, g, offsets)
    return g


def _edges_among_few(
    rows: Rows,
    g: nx.MultiDiGraph,
    offsets: Mapping[NodeKind, list[int]],
    found: Mapping[NodeKind, list[str]],
    sizes: Callable[[], Mapping[NodeKind, int]],
) -> None:
    """Edges among a small node set: one query per (source kind, target kind), walked from the smaller side.

    Both ends are matched by table offset (integer tests), and the walk starts at the side with
    fewer nodes, through the primary-key index when that is one node: a hub's thousands of
    edges are never read just to find the few that end inside the set.
    """
    for source in offsets:
        for target in sorted(q.reachable_kinds(source, offsets)):
            from_target = _walk_from_target(source, target, offsets, sizes)
            anchor, other = (target, source) if from_target else (source, target)
            if len(found[anchor]) == 1:
                cypher = q.edges_between(source, target, from_target=from_target, one=True)
                params = {"id": found[anchor][0], "other": offsets[other]}
            else:
                cypher = q.edges_between(source, target, from_target=from_target)
                params = {"anchor": offsets[anchor], "other": offsets[other]}
            for s, t, label, *values in rows(cypher, params):
                r = edge_from(label, values)
                g.add_edge(s, t, key=r["id"], **r)


def _walk_from_target(
    source: NodeKind,
    target: NodeKind,
    offsets: Mapping[NodeKind, list[int]],
    sizes: Callable[[], Mapping[NodeKind, int]],
) -> bool:
    """Which end to start from: one node (an index lookup); else not a concept (concepts are the hubs);
    else the smaller table (the offset test passes over the anchor's table)."""
    if len(offsets[target]) == 1 or len(offsets[source]) == 1:
        return len(offsets[target]) == 1 and len(offsets[source]) != 1
    hub_source, hub_target = source in CONCEPT_KINDS, target in CONCEPT_KINDS
    if hub_source != hub_target:
        return hub_source
    size = sizes()
    return size[target] < size[source]


def _edges_among_many(rows: Rows, g: nx.MultiDiGraph, offsets: Mapping[NodeKind, list[int]]) -> None:
    """Edges among a large node set (an export): one pass per source kind, filtered here."""
    for kind, kind_offsets in offsets.items():
        targets = q.reachable_kinds(kind, offsets)
        if not targets:
            continue  # no edge out of this kind can end at a node of the subgraph
        cypher = q.edges_from(kind, targets, filter_present=False)
        for s, t, label, *values in rows(cypher, {"offsets": kind_offsets}):
            if t in g:
                r = edge_from(label, values)
                g.add_edge(s, t, key=r["id"], **r)


# -- the raw engine's answers, the references the benchmark compares the adjacency index against ----
def engine_next_layer(rows: Rows, frontier: list[str], seen: set[str], *, cap: int) -> tuple[list[str], int]:
    """The first ``cap`` neighbours of ``frontier`` not in ``seen``, by id, and how many there are, by Cypher."""
    if len(frontier) == 1:  # the common case (one hop from one node): one anchored pass
        kind = kind_of(frontier[0])
        params = {"id": frontier[0], "seen": sorted(seen), "limit": max(cap, 0)}
        total, first = rows(q.neighbours_of(kind), params)[0]
        return (first if cap > 0 else []), total
    # A wider frontier (two hops and more) holds nodes of several kinds whose neighbours
    # overlap: gather every neighbour id, so the count is of distinct nodes.
    by_kind: dict[NodeKind, list[str]] = {}
    for node_id in frontier:
        by_kind.setdefault(kind_of(node_id), []).append(node_id)
    found: set[str] = set()
    for kind, ids in sorted(by_kind.items()):
        offsets = [row[0] for row in rows(q.nodes_by_ids(kind), {"ids": ids})]
        params = {"offsets": offsets, "seen": sorted(seen), "limit": _ALL}
        found.update(row[0] for row in rows(q.neighbour_ids(kind), params))
    return sorted(found)[: max(cap, 0)], len(found)


def engine_paths(rows: Rows, source_id: str, target_id: str, *, max_hops: int) -> set[GraphPath]:
    """Every shortest path by the engine's ``ALL SHORTEST`` search (up to 10,000), steps named by edge id."""
    cypher = q.shortest_paths(kind_of(source_id), kind_of(target_id), max_hops)
    paths = set()
    for ns, nids, rids, labels, srcs, dsts in rows(cypher, {"a": source_id, "b": target_id, "limit": 10_000}):
        internal = {(n["table"], n["offset"]): node_id for n, node_id in zip(nids, ns, strict=True)}
        steps = tuple(
            (internal[(s["table"], s["offset"])], label, internal[(d["table"], d["offset"])], rid)
            for rid, label, s, d in zip(rids, labels, srcs, dsts, strict=True)
        )
        paths.add(GraphPath(tuple(ns), steps))
    return paths
