"""A column kept sparse (the filled rows and their values) reads back exactly as the dense column it came from."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from graph.store.ladybug import edge_cache, node_cache
from graph.store.ladybug.node_cache import SPARSE_FILL, NumberedIds, SparseColumn, compact, pylist
from graph.store.ladybug.store import LadybugStore
from loaders import load_path, sample_paths
from tests.unit.test_edge_cache import STARTS, _snapshot, _views


def _any_views(store: LadybugStore) -> list[Any]:
    """The test_edge_cache views of the nodes present so far (an early store has not every start yet)."""
    if all(store.node(n) is not None for n in STARTS):
        return _views(store)
    out: list[Any] = [
        _snapshot(store.neighbourhood(n, hops=h, limit=200)) for n in STARTS if store.node(n) for h in (1, 2)
    ]
    every = sorted(store.subgraph().nodes)
    return [*out, _snapshot(store.subgraph()), [store.node(n) for n in every], every]


def _column(kind: str, n: int, fill: float, rng: random.Random) -> pa.Array:
    values: dict[str, Any] = {
        "int": lambda i: i * 7 - 3,
        "float": lambda i: i / 3,
        "bool": lambda i: i % 3 == 0,
        "str": lambda i: f"quote {i}",
        "dict": lambda i: f"doc {i % 4}",
    }
    column = pa.array([values[kind](i) if rng.random() < fill else None for i in range(n)])
    return column.dictionary_encode() if kind == "dict" else column


@pytest.mark.parametrize("kind", ["int", "float", "bool", "str", "dict"])
@pytest.mark.parametrize("fill", [0.0, 0.01, 0.3, 1.0])
def test_a_sparse_column_takes_what_the_dense_one_takes(kind: str, fill: float) -> None:
    rng = random.Random(f"{kind}{fill}")
    dense = _column(kind, 2_000, fill, rng)
    sparse = SparseColumn.of(dense)
    assert len(sparse) == len(dense) and sparse.null_count == dense.null_count and sparse.type == dense.type
    assert sparse.take(np.arange(len(dense))).to_pylist() == dense.to_pylist()  # every row, as the dense column
    for rows in ([], [0], [1_999, 0, 1_999], [rng.randrange(2_000) for _ in range(300)], list(range(2_000))):
        taken = pa.array(rows, pa.int64())
        got, expected = sparse.take(taken), dense.take(taken)
        assert got.type == expected.type and got.to_pylist() == expected.to_pylist()
        assert pylist(sparse, taken) == pylist(dense, taken)
    with pytest.raises(IndexError):
        sparse.take(pa.array([2_000]))


def test_only_a_mostly_empty_column_is_kept_sparse() -> None:
    rng = random.Random(1)
    few = _column("int", 10_000, 0.02, rng)
    kept = compact(few)
    assert isinstance(kept, SparseColumn) and kept.nbytes * 10 < few.nbytes
    assert isinstance(compact(_column("int", 10_000, min(1.0, SPARSE_FILL * 2), rng)), pa.Array)
    assert isinstance(compact(_column("str", 10_000, 0.9, rng)), pa.Array)
    assert isinstance(compact(_column("bool", 10_000, 0.2, rng)), pa.Array)  # a bit a row: sparse is bigger


def _store_views(directory: Path, monkeypatch: pytest.MonkeyPatch, keep: Any) -> tuple[list[Any], list[Any]]:
    """The views of a store whose caches keep every column with ``keep``: built whole, then updated by ingests."""
    monkeypatch.setattr(edge_cache, "compact", keep)
    monkeypatch.setattr(node_cache, "compact", keep)
    documents = [d for path in sample_paths() for d in load_path(path)]
    with LadybugStore(directory) as store:
        walks = store._walks
        store.ingest(documents[0])
        store.neighbourhood("drug:mecasermin")
        walks.edge_cache(wait=True)
        columns = [c for rows in walks.edge_cache().tables.values() for n, c in rows.columns.items() if n != "id"]
        columns += [c for cols in walks.node_cache().columns.values() for name, c in cols.items() if name != "id"]
        kept = all(isinstance(c, SparseColumn) for c in columns) if keep is not _dense else None
        assert kept is None or kept  # the sparse run holds sparse columns only
        built = _any_views(store)
        store.ingest_many(documents[1:])
        store.neighbourhood("drug:mecasermin")  # takes the ingest in
        assert walks.updates == 1 and walks.edge_cache() is not None and walks.node_cache() is not None
        layers = [c for _, layer in walks.edge_cache().layers for n, c in layer.columns.items() if n != "id"]
        assert layers and (keep is _dense or all(isinstance(c, SparseColumn) for c in layers))
        return built, _views(store)


def _dense(column: pa.Array) -> pa.Array:
    return column


def _sparse(column: pa.Array) -> SparseColumn:
    return SparseColumn.of(column)


def test_sparse_caches_answer_as_dense_ones_before_and_after_an_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dense = _store_views(tmp_path / "dense", monkeypatch, _dense)
    sparse = _store_views(tmp_path / "sparse", monkeypatch, _sparse)
    assert sparse == dense
    assert np.all([len(v) for v in dense])  # the views are not empty


@pytest.mark.parametrize(
    "ids",
    [
        [f"edge:syn:{chunk:x}:{i}" for chunk in range(3) for i in range(700)],  # the synthetic corpus's edge ids
        [f"study:syn:{i:07d}" for i in range(2_000)],  # zero-padded: the zeros are the prefix's
        [f"study:x{i}" for i in range(300)] + ["y0", "y00", "z10", "0", "00", "007", "9" * 19, "é1"] * 3,
        # an upload into a generated store: a few hashed ids (kept as they are) among numbered ones
        [f"edge:syn:{i % 7:x}:{i}" for i in range(1_000)]
        + [f"edge:{i:020x}z" for i in range(40)]
        + ["edge:" + "1" * 25],
    ],
)
def test_numbered_ids_take_what_the_strings_take(ids: list[str]) -> None:
    column = pa.array(ids, pa.string())
    numbered = NumberedIds.of(column)
    assert numbered is not None and len(numbered) == len(column) and numbered.nbytes < column.nbytes
    rng = random.Random(len(ids))
    for rows in ([], [0], [len(ids) - 1, 0, len(ids) - 1], [rng.randrange(len(ids)) for _ in range(300)]):
        taken = pa.array(rows, pa.int64())
        assert numbered.take(taken).equals(column.take(taken))
        assert pylist(numbered, taken) == column.take(taken).to_pylist()
    assert numbered.take(np.arange(len(ids))).equals(column)
    order = np.array(rng.sample(range(len(ids)), len(ids)))  # a permutation, as a sort gives
    assert numbered.reordered(order).take(np.arange(len(ids))).equals(column.take(pa.array(order)))
    with pytest.raises(IndexError):
        numbered.take(pa.array([len(ids)]))


@pytest.mark.parametrize(
    "ids",
    [
        [f"edge:{i:040x}" for i in range(1_000)],  # a prefix per id: nothing saved
        ["edge:a", "edge:b1"],  # a row without a trailing number
        ["edge:1", None],  # a missing id
        ["edge:" + "1" * 20],  # a number too long for 64 bits
        [f"x{i}" for i in range(100)] + ["9" * 19],  # short ids, one number too big for 32 bits: no smaller
        [],
    ],
)
def test_ids_that_are_not_numbered_stay_strings(ids: list[str | None]) -> None:
    assert NumberedIds.of(pa.array(ids, pa.string())) is None
