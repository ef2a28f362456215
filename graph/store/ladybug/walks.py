"""Local walks of the embedded store over the in-process adjacency index, with properties only for what is drawn.

:class:`~graph.store.ladybug.adjacency.AdjacencyIndex` answers *which* nodes and relationships a
walk reaches; this module reads the index from the engine column-wise (Arrow), keeps it
current, and fetches properties for the drawn nodes (primary-key lookups) and the drawn
relationships (from the end with fewer relationships, one anchored statement each).

The index is rebuilt lazily, on the first walk after the store changed: a change by this
process bumps a generation (:meth:`LadybugWalks.invalidate`, which the store's write path
calls), and a change by another process shows in the database and write-ahead-log files'
size and modification time, compared on every walk (two ``stat`` calls).

Longer than our ~400-line habit on purpose: every walk (neighbourhood, expansion, paths, evidence
pages, windows) reads the same index generation and the same drawn-property fetches, and split
apart they would hand the index's internals across modules; the index itself, the node and
relationship columns and the incremental update already live in modules of their own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.model import ALLOWED_TRIPLES, EDGE_COLUMNS, EdgeType, NodeKind, kind_of, node_columns
from graph.store.base import EVIDENCE_KINDS, PATH_EDGE_TYPES, STANCES, evidence_weight
from graph.store.ladybug import queries as q
from graph.store.ladybug.adjacency import EDGE_ORDER, AdjacencyIndex, EdgeArrays, _distinct, _ragged
from graph.store.ladybug.edge_cache import EdgeCache
from graph.store.ladybug.increment import Delta, extend, read_delta
from graph.store.ladybug.node_cache import NodeCache

__all__ = ["LadybugWalks"]

_log = logging.getLogger(__name__)

#: A node is walked whole (every relationship read out) when it has at most this many, or when
#: at least one in ``_WANTED_SHARE`` of them is drawn; otherwise only the drawn ones are asked for.
#: Measured: a row read out costs ~5-10 µs, an integer test in the engine a fraction of that.
_WALK_WHOLE = 16
_WANTED_SHARE = 4
_PATH_TYPES = frozenset(e.value for e in PATH_EDGE_TYPES)
_ABOUT, _REPORTS, _MEASURES, _RECOMMENDS = (
    EDGE_ORDER.index(e) for e in (EdgeType.ABOUT, EdgeType.REPORTS, EdgeType.MEASURES, EdgeType.RECOMMENDS)
)
_STANCE_CODES = np.array(sorted(EDGE_ORDER.index(e) for e in STANCES), dtype=np.uint8)
#: Stances in the order their names sort (the store's item order is by stance name).
_STANCE_RANK = np.zeros(len(EDGE_ORDER), dtype=np.int64)
for _i, _e in enumerate(sorted(STANCES, key=lambda e: e.value)):
    _STANCE_RANK[EDGE_ORDER.index(_e)] = _i
_EVIDENCE_KIND_IDX = np.array([list(NodeKind).index(k) for k in EVIDENCE_KINDS])
#: Kinds whose evidence weight the index keeps: those that take a stance, and those that recommend (labels too).
_WEIGHED_KINDS = (
    *EVIDENCE_KINDS,
    *sorted(
        {s for s, e, _ in ALLOWED_TRIPLES if e is EdgeType.RECOMMENDS} - set(EVIDENCE_KINDS), key=list(NodeKind).index
    ),
)
_SELF_CODES = np.array(sorted(EDGE_ORDER.index(e) for e in q.SELF_TYPES), dtype=np.uint8)
#: Up to this many ids are placed by binary search in the index (~50 µs each); more, by one statement.
_FIND_MOST = 500
#: Fewer ids than this are searched for one by one; more, by one search for all (AdjacencyIndex.find_many).
_FIND_EACH = 32
_NO_ID = "\x00"  # an id no node has: runs a statement without rows (to plan it ahead)
_EDGE_NAMES = tuple(EDGE_COLUMNS)
#: After this many ingests taken into the index, the node and relationship columns are read again whole
#: (each ingest adds a small overlay that every fetch consults).
_MOST_OVERLAYS = 32

Rows = Callable[[str, Mapping[str, Any] | None], list[list[Any]]]
Arrow = Callable[[str, Mapping[str, Any] | None], Any]


class LadybugWalks:
    """The adjacency index of one open store, and the walks answered from it."""

    def __init__(
        self,
        *,
        rows: Rows,
        arrow: Arrow,
        lock: threading.RLock,
        database_file: Path | None,
        cache_edges: bool = True,
    ) -> None:
        self._rows = rows
        self._arrow = arrow
        self._lock = lock
        self._files = () if database_file is None else (database_file, Path(f"{database_file}.wal"))
        self._generation = 0
        self._index: AdjacencyIndex | None = None
        self.last_build_s: float | None = None
        #: Relationship columns in memory (built in the background after each index; see edge_cache).
        self._cache_edges = cache_edges
        self._cache: EdgeCache | None = None
        self._nodes: NodeCache | None = None  # node columns, read in the same pass (see node_cache)
        self._cache_thread: threading.Thread | None = None
        self.last_cache_build_s: float | None = None
        self.last_node_cache_build_s: float | None = None
        self._stopped = False
        #: Nodes written by ingests since the index was built or brought up to date, and whether only
        #: ingests wrote (then the index is updated from them instead of rebuilt; see increment).
        self._touched: dict[NodeKind, set[str]] = {}
        self._only_ingests = True
        self._overlays = 0
        self.last_update_s: float | None = None
        self.builds = self.updates = 0

    # -- staying current --------------------------------------------------------------------
    def invalidate(self) -> None:
        """The store changed in this process: the next walk rebuilds the index."""
        self._generation += 1
        self._only_ingests = False
        self._touched = {}

    def appended(self, nodes: Mapping[NodeKind, Any]) -> None:
        """An ingest committed (``nodes``: the ids of every node its documents name, by kind): the next walk
        brings the index up to date from those nodes alone, unless something else changed the store too."""
        self._generation += 1
        for kind, ids in nodes.items():
            self._touched.setdefault(kind, set()).update(ids)

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
                began = time.perf_counter()
                updated = self._update(self._index, marker) if self._index is not None else None
                if updated is not None:
                    self.last_update_s = time.perf_counter() - began
                    self.updates += 1
                else:
                    self._index = self._cache = self._nodes = None  # free the old arrays before reading new ones
                    began = time.perf_counter()
                    self._index = self._build(marker)
                    self.last_build_s = time.perf_counter() - began
                    self.builds += 1
                    self._start_cache()
                self._touched, self._only_ingests = {}, True
            return self._index

    def _start_cache(self) -> None:
        self._overlays = 0
        if self._cache_edges:
            self._cache_thread = threading.Thread(
                target=self._build_cache, args=(self._index,), name="evx-edge-cache", daemon=True
            )
            self._cache_thread.start()

    def _update(self, old: AdjacencyIndex, marker: tuple[object, ...]) -> AdjacencyIndex | None:
        """The index and its columns brought up to date from the nodes ingests touched, or ``None`` (rebuild)."""
        if not self._only_ingests or old.version[0] == marker[0]:  # type: ignore[index]
            return None  # not only this process's ingests (another process, a delete, a bulk load)
        if self._touched:
            try:
                delta = read_delta(old, self._touched, self._rows, self._arrow)
            except Exception:  # an engine error while reading: the full rebuild reads everything again
                _log.debug("incremental index update failed", exc_info=True)
                return None
            if delta is None:
                return None
        else:  # the same contents in new files (the store reopened its database after a checkpoint)
            delta = Delta.empty()
        index = extend(old, delta.new_ids, delta.added, version=marker)
        for kind in _WEIGHED_KINDS:
            k = index.kinds.index(kind)
            fields = [f for f in q.WEIGHT_FIELDS if f in node_columns(kind)]
            for p, node in delta.nodes.items():
                if index.base[k] <= p < index.base[k + 1]:
                    index.weights[p] = evidence_weight({"kind": kind.value, **{f: node.get(f) for f in fields}})
        nodes, cache = self._nodes, self._cache
        carried = (
            nodes is not None
            and cache is not None
            and nodes.version == cache.version == old.version
            and self._overlays < _MOST_OVERLAYS
        )
        self._index = index
        if carried:
            assert nodes is not None and cache is not None
            self._nodes = nodes.with_nodes(marker, delta.nodes)
            self._cache = cache.with_rows(index, delta.among, delta.columns)
            self._overlays += 1 if len(delta.among) else 0
        else:
            self._nodes = self._cache = None
            self._start_cache()
        return index

    def _stale(self, index: AdjacencyIndex) -> bool:
        return self._stopped or self._index is not index or self._generation != index.version[0]  # type: ignore[index]

    def stop(self) -> None:
        """The store closes: a relationship cache being read stops after its current statement."""
        self._stopped = True
        thread = self._cache_thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)

    def edge_cache(self, *, wait: bool = False) -> EdgeCache | None:
        """The relationship columns of the current index, or ``None`` while they are being read (``wait``: until
        they are)."""
        index = self.index()
        thread = self._cache_thread
        if wait and thread is not None:
            thread.join()
        cache = self._cache
        return cache if cache is not None and cache.version == index.version else None

    def node_cache(self, *, wait: bool = False) -> NodeCache | None:
        """The node columns of the current index, or ``None`` while they are being read (``wait``: until they are)."""
        index = self.index()
        thread = self._cache_thread
        if wait and thread is not None:
            thread.join()
        nodes = self._nodes
        return nodes if nodes is not None and nodes.version == index.version else None

    def current_nodes(self) -> NodeCache | None:
        """The node columns if the index is current and they are read; never builds anything (for lookups that
        must not wait for an index: the store's ``node``)."""
        with self._lock:
            index, nodes = self._index, self._nodes
            if index is None or nodes is None or nodes.version != index.version or index.version != self._marker():
                return None
            return nodes

    def cached_nodes(self, wanted: Mapping[NodeKind, Any]) -> dict[str, dict[str, Any]] | None:
        """Nodes by kind and id from memory (absent ids left out), or ``None`` when the columns are not current."""
        with self._lock:
            nodes = self.current_nodes()
            if nodes is None:
                return None
            index = self._index
            assert index is not None
            found = nodes.nodes(index, self.positions(index, wanted))
        return {node["id"]: node for node in found if node is not None}

    def _build_cache(self, index: AdjacencyIndex) -> None:
        """Read every node and relationship with its columns, one table per statement (the lock is held per
        statement, so walks go on meanwhile); kept only if the index is still current and the rows are its own.
        Each table is made into its columns as soon as it is read and let go of (all raw tables held at once
        were ~1 GiB at 10M relationships)."""
        began = time.perf_counter()
        try:
            node_reads = (((kind,), q.node_fields_of(kind, node_columns(kind))) for kind in NodeKind)
            nodes = NodeCache.build(index, self._tables(index, node_reads))
            _give_back()
            with self._lock:
                if nodes is not None and not self._stale(index):
                    self._nodes = nodes
                    self.last_node_cache_build_s = time.perf_counter() - began
            began = time.perf_counter()
            edge_reads = (
                ((etype, skind, tkind), q.edge_columns(etype, skind, tkind))
                for skind, etype, tkind in sorted(ALLOWED_TRIPLES)
            )
            cache = EdgeCache.build(index, self._tables(index, edge_reads))
            _give_back()
            with self._lock:
                if cache is not None and not self._stale(index):
                    self._cache = cache
                    self.last_cache_build_s = time.perf_counter() - began
        except _Stale:
            return  # the store changed or closes: a newer index has its own cache coming
        except Exception:  # a closed store, an engine error: walks keep reading relationships from the engine
            _log.debug("relationship cache not built", exc_info=True)

    def _tables(self, index: AdjacencyIndex, reads: Iterable[tuple[tuple[Any, ...], str]]) -> Iterator[tuple[Any, ...]]:
        """``(*key, table)`` for each ``(key, statement)``, read when asked for (the store's lock held per
        statement); the previous table is let go of and handed back first.  Raises :class:`_Stale` once the index
        is."""
        for key, cypher in reads:
            with self._lock:
                if self._stale(index):
                    raise _Stale
                table = self._arrow(cypher, None)
            yield (*key, table)
            del table
            _give_back()

    def _build(self, marker: tuple[object, ...]) -> AdjacencyIndex:
        nodes = {}
        for kind in NodeKind:
            table = self._arrow(q.node_offsets(kind), None)
            nodes[kind] = (table.column(0).to_numpy(), table.column(1).combine_chunks())

        def edges() -> Iterator[tuple[EdgeType, NodeKind, NodeKind, np.ndarray, np.ndarray]]:
            """Each table's ends, read as the index asks for them (it keeps them as positions, half the size)."""
            for skind, etype, tkind in sorted(ALLOWED_TRIPLES):
                table = self._arrow(q.edge_offsets(etype, skind, tkind), None)
                if table.num_rows:
                    yield etype, skind, tkind, table.column(0).to_numpy(), table.column(1).to_numpy()
                del table

        index = AdjacencyIndex.build(nodes, edges(), version=marker)
        _give_back()
        index.weights = self._evidence_weights(index)
        # Compile the statements a walk sends once, now: each costs ~10 ms to plan the first time.
        for kind in NodeKind:
            self._rows(q.nodes_by_ids(kind), {"ids": [_NO_ID]})
            for outgoing in (True, False):
                if q.walk_types(kind, outgoing=outgoing):
                    self._arrow(q.edges_of_many(kind, outgoing=outgoing), {"ids": [_NO_ID]})
        for source, etype, target in sorted(ALLOWED_TRIPLES):
            none = {"ids": [_NO_ID], "other": [0]}
            self._arrow(q.edges_of_many_to(source, etype, target, outgoing=True), none)
            self._arrow(q.edges_of_many_to(target, etype, source, outgoing=False), none)
        return index

    def _evidence_weights(self, index: AdjacencyIndex) -> np.ndarray:
        """Each study's, guideline's and label's :func:`~graph.store.base.evidence_weight`, by position (0
        elsewhere)."""
        weights = np.zeros(index.size, dtype=np.float32)
        cache: dict[tuple[Any, ...], float] = {}
        for kind in _WEIGHED_KINDS:
            fields = [f for f in q.WEIGHT_FIELDS if f in node_columns(kind)]
            table = self._arrow(q.node_fields_of(kind, fields), None)
            if not table.num_rows:
                continue
            offsets = table.column(0).to_numpy()
            values = [table.column(i + 1).to_pylist() for i in range(len(fields))]
            out = np.empty(len(offsets), dtype=np.float32)
            rows = zip(*values, strict=True) if values else itertools.repeat((), len(offsets))  # labels: no fields
            for i, row in enumerate(rows):
                if row not in cache:
                    cache[row] = evidence_weight({"kind": kind.value, **dict(zip(fields, row, strict=True))})
                out[i] = cache[row]
            weights[index.position(kind, offsets)] = out
        return weights

    def evidence_rows(
        self,
        drug: tuple[NodeKind, str],
        target: tuple[NodeKind, str],
        *,
        limit: int,
        offset: int,
        recommendations: int | None = None,
    ) -> (
        tuple[
            int,
            list[list[Any]],
            dict[tuple[str, str], dict[str, dict[str, Any]]],
            list[list[Any]],
            int,
            dict[str, dict[str, Any]] | None,
        ]
        | None
    ):
        """One page of the stances on the claims linking drug and target, heaviest first, from the index.

        Returns (how many stances, page rows as :func:`ladybug_queries.evidence` gives them, the
        page's figures by (finding, evidence), recommendation rows, how many recommendations there are,
        the nodes they name and both ends by id when the node columns are read, else ``None``), or
        ``None`` when an end does not exist.  The rows hold every recommendation, or with ``recommendations`` at least
        that many of the strongest (:func:`~graph.store.base.recommendation_order`; the caller sorts and
        cuts: ties of weight within one recommender are decided by edge ids, which the index does not
        hold).  Only the page's relationships and figures are read from the engine.  The nodes are
        taken by position (the store finding them again by id was ~200 binary searches of the ids).
        """
        with self._lock:
            index = self.index()
            d = self.position(index, *drug)
            t = self.position(index, *target)
            if d is None or t is None:
                return None
            findings = _findings_about(index, d, t)
            entries = _ragged_entries(index, findings)
            owner = np.repeat(findings, index.degree(findings))
            flags = index.flags[entries]
            other = index.neighbour[entries].astype(np.int64)
            code = flags >> 1
            ekind = index.kind_at(other)
            stance = ((flags & 1) == 0) & np.isin(code, _STANCE_CODES) & np.isin(ekind, _EVIDENCE_KIND_IDX)
            ev, fi, co = other[stance], owner[stance], code[stance]
            total, stated = len(ev), np.unique(fi)
            order = np.lexsort((index.rank[fi], index.rank[ev], _STANCE_RANK[co], -index.weights[ev]))
            start = max(offset, 0)
            chosen = order[start : start + max(limit, 0)]
            ev, fi, co = ev[chosen], fi[chosen], co[chosen]
            rows: list[list[Any]] = []
            pairs: list[tuple[int, int, int]] = []
            if len(chosen):
                wanted = {
                    (s, t_, EDGE_ORDER[c].value)
                    for s, t_, c in zip(index.id_list(ev), index.id_list(fi), co.tolist(), strict=True)
                }
                edges = self.fetch_edges(index, EdgeArrays(ev, fi, co.astype(np.uint8)))
                for s, t_, label, r in edges:
                    if (s, t_, label) in wanted:
                        rows.append([t_, label, s, kind_of(s).value, *(r.get(k) for k in _EDGE_NAMES)])
                pairs = _figure_pairs(index, ev, fi)
            # the claims' own, of those with a stance
            recs, recs_total, recommenders = self._recommendations(index, d, stated, most=recommendations)
            reported = np.array(sorted({g for *_, g in pairs}), dtype=np.int64)
            nodes = None
            cache = self._nodes
            if cache is not None and cache.version == index.version:
                # Every node of the page by position, in one read of the columns (not by id, not per use).
                drawn = np.unique(np.concatenate(([d, t], fi, ev, recommenders, reported)))
                read_out = cache.nodes(index, drawn)
            else:  # the figures from the engine; the store reads the other nodes by id
                drawn, read_out = reported, self.node_dicts(index, reported)
            found = {p: node for p, node in zip(drawn.tolist(), read_out, strict=True) if node is not None}
            if cache is not None and cache.version == index.version:
                nodes = {node["id"]: node for node in found.values()}
            figures = _figures_of(index, pairs, found)
        return total, rows, figures, recs, recs_total, nodes

    def _recommendations(
        self, index: AdjacencyIndex, drug: int, findings: np.ndarray, *, most: int | None
    ) -> tuple[list[list[Any]], int, np.ndarray]:
        """RECOMMENDS rows about the drug or the link's claims (recommender id and kind, edge columns, about), how
        many there are, and the rows' recommenders' positions; with ``most``, the rows of the recommenders of the
        ``most`` strongest only (every row of each: which of a recommender's rows come first is the edge ids')."""
        about = np.concatenate(([drug], findings)).astype(np.int64)
        entries = _ragged_entries(index, about)
        owner = np.repeat(about, index.degree(about))
        flags = index.flags[entries]
        keep = ((flags >> 1) == _RECOMMENDS) & ((flags & 1) == 0)
        total = int(np.count_nonzero(keep))
        if not total or (most is not None and most <= 0):
            return [], total, np.zeros(0, dtype=np.int64)
        sources, targets = index.neighbour[entries[keep]].astype(np.int64), owner[keep]
        if most is not None and most < total:  # heaviest first, then by recommender id, as the page orders them
            order = np.lexsort((index.rank[sources], -index.weights[sources]))
            chosen = np.isin(sources, sources[order[:most]])
            sources, targets = sources[chosen], targets[chosen]
        edges = EdgeArrays(sources, targets, np.full(len(sources), _RECOMMENDS, dtype=np.uint8))
        wanted = set(zip(index.id_list(sources), index.id_list(targets), strict=True))
        rows = []
        for s, t, label, r in self.fetch_edges(index, edges):
            if label == EdgeType.RECOMMENDS.value and (s, t) in wanted:
                rows.append([s, kind_of(s).value, *(r.get(k) for k in _EDGE_NAMES), t])
        return rows, total, sources

    # -- positions ----------------------------------------------------------------------------
    def position(self, index: AdjacencyIndex, kind: NodeKind, node_id: str) -> int | None:
        """A node's position, from the index itself (its ids are the store's as of its version)."""
        found = index.find(node_id)
        if found is None or index.kinds[int(index.kind_at(np.array([found]))[0])] is not kind:
            return None
        return found

    def positions(self, index: AdjacencyIndex, wanted: Mapping[NodeKind, Any]) -> np.ndarray:
        """The positions of the ids of each kind (absent ids and ids of another kind left out), in one search."""
        kinds = [kind for kind, ids in wanted.items() for _ in ids]
        every = [i for ids in wanted.values() for i in ids]
        if len(every) < _FIND_EACH:  # a search step costs about as much for one id as for a few dozen
            found = np.array([-1 if (p := index.find(i)) is None else p for i in every], dtype=np.int64)
        else:
            found = index.find_many(every)
        expected = np.array([index.kinds.index(kind) for kind in kinds], dtype=np.int64)
        keep = found >= 0
        keep[keep] = index.kind_at(found[keep]) == expected[keep]
        return found[keep]

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
        for node in self.node_dicts(index, positions):  # in the order asked for
            if node is not None:
                g.add_node(node["id"], **node)

    def node_dicts(self, index: AdjacencyIndex, positions: np.ndarray) -> list[dict[str, Any] | None]:
        """The node at each position: from the node columns when read, else one primary-key statement per kind."""
        if not len(positions):
            return []
        cache = self._nodes
        if cache is not None and cache.version == index.version:
            return cache.nodes(index, positions)
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
        return [found.get(node_id) for node_id in ids]

    def fetch_edges(self, index: AdjacencyIndex, edges: EdgeArrays) -> list[tuple[str, str, str, dict[str, Any]]]:
        """Properties of the given relationships: (source id, target id, type, edge dict), each once.

        Nodes most of whose relationships are drawn are walked whole, in one statement per kind
        and direction; the relationships left (their ends have many more) are asked for by type
        and table offset, in one statement per kind, direction, type and other kind.  Rows are
        read column-wise and filtered here by the index.
        """
        if not len(edges):
            return []
        cache = self._cache
        if cache is not None and cache.version == index.version:
            return cache.fetch(index, edges)
        u, v = edges.source, edges.target
        member = np.zeros(index.size, dtype=bool)
        member[u] = member[v] = True
        self_type = np.isin(edges.code, _SELF_CODES)  # never covered by a whole walk (see ladybug_queries)
        walked, covered = _cover(index, u, v, self_type)
        is_walked = np.zeros(index.size, dtype=bool)
        is_walked[walked] = True
        seen: set[str] = set()
        found: list[tuple[str, str, str, dict[str, Any]]] = []
        for outgoing, ends in ((True, u), (False, v)):  # only the directions with drawn relationships
            ends = np.unique(ends[is_walked[ends]])
            kinds = index.kind_at(ends)
            for k in np.unique(kinds).tolist():
                if not q.walk_types(index.kinds[k], outgoing=outgoing):
                    continue
                ids = index.id_list(ends[kinds == k])
                table = self._arrow(q.edges_of_many(index.kinds[k], outgoing=outgoing), {"ids": ids})
                self._keep(index, table, member, seen, found)
        # What is left: ask the end with fewer relationships for just those, by type and offset.
        u, v, codes = u[~covered], v[~covered], edges.code[~covered]
        from_source = (index.degree(u) <= index.degree(v)) | np.isin(codes, _SELF_CODES)
        anchor, other = np.where(from_source, u, v), np.where(from_source, v, u)
        groups: dict[tuple[int, bool, int, int], tuple[set[int], set[int]]] = {}
        for a, out, ak, ok, off, code in zip(
            anchor.tolist(),
            from_source.tolist(),
            index.kind_at(anchor).tolist(),
            index.kind_at(other).tolist(),
            index.offsets(other).tolist(),
            codes.tolist(),
            strict=True,
        ):
            anchors, offsets = groups.setdefault((ak, out, code, ok), (set(), set()))
            anchors.add(a)
            offsets.add(off)
        for (ak, outgoing, code, ok), (anchors, offsets) in groups.items():
            cypher = q.edges_of_many_to(index.kinds[ak], EDGE_ORDER[code], index.kinds[ok], outgoing=outgoing)
            ids = index.id_list(np.array(sorted(anchors), dtype=np.int64))
            table = self._arrow(cypher, {"ids": ids, "other": sorted(offsets)})
            self._keep(index, table, member, seen, found)
        return found

    @staticmethod
    def _keep(
        index: AdjacencyIndex,
        table: Any,
        member: np.ndarray,
        seen: set[str],
        found: list[tuple[str, str, str, dict[str, Any]]],
    ) -> None:
        """Rows (source, target, other kind, other offset, type, edge columns) whose other end is drawn."""
        if not table.num_rows:
            return
        names = pa.array([kind.value for kind in index.kinds])
        kind = pc.index_in(table.column(2), value_set=names).to_numpy(zero_copy_only=False)
        present = ~np.isnan(kind) if kind.dtype.kind == "f" else np.ones(len(kind), dtype=bool)
        offsets = table.column(3).to_numpy(zero_copy_only=False)
        ends = np.full(len(kind), -1, dtype=np.int64)
        ends[present] = index.base[kind[present].astype(np.int64)] + offsets[present].astype(np.int64)
        inside = present.copy()
        inside[present] = member[ends[present]]
        rows = table.filter(pa.array(inside))
        columns = [rows.column(i).to_pylist() for i in range(rows.num_columns)]
        for s, t, _, _, label, *values in zip(*columns, strict=True):
            if values[0] in seen:  # the edge id
                continue
            seen.add(values[0])
            r = {k: x for k, x in zip(_EDGE_NAMES, values, strict=True) if x is not None}
            r["type"] = label
            found.append((s, t, label, r))

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
                if len(ids) <= _FIND_MOST:
                    positions.append(self.positions(index, {kind: ids}))
                    continue
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
            if label in _PATH_TYPES:  # the walked ends answer with every relationship to the path's nodes
                options.setdefault(frozenset((s, t)), []).append((s, label, t, r["id"]))
        out = []
        for path in found:
            ids = [names[n] for n in path]
            steps = [min(options[frozenset((x, y))]) for x, y in itertools.pairwise(ids)]
            out.append((ids, steps))
        return out


class _Stale(Exception):
    """The index a cache was being read for is no longer the store's."""


def _give_back() -> None:
    """Hand the heap freed by this thread back to the system: glibc keeps what a thread frees in that thread's
    arena, so the engine's copies of every table read for the columns stayed resident (1M edges: 150 MiB)."""
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or None).malloc_trim(0)
    except (AttributeError, OSError, TypeError):  # not glibc
        pass


