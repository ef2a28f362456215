"""Local walks of the embedded store over the in-process adjacency index, with properties only for what is drawn.

:class:`~graph.store.adjacency.AdjacencyIndex` answers *which* nodes and relationships a
walk reaches; this module reads the index from the engine column-wise (Arrow), keeps it
current, and fetches properties for the drawn nodes (primary-key lookups) and the drawn
relationships (from the end with fewer relationships, one anchored statement each).

The index is rebuilt lazily, on the first walk after the store changed: a change by this
process bumps a generation (:meth:`LadybugWalks.invalidate`, which the store's write path
calls), and a change by another process shows in the database and write-ahead-log files'
size and modification time, compared on every walk (two ``stat`` calls).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graph.model import ALLOWED_TRIPLES, EDGE_COLUMNS, NodeKind, node_columns
from graph.store import ladybug_queries as q
from graph.store.adjacency import EDGE_ORDER, AdjacencyIndex, EdgeArrays

__all__ = ["LadybugWalks"]

#: Above this many relationships a node is walked only for the relationships asked for
#: (by offset, one statement per direction and kind) instead of all of them.
_HUB_DEGREE = 500
_NO_ID = "\x00"  # an id no node has: runs a statement without rows (to plan it ahead)
_EDGE_NAMES = tuple(EDGE_COLUMNS)

Rows = Callable[[str, Mapping[str, Any] | None], list[list[Any]]]
Arrow = Callable[[str, Mapping[str, Any] | None], Any]


class LadybugWalks:
    """The adjacency index of one open store, and the walks answered from it."""

    def __init__(self, *, rows: Rows, arrow: Arrow, lock: threading.RLock, database_file: Path | None) -> None:
        self._rows = rows
        self._arrow = arrow
        self._lock = lock
        self._files = () if database_file is None else (database_file, Path(f"{database_file}.wal"))
        self._generation = 0
        self._index: AdjacencyIndex | None = None
        self.last_build_s: float | None = None

    # -- staying current --------------------------------------------------------------------
    def invalidate(self) -> None:
        """The store changed in this process: the next walk rebuilds the index."""
        self._generation += 1

    def _marker(self) -> tuple[object, ...]:
        stamps: list[object] = [self._generation]
        for path in self._files:
            try:
                st = os.stat(path)
            except FileNotFoundError:
                stamps.append(None)
            else:
                stamps.append((st.st_mtime_ns, st.st_size))
        return tuple(stamps)

    def index(self) -> AdjacencyIndex:
        """The index, rebuilt first when the store changed since it was built."""
        with self._lock:
            marker = self._marker()
            if self._index is None or self._index.version != marker:
                self._index = None  # free the old arrays before the new ones are read
                began = time.perf_counter()
                self._index = self._build(marker)
                self.last_build_s = time.perf_counter() - began
            return self._index

    def _build(self, marker: tuple[object, ...]) -> AdjacencyIndex:
        nodes = {}
        for kind in NodeKind:
            table = self._arrow(q.node_offsets(kind), None)
            nodes[kind] = (table.column(0).to_numpy(), table.column(1).combine_chunks())
        edges = []
        for skind, etype, tkind in sorted(ALLOWED_TRIPLES):
            table = self._arrow(q.edge_offsets(etype, skind, tkind), None)
            if table.num_rows:
                edges.append((etype, skind, tkind, table.column(0).to_numpy(), table.column(1).to_numpy()))
        index = AdjacencyIndex.build(nodes, edges, version=marker)
        # Compile the statements a walk sends once, now: each costs ~10 ms to plan the first time.
        for kind in NodeKind:
            self._rows(q.nodes_by_ids(kind), {"ids": [_NO_ID]})
            self._rows(q.offset_by_id(kind), {"id": _NO_ID})
            for outgoing in (True, False):
                self._arrow(q.edges_of_many(kind, outgoing=outgoing), {"ids": [_NO_ID]})
        return index

    # -- positions ----------------------------------------------------------------------------
    def position(self, index: AdjacencyIndex, kind: NodeKind, node_id: str) -> int | None:
        rows = self._rows(q.offset_by_id(kind), {"id": node_id})
        return int(index.position(kind, [rows[0][0]])[0]) if rows else None

    # -- graphs of positions ------------------------------------------------------------------
    def graph(self, index: AdjacencyIndex, positions: np.ndarray) -> nx.MultiDiGraph:
        """The nodes at ``positions`` with their properties, and every relationship among them."""
        g = nx.MultiDiGraph()
        positions = np.asarray(positions, dtype=np.int64)
        self._add_nodes(index, g, positions)
        for s, t, _, values in self.fetch_edges(index, index.edges_among(positions)):
            g.add_edge(s, t, key=values["id"], **values)
        return g

    def _add_nodes(self, index: AdjacencyIndex, g: nx.MultiDiGraph, positions: np.ndarray) -> None:
        if not len(positions):
            return
        kinds = index.kind_at(positions)
        ids = index.id_list(positions)
        by_kind: dict[int, list[str]] = {}
        for k, node_id in zip(kinds.tolist(), ids, strict=True):
            by_kind.setdefault(k, []).append(node_id)
        found: dict[str, dict[str, Any]] = {}
        for k, wanted in by_kind.items():
            kind = index.kinds[k]
            names = tuple(node_columns(kind))
            for row in self._rows(q.nodes_by_ids(kind), {"ids": wanted}):
                node = {n: v for n, v in zip(names, row[1:], strict=True) if v is not None}
                node.setdefault("kind", kind.value)
                found[node["id"]] = node
        for node_id in ids:  # in the order asked for
            if node_id in found:
                g.add_node(node_id, **found[node_id])

    def fetch_edges(self, index: AdjacencyIndex, edges: EdgeArrays) -> list[tuple[str, str, str, dict[str, Any]]]:
        """Properties of the given relationships: (source id, target id, type, edge dict), each once.

        Each relationship is read from its end with fewer relationships.  Those ends are
        walked in one statement per kind and direction, read column-wise, and filtered here
        by the index; a hub that must be walked (both ends are hubs) is asked only for the
        relationships to the given nodes, by table offset.
        """
        if not len(edges):
            return []
        u, v = edges.source, edges.target
        member = np.zeros(index.size, dtype=bool)
        member[u] = member[v] = True
        walked, covered = _cover(index, u, v)
        many: dict[tuple[int, bool], set[int]] = {}
        is_walked = np.zeros(index.size, dtype=bool)
        is_walked[walked] = True
        for outgoing, ends in ((True, u), (False, v)):  # only the directions with drawn relationships
            ends = np.unique(ends[is_walked[ends]])
            for node, k in zip(ends.tolist(), index.kind_at(ends).tolist(), strict=True):
                many.setdefault((k, outgoing), set()).add(node)
        # What is left joins two hubs: ask the smaller for just those relationships.
        u, v, codes = u[~covered], v[~covered], edges.code[~covered]
        from_source = index.degree(u) <= index.degree(v)
        anchor = np.where(from_source, u, v)
        other = np.where(from_source, v, u)
        one: dict[tuple[int, bool, int], tuple[set[int], set[int]]] = {}
        for a, out, ok, off, code in zip(
            anchor.tolist(),
            from_source.tolist(),
            index.kind_at(other).tolist(),
            index.offsets(other).tolist(),
            codes.tolist(),
            strict=True,
        ):
            types, offsets = one.setdefault((a, out, ok), (set(), set()))
            types.add(code)
            offsets.add(off)
        seen: set[str] = set()
        found: list[tuple[str, str, str, dict[str, Any]]] = []

        def keep(s: str, t: str, label: str, values: Iterable[Any]) -> None:
            r = {k: x for k, x in zip(_EDGE_NAMES, values, strict=True) if x is not None}
            r["type"] = label
            if r["id"] not in seen:
                seen.add(r["id"])
                found.append((s, t, label, r))

        kind_index = {kind.value: i for i, kind in enumerate(index.kinds)}
        for (k, outgoing), anchors in many.items():
            ids = index.id_list(np.array(sorted(anchors), dtype=np.int64))
            table = self._arrow(q.edges_of_many(index.kinds[k], outgoing=outgoing), {"ids": ids})
            labels = table.column(2).to_pylist()
            offsets = table.column(3).to_numpy(zero_copy_only=False)
            ends = np.array(
                [-1 if label is None else index.base[kind_index[label]] for label in labels], dtype=np.int64
            )
            present = ends >= 0
            ends[present] += offsets[present].astype(np.int64)
            inside = present.copy()
            inside[present] = member[ends[present]]
            rows = table.filter(inside)
            columns = [rows.column(i).to_pylist() for i in range(rows.num_columns)]
            for s, t, _, _, label, *values in zip(*columns, strict=True):
                keep(s, t, label, values)
        for (a, outgoing, ok), (types, offsets) in one.items():
            kind = index.kinds[int(index.kind_at(np.array([a]))[0])]
            cypher = q.edges_of_one(kind, [EDGE_ORDER[c] for c in types], index.kinds[ok], outgoing=outgoing)
            (me,) = index.id_list(np.array([a], dtype=np.int64))
            for s, t, label, *values in self._rows(cypher, {"id": me, "other": sorted(offsets)}):
                keep(s, t, label, values)
        return found

    # -- walks --------------------------------------------------------------------------------
    def neighbourhood_ids(
        self, node_kind: NodeKind, node_id: str, *, hops: int, limit: int, offset: int
    ) -> tuple[list[str], int] | None:
        """The neighbours a neighbourhood view draws (by hop, then id) and how many more there are."""
        with self._lock:
            index = self.index()
            start = self.position(index, node_kind, node_id)
            if start is None:
                return None
            window, more = index.neighbourhood(start, hops=hops, limit=limit, offset=offset)
            return index.id_list(window), more

    def neighbourhood(
        self, node_kind: NodeKind, node_id: str, *, hops: int, limit: int, offset: int
    ) -> nx.MultiDiGraph | None:
        with self._lock:
            index = self.index()
            start = self.position(index, node_kind, node_id)
            if start is None:
                return None
            window, more = index.neighbourhood(start, hops=hops, limit=limit, offset=offset)
            g = self.graph(index, np.concatenate(([start], window)))
            g.graph["more"] = more
            return g

    def subgraph(self, by_kind: Mapping[NodeKind, list[str]]) -> nx.MultiDiGraph:
        """The given nodes (ids by kind, each once) and the relationships among them."""
        with self._lock:
            index = self.index()
            positions = []
            for kind, ids in by_kind.items():
                offsets = [row[0] for row in self._rows(q.offsets_by_ids(kind), {"ids": ids})]
                positions.append(index.position(kind, offsets))
            flat = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
            return self.graph(index, flat)

    def shortest_paths(
        self, source: tuple[NodeKind, str], target: tuple[NodeKind, str], *, max_hops: int, limit: int
    ) -> list[tuple[list[str], list[tuple[str, str, str, str]]]] | None:
        """Up to ``limit`` shortest paths as (node ids, steps); ``None`` when an end does not exist."""
        with self._lock:
            index = self.index()
            a = self.position(index, *source)
            b = self.position(index, *target)
            if a is None or b is None:
                return None
            found = index.shortest_paths(a, b, max_hops=max_hops, limit=limit)
            if not found:
                return []
            pairs = {(x, y) for path in found for x, y in itertools.pairwise(path)}
            edges = self.fetch_edges(index, index.edges_between(sorted(pairs)))
            every = np.array(sorted({n for p in found for n in p}), dtype=np.int64)
            names = dict(zip(every.tolist(), index.id_list(every), strict=True))
        options: dict[frozenset[str], list[tuple[str, str, str, str]]] = {}
        for s, t, label, r in edges:
            options.setdefault(frozenset((s, t)), []).append((s, label, t, r["id"]))
        out = []
        for path in found:
            ids = [names[n] for n in path]
            steps = [min(options[frozenset((x, y))]) for x, y in itertools.pairwise(ids)]
            out.append((ids, steps))
        return out


def _cover(index: AdjacencyIndex, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes to walk whole so that every relationship (u, v) has a walked end: (nodes, covered mask).

    Greedy weighted vertex cover: nodes with the most drawn relationships per relationship
    read come first; hubs (above ``_HUB_DEGREE``) are never walked whole.
    """
    ends = np.concatenate((u, v))
    edge_of = np.concatenate((np.arange(len(u)), np.arange(len(v))))
    nodes, inverse, counts = np.unique(ends, return_inverse=True, return_counts=True)
    degree = index.degree(nodes)
    order = np.lexsort((nodes, -counts / np.maximum(degree, 1)))
    by_node = np.argsort(inverse, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)))
    covered = np.zeros(len(u), dtype=bool)
    walked = []
    for i in order.tolist():
        if degree[i] > _HUB_DEGREE:
            continue
        mine = edge_of[by_node[starts[i] : starts[i + 1]]]
        if covered[mine].all():
            continue
        covered[mine] = True
        walked.append(nodes[i])
    return np.array(walked, dtype=np.int64), covered
