"""Every node's properties in memory, column-wise, so a drawn view sends no statement to the engine.

With relationships in memory (:mod:`graph.store.ladybug.edge_cache`), what was left of a view's
cost was one primary-key lookup per node kind drawn (2–5 ms each under load, whatever their
size; the engine refuses a ``UNION ALL`` of nodes of different labels) and, for a link's
evidence, the figures and the page's studies.  This cache holds each node table's columns as
Arrow arrays aligned with the :class:`~graph.store.ladybug.adjacency.AdjacencyIndex` positions
(a row per table offset, empty rows where the index keeps room or a node was deleted),
repeated strings dictionary-encoded, all-empty columns left out and mostly-empty ones kept as
their filled rows only (:class:`SparseColumn`).

It is read in the same background pass as the relationship columns, is kept only when its
ids are exactly the index's, and takes the nodes an ingest adds or rewrites as an overlay
(:meth:`NodeCache.with_nodes`), so an ingest does not read every node again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.model import NodeKind, node_columns
from graph.store.ladybug.adjacency import AdjacencyIndex

__all__ = ["NodeCache", "SparseColumn", "compact", "pylist"]

#: A string column is dictionary-encoded when it has at most one distinct value per this many rows.
_REPEATED = 2
#: A column filled in at most this share of its rows is kept sparse (when that is also under half its dense size).
#: Dense, every row costs its slot (8 bytes for a number, 4 for a string's offset or a dictionary index) filled or
#: not; sparse, a filled row costs 4 bytes of position more.  The relationship counts of the synthetic corpus are
#: 2% filled (7.9 MiB each at 1M relationships, 0.25 MiB sparse); a quote or span brought in by one upload is a
#: handful of rows in a column of every relationship.
SPARSE_FILL = 0.25


class SparseColumn:
    """A mostly-empty column as the rows holding a value (sorted) and those values: :meth:`take` gives exactly
    what the dense column's ``take`` gives (empty where no value), at the memory of the filled rows only."""

    __slots__ = ("_length", "rows", "values")

    def __init__(self, length: int, rows: np.ndarray, values: pa.Array) -> None:
        self._length = length
        self.rows = rows
        self.values = values

    @classmethod
    def of(cls, column: pa.Array) -> SparseColumn:
        """The filled rows of a dense column."""
        valid = column.is_valid()
        dtype = np.int32 if len(column) < 2**31 else np.int64
        rows = np.flatnonzero(valid.to_numpy(zero_copy_only=False)).astype(dtype)
        return cls(len(column), rows, column.filter(valid))

    def __len__(self) -> int:
        return self._length

    @property
    def type(self) -> pa.DataType:
        return self.values.type

    @property
    def null_count(self) -> int:
        return self._length - len(self.values)

    @property
    def nbytes(self) -> int:
        return int(self.rows.nbytes + self.values.nbytes)

    def take(self, rows: pa.Array | np.ndarray) -> pa.Array:
        """The values at ``rows`` (row numbers of the dense column), empty where a row holds none."""
        wanted = rows.to_numpy(zero_copy_only=False) if isinstance(rows, pa.Array) else np.asarray(rows)
        wanted = wanted.astype(np.int64, copy=False)
        if len(wanted) and (wanted.min() < 0 or wanted.max() >= self._length):
            raise IndexError(f"row out of bounds for a column of {self._length} rows")
        if not len(self.rows):
            return pa.nulls(len(wanted), self.values.type)
        at = np.minimum(np.searchsorted(self.rows, wanted), len(self.rows) - 1)
        missing = self.rows[at] != wanted
        return self.values.take(pa.array(at, pa.int64(), mask=missing))

    def dense(self) -> pa.Array:
        """The column with a row for every row (what it was built from)."""
        return self.take(np.arange(self._length))


def compact(column: pa.Array) -> pa.Array | SparseColumn:
    """``column`` sparse when few of its rows hold a value and that makes it less than half as big, else as it is."""
    n = len(column)
    if not n or (n - column.null_count) > SPARSE_FILL * n:
        return column
    sparse = SparseColumn.of(column)
    return sparse if sparse.nbytes * 2 <= column.nbytes else column