def _cover(index: AdjacencyIndex, u: np.ndarray, v: np.ndarray, skip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes to walk whole so that every relationship (u, v) has a walked end: (nodes, covered mask).

    Greedy weighted vertex cover: nodes with the most drawn relationships per relationship
    read come first; nodes few of whose relationships are drawn are never walked whole.
    """
    ends = np.concatenate((u, v))
    edge_of = np.concatenate((np.arange(len(u)), np.arange(len(v))))
    nodes, inverse, counts = np.unique(ends, return_inverse=True, return_counts=True)
    degree = index.degree(nodes)
    worth = (degree <= _WALK_WHOLE) | (counts * _WANTED_SHARE >= degree)
    order = np.lexsort((nodes, -counts / np.maximum(degree, 1)))
    by_node = np.argsort(inverse, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)))
    covered = np.zeros(len(u), dtype=bool)
    walked = []
    ends_skip = np.concatenate((skip, skip))
    for i in order.tolist():
        if not worth[i]:
            continue
        mine = by_node[starts[i] : starts[i + 1]]
        mine = edge_of[mine[~ends_skip[mine]]]
        if covered[mine].all():
            continue
        covered[mine] = True
        walked.append(nodes[i])
    return np.array(walked, dtype=np.int64), covered


def _findings_about(index: AdjacencyIndex, drug: int, target: int) -> np.ndarray:
    """The claims ABOUT both nodes, sorted: marked in the claims' block from one end's row, kept from the other's
    (a hub pair's rows of 20,703 and 8,804 entries: ~0.2 ms, where sorting each row's claims took ~10)."""
    k = index.kinds.index(NodeKind.FINDING)
    base, width = int(index.base[k]), int(index.base[k + 1] - index.base[k])

    def about(node: int) -> np.ndarray:  # the row's claims ABOUT the node, as offsets in the claims' block
        lo, hi = index.indptr[node], index.indptr[node + 1]
        flags, other = index.flags[lo:hi], index.neighbour[lo:hi].astype(np.int64) - base
        keep = (flags == (_ABOUT << 1)) & (other >= 0) & (other < width)  # incoming ABOUT from a claim
        return other[keep]

    mark = np.zeros(width, dtype=bool)
    mark[about(drug)] = True
    both = about(target)
    both = both[mark[both]]
    return _distinct(both, width) + base


def _figure_pairs(index: AdjacencyIndex, evidence: np.ndarray, findings: np.ndarray) -> list[tuple[int, int, int]]:
    """(claim, evidence, figure) positions of the figures the page's evidence reported (REPORTS) that measure the
    page's claims (MEASURES), sorted.

    Read from the figures' side: a figure has a relationship or two, where a hub's claim is
    measured by thousands of figures of other studies."""
    wanted = set(zip(evidence.tolist(), findings.tolist(), strict=True))
    reporter, reported = _typed(index, np.unique(evidence), _REPORTS, incoming=False, kind=NodeKind.FIGURE)
    measuring, claim = _typed(index, np.unique(reported), _MEASURES, incoming=False, kind=NodeKind.FINDING)
    measures: dict[int, set[int]] = {}
    for g, f in zip(measuring.tolist(), claim.tolist(), strict=True):
        measures.setdefault(g, set()).add(f)
    return sorted(
        {
            (f, e, g)
            for e, g in zip(reporter.tolist(), reported.tolist(), strict=True)
            for f in measures.get(g, ())
            if (e, f) in wanted
        }
    )


def _figures_of(
    index: AdjacencyIndex, pairs: list[tuple[int, int, int]], found: Mapping[int, dict[str, Any]]
) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """The figures of :func:`_figure_pairs` by (claim id, evidence id), each by its id (``found``: by position)."""
    if not pairs:
        return {}
    ends = np.array(sorted({x for f, e, _ in pairs for x in (f, e)}), dtype=np.int64)
    end_ids = dict(zip(ends.tolist(), index.id_list(ends), strict=True))
    out: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for f, e, g in pairs:
        node = found.get(g)
        if node is not None:
            out.setdefault((end_ids[f], end_ids[e]), {})[node["id"]] = node
    return out


def _typed(
    index: AdjacencyIndex, rows: np.ndarray, code: int, *, incoming: bool, kind: NodeKind
) -> tuple[np.ndarray, np.ndarray]:
    """(row, neighbour) of every relationship of one type and direction from ``rows`` to nodes of one kind."""
    entries = _ragged(index.indptr, rows)
    owner = np.repeat(rows, index.degree(rows))
    flags, other = index.flags[entries], index.neighbour[entries].astype(np.int64)
    keep = ((flags >> 1) == code) & ((flags & 1) == (0 if incoming else 1))
    keep &= index.kind_at(other) == index.kinds.index(kind)
    return owner[keep], other[keep]


def _ragged_entries(index: AdjacencyIndex, rows: np.ndarray) -> np.ndarray:
    return _ragged(index.indptr, rows)
