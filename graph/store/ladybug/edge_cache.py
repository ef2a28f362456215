"""Every relationship's properties in memory, column-wise, so a drawn walk reads no relationship from the engine.

Reading the relationships among the drawn nodes back from the engine is most of a walk's
cost: about seven statements per view at 2–5 ms each, whatever their size.  This cache
holds the relationship columns of the whole store as compact Arrow arrays (repeated strings
dictionary-encoded, columns that are empty everywhere left out, those filled in a few rows kept
as those rows only: ~32 MiB at 1M relationships of the synthetic corpus), keyed by (source
position, target position, type) of the :class:`~graph.store.ladybug.adjacency.AdjacencyIndex` it was built for.

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
from graph.store.ladybug.node_cache import SparseColumn, compact, pylist

__all__ = ["EdgeCache", "edge_key"]

_CODE = {e: i for i, e in enumerate(EDGE_ORDER)}
_NAMES = tuple(EDGE_COLUMNS)
#: Columns kept as they are (unique per relationship); other strings are dictionary-encoded.
_PLAIN = frozenset({"id", "quote", "text", "note"})
_ARROW = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}


def edge_key(size: int, source: np.ndarray, target: np.ndarray, code: np.ndarray) -> np.ndarray:
    """One integer per (source, target, type): positions below ``size``, codes below 32."""
    return (source.astype(np.int64) * size + target.astype(np.int64)) * 32 + code.astype(np.int64)


class EdgeCache:
    """Relationship columns by (source, target, type) key, sorted; several relationships may share a key."""

    def __init__(
        self,
        *,
        version: object,
        keys: np.ndarray,
        columns: dict[str, pa.Array | SparseColumn],
        layers: tuple[tuple[np.ndarray, EdgeCache], ...] = (),
    ) -> None:
        self.version = version
        self.keys = keys
        self.columns = columns
        #: Newest first: (sorted keys it answers for, the rows it holds for them), written by ingests since
        self.layers = layers

    def with_rows(self, index: AdjacencyIndex, edges: EdgeArrays, columns: dict[str, list[Any]]) -> EdgeCache:
        """This cache for a newer index (same positions) in which ``edges`` (with ``columns``) are every relationship
        under their keys: they answer for those keys from now on."""
        if not len(edges):
            return EdgeCache(version=index.version, keys=self.keys, columns=self.columns, layers=self.layers)
        key = edge_key(index.size, edges.source, edges.target, edges.code)
        order = np.argsort(key, kind="stable")
        taken = pa.array(order)
        kept: dict[str, pa.Array | SparseColumn] = {}
        for name, kind in EDGE_COLUMNS.items():
            column = pa.array(columns.get(name, [None] * len(key)), _ARROW[kind]).take(taken)
            if column.null_count < len(column):
                kept[name] = compact(column)
        layer = EdgeCache(version=index.version, keys=key[order], columns=kept)
        return EdgeCache(
            version=index.version,
            keys=self.keys,
            columns=self.columns,
            layers=((np.unique(key), layer), *self.layers),
        )

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + sum(c.nbytes for c in self.columns.values()))

    @classmethod
    def build(
        cls,
        index: AdjacencyIndex,
        tables: Iterable[tuple[EdgeType, NodeKind, NodeKind, Any]],
    ) -> EdgeCache | None:
        """A cache from ``(type, source kind, target kind, table)`` per relationship table, where each table
        has the source and target table offsets first and then :data:`~graph.model.EDGE_COLUMNS`.

        ``None`` when the relationships read are not exactly the index's (the store changed).  A list of
        tables is emptied: each column read is let go of once it is sorted into the cache, so the whole
        store's relationships are never held twice (at 10M relationships, a GiB).
        """
        given = tables
        if isinstance(given, list):
            tables = list(given)
            given.clear()
        keys, parts = [], []
        for etype, skind, tkind, table in tables:
            if not table.num_rows:
                continue
            src = index.position(skind, table.column(0).to_numpy())
            dst = index.position(tkind, table.column(1).to_numpy())
            keys.append(edge_key(index.size, src, dst, np.full(len(src), _CODE[etype], dtype=np.int64)))
            parts.append(table.select(list(range(2, 2 + len(_NAMES)))).rename_columns(list(_NAMES)))
        if not parts:
            return cls(version=index.version, keys=np.zeros(0, dtype=np.int64), columns={})
        key = np.concatenate(keys)
        del keys
        ordered = np.argsort(key, kind="stable")
        key = key[ordered]  # sorted once: the cache's keys and the check against the index's
        expected = _index_keys(index)
        expected.sort()
        if not np.array_equal(key, expected):
            return None
        del expected
        order = pa.array(ordered)
        del tables, table  # only the columns in ``parts`` are left of the tables read
        columns: dict[str, pa.Array | SparseColumn] = {}
        for name, kind in EDGE_COLUMNS.items():  # one column at a time, its raw chunks let go of once sorted
            chunks = [chunk for p in parts for chunk in p.column(name).cast(_ARROW[kind]).chunks]
            parts = [p.drop_columns([name]) for p in parts]
            whole = pa.concat_arrays(chunks) if chunks else pa.array([], _ARROW[kind])
            del chunks
            column = whole.take(order)  # a take from one array (from chunks it costs ~5 times more)
            del whole
            if column.null_count == len(column):
                continue
            if pa.types.is_string(column.type) and name not in _PLAIN:
                column = column.dictionary_encode()
            columns[name] = compact(column)  # a column filled for a few relationships: those rows only
            del column
        return cls(version=index.version, keys=key, columns=columns)

    def fetch(self, index: AdjacencyIndex, edges: EdgeArrays) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(source id, target id, type, edge dict) of every relationship matching ``edges``, each once."""
        if not len(edges):
            return []
        wanted = np.unique(edge_key(index.size, edges.source, edges.target, edges.code))
        out = []
        for owned, layer in self.layers:
            mine = np.isin(wanted, owned)
            if mine.any():
                out += layer._rows(index, wanted[mine])
                wanted = wanted[~mine]
        return out + self._rows(index, wanted)

    def _rows(self, index: AdjacencyIndex, wanted: np.ndarray) -> list[tuple[str, str, str, dict[str, Any]]]:
        if not len(wanted) or not len(self.keys):
            return []
        lo = np.searchsorted(self.keys, wanted, side="left")
        hi = np.searchsorted(self.keys, wanted, side="right")
        count = hi - lo
        if not count.sum():
            return []
        rows = np.repeat(lo - np.concatenate(([0], np.cumsum(count)[:-1])), count) + np.arange(int(count.sum()))
        keys = self.keys[rows]
        code = keys % 32
        pair = keys // 32
        source, target = pair // index.size, pair % index.size
        taken = pa.array(rows)
        values = {name: pylist(column, taken) for name, column in self.columns.items()}
        sources, targets = index.id_list(source), index.id_list(target)
        out = []
        for i, c in enumerate(code.tolist()):
            label = EDGE_ORDER[c].value
            r = {name: values[name][i] for name in values if values[name][i] is not None}
            r["type"] = label
            out.append((sources[i], targets[i], label, r))
        return out


def _index_keys(index: AdjacencyIndex) -> np.ndarray:
    """The key of every relationship the index holds (from its source's row)."""
    entries = np.flatnonzero(index.flags & 1)  # each relationship once, from its source's row
    key = np.searchsorted(index.indptr, entries, side="right") - 1  # the row (source) of each entry
    key *= index.size  # in place: the key of 10M relationships is made in three arrays of 80 MB, not eight
    key += index.neighbour[entries]
    key *= 32
    key += index.flags[entries] >> 1
    return key
