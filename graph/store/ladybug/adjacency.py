"""An in-process adjacency index (compressed sparse rows in numpy) for walks that must not grow with the graph.

The embedded engine answers a walk from one node by reading that node's relationships,
but several steps a researcher takes by clicking are planned by it as scans: the edges
among the drawn nodes, the second hop from a hundred nodes, and an ``ALL SHORTEST``
search whose ``LIMIT 10`` costs what ``LIMIT 10000`` does.  This index holds only
integers — every node as a position, every relationship twice (once from each end) with
its type and direction — so those walks cost in proportion to what they touch, and the
store fetches properties only for what is drawn.

Positions are "global": each node table gets a contiguous block (``base[kind] + table
offset``) with room after its last node (:data:`ROOM`), so the nodes an ingest appends take
the next positions and nothing already indexed moves (:meth:`AdjacencyIndex.extended`).
``rank`` orders positions by node id, so "first by id" is an integer sort.
About 6 bytes per relationship end plus 16 per node: ~130 MB at 10M relationships.

The index is engine-agnostic: :meth:`AdjacencyIndex.build` takes node ids and endpoint
offsets as arrays; :mod:`graph.store.ladybug.store` reads them column-wise and decides when the
index is stale (see ``LadybugStore.after_ingest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.model import EdgeType, NodeKind
from graph.store.base import PATH_EDGE_TYPES

__all__ = ["BIG_ROW", "EDGE_ORDER", "ROOM", "AdjacencyIndex", "EdgeArrays"]

#: Each node table's block has room for this share more nodes (and at least ``_ROOM_MIN``) before a
#: new node forces a full rebuild.
ROOM = 0.125
_ROOM_MIN = 256

#: A drawn node with more relationships than this and than ``HUB_SHARE`` per drawn node is a hub whose row
#: :meth:`AdjacencyIndex.edges_among` does not read.
BIG_ROW = 256
HUB_SHARE = 4

#: Edge types by code (the code is the position); a code fits in the upper 7 bits of a byte.
EDGE_ORDER: tuple[EdgeType, ...] = tuple(EdgeType)
_CODE = {e: i for i, e in enumerate(EDGE_ORDER)}
_PATH_CODES = np.array(sorted(_CODE[e] for e in PATH_EDGE_TYPES), dtype=np.uint8)


@dataclass(frozen=True)
class EdgeArrays:
    """Relationships as parallel arrays of global positions and edge-type codes (source → target)."""

    source: np.ndarray
    target: np.ndarray
    code: np.ndarray

    def __len__(self) -> int:
        return len(self.source)


def _ragged(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions in the entry arrays of every entry of ``rows`` (concatenated, in row order)."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return shift + np.arange(total, dtype=np.int64)


class AdjacencyIndex:
    """Both ends of every relationship, by node position; neighbourhoods, edges among nodes, shortest paths."""

    def __init__(
        self,
        *,
        kinds: Sequence[NodeKind],
        base: np.ndarray,
        ids: pa.Array,
        rank: np.ndarray,
        indptr: np.ndarray,
        neighbour: np.ndarray,
        flags: np.ndarray,
        path_indptr: np.ndarray,
        path_neighbour: np.ndarray,
        version: object = None,
    ) -> None:
        self.kinds = tuple(kinds)
        self.base = base
        self._size = int(base[-1])  # read on every step of a walk
        self.ids = ids
        self.rank = rank
        self.indptr = indptr
        self.neighbour = neighbour
        self.flags = flags  # code << 1 | 1 when the relationship leaves this row's node
        self.path_indptr = path_indptr
        self.path_neighbour = path_neighbour
        self.version = version
        self._order: np.ndarray | None = None  # positions in id order, for find (made on first use)
        #: Each row's entries in neighbour order (true when built whole; an extended index appends to rows)
        self.sorted_rows = False
        #: Per position, how much a study or guideline counts (filled by the store that builds it).
        self.weights = np.zeros(self.size, dtype=np.float32)

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        node_ids: Mapping[NodeKind, tuple[np.ndarray, pa.Array]],
        edges: Iterable[tuple[EdgeType, NodeKind, NodeKind, np.ndarray, np.ndarray]],
        *,
        version: object = None,
        room: float = ROOM,
    ) -> AdjacencyIndex:
        """Index from ``{kind: (table offsets, ids)}`` and ``(type, source kind, target kind, source offsets,
        target offsets)`` per relationship table."""
        kinds = tuple(NodeKind)
        sizes = []
        for kind in kinds:
            offsets, _ = node_ids.get(kind, (np.zeros(0, dtype=np.int64), pa.array([], pa.string())))
            used = int(offsets.max()) + 1 if len(offsets) else 0
            sizes.append(used + (max(int(used * room), _ROOM_MIN) if room else 0))
        base = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        n = int(base[-1])
        id_parts = []
        for i, kind in enumerate(kinds):
            offsets, ids = node_ids.get(kind, (np.zeros(0, dtype=np.int64), pa.array([], pa.string())))
            if not sizes[i]:
                continue
            # deleted rows leave gaps and the room is empty: place each id at its offset
            slots = np.full(sizes[i], -1, dtype=np.int64)
            slots[offsets] = np.arange(len(offsets))
            id_parts.append(ids.cast(pa.string()).take(pa.array(np.where(slots < 0, None, slots), pa.int64())))
        ids_all = pa.concat_arrays(id_parts) if id_parts else pa.array([], pa.string())
        rank = np.empty(n, dtype=np.uint32)
        if n:
            order = pc.sort_indices(ids_all).to_numpy()  # missing ids (gaps) sort last
            rank[order] = np.arange(n, dtype=np.uint32)

        sources, targets, codes = [], [], []
        index = {k: i for i, k in enumerate(kinds)}
        dtype = _position_type(n)
        for etype, skind, tkind, src, dst in edges:  # read as it goes: each table's ends let go of once placed
            if not len(src):
                continue
            sources.append((np.asarray(src) + base[index[skind]]).astype(dtype))
            targets.append((np.asarray(dst) + base[index[tkind]]).astype(dtype))
            codes.append(np.full(len(src), _CODE[etype], dtype=np.uint8))
            del src, dst
        src_all = np.concatenate(sources) if sources else np.zeros(0, dtype=dtype)
        dst_all = np.concatenate(targets) if targets else np.zeros(0, dtype=dtype)
        code_all = np.concatenate(codes) if codes else np.zeros(0, dtype=np.uint8)
        del sources, targets, codes
        on_path = np.isin(code_all, _PATH_CODES)
        path_indptr, path_neighbour, _ = _csr(n, src_all[on_path], dst_all[on_path], code_all[on_path])
        del on_path
        indptr, neighbour, flags = _csr(n, src_all, dst_all, code_all)
        built = cls(
            kinds=kinds,
            base=base,
            ids=ids_all,
            rank=rank,
            indptr=indptr,
            neighbour=neighbour,
            flags=flags,
            path_indptr=path_indptr,
            path_neighbour=path_neighbour,
            version=version,
        )
        built.sorted_rows = 2 * max(int(n - 1).bit_length(), 1) + 8 <= 63  # packed and sorted (see _csr)
        return built

    # -- positions and ids ---------------------------------------------------------------------
    @property
    def size(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        arrays = (self.rank, self.indptr, self.neighbour, self.flags, self.path_indptr, self.path_neighbour)
        return sum(a.nbytes for a in arrays) + self.ids.nbytes

    def position(self, kind: NodeKind, offsets: Sequence[int] | np.ndarray) -> np.ndarray:
        return np.asarray(offsets, dtype=np.int64) + self.base[self.kinds.index(kind)]

    def kind_at(self, positions: np.ndarray) -> np.ndarray:
        """Index into :attr:`kinds` of each position."""
        return np.searchsorted(self.base, positions, side="right") - 1

    def offsets(self, positions: np.ndarray) -> np.ndarray:
        return positions - self.base[self.kind_at(positions)]

    def id_list(self, positions: np.ndarray) -> list[str]:
        if not len(positions):
            return []
        return self.ids.take(pa.array(positions, pa.int64())).to_pylist()

    def id_order(self) -> np.ndarray:
        """Positions in id order (empty positions last)."""
        if self._order is None:
            order = np.empty(self.size, dtype=np.int64)
            order[self.rank] = np.arange(self.size, dtype=np.int64)
            self._order = order
        return self._order

    def insertion_point(self, node_id: str) -> int:
        """How many indexed ids sort before ``node_id`` (a binary search in id order)."""
        order, ids = self.id_order(), self.ids
        lo, hi = 0, len(ids) - ids.null_count  # missing ids (gaps) sort last
        while lo < hi:
            mid = (lo + hi) // 2
            if ids[int(order[mid])].as_py() < node_id:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def find(self, node_id: str) -> int | None:
        """The position of a node by id (a binary search in id order), or ``None`` when the index has no such node."""
        lo = self.insertion_point(node_id)
        order, ids = self.id_order(), self.ids
        if lo < len(ids) - ids.null_count and ids[int(order[lo])].as_py() == node_id:
            return int(order[lo])
        return None

    def find_many(self, node_ids: Sequence[str]) -> np.ndarray:
        """The position of each id (``-1`` where the index has none): one binary search for all of them, a
        step being one Arrow take and compare over every id (a page's 300 ids: ~0.5 ms, against ~35 ms
        for :meth:`find` one by one)."""
        wanted = pa.array(list(node_ids), pa.string())
        m, real = len(wanted), len(self.ids) - self.ids.null_count
        found = np.full(m, -1, dtype=np.int64)
        if not m or not real:
            return found
        order = self.id_order()
        lo, hi = np.zeros(m, dtype=np.int64), np.full(m, real, dtype=np.int64)
        while True:
            active = lo < hi
            if not active.any():
                break
            mid = (lo + hi) // 2
            at = self.ids.take(pa.array(order[np.minimum(mid, real - 1)]))
            less = pc.fill_null(pc.less(at, wanted), False).to_numpy(zero_copy_only=False)
            lo = np.where(active & less, mid + 1, lo)
            hi = np.where(active & ~less, mid, hi)
        inside = np.flatnonzero(lo < real)
        if len(inside):
            candidates = order[lo[inside]]
            same = pc.equal(self.ids.take(pa.array(candidates)), wanted.take(pa.array(inside)))
            hit = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
            found[inside[hit]] = candidates[hit]
        return found

    def by_id(self, positions: np.ndarray) -> np.ndarray:
        """``positions`` ordered by node id."""
        return positions[np.argsort(self.rank[positions], kind="stable")]

    def degree(self, positions: np.ndarray) -> np.ndarray:
        return self.indptr[positions + 1] - self.indptr[positions]

    # -- walks ---------------------------------------------------------------------------------
    def neighbours(self, positions: np.ndarray) -> np.ndarray:
        """Distinct neighbours of ``positions`` (either direction, every edge type), unordered."""
        return _distinct(self.neighbour[_ragged(self.indptr, positions)], self.size)

    def neighbourhood(self, start: int, *, hops: int, limit: int, offset: int) -> tuple[np.ndarray, int]:
        """The neighbours :meth:`EvidenceStore.neighbourhood` returns (by hop, then id) and how many more there are.

        Same rule as the base class: a layer is taken whole while it fits, the first capped
        layer ends the walk, and the count is of distinct nodes.
        """
        need = max(offset, 0) + max(limit, 0)
        seen = np.array([start], dtype=np.int64)  # sorted; a few hundred nodes (no mark array the graph's size)
        frontier = seen
        ordered: list[np.ndarray] = []
        got = total = 0
        for _ in range(max(hops, 0)):
            found = self.neighbours(frontier)
            found = found[~_within(found, seen)]
            cap = max(need - got, 0)
            if cap < len(found):
                first = np.argpartition(self.rank[found], cap - 1)[:cap] if cap else np.zeros(0, dtype=np.int64)
                ids = self.by_id(found[first])
            else:
                ids = self.by_id(found)
            total += len(found)
            seen = np.union1d(seen, ids)
            ordered.append(ids)
            got += len(ids)
            if not len(ids) or len(found) > len(ids) or got >= need:
                break
            frontier = ids
        flat = np.concatenate(ordered) if ordered else np.zeros(0, dtype=np.int64)
        return flat[max(offset, 0) : need], max(total - need, 0)

    def edges_among(self, positions: np.ndarray) -> EdgeArrays:
        """Every relationship with both ends in ``positions`` (once each, with multiplicity).

        A drawn hub's row (a drug or a condition with tens of thousands of relationships at 10M)
        is not read: its relationships to the other drawn nodes are found from their rows, and
        those between two hubs by a binary search of the drawn hubs in each hub's row (rows are
        sorted by neighbour when built whole; an index extended by ingests reads those rows)."""
        positions = np.unique(positions).astype(np.int64)
        degree = self.degree(positions)
        big = degree > max(BIG_ROW, HUB_SHARE * len(positions))
        hubs = positions[big]
        small = positions[~big]
        entries = _ragged(self.indptr, small)
        owner = np.repeat(small, degree[~big])
        other = self.neighbour[entries]
        flags = self.flags[entries]
        leaves = (flags & 1) == 1
        # from a small row: an edge to a small member once (at its source), an edge to a hub whichever way it runs;
        # membership by binary search in the drawn set (no mark array the graph's size per view)
        keep = _within(other, positions) & (leaves | _within(other, hubs))
        owner, other, flags, leaves = owner[keep], other[keep].astype(np.int64), flags[keep], leaves[keep]
        sources, targets, codes = [np.where(leaves, owner, other)], [np.where(leaves, other, owner)], [flags >> 1]
        for h in hubs.tolist():  # (a lone hub: its loops)
            lo, hi = int(self.indptr[h]), int(self.indptr[h + 1])
            row = self.neighbour[lo:hi]
            if self.sorted_rows:
                start, stop = np.searchsorted(row, hubs, side="left"), np.searchsorted(row, hubs, side="right")
                lengths = stop - start
                at = np.repeat(start - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(
                    int(lengths.sum())
                )
            else:
                at = np.flatnonzero(_within(row, hubs))
            at = at[(self.flags[lo + at] & 1) == 1]  # each hub-to-hub edge once, from its source's row
            sources.append(np.full(len(at), h, dtype=np.int64))
            targets.append(row[at].astype(np.int64))
            codes.append(self.flags[lo + at] >> 1)
        return EdgeArrays(np.concatenate(sources), np.concatenate(targets), np.concatenate(codes))

    def edges_between(self, pairs: Iterable[tuple[int, int]]) -> EdgeArrays:
        """The path-walkable relationships joining each (a, b) pair, in either direction."""
        sources, targets, codes = [], [], []
        for a, b in pairs:
            lo, hi = self.indptr[a], self.indptr[a + 1]
            row = self.neighbour[lo:hi]
            hits = np.flatnonzero(row == b) + lo
            for entry in hits:
                flag = int(self.flags[entry])
                code = flag >> 1
                if code not in _PATH_CODES:
                    continue
                s, t = (a, b) if flag & 1 else (b, a)
                sources.append(s)
                targets.append(t)
                codes.append(code)
        return EdgeArrays(
            np.array(sources, dtype=np.int64), np.array(targets, dtype=np.int64), np.array(codes, dtype=np.uint8)
        )

    def shortest_paths(self, source: int, target: int, *, max_hops: int, limit: int) -> list[list[int]]:
        """Node sequences of the shortest undirected paths over path-walkable edges, first ``limit`` by ids.

        A bidirectional breadth-first search (expanding the side with fewer edges to read)
        finds the length; the nodes that lie on a shortest path are then marked, and the
        paths are listed depth-first in id order, so ``limit`` stops the work early.
        """
        if source == target or limit <= 0:
            return []
        indptr, neighbour = self.path_indptr, self.path_neighbour
        ds = np.full(self.size, -1, dtype=np.int16)
        dt = np.full(self.size, -1, dtype=np.int16)
        ds[source], dt[target] = 0, 0
        layers_s = [np.array([source], dtype=np.int64)]
        layers_t = [np.array([target], dtype=np.int64)]
        length = None
        while len(layers_s) - 1 + len(layers_t) - 1 < max_hops:
            fs, ft = layers_s[-1], layers_t[-1]
            if not len(fs) or not len(ft):
                return []
            cost_s = int((indptr[fs + 1] - indptr[fs]).sum())
            cost_t = int((indptr[ft + 1] - indptr[ft]).sum())
            mine, other, layers = (ds, dt, layers_s) if cost_s <= cost_t else (dt, ds, layers_t)
            found = _distinct(neighbour[_ragged(indptr, layers[-1])], self.size)
            found = found[mine[found] < 0]
            mine[found] = len(layers)
            layers.append(found)
            met = found[other[found] >= 0]
            if len(met):
                length = len(layers) - 1 + int(other[met].min())
                break
        if length is None or length > max_hops:
            return []
        depth_t = len(layers_t) - 1
        cut = max(length - depth_t, 0)  # a level known from both sides
        meet = layers_s[cut][dt[layers_s[cut]] == length - cut]
        # Mark the source-side nodes that lead to the meeting nodes, level by level back to the source.
        on = np.full(self.size, -1, dtype=np.int16)
        on[meet] = cut
        current = meet
        for level in range(cut - 1, -1, -1):
            before = _distinct(neighbour[_ragged(indptr, current)], self.size)
            before = before[ds[before] == level]
            on[before] = level
            current = before
        paths: list[list[int]] = []

        def walk(path: list[int]) -> Iterator[list[int]]:
            node, i = path[-1], len(path) - 1
            if i == length:
                yield list(path)
                return
            row = neighbour[indptr[node] : indptr[node + 1]]  # a hub's row is long: select, then dedupe
            nxt = np.unique(row[on[row] == i + 1] if i + 1 <= cut else row[dt[row] == length - i - 1])
            for following in self.by_id(nxt):
                path.append(int(following))
                yield from walk(path)
                path.pop()

        for found in walk([source]):
            paths.append(found)
            if len(paths) >= limit:
                break
        return paths


def _within(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``members`` (sorted, distinct)."""
    if not len(members):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(members, values), len(members) - 1)
    return members[at] == values


