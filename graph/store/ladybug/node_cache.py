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

__all__ = ["NodeCache", "NumberedIds", "SparseColumn", "compact", "narrow", "pylist"]

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


#: Rows split into prefix and number per slice of this many (the split's byte-wise arrays stay small).
_SLICE = 1 << 17
#: Numbered ids are kept so only when there is at most one distinct prefix per this many rows.
_PREFIX_SHARE = 16


class NumberedIds:
    """Unique strings made of a shared prefix and a number (``edge:syn:1f:123``) as a small dictionary of prefixes,
    each row's prefix code and its number: 6-8 bytes a row where the strings cost ~29 (at 10M relationships, the
    id column was 290 MiB).  :meth:`take` gives exactly the strings; a number never has a leading zero (padding
    zeros are the prefix's), so prefix + ``str(number)`` is the string again.  A few rows of another shape (the
    hashed ids of an upload into a generated store) are kept as they are, sparse (``others``)."""

    __slots__ = ("_lengths", "_matrix", "codes", "numbers", "others", "prefixes")

    def __init__(
        self, prefixes: pa.Array, codes: np.ndarray, numbers: np.ndarray, others: SparseColumn | None = None
    ) -> None:
        self.prefixes = prefixes
        self.codes = codes
        self.numbers = numbers
        self.others = others
        offsets, data = _buffers(prefixes)
        self._lengths = np.diff(offsets)
        self._matrix = np.zeros((len(prefixes), int(self._lengths.max(initial=0))), dtype=np.uint8)  # a prefix a row
        self._matrix[np.arange(self._matrix.shape[1]) < self._lengths[:, None]] = data

    @classmethod
    def of(cls, column: pa.Array) -> NumberedIds | None:
        """The prefixes and numbers of a string column, or ``None`` when a row is missing, more than
        :data:`SPARSE_FILL` of the rows have no trailing number, or it would not be smaller (too many prefixes,
        short strings)."""
        n = len(column)
        if not n or column.null_count or not pa.types.is_string(column.type):
            return None
        memo: dict[str, int] = {}
        codes, numbers, fitting = [], [], []
        for start in range(0, n, _SLICE):
            split = _split_numbered(column.slice(start, _SLICE))
            if split is None:
                return None
            prefixes, code, number, fits = split
            seen = start + len(code)
            local = np.array([memo.setdefault(p, len(memo)) for p in prefixes], dtype=np.int64)
            if len(memo) * _PREFIX_SHARE > seen:
                return None
            codes.append(local[code] if len(local) else code)
            numbers.append(number)
            fitting.append(fits)
        fits = np.concatenate(fitting)
        odd = np.flatnonzero(~fits)
        if len(odd) > SPARSE_FILL * n:
            return None
        every = np.concatenate(numbers)
        code_type = np.uint8 if len(memo) <= 1 << 8 else np.uint16 if len(memo) <= 1 << 16 else np.uint32
        number_type = np.uint32 if every.max() < 1 << 32 else np.uint64
        others = SparseColumn(n, odd.astype(np.int32), column.take(pa.array(odd))) if len(odd) else None
        numbered = cls(
            pa.array(list(memo) or [""], pa.string()),
            np.concatenate(codes).astype(code_type),
            every.astype(number_type),
            others,
        )
        return numbered if numbered.nbytes < column.nbytes else None

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def type(self) -> pa.DataType:
        return pa.string()

    @property
    def null_count(self) -> int:
        return 0

    @property
    def nbytes(self) -> int:
        others = self.others.nbytes if self.others is not None else 0
        return int(self.codes.nbytes + self.numbers.nbytes + self.prefixes.nbytes + others)

    def reordered(self, order: np.ndarray) -> NumberedIds:
        """The rows in ``order``, a permutation (row ``i`` of the result is row ``order[i]`` of this)."""
        others = self.others
        if others is not None:
            moved = np.empty(len(order), dtype=np.int64)
            moved[order] = np.arange(len(order))  # where each row goes
            rows = moved[others.rows]
            sort = np.argsort(rows)
            others = SparseColumn(len(order), rows[sort].astype(others.rows.dtype), others.values.take(pa.array(sort)))
        return NumberedIds(self.prefixes, self.codes[order], self.numbers[order], others)

    def take(self, rows: pa.Array | np.ndarray) -> pa.Array:
        """The strings at ``rows``, written as a matrix of bytes a row each (the prefix, then the digits) and
        read out row by row in one pass (an Arrow cast and join of the parts cost ~3 times more for a view's
        2,000 relationships)."""
        wanted = rows.to_numpy(zero_copy_only=False) if isinstance(rows, pa.Array) else np.asarray(rows)
        wanted = wanted.astype(np.int64, copy=False)
        n = len(wanted)
        if n and (wanted.min() < 0 or wanted.max() >= len(self.codes)):
            raise IndexError(f"row out of bounds for a column of {len(self.codes)} rows")
        codes, value = self.codes[wanted], self.numbers[wanted].astype(np.uint64)
        lengths = self._lengths[codes]
        digits = np.searchsorted(_POWERS, value, side="right") + 1
        most = int(digits.max(initial=1))
        width = self._matrix.shape[1] + most + 1  # the last column takes the writes of rows with fewer digits
        matrix = np.zeros((n, width), dtype=np.uint8)
        matrix[:, : self._matrix.shape[1]] = self._matrix[codes]
        place = np.arange(most)
        column = np.where(place < digits[:, None], (lengths + digits - 1)[:, None] - place, width - 1)
        matrix[np.arange(n)[:, None], column] = (value[:, None] // _PLACES[:most] % 10).astype(np.uint8) + 48
        size = lengths + digits
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(size, out=offsets[1:])
        data = matrix[np.arange(width) < size[:, None]]
        numbered = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
        if self.others is None or not n:
            return numbered
        return pc.coalesce(self.others.take(wanted), numbered)  # the rows of another shape as they are

    def pylist(self, rows: pa.Array | np.ndarray) -> list[str]:
        return self.take(rows).to_pylist()


#: 10, 100, … 10**19: how many of them a number reaches is its count of digits less one.
_POWERS = 10 ** np.arange(1, 20, dtype=np.uint64)
_PLACES = 10 ** np.arange(0, 20, dtype=np.uint64)  # 1, 10, … : a digit's place


def _buffers(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string column's offsets (from 0) and bytes, as numpy views where they can be."""
    n = len(column)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32, count=n + 1, offset=column.offset * 4)
    first, last = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8)[first:last] if last > first else np.zeros(0, np.uint8)
    return (offsets - first).astype(np.int64), data


