"""The adjacency index brought up to date after an ingest, by reading only what the ingest touched.

An ingest adds nodes and relationships and fills missing properties; it deletes nothing but the
drug → outcome shortcut of the pairs it recounts, which it writes again at once.  Every
relationship it writes joins two nodes of its documents (a document's edges end at its own
nodes, the shortcut at a drug and a target its claims are about).  So the change is found among
the batch's nodes alone: their rows are read by primary key (one statement per kind), the
relationships among them by anchored statements (one per relationship table with touched nodes at
both ends), and the difference from what the index holds among the same nodes is appended
(:func:`extend`).  New nodes take the room each kind's block keeps after its last node.

Anything else is a full rebuild: a relationship among the touched nodes that the index has and the
engine lost (a delete), a node whose table offset moved, a kind whose block is full, or a batch that
touched more than :data:`MOST_TOUCHED` of the index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.model import ALLOWED_TRIPLES, EDGE_COLUMNS, EdgeType, NodeKind, node_columns
from graph.store.ladybug import queries as q
from graph.store.ladybug.adjacency import _PATH_CODES, EDGE_ORDER, AdjacencyIndex, EdgeArrays
from graph.store.ladybug.edge_cache import edge_key

__all__ = ["MOST_TOUCHED", "Delta", "extend", "read_delta"]

#: Above this share of the index's positions touched, a full rebuild is cheaper than the lookups.
MOST_TOUCHED = 0.2
_CODE = {e: i for i, e in enumerate(EDGE_ORDER)}
_CHUNK = 5000
#: A touched node with at most this many relationships out is read whole (they come back in one statement
#: per kind with every other node's); more, and only those to touched nodes are asked for, by type.
_WHOLE = 500

Rows = Callable[[str, Mapping[str, Any] | None], list[list[Any]]]
Arrow = Callable[[str, Mapping[str, Any] | None], Any]


@dataclass(frozen=True)
class Delta:
    """What an ingest changed among its nodes, read from the engine."""

    #: position → node dict (the touched nodes as stored now)
    nodes: dict[int, dict[str, Any]]
    #: positions not in the index before → id
    new_ids: dict[int, str]
    #: every relationship among the touched nodes now: ends, codes and their columns (edge-cache rows)
    among: EdgeArrays
    columns: dict[str, list[Any]]
    #: the relationships among the touched nodes the index lacks
    added: EdgeArrays
    #: positions of the touched nodes
    touched: np.ndarray

    @classmethod
    def empty(cls) -> Delta:
        none = EdgeArrays(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint8))
        return cls({}, {}, none, {}, none, np.zeros(0, np.int64))


def read_delta(index: AdjacencyIndex, touched: Mapping[NodeKind, set[str]], rows: Rows, arrow: Arrow) -> Delta | None:
    """The touched nodes' rows and the relationships among them, against ``index``; ``None``: rebuild whole."""
    if sum(len(ids) for ids in touched.values()) > MOST_TOUCHED * max(index.size, 1):
        return None
    nodes: dict[int, dict[str, Any]] = {}
    new_ids: dict[int, str] = {}
    position_of: dict[str, int] = {}
    offsets_of: dict[NodeKind, list[int]] = {}
    for kind, ids in touched.items():
        if not ids:
            continue
        k = index.kinds.index(kind)
        names = tuple(node_columns(kind))
        wanted = sorted(ids)
        for start in range(0, len(wanted), _CHUNK):
            for offset, *values in rows(q.nodes_by_ids(kind), {"ids": wanted[start : start + _CHUNK]}):
                node = {n: v for n, v in zip(names, values, strict=True) if v is not None}
                node.setdefault("kind", kind.value)
                position = int(index.base[k]) + int(offset)
                if position >= index.base[k + 1]:
                    return None  # the kind's block is full
                known = index.find(node["id"])
                if known is None:
                    if index.ids[position].is_valid:
                        return None  # an offset taken by another node: the table changed under the index
                    new_ids[position] = node["id"]
                elif known != position:
                    return None
                nodes[position] = node
                position_of[node["id"]] = position
                offsets_of.setdefault(kind, []).append(int(offset))
    member = np.zeros(index.size, dtype=bool)
    member[list(nodes)] = True
    sources: list[int] = []
    targets: list[int] = []
    codes: list[int] = []
    columns: dict[str, list[Any]] = {name: [] for name in EDGE_COLUMNS}
    kinds = pa.array([kind.value for kind in index.kinds])

    def keep(table: Any) -> None:
        """Rows (source id, target id, target kind, target offset, type, columns) whose target was touched."""
        table = table.filter(table.column(3).is_valid())  # OPTIONAL MATCH: an anchor without any
        if not table.num_rows:
            return
        k = pc.index_in(table.column(2), value_set=kinds).to_numpy(zero_copy_only=False).astype(np.int64)
        ends = index.base[k] + table.column(3).to_numpy(zero_copy_only=False).astype(np.int64)
        inside = member[ends]
        table = table.filter(pa.array(inside))
        sources.extend(position_of[a] for a in table.column(0).to_pylist())
        targets.extend(ends[inside].tolist())
        codes.extend(_CODE[EdgeType(label)] for label in table.column(4).to_pylist())
        for i, name in enumerate(EDGE_COLUMNS):
            columns[name] += table.column(5 + i).to_pylist()

    for skind in offsets_of:
        anchors = sorted(i for i in touched[skind] if i in position_of)
        # A node with few relationships out is read whole (one statement per kind); a hub (many out, few to
        # touched nodes) by type and target offsets; kind-to-itself types always so (see queries.walk_types).
        out_degree = {i: _out_degree(index, position_of[i]) for i in anchors}
        whole = [i for i in anchors if out_degree[i] <= _WHOLE]
        hubs = [i for i in anchors if out_degree[i] > _WHOLE]
        if whole and q.walk_types(skind, outgoing=True):
            for start in range(0, len(whole), _CHUNK):
                keep(arrow(q.edges_of_many(skind, outgoing=True), {"ids": whole[start : start + _CHUNK]}))
        for source, etype, tkind in sorted(ALLOWED_TRIPLES):
            if source is not skind or tkind not in offsets_of:
                continue
            ids = anchors if etype in q.SELF_TYPES else hubs
            others = sorted(offsets_of[tkind])
            for start in range(0, len(ids), _CHUNK):
                params = {"ids": ids[start : start + _CHUNK], "other": others}
                keep(arrow(q.edges_of_many_to(skind, etype, tkind, outgoing=True), params))
    among = EdgeArrays(
        np.array(sources, dtype=np.int64), np.array(targets, dtype=np.int64), np.array(codes, dtype=np.uint8)
    )
    positions = np.array(sorted(nodes), dtype=np.int64)
    held = index.edges_among(positions)
    now = edge_key(index.size, among.source, among.target, among.code)
    before = edge_key(index.size, held.source, held.target, held.code)
    keys, counts = np.unique(now, return_counts=True)
    old_keys, old_counts = np.unique(before, return_counts=True)
    at = np.searchsorted(keys, old_keys)
    if len(old_keys) and (
        (at >= len(keys)).any()
        or (keys[np.minimum(at, len(keys) - 1)] != old_keys).any()
        or (counts[at] < old_counts).any()
    ):
        return None  # the engine lost a relationship the index holds: a delete
    extra = counts.copy()
    if len(old_keys):
        extra[at] -= old_counts
    added_keys = np.repeat(keys, extra)
    code = added_keys % 32
    pair = added_keys // 32
    added = EdgeArrays(pair // index.size, pair % index.size, code.astype(np.uint8))
    return Delta(nodes, new_ids, among, columns, added, positions)


def _out_degree(index: AdjacencyIndex, position: int) -> int:
    """Relationships leaving one node, as the index holds them (0 for a node it does not hold yet)."""
    return int((index.flags[index.indptr[position] : index.indptr[position + 1]] & 1).sum())


def extend(index: AdjacencyIndex, new_ids: Mapping[int, str], added: EdgeArrays, *, version: object) -> AdjacencyIndex:
    """``index`` with nodes placed in its room and relationships appended (nothing already indexed moves)."""
    n = index.size
    ids, rank = index.ids, index.rank
    if new_ids:
        positions = np.array(sorted(new_ids, key=new_ids.__getitem__), dtype=np.int64)  # in id order
        names = [new_ids[p] for p in positions.tolist()]
        insert = np.array([index.insertion_point(name) for name in names], dtype=np.int64)  # before any new one
        real = n - ids.null_count
        taken = np.arange(n, dtype=np.int64)
        taken[positions] = n + np.arange(len(positions))
        ids = pa.concat_arrays([ids, pa.array(names, pa.string())]).take(pa.array(taken))
        old = index.rank.astype(np.int64)
        rank = (old + np.searchsorted(insert, old, side="right")).astype(np.uint32)
        rank[positions] = insert + np.arange(len(positions))
        empty = np.flatnonzero(~np.asarray(ids.is_valid()))
        rank[empty] = real + len(positions) + np.arange(len(empty))
    indptr, neighbour, flags = _append(index.indptr, index.neighbour, index.flags, added)
    on_path = np.isin(added.code, _PATH_CODES)
    path = EdgeArrays(added.source[on_path], added.target[on_path], added.code[on_path])
    path_indptr, path_neighbour, _ = _append(
        index.path_indptr, index.path_neighbour, np.zeros(len(index.path_neighbour), dtype=np.uint8), path
    )
    out = AdjacencyIndex(
        kinds=index.kinds,
        base=index.base,
        ids=ids,
        rank=rank,
        indptr=indptr,
        neighbour=neighbour,
        flags=flags,
        path_indptr=path_indptr,
        path_neighbour=path_neighbour,
        version=version,
    )
    out.weights = index.weights.copy()
    return out


def _append(
    indptr: np.ndarray, neighbour: np.ndarray, flags: np.ndarray, added: EdgeArrays
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with both ends of each added relationship placed at the end of their rows (one copy of the arrays)."""
    if not len(added):
        return indptr, neighbour, flags
    n = len(indptr) - 1
    rows = np.concatenate((added.source, added.target))
    others = np.concatenate((added.target, added.source)).astype(neighbour.dtype)
    code = added.code.astype(np.uint8)
    marks = np.concatenate(((code << 1) | 1, code << 1)).astype(np.uint8)
    order = np.argsort(rows, kind="stable")
    rows, others, marks = rows[order], others[order], marks[order]
    at = indptr[rows + 1]
    grown = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
    return indptr + grown, np.insert(neighbour, at, others), np.insert(flags, at, marks)
