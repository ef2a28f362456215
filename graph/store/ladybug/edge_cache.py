"""Every relationship's properties in memory, column-wise, so a drawn walk reads no relationship from the engine.

Reading the relationships among the drawn nodes back from the engine is most of a walk's
cost: about seven statements per view at 2–5 ms each, whatever their size.  This cache
holds the relationship columns of the whole store, a block per relationship table
(:class:`EdgeRows`), keyed by (source position, target position, type) of the
:class:`~graph.store.ladybug.adjacency.AdjacencyIndex` it was built for: ids as prefix and number
(:class:`~graph.store.ladybug.node_cache.NumberedIds`), repeated strings dictionary-encoded, columns
empty everywhere left out, those filled in a few rows kept as those rows only (163 MiB at 10M
relationships of the synthetic corpus, 335 MiB with string ids).

It is built in the background after the index (reading every relationship with its columns
takes about twice as long as the index); walks read from the engine until it is ready, and
a cache whose relationships do not match its index exactly (the store changed while it was
read) is never used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa

from graph.model import EDGE_COLUMNS, EdgeType, NodeKind
from graph.store.ladybug.adjacency import EDGE_ORDER, AdjacencyIndex, EdgeArrays
from graph.store.ladybug.node_cache import NumberedIds, SparseColumn, compact, narrow, pylist

__all__ = ["EdgeCache", "EdgeRows", "edge_key"]

_CODE = {e: i for i, e in enumerate(EDGE_ORDER)}
_NAMES = tuple(EDGE_COLUMNS)
#: Columns kept as they are (unique per relationship); other strings are dictionary-encoded.
_PLAIN = frozenset({"id", "quote", "text", "note"})
_ARROW = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}

Column = pa.Array | SparseColumn | NumberedIds


def edge_key(size: int, source: np.ndarray, target: np.ndarray, code: np.ndarray) -> np.ndarray:
    """One integer per (source, target, type): positions below ``size``, codes below 32."""
    return (source.astype(np.int64) * size + target.astype(np.int64)) * 32 + code.astype(np.int64)


def _kept(name: str, column: pa.Array, order: np.ndarray) -> Column | None:
    """One relationship column in ``order``, in its smallest form: ``None`` when empty everywhere, ids as prefix and
    number, repeated strings dictionary-encoded (sorted after encoding: only the indices move), mostly-empty
    columns as their filled rows."""
    if column.null_count == len(column):
        return None
    if name == "id" and (numbered := NumberedIds.of(column)) is not None:
        return numbered.reordered(order)
    if pa.types.is_string(column.type) and name not in _PLAIN:
        column = narrow(column.dictionary_encode())
    return compact(column.take(pa.array(order)))


class EdgeRows:
    """Relationships sorted by (source, target, type) key with their columns: one relationship table's, or the rows
    an ingest wrote.  Several relationships may share a key."""

    __slots__ = ("columns", "keys")

    def __init__(self, keys: np.ndarray, columns: dict[str, Column]) -> None:
        self.keys = keys
        self.columns = columns

    @classmethod
    def of(
        cls, index: AdjacencyIndex, source: np.ndarray, target: np.ndarray, code: np.ndarray, columns: Any
    ) -> EdgeRows:
        """Rows from ends (positions), codes and ``columns`` (an Arrow table or arrays by name, in the ends' order)."""
        key = edge_key(index.size, source, target, code)
        order = np.argsort(key, kind="stable")
        kept: dict[str, Column] = {}
        for name, kind in EDGE_COLUMNS.items():
            if name not in columns.column_names:
                continue
            column = columns.column(name)
            column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
            if column.type != _ARROW[kind]:
                column = column.cast(_ARROW[kind])
            found = _kept(name, column, order)
            if found is not None:
                kept[name] = found
        return cls(key[order], kept)

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + sum(c.nbytes for c in self.columns.values()))

    def find(self, wanted: np.ndarray) -> np.ndarray:
        """The row numbers of every row under the ``wanted`` keys (sorted, distinct), in key order."""
        if not len(wanted) or not len(self.keys):
            return np.zeros(0, dtype=np.int64)
        lo = np.searchsorted(self.keys, wanted, side="left")
        hi = np.searchsorted(self.keys, wanted, side="right")
        count = hi - lo
        total = int(count.sum())
        if not total:
            return np.zeros(0, dtype=np.int64)
        return np.repeat(lo - np.concatenate(([0], np.cumsum(count)[:-1])), count) + np.arange(total)

    def rows(self, index: AdjacencyIndex, wanted: np.ndarray) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(source id, target id, type, edge dict) of every row under the ``wanted`` keys (sorted, distinct)."""
        return _rows(index, [(self, self.find(wanted))])


def _rows(
    index: AdjacencyIndex, found: list[tuple[EdgeRows, np.ndarray]]
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(source id, target id, type, edge dict) of the given rows of each block: the ends' ids read in one take for
    all blocks (a view touches ~8 relationship tables), each block's columns in one take per column."""
    found = [(block, rows) for block, rows in found if len(rows)]
    if not found:
        return []
    keys = np.concatenate([block.keys[rows] for block, rows in found])
    pair = keys // 32
    sources, targets = index.id_list(pair // index.size), index.id_list(pair % index.size)
    labels = [EDGE_ORDER[c].value for c in range(len(EDGE_ORDER))]
    codes = (keys % 32).tolist()
    out = []
    i = 0
    for block, rows in found:
        taken = pa.array(rows)
        values = [(name, pylist(column, taken)) for name, column in block.columns.items()]
        for j in range(len(rows)):
            label = labels[codes[i]]
            r = {name: v[j] for name, v in values if v[j] is not None}
            r["type"] = label
            out.append((sources[i], targets[i], label, r))
            i += 1
    return out


class EdgeCache:
    """Relationship columns of one index: a block of rows per relationship table (type, source kind, target kind),
    and the rows ingests wrote since, newest first, which answer for their keys."""

    def __init__(
        self,
        *,
        version: object,
        tables: dict[tuple[int, int, int], EdgeRows],
        layers: tuple[tuple[np.ndarray, EdgeRows], ...] = (),
    ) -> None:
        self.version = version
        #: (type code, source kind index, target kind index) → that table's rows
        self.tables = tables
        #: Newest first: (sorted keys it answers for, the rows it holds for them), written by ingests since
        self.layers = layers

    def __len__(self) -> int:
        """How many relationships the tables hold (an ingest's rows not counted)."""
        return sum(len(rows.keys) for rows in self.tables.values())

    @property
    def nbytes(self) -> int:
        return int(sum(rows.nbytes for rows in self.tables.values()) + sum(r.nbytes for _, r in self.layers))

    def with_rows(self, index: AdjacencyIndex, edges: EdgeArrays, columns: dict[str, list[Any]]) -> EdgeCache:
        """This cache for a newer index (same positions) in which ``edges`` (with ``columns``) are every relationship
        under their keys: they answer for those keys from now on."""
        if not len(edges):
            return EdgeCache(version=index.version, tables=self.tables, layers=self.layers)
        arrays = {
            name: pa.array(columns.get(name, [None] * len(edges)), _ARROW[kind]) for name, kind in EDGE_COLUMNS.items()
        }
        layer = EdgeRows.of(index, edges.source, edges.target, edges.code, pa.table(arrays))
        return EdgeCache(
            version=index.version, tables=self.tables, layers=((np.unique(layer.keys), layer), *self.layers)
        )

    @classmethod
    def table_rows(
        cls, index: AdjacencyIndex, etype: EdgeType, skind: NodeKind, tkind: NodeKind, table: Any
    ) -> EdgeRows | None:
        """One relationship table's rows, from a table with the source and target table offsets first and then
        :data:`~graph.model.EDGE_COLUMNS`; ``None`` when they are not exactly the index's relationships of that
        table (the store changed while it was read).  Made as each table is read, so only one table's raw columns
        are ever held (all of them at once were a GiB at 10M relationships)."""
        code = _CODE[etype]
        source = index.position(skind, table.column(0).to_numpy())
        target = index.position(tkind, table.column(1).to_numpy())
        expected = _index_keys(index, code, index.kinds.index(skind), index.kinds.index(tkind))
        if len(expected) != len(source):
            return None
        named = table.select(list(range(2, 2 + len(_NAMES)))).rename_columns(list(_NAMES))
        rows = EdgeRows.of(index, source, target, np.full(len(source), code, dtype=np.int64), named)
        return rows if np.array_equal(rows.keys, expected) else None

    @classmethod
    def build(
        cls, index: AdjacencyIndex, tables: Iterable[tuple[EdgeType, NodeKind, NodeKind, Any]]
    ) -> EdgeCache | None:
        """A cache from ``(type, source kind, target kind, table)`` per relationship table (see :meth:`table_rows`),
        or ``None`` when the relationships read are not exactly the index's (the store changed).  ``tables`` is
        consumed as it goes: each table read is let go of once its rows are made, so with an iterator that reads
        each table as it is asked for, one table's raw columns are held at a time."""
        kept: dict[tuple[int, int, int], EdgeRows] = {}
        total = 0
        for etype, skind, tkind, table in tables:
            rows = cls.table_rows(index, etype, skind, tkind, table)
            del table
            if rows is None:
                return None
            total += len(rows.keys)
            if len(rows.keys):
                kept[(_CODE[etype], index.kinds.index(skind), index.kinds.index(tkind))] = rows
        if total != int(np.count_nonzero(index.flags & 1)):
            return None
        return cls(version=index.version, tables=kept)

    def fetch(self, index: AdjacencyIndex, edges: EdgeArrays) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(source id, target id, type, edge dict) of every relationship matching ``edges``, each once."""
        if not len(edges):
            return []
        wanted = np.unique(edge_key(index.size, edges.source, edges.target, edges.code))
        out = []
        for owned, layer in self.layers:
            mine = np.isin(wanted, owned)
            if mine.any():
                out += layer.rows(index, wanted[mine])
                wanted = wanted[~mine]
        if not len(wanted):
            return out
        pair = wanted // 32
        table = (wanted % 32) * 1024 + index.kind_at(pair // index.size) * 32 + index.kind_at(pair % index.size)
        found = []
        for t in np.unique(table).tolist():  # each key is in one table: its type and its ends' kinds say which
            block = self.tables.get((t // 1024, t // 32 % 32, t % 32))
            if block is not None:
                found.append((block, block.find(wanted[table == t])))
        return out + _rows(index, found)


def _index_keys(index: AdjacencyIndex, code: int, skind: int, tkind: int) -> np.ndarray:
    """The sorted keys of the relationships of one table the index holds (from their sources' rows)."""
    entries = np.flatnonzero(index.flags == ((code << 1) | 1))  # each relationship of the type once, at its source
    source = np.searchsorted(index.indptr, entries, side="right") - 1
    target = index.neighbour[entries].astype(np.int64)
    del entries
    keep = (index.kind_at(source) == skind) & (index.kind_at(target) == tkind)
    key = source[keep]
    key *= index.size  # in place: a table's keys made in a few arrays, not eight
    key += target[keep]
    key *= 32
    key += code
    key.sort()
    return key
