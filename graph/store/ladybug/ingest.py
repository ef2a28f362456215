"""The embedded store's writing: its tables, batches of documents, replacing one, bulk loads.

A mixin of :class:`~graph.store.ladybug.store.LadybugStore`, apart from its reads because the
two share only the connection, the lock and the transaction.  The batched statements themselves
are :mod:`graph.store.ladybug.write`; what a batch adds is planned by :mod:`graph.store.plan`,
as for every backend.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pyarrow as pa

from graph.errors import WriteRefusedError
from graph.model import EDGE_COLUMNS, Document, EdgeType, NodeKind, node_columns
from graph.store import derived
from graph.store.base import BatchResult, IngestReport, StoreStats, batch_or_each
from graph.store.ladybug import queries as q
from graph.store.ladybug import replace_queries
from graph.store.ladybug import write as ladybug_write
from graph.store.ladybug.errors import translate_error
from graph.store.ladybug.open import DB_FILE
from graph.store.plan import batch_reports, fresh_positions
from graph.store.replacing import remove_document

__all__ = ["LadybugWriting"]

_BULK_POOL_MB = 2048  # buffer pool of a bulk build (a process of its own making one file)


class LadybugWriting:
    """Writing to a LadybugDB store; the store gives the connection, the lock and the transaction."""

    path: str | Path
    read_only: bool
    _lock: threading.RLock
    _conn: Any
    _db: Any
    _marker: Path | None
    _pool_mb: int
    _writes: int
    _opened_mib: float | None
    _reopen: Callable[[], tuple[Any, Any]]
    _run: Callable[..., Any]
    _rows: Callable[..., list[list[Any]]]
    _transaction: Callable[..., AbstractContextManager[None]]
    after_ingest: Callable[..., None]
    stats: Callable[[], StoreStats]

    def _ensure_schema(self) -> None:
        with self._lock:
            existing = {row[1] for row in self._rows("CALL show_tables() RETURN *")}
            for kind in NodeKind:
                if kind.value not in existing:
                    self._run(q.create_node_table(kind))
                else:
                    self._add_missing_columns(kind.value, node_columns(kind))
            for edge in EdgeType:
                if edge.value not in existing:
                    self._run(q.create_rel_table(edge))
                else:
                    self._add_missing_columns(edge.value, EDGE_COLUMNS)

    def _add_missing_columns(self, table: str, columns: Mapping[str, type]) -> None:
        have = {row[1] for row in self._rows(f"CALL table_info('{table}') RETURN *")}
        for name, py in columns.items():
            if name not in have:
                self._run(q.add_column(table, name, py))

    # -- writing (the batched path itself is graph/store/ladybug/write.py) -------------------
    def ingest(self, document: Document) -> IngestReport:
        result = self.ingest_many([document])
        if result.failures:
            raise result.failures[0][1]
        return result.reports[0]

    def ingest_many(self, documents: Iterable[Document]) -> BatchResult:
        """Store a batch of documents in one transaction; a document the engine refuses is retried alone.

        On a failing batch the transaction rolls back and each document is written in its own, so
        one bad document is reported (``failures``) and the others are stored.
        """
        if self.read_only:
            raise WriteRefusedError(f"{self.path} was opened read-only; open it without --read-only to load")
        with self._lock:
            return batch_or_each(list(documents), self._write_batch)

    def _write_batch(self, batch: list[Document]) -> list[IngestReport]:
        stored = ladybug_write.stored_sources([d.source.id for d in batch], self._rows)
        fresh = fresh_positions(batch, stored)
        if not fresh:
            return batch_reports(batch, {})
        plan = ladybug_write.plan_batch([batch[i] for i in fresh])
        with self._transaction():
            written = ladybug_write.write_plan(plan, self._rows, self._run)
        self.after_ingest(plan.nodes)  # only added: the adjacency index takes these nodes in
        if self._writes == 0:
            # the growth that counts is the engine's after this: measured from here, the loader's
            # parsed documents (a batch gathered, another being written) are not taken for it
            self._opened_mib = ladybug_write.resident_mib()
        self._writes += 1
        self._recycle_if_grown()
        return batch_reports(batch, dict(zip(fresh, written, strict=True)))

    def replace(self, document: Document) -> IngestReport:
        """Remove the document's records and write the new ones in one transaction (a kill leaves either)."""
        if self.read_only:
            raise WriteRefusedError(f"{self.path} was opened read-only; open it without --read-only to load")
        with self._lock, self._transaction():
            pairs = list(remove_document(document.source.id, self._rows, self._run, replace_queries))
            ladybug_write.relink_pairs(pairs, self._rows, self._run)
            report = self.ingest(document)  # joins this transaction
        self.after_ingest()
        return report

    def _recycle_if_grown(self) -> None:
        """Checkpoint, close and reopen the database once writes have piled up engine memory (see
        :func:`ladybug_write.should_recycle`); not for ``":memory:"``, not inside a transaction."""
        if self.path == ":memory:" or getattr(self, "_transaction_thread", None) is not None:
            return
        if not ladybug_write.should_recycle(ladybug_write.resident_mib(), self._opened_mib, self._writes):
            return
        self._run("CHECKPOINT")
        if self._marker is not None:
            self._marker.unlink(missing_ok=True)  # clean: everything written is in the data file
        self._conn.close()
        self._db.close()
        ladybug_write.give_back_memory()
        self._db, self._conn = self._reopen()
        self._writes, self._opened_mib = 0, ladybug_write.resident_mib()
        self.after_ingest({})  # the same contents in new files: the adjacency index is kept

    def relink_all(self) -> int:
        """Rebuild the drug → outcome/condition shortcut from the stance edges; returns how many pairs.

        Run on opening a store whose last writer died mid-commit or mid-checkpoint: the crash
        test saw LadybugDB's recovery keep a shortcut update of a document whose records it
        dropped, and replay a shortcut ``CREATE`` twice (two relationships with one id, which
        ``DELETE`` cannot tell apart).  The shortcut is derived data, so the table is dropped
        and rebuilt rather than patched; until that finishes the marker stays, and the next
        opener rebuilds again.
        """
        with self._lock:
            self._run(f"DROP TABLE IF EXISTS {EdgeType.LINKED_TO.value}")
            self._run(q.create_rel_table(EdgeType.LINKED_TO))
            with self._transaction():
                pairs = [
                    (drug, target)
                    for kind in derived.TARGET_KINDS
                    for drug, target in self._rows(
                        f"MATCH (d:Drug)<-[:ABOUT]-(:Finding)-[:ABOUT]->(t:{kind.value}) RETURN DISTINCT d.id, t.id"
                    )
                ]
                ladybug_write.relink_pairs(pairs, self._rows, self._run)
        self.after_ingest()
        return len(pairs)

    def bulk_load(
        self, nodes: Mapping[NodeKind, pa.Table], edges: Mapping[tuple[EdgeType, NodeKind, NodeKind], pa.Table]
    ) -> None:
        """Load prepared Arrow tables whose ids the store does not hold yet; all or nothing.

        For synthetic corpora, big imports and store-to-store copies: columns must match
        :func:`graph.model.node_columns` (nodes) and ``from``, ``to`` + ``EDGE_COLUMNS`` (edges).
        An empty on-disk store takes the bulk path (:func:`ladybug_write.build_database_file`: a new
        file by auto-commit ``COPY``, renamed into place); otherwise one transaction.
        """
        if self.read_only:
            raise WriteRefusedError(f"{self.path} was opened read-only; open it without --read-only to load")
        with self._lock:
            if self.path != ":memory:" and self.stats().total_nodes == 0:
                self._bulk_into_new_file(nodes, edges)
            else:
                with self._transaction():
                    for kind, table in nodes.items():
                        self._run(q.copy_nodes(kind), {"rows": table})
                    for (etype, skind, tkind), table in edges.items():
                        self._run(q.copy_edges(etype, skind, tkind), {"rows": table})
        self.after_ingest()

    def _bulk_into_new_file(
        self, nodes: Mapping[NodeKind, pa.Table], edges: Mapping[tuple[EdgeType, NodeKind, NodeKind], pa.Table]
    ) -> None:
        target = Path(self.path) / DB_FILE
        schema = [q.create_node_table(kind) for kind in NodeKind] + [q.create_rel_table(edge) for edge in EdgeType]
        self._run("CHECKPOINT")  # the empty store leaves no log behind that could apply to the new file
        self._conn.close()
        self._db.close()
        try:
            # COPY of a large table ran at half the rate with a 1 GiB pool than with 2 GiB: give the build room
            ladybug_write.build_database_file(
                target, pool_mb=max(self._pool_mb, _BULK_POOL_MB), nodes=nodes, edges=edges, schema=schema
            )
        except RuntimeError as exc:
            raise translate_error(exc) from exc
        finally:
            self._db, self._conn = self._reopen()
