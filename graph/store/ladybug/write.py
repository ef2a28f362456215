"""The embedded store's write path: a batch of documents in one transaction, a few statements per table.

Why it is shaped like this (measured on LadybugDB 0.22, see BENCHMARKS.md):

* ``COPY`` into a table that already holds rows keeps about 14 MB resident per statement until the
  database closes (a buffer-pool limit only turns that into "buffer pool is full"), and a commit
  after a ``COPY`` forces a checkpoint.  Writing each document as a dozen small ``COPY``s made memory
  grow ~60 MB per document and every commit checkpoint.
* ``LOAD FROM`` a typed Arrow table with ``CREATE`` (both ends of a relationship found by primary
  key) is logged in the write-ahead log like any write: memory stays flat, the commit is cheap, and
  a batch of hundreds of documents writes at ~190k nodes/s and ~190k relationships/s.

So a batch is: which documents are stored already (skipped: re-runs resume), every node of the
batch merged by id (a concept shared by many documents is written once), one lookup per kind for
the nodes the store has, one ``CREATE`` per kind for new nodes, one fill per kind for properties
the store lacks, one ``CREATE`` per (edge type, source kind, target kind), then the drug → outcome
shortcut recounted for every pair the batch touched.  The caller holds the transaction: a batch is
stored whole or not at all, so a kill leaves only whole documents.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from graph.model import (
    COMMON_NODE_PROPERTIES,
    EDGE_COLUMNS,
    STRUCTURAL_EDGES,
    EdgeType,
    NodeKind,
    kind_of,
    node_columns,
)
from graph.store import derived
from graph.store.base import IngestReport
from graph.store.ladybug import queries as q
from graph.store.plan import BatchPlan, missing_values, plan_batch, reports

__all__ = [
    "BatchPlan",
    "arrow_rows",
    "build_database_file",
    "plan_batch",
    "relink_pairs",
    "stored_sources",
    "write_plan",
]

_ARROW = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
_EDGE_ROW_COLUMNS: dict[str, type] = {"from": str, "to": str, **EDGE_COLUMNS}
#: The columns every edge row is built with; the edge properties only where the batch has them.
_EDGE_ROW_COMMON = {
    name: _EDGE_ROW_COLUMNS[name] for name in ("from", "to", "id", "source_doc", "quote", "span_start", "span_end")
}
#: Ids per lookup statement (a parameter list; keeps one statement's memory small).
_CHUNK = 5000

Rows = Callable[[str, Mapping[str, Any] | None], list[list[Any]]]
Run = Callable[[str, Mapping[str, Any] | None], Any]


def arrow_rows(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, type]) -> pa.Table:
    """Rows as an Arrow table typed by the model's columns (so an all-empty column keeps its type).

    Arrow reads the dicts itself, as one struct array (a missing key is a null, other keys are
    ignored): half the time of ``Table.from_pylist``, which makes a Python list per column first.
    """
    struct = pa.struct([(name, _ARROW[py]) for name, py in columns.items()])
    return pa.Table.from_struct_array(pa.array(list(rows), type=struct))


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_plan(plan: BatchPlan, rows: Rows, run: Run) -> list[IngestReport]:
    """Write a merged batch (inside the caller's transaction); one report per document of the plan."""
    added = [0] * len(plan.documents)
    updated = [0] * len(plan.documents)
    edges_added = [0] * len(plan.documents)
    stored_ids: dict[NodeKind, set[str]] = {}
    for kind, table in plan.nodes.items():
        stored = _stored_nodes(kind, list(table), rows)
        stored_ids[kind] = set(stored)
        new = [row for node_id, row in table.items() if node_id not in stored]
        columns = _used(node_columns(kind), COMMON_NODE_PROPERTIES, plan.node_props.get(kind))
        for chunk in _chunks(new):
            run(q.create_nodes(kind, columns), {"rows": arrow_rows(chunk, columns)})
        for row in new:
            added[plan.node_owner[row["id"]]] += 1
        fills: list[dict[str, Any]] = []
        for node_id, have in stored.items():
            row = table[node_id]
            fill = missing_values(row, have)
            if fill:
                fills.append({"id": node_id, **fill})
                updated[plan.node_owner[node_id]] += 1
        if fills:
            names = sorted({k for fill in fills for k in fill} - {"id"})
            columns = {"id": str, **{name: node_columns(kind)[name] for name in names}}
            run(q.fill_nodes(kind, names), {"rows": arrow_rows(fills, columns)})
    for (etype, skind, tkind), table in plan.edges.items():
        if etype in STRUCTURAL_EDGES:  # stated once, whichever document came first
            # only a node stored before this batch can already have the edge
            sources = sorted({row["from"] for row in table.values()} & stored_ids.get(skind, set()))
            have = {r[0] for chunk in _chunks(sources) for r in rows(q.edge_ids_from(etype, skind), {"ids": chunk})}
            table = {edge_id: row for edge_id, row in table.items() if edge_id not in have}
        new_edges = list(table.values())
        columns = _used(_EDGE_ROW_COLUMNS, _EDGE_ROW_COMMON, plan.edge_props.get((etype, skind, tkind)))
        for chunk in _chunks(new_edges):
            run(q.create_edges(etype, skind, tkind, list(columns)[2:]), {"rows": arrow_rows(chunk, columns)})
        for edge_id in table:
            edges_added[plan.edge_owner[edge_id]] += 1
    relink_pairs(sorted(plan.pairs), rows, run)
    return reports(plan, added, updated, edges_added)


def _used(columns: Mapping[str, type], common: Mapping[str, type], props: set[str] | None) -> dict[str, type]:
    """``columns`` less the properties no row of the table has: an all-empty column is neither built
    into Arrow nor passed to ``CREATE`` (it stays empty): most edges of trial records use 7 of 12."""
    if props is None:
        return dict(columns)
    return {name: py for name, py in columns.items() if name in common or name in props}


def _stored_nodes(kind: NodeKind, ids: list[str], rows: Rows) -> dict[str, dict[str, Any]]:
    """The stored rows among ``ids`` (Sources only by id: their text is large and never filled)."""
    if kind is NodeKind.SOURCE:
        return {r[0]: {"id": r[0]} for chunk in _chunks(ids) for r in rows(q.ids_present(kind), {"ids": chunk})}
    names = list(node_columns(kind))
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in rows(q.nodes_by_ids(kind), {"ids": list(chunk)}):
            values = dict(zip(names, row[1:], strict=True))
            out[values["id"]] = values
    return out


def stored_sources(ids: Sequence[str], rows: Rows) -> set[str]:
    """Which of the documents (by Source id) the store already holds."""
    return {r[0] for chunk in _chunks(list(ids)) for r in rows(q.ids_present(NodeKind.SOURCE), {"ids": list(chunk)})}


def relink_pairs(pairs: Sequence[tuple[str, str]], rows: Rows, run: Run) -> None:
    """Recount the drug → outcome/condition shortcut of each pair from the stance edges; replace it.

    Two anchored lookups for all pairs (their findings, then the stances on those findings) and the
    counting here, rather than one counting query per pair or one join over every stance edge.
    """
    by_kind: dict[NodeKind, list[tuple[str, str]]] = {}
    for drug, target in pairs:
        by_kind.setdefault(kind_of(target), []).append((drug, target))
    for tkind, kind_pairs in by_kind.items():
        for chunk in _chunks(kind_pairs, 1000):
            params = [{"drug": d, "target": t} for d, t in chunk]
            findings: dict[str, list[tuple[str, str]]] = {}
            for drug, target, finding in rows(q.claims_of_pairs(tkind), {"pairs": params}):
                findings.setdefault(finding, []).append((drug, target))
            counts: dict[tuple[str, str], dict[str, set[str]]] = {pair: {} for pair in chunk}
            finding_ids = sorted(findings)
            for ids in _chunks(finding_ids):
                for finding, stance, evidence in rows(q.stances_on(), {"ids": list(ids)}):
                    for pair in findings[finding]:
                        counts[pair].setdefault(stance, set()).add(evidence)
            run(q.delete_linked_pairs(tkind), {"pairs": params})
            linked = []
            for (drug, target), by_stance in counts.items():
                row = derived.linked_edge_row(
                    drug,
                    target,
                    len(by_stance.get(EdgeType.SUPPORTS.value, ())),
                    len(by_stance.get(EdgeType.CONTRADICTS.value, ())),
                )
                linked.append({"from": drug, "to": target, **row})
            run(
                q.create_edges(EdgeType.LINKED_TO, NodeKind.DRUG, tkind),
                {"rows": arrow_rows(linked, _EDGE_ROW_COLUMNS)},
            )


def build_database_file(
    target: Path,
    *,
    pool_mb: int,
    nodes: Mapping[NodeKind, pa.Table],
    edges: Mapping[tuple[EdgeType, NodeKind, NodeKind], pa.Table],
    schema: Sequence[str],
) -> None:
    """The bulk path: a new database file written by auto-commit ``COPY``s, then renamed over ``target``.

    Measured at 1M edges on 2 cores: auto-commit ``COPY`` ran ~1.8x the rate of the same ``COPY``s in
    one transaction (whose commit is one large checkpoint) with about half the peak memory; the
    rename makes the load all or nothing.  Only for an empty store: ``target`` must hold no evidence
    (its writer has closed it).  A kill leaves a hidden build directory, removed by the next bulk load.
    """
    import ladybug

    for stale in target.parent.glob(".bulk-*"):
        shutil.rmtree(stale, ignore_errors=True)
    build = target.parent / f".bulk-{os.getpid()}"
    build.mkdir()
    try:
        db = ladybug.Database(str(build / target.name), buffer_pool_size=pool_mb * 2**20)
        try:
            conn = ladybug.Connection(db)
            for statement in schema:
                conn.execute(statement)
            for kind, table in nodes.items():
                conn.execute(q.copy_nodes(kind), {"rows": table})
            for (etype, skind, tkind), table in edges.items():
                conn.execute(q.copy_edges(etype, skind, tkind), {"rows": table})
            conn.execute("CHECKPOINT")
            conn.close()
        finally:
            db.close()
        leftovers = [p.name for p in build.iterdir() if p.name != target.name]
        if leftovers:
            raise RuntimeError(f"the bulk build left {', '.join(leftovers)} after its checkpoint")
        for suffix in (".wal", ".shadow", ".wal.checkpoint"):
            Path(str(target) + suffix).unlink(missing_ok=True)  # the empty store's own, never the new file's
        os.replace(build / target.name, target)
        if hasattr(os, "O_DIRECTORY"):
            fd = os.open(target.parent, os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        shutil.rmtree(build, ignore_errors=True)


def resident_mib() -> float | None:
    """This process's resident memory now (Linux ``/proc``); ``None`` where it cannot be read cheaply."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def give_back_memory() -> None:
    """Return freed heap to the OS (glibc keeps it in its arenas otherwise); a no-op elsewhere."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


#: Reopen the database once the process's resident memory passes :data:`RESIDENT_BUDGET_MIB` (but not
#: before it grew :data:`RECYCLE_GROWTH_MIB` since the first write after opening it), or after this many write
#: transactions: LadybugDB keeps memory per write transaction (measured ~20 MB for a 500-abstract
#: batch, ~60 MB for 50,000 trial records) until the database closes, and a bounded buffer pool turns
#: that into "buffer pool is full".  Closing (after a checkpoint) gives it back.  A reopen costs a
#: checkpoint, and a checkpoint rewrites every relationship table the writes touched (its cost grows
#: with the store, not with the writes): reopening at a fixed 256 MiB of growth spent 45-65% of the
#: write time of 10,000 abstracts or 1,000 trial records in checkpoints, so the store lets the
#: memory grow to a budget instead.  The budget leaves room for the checkpoint itself: the engine's
#: checkpoint (at a reopen and at close) holds ~450 MiB more while it runs, whatever was written
#: since the last one (2,000 trial records: 1,044 -> 1,492 MiB at a 1 GiB budget), so 1.5 GiB less
#: that transient and a margin for one batch's growth (~60 MiB per 90 trial records).
RESIDENT_BUDGET_MIB = 896
RECYCLE_GROWTH_MIB = 192
RECYCLE_WRITES = 200
#: Write-ahead log size that triggers a checkpoint at commit.  The engine's default (16 MB, less than
#: one batch of trial records) made nearly every commit a checkpoint; a checkpoint does not give memory
#: back, so the store's reopen (which checkpoints) should be the one that runs, not one per 128 MB.
CHECKPOINT_WAL_BYTES = 512 * 2**20


def should_recycle(now_mib: float | None, opened_mib: float | None, writes: int) -> bool:
    """Whether to checkpoint and reopen: resident memory past the budget (after some growth), or many writes."""
    if writes >= RECYCLE_WRITES:
        return True
    if now_mib is None or opened_mib is None:
        return False
    grown = now_mib - opened_mib
    return grown > RECYCLE_GROWTH_MIB and (now_mib > RESIDENT_BUDGET_MIB or grown > RESIDENT_BUDGET_MIB / 2)