def _distinct(values: np.ndarray, size: int) -> np.ndarray:
    """Sorted distinct ``values`` (positions below ``size``): a mark array when that is cheaper than sorting."""
    if len(values) * 16 > size:
        mark = np.zeros(size, dtype=bool)
        mark[values] = True
        return np.flatnonzero(mark)
    return np.unique(values)


def _position_type(n: int) -> type[np.integer]:
    return np.int32 if n < 2**31 else np.int64


def _csr(n: int, source: np.ndarray, target: np.ndarray, code: np.ndarray) -> tuple[np.ndarray, ...]:
    """Rows for both ends of each relationship: (row pointers, neighbour, code << 1 | leaves-this-node), each row's
    entries in (neighbour, flag) order.

    Both ends of every relationship are packed into one 64-bit integer each (row, neighbour, flag) and sorted in
    place: at 10M relationships that is one array of 160 MB, where sorting by row through an argsort held five
    (positions, order, neighbours before and after the reorder: ~0.7 GB more at the peak of the build)."""
    bits = max(int(n - 1).bit_length(), 1) if n else 1
    counts = np.zeros(n, dtype=np.int64)
    if len(source):
        counts += np.bincount(source, minlength=n)
        counts += np.bincount(target, minlength=n)
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    del counts
    dtype = _position_type(n)
    if 2 * bits + 8 > 63:  # too many nodes to pack: sort by row through an argsort
        ends = np.concatenate((source, target))
        order = np.argsort(ends, kind="stable")
        del ends
        neighbour = np.concatenate((target, source))[order].astype(dtype)
        flags = np.concatenate(((code << 1) | 1, code << 1)).astype(np.uint8)[order]
        return indptr, neighbour, flags
    m = len(source)
    packed = np.empty(2 * m, dtype=np.int64)
    for half, (row, other, leaves) in enumerate(((source, target, 1), (target, source, 0))):
        part = packed[half * m : (half + 1) * m]
        part[:] = row
        part <<= bits
        part |= other
        part <<= 8
        part |= (code.astype(np.int64) << 1) | leaves
    packed.sort()
    flags = (packed & 0xFF).astype(np.uint8)
    packed >>= 8
    neighbour = (packed & ((1 << bits) - 1)).astype(dtype)
    return indptr, neighbour, flags