def pylist(column: pa.Array | SparseColumn, rows: pa.Array) -> list[Any]:
    """``column``'s values at ``rows`` as Python objects; a dictionary-encoded column is decoded after the take
    (its own ``to_pylist`` cost ~0.8 ms for 200 rows against 50 µs decoded)."""
    taken = column.take(rows)
    if pa.types.is_dictionary(taken.type):
        taken = taken.dictionary_decode()
    return taken.to_pylist()


class NodeCache:
    """Node columns by index position; :meth:`nodes` gives the dicts the store's node lookups give."""

    def __init__(
        self,
        *,
        version: object,
        columns: Mapping[int, dict[str, pa.Array | SparseColumn]],
        overlay: Mapping[int, dict[str, Any] | None] | None = None,
    ) -> None:
        self.version = version
        #: kind index → {name: array aligned with the kind's block, or the filled rows of a mostly-empty one}
        self.columns = dict(columns)
        self.overlay = dict(overlay or {})  # position → node written since (None: gone)

    @property
    def nbytes(self) -> int:
        return int(sum(c.nbytes for cols in self.columns.values() for c in cols.values()))

    @classmethod
    def build(cls, index: AdjacencyIndex, tables: Iterable[tuple[NodeKind, Any]]) -> NodeCache | None:
        """A cache from ``(kind, table)`` per node table, each table the table offset and then
        :func:`~graph.model.node_columns` of its kind; ``None`` when its ids are not the index's."""
        columns: dict[int, dict[str, pa.Array | SparseColumn]] = {}
        for kind, table in tables:
            k = index.kinds.index(kind)
            width = int(index.base[k + 1] - index.base[k])
            names = list(node_columns(kind))
            offsets = table.column(0).to_numpy()
            if len(offsets) and (offsets.max() >= width or offsets.min() < 0):
                return None
            slots = np.full(width, -1, dtype=np.int64)
            slots[offsets] = np.arange(len(offsets))
            take = pa.array(np.where(slots < 0, None, slots), pa.int64())
            ids = table.column(1).combine_chunks().cast(pa.string()).take(take)
            expected = index.ids.slice(int(index.base[k]), width)
            if not ids.equals(expected):
                return None
            kept: dict[str, pa.Array | SparseColumn] = {}
            for i, name in enumerate(names):
                column = ids if name == "id" else table.column(i + 1).combine_chunks().take(take)
                if column.null_count == len(column):
                    continue
                if pa.types.is_string(column.type) and name != "id":
                    distinct = pc.count_distinct(column).as_py()
                    if distinct * _REPEATED <= len(column) - column.null_count:
                        column = column.dictionary_encode()
                kept[name] = column if name == "id" else compact(column)
            columns[k] = kept
        return cls(version=index.version, columns=columns)

    def with_nodes(self, version: object, nodes: Mapping[int, dict[str, Any] | None]) -> NodeCache:
        """This cache for a newer index (same blocks) that added or rewrote ``nodes`` (by position): an overlay."""
        return NodeCache(version=version, columns=self.columns, overlay={**self.overlay, **nodes})

    def nodes(self, index: AdjacencyIndex, positions: np.ndarray) -> list[dict[str, Any] | None]:
        """The node dict at each position (``None`` where there is no node), in the order asked for."""
        positions = np.asarray(positions, dtype=np.int64)
        out: list[dict[str, Any] | None] = [None] * len(positions)
        if not len(positions):
            return out
        kinds = index.kind_at(positions)
        for k in np.unique(kinds).tolist():
            where = np.flatnonzero(kinds == k)
            columns = self.columns.get(k)
            if not columns:
                continue
            rows = pa.array(positions[where] - index.base[k])
            values = {name: pylist(column, rows) for name, column in columns.items()}
            ids = values["id"]
            kind = index.kinds[k].value
            for j, i in enumerate(where.tolist()):
                if ids[j] is None:
                    continue
                node = {name: v[j] for name, v in values.items() if v[j] is not None}
                node.setdefault("kind", kind)
                out[i] = node
        if self.overlay:
            for i, p in enumerate(positions.tolist()):
                if p in self.overlay:
                    found = self.overlay[p]
                    out[i] = None if found is None else dict(found)
        return out