def _split_numbered(column: pa.Array) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray] | None:
    """The distinct prefixes of a string column, each row's prefix (index into them) and trailing number (leading
    zeros kept in the prefix), and which rows have such a number (1 to 19 trailing digits; the others' prefix and
    number are 0); ``None`` when too many prefixes.  The trailing digits are cut by Arrow and read a place at a
    time for every row at once: no Python and no array a byte long."""
    n = len(column)
    offsets, data = _buffers(column)
    if not n or not len(data):
        return None
    starts, ends = offsets[:-1], offsets[1:]
    trimmed = pc.utf8_rtrim(column, characters="0123456789")
    run = starts + pc.binary_length(trimmed).to_numpy(zero_copy_only=False).astype(np.int64)
    length = ends - run
    fits = (length >= 1) & (length <= 19)
    length = np.where(fits, length, 0)
    value = np.zeros(n, dtype=np.uint64)
    scale = np.ones(n, dtype=np.uint64)
    for k in range(1, int(length.max(initial=0)) + 1):
        live = np.flatnonzero(length >= k)
        value[live] += (data[ends[live] - k] - 48).astype(np.uint64) * scale[live]
        scale[live] *= np.uint64(10)
    zeros = np.zeros(n, dtype=np.int64)  # padding zeros: the prefix's (a number keeps at least one digit)
    moving = np.flatnonzero(length > 1)
    moving = moving[data[run[moving]] == 48]
    while len(moving):
        zeros[moving] += 1
        at = run[moving] + zeros[moving]
        moving = moving[(data[at] == 48) & (at < ends[moving] - 1)]
    inside = np.flatnonzero(fits)
    encoded = (trimmed if len(inside) == n else trimmed.take(pa.array(inside))).dictionary_encode()
    if len(encoded.dictionary) * _PREFIX_SHARE > len(inside):
        return None  # as many prefixes as ids, or nearly
    key = np.zeros(n, dtype=np.int64)
    key[inside] = encoded.indices.to_numpy().astype(np.int64) * 20 + zeros[inside]
    used = np.flatnonzero(np.bincount(key[inside], minlength=len(encoded.dictionary) * 20))
    code = np.where(fits, np.searchsorted(used, key), 0)
    stems = encoded.dictionary.to_pylist()
    return [stems[u // 20] + "0" * int(u % 20) for u in used.tolist()], code, value, fits


def narrow(column: pa.DictionaryArray) -> pa.DictionaryArray:
    """A dictionary-encoded column with the smallest signed index type its dictionary fits (int32 by default:
    two bytes a row more than needed for a few thousand distinct values)."""
    size = len(column.dictionary)
    for index_type in (pa.int8(), pa.int16()):
        if size <= 2 ** (index_type.bit_width - 1):
            return pa.DictionaryArray.from_arrays(column.indices.cast(index_type), column.dictionary)
    return column


def compact(column: pa.Array) -> pa.Array | SparseColumn:
    """``column`` sparse when few of its rows hold a value and that makes it less than half as big, else as it is."""
    n = len(column)
    if not n or (n - column.null_count) > SPARSE_FILL * n:
        return column
    sparse = SparseColumn.of(column)
    return sparse if sparse.nbytes * 2 <= column.nbytes else column


def pylist(column: pa.Array | SparseColumn | NumberedIds, rows: pa.Array) -> list[Any]:
    """``column``'s values at ``rows`` as Python objects; a dictionary-encoded column is decoded after the take
    (its own ``to_pylist`` cost ~0.8 ms for 200 rows against 50 µs decoded)."""
    if isinstance(column, NumberedIds):
        return column.pylist(rows)
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
        :func:`~graph.model.node_columns` of its kind; ``None`` when its ids are not the index's.  ``tables`` is
        consumed as it goes (one raw table held at a time when it reads each as it is asked for)."""
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
            expected = index.ids.slice(int(index.base[k]), width)
            if not table.column(1).combine_chunks().cast(pa.string()).take(take).equals(expected):
                return None
            kept: dict[str, pa.Array | SparseColumn] = {"id": expected}  # the index's own ids, not a copy
            for i, name in enumerate(names):
                if name == "id":
                    continue
                column = table.column(i + 1).combine_chunks().take(take)
                if column.null_count == len(column):
                    continue
                if pa.types.is_string(column.type):
                    distinct = pc.count_distinct(column).as_py()
                    if distinct * _REPEATED <= len(column) - column.null_count:
                        column = narrow(column.dictionary_encode())
                kept[name] = compact(column)
            columns[k] = kept
            del table  # a table iterator that reads as it goes holds one raw table at a time
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
