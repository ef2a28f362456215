"""The embedded store: LadybugDB in a directory, real Cypher, bulk loads with ``COPY``.

One process may open a store for writing; others can open it read-only.  Documents are
ingested in batches, one transaction per batch (all or nothing), by ``CREATE`` from Arrow
tables (:mod:`graph.store.ladybug.write`); an empty store takes prepared tables by ``COPY``
into a new file.  The buffer pool is sized by the settings, not the engine's default.
LadybugDB raises bare ``RuntimeError``; they become the project's errors here.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import pyarrow as pa

from graph.errors import (
    NotFoundError,
    QueryError,
    QueryTimeoutError,
    StoreError,
    StoreLockedError,
    WriteRefusedError,
)
from graph.ids import normalise
from graph.model import EDGE_COLUMNS, Document, EdgeType, NodeKind, is_node_id, kind_of, node_columns
from graph.store import assemble, derived
from graph.store.base import (
    CONCEPT_KINDS,
    BatchResult,
    Evidence,
    EvidencePage,
    EvidenceStore,
    GraphPath,
    IngestReport,
    QueryResult,
    SearchHit,
    StoreStats,
    page_order,
    score_keys,
    score_match,
    split_synonyms,
)
from graph.store.cypher_guard import refuse_writes
from graph.store.ladybug import queries as q
from graph.store.ladybug import write as ladybug_write
from graph.store.ladybug.open import check_directory, mark_store, open_database
from graph.store.ladybug.walks import LadybugWalks
from graph.store.replacing import remove_document

__all__ = ["DB_FILE", "LadybugStore", "translate_error"]

DB_FILE = "evidence.lbdb"
_ALL = 2**62  # LIMIT for "every row"
_RECOVERY_SUFFIXES = (".wal", ".shadow", ".wal.checkpoint")
_INGESTING = ".writing"  # our own marker: present from the first write until a clean close (after a checkpoint)
_INTERNAL = ("_ID", "_LABEL", "_SRC", "_DST")
_SHORT_LIST = 512
_BULK_POOL_MB = 2048  # buffer pool of a bulk build (a process of its own making one file)
_WALK_NODES = 5_000  # up to this many nodes, a subgraph's edges come from the adjacency index

# Neo4j-only forms and what to write instead in this dialect.
_NEO4J_HINTS = (
    (re.compile(r"shortestPath|allShortestPaths", re.I), "write shortest paths as (a)-[* SHORTEST 1..6]-(b)"),
    (re.compile(r"\btype\s*\(", re.I), "use label(r) instead of type(r)"),
    (re.compile(r"\bexists\s*\{|\bexists\s*\(", re.I), "use EXISTS { MATCH ... } with a full pattern"),
    (re.compile(r"\bapoc\.|\bgds\.", re.I), "APOC and GDS procedures exist only on Neo4j"),
)


def translate_error(exc: Exception, query: str | None = None) -> StoreError:
    """A LadybugDB ``RuntimeError`` as the project's error, with a hint where one helps."""
    text = str(exc)
    if "Interrupted" in text or "timeout" in text.lower():
        return QueryTimeoutError(
            "the query ran past its time limit and was stopped",
            query=query,
            hint="add a LIMIT, narrow the MATCH, or raise the timeout",
        )
    if "read-only" in text:
        return WriteRefusedError(text, query=query, hint="pass --write to change the store")
    if "lock" in text.lower() and "held" in text.lower():
        return StoreLockedError(text)
    position = None
    if m := re.search(r"offset: (\d+)", text):
        position = int(m.group(1)) + 1
    hint = None
    if query:
        hint = next((h for pattern, h in _NEO4J_HINTS if pattern.search(query)), None)
    if hint is None and "does not exist" in text:
        hint = (
            "node kinds are "
            + ", ".join(k.value for k in NodeKind)
            + "; edge types "
            + ", ".join(e.value for e in EdgeType)
        )
    first = text.splitlines()[0] if text else type(exc).__name__
    where = f" (at column {position})" if position else ""
    return QueryError(f"{first}{where}", query=query, position=position, hint=hint)


def _plain(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None and k not in _INTERNAL}


def _node_dict(value: dict[str, Any]) -> dict[str, Any]:
    out = _plain(value)
    out.setdefault("kind", value.get("_LABEL"))
    return out


def _edge_dict(value: dict[str, Any]) -> dict[str, Any]:
    out = _plain(value)
    out["type"] = value.get("_LABEL")
    return out


_EDGE_NAMES = tuple(EDGE_COLUMNS)


def _node_from(kind: NodeKind, values: Iterable[Any]) -> dict[str, Any]:
    """A node dict from the columns :func:`ladybug_queries.node_fields` lists (as ``_node_dict`` gives)."""
    out = {k: v for k, v in zip(node_columns(kind), values, strict=True) if v is not None}
    out.setdefault("kind", kind.value)
    return out


def _edge_from(label: str, values: Iterable[Any]) -> dict[str, Any]:
    """An edge dict from the columns :func:`ladybug_queries.edge_fields` lists (as ``_edge_dict`` gives)."""
    out = {k: v for k, v in zip(_EDGE_NAMES, values, strict=True) if v is not None}
    out["type"] = label
    return out


class LadybugStore(EvidenceStore):
    """Evidence in a LadybugDB database inside ``path`` (a directory), or ``":memory:"``."""

    backend = "ladybug"

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        read_only: bool = False,
        row_limit: int = 1000,
        timeout_s: float = 10.0,
        buffer_pool_mb: int | None = None,
    ) -> None:
        import ladybug

        from graph.settings import default_buffer_pool_mb

        self.path = path
        self.read_only = read_only
        self.row_limit = row_limit
        self.timeout_s = timeout_s
        self._lock = threading.RLock()
        pool = buffer_pool_mb or default_buffer_pool_mb()  # the engine's own default is most of the machine
        self._search_index: list[tuple[str, NodeKind, str, list[tuple[str, str]]]] | None = None
        self._sizes: dict[NodeKind, int] | None = None  # rows per node table, to plan subgraph walks
        if path == ":memory:":
            target = ":memory:"
        else:
            directory = Path(path)
            check_directory(directory, directory / DB_FILE, read_only=read_only)
            directory.mkdir(parents=True, exist_ok=True)
            target = str(directory / DB_FILE)
        # files LadybugDB leaves only when a process died mid-commit or mid-checkpoint (SIGKILL, power loss)
        self._marker = None if target == ":memory:" or read_only else Path(target + _INGESTING)
        unclean = self._marker is not None and any(
            Path(target + suffix).exists() for suffix in (*_RECOVERY_SUFFIXES, _INGESTING)
        )

        def connect() -> tuple[Any, Any]:
            db = ladybug.Database(
                target,
                read_only=read_only,
                buffer_pool_size=pool * 2**20,
                # the engine's 16 MB made every commit of a batch of trial records a checkpoint
                checkpoint_threshold=ladybug_write.CHECKPOINT_WAL_BYTES,
            )
            try:
                conn = ladybug.Connection(db)
                tables = {row[1] for row in conn.execute("CALL show_tables() RETURN *").get_all()}
                if NodeKind.SOURCE.value in tables:  # reads the data file: a torn checkpoint shows here
                    conn.execute(f"MATCH (s:{NodeKind.SOURCE.value}) RETURN count(*)").get_all()
            except BaseException:
                db.close()
                raise
            return db, conn

        def reopen() -> tuple[Any, Any]:
            return open_database(
                connect,
                directory=path,
                database=None if target == ":memory:" else Path(target),
                read_only=read_only,
            )

        self._pool_mb = pool
        self._reopen = reopen
        self._db, self._conn = reopen()
        self._writes, self._opened_mib = 0, ladybug_write.resident_mib()
        self._walks = LadybugWalks(
            rows=self._rows,
            arrow=self._arrow,
            lock=self._lock,
            database_file=None if target == ":memory:" else Path(target),
        )
        if not read_only:
            self._ensure_schema()
            if target != ":memory:":
                mark_store(Path(target))
            if unclean:
                self.relink_all()  # the marker stays until this opener closes cleanly

    # -- plumbing ------------------------------------------------------------------
    def _run(self, cypher: str, params: Mapping[str, Any] | None = None) -> Any:
        try:
            return self._conn.execute(cypher, dict(params or {}))
        except RuntimeError as exc:
            raise translate_error(exc, cypher) from exc

    def _rows(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        result = self._run(cypher, params)
        return result.get_all()

    def _arrow(self, cypher: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """A result read column-wise (no Python object per row)."""
        return self._run(cypher, params).get_as_arrow(0)  # one chunk, sized to the result

    def after_ingest(self, touched: Mapping[NodeKind, Iterable[str]] | None = None) -> None:
        """The store changed here: drop what was derived from its contents (search and adjacency indexes).

        Every write path calls this after committing; changes made by another process are
        noticed without it (the adjacency index compares the database files' size and time).
        ``touched``: an ingest that only added documents, with the ids of every node they name —
        the adjacency index is then brought up to date from those nodes instead of rebuilt.
        """
        self._search_index = self._sizes = None
        if touched is None:
            self._walks.invalidate()
        else:
            self._walks.appended(touched)

    @contextmanager
    def _transaction(self, *, read_only: bool = False) -> Iterator[None]:
        if getattr(self, "_transaction_thread", None) == threading.get_ident():  # a caller's (replace): join it
            yield
            return
        marker = None if read_only else self._marker
        if marker is not None and not marker.exists():  # until a clean close: "writes since the last checkpoint"
            marker.touch()
        self._run("BEGIN TRANSACTION READ ONLY" if read_only else "BEGIN TRANSACTION")
        self._transaction_thread = threading.get_ident()
        try:
            yield
        except BaseException:
            try:
                self._conn.execute("ROLLBACK")
            except RuntimeError:
                pass  # the engine already rolled back after the failing statement
            raise
        finally:
            self._transaction_thread = None
        self._run("COMMIT")

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

    def close(self) -> None:
        self._walks.stop()  # before the lock: a relationship cache being read lets go of the connection
        with self._lock:
            try:
                if self._marker is not None and self._marker.exists():
                    self._conn.execute("CHECKPOINT")  # everything written is in the data file now
                    self._marker.unlink(missing_ok=True)
                self._conn.close()
                self._db.close()
            except RuntimeError:
                pass

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
        batch = list(documents)
        with self._lock:
            try:
                return BatchResult(tuple(self._write_batch(batch)))
            except (StoreLockedError, WriteRefusedError):
                raise
            except StoreError as exc:
                if len(batch) == 1:
                    return BatchResult((), ((batch[0].source.id, exc),))
            reports: list[IngestReport] = []
            failures: list[tuple[str, StoreError]] = []
            for document in batch:
                try:
                    reports.extend(self._write_batch([document]))
                except (StoreLockedError, WriteRefusedError):
                    raise
                except StoreError as exc:
                    failures.append((document.source.id, exc))
            return BatchResult(tuple(reports), tuple(failures))

    def _write_batch(self, batch: list[Document]) -> list[IngestReport]:
        stored = ladybug_write.stored_sources([d.source.id for d in batch], self._rows)
        fresh: list[int] = []  # positions in the batch of documents not stored yet
        for i, document in enumerate(batch):
            if document.source.id not in stored:
                stored.add(document.source.id)  # a second copy within the batch is "already loaded" too
                fresh.append(i)
        written: dict[int, IngestReport] = {}
        if fresh:
            plan = ladybug_write.plan_batch([batch[i] for i in fresh])
            with self._transaction():
                reports = ladybug_write.write_plan(plan, self._rows, self._run)
            self.after_ingest(plan.nodes)  # only added: the adjacency index takes these nodes in
            self._writes += 1
            self._recycle_if_grown()
            written = dict(zip(fresh, reports, strict=True))
        return [
            written.get(i) or IngestReport(d.source.id, already_loaded=True, warnings=d.warnings)
            for i, d in enumerate(batch)
        ]

    def replace(self, document: Document) -> IngestReport:
        """Remove the document's records and write the new ones in one transaction (a kill leaves either)."""
        if self.read_only:
            raise WriteRefusedError(f"{self.path} was opened read-only; open it without --read-only to load")
        with self._lock, self._transaction():
            pairs = list(remove_document(document.source.id, self._rows, self._run, q))
            ladybug_write.relink_pairs(pairs, self._rows, self._run)
            report = self.ingest(document)  # joins this transaction
        self.after_ingest()
        return report

    def _recycle_if_grown(self) -> None:
        """Checkpoint, close and reopen the database once writes have piled up engine memory (see
        :data:`ladybug_write.RECYCLE_GROWTH_MIB`); not for ``":memory:"``, not inside a transaction."""
        if self.path == ":memory:" or getattr(self, "_transaction_thread", None) is not None:
            return
        now, then = ladybug_write.resident_mib(), self._opened_mib
        grown = now is not None and then is not None and now - then > ladybug_write.RECYCLE_GROWTH_MIB
        if not grown and self._writes < ladybug_write.RECYCLE_WRITES:
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

    # -- reading -------------------------------------------------------------------
    def node(self, node_id: str) -> dict[str, Any] | None:
        if not is_node_id(node_id):
            return None
        kind = kind_of(node_id)
        with self._lock:
            cached = self._walks.cached_nodes({kind: [node_id]})  # None unless the node columns are current
            if cached is not None and getattr(self, "_transaction_thread", None) is None:
                return cached.get(node_id)
            rows = self._rows(q.node_by_id(kind), {"id": node_id})
        return _node_from(kind, rows[0]) if rows else None

    def _concept_index(self) -> list[tuple[str, NodeKind, str, list[tuple[str, str]]]]:
        """(id, kind, name, [(name or synonym, its normalised form)]), normalised once, not per search."""
        if self._search_index is None:
            index = []
            for kind in CONCEPT_KINDS:
                for node_id, name, synonyms in self._rows(f"MATCH (n:{kind.value}) RETURN n.id, n.name, n.synonyms"):
                    names = [name, *split_synonyms(synonyms)]
                    index.append((node_id, kind, name, [(n, normalise(n)) for n in names]))
            self._search_index = index
        return self._search_index

    def search(self, text: str, *, kinds: Iterable[NodeKind] = CONCEPT_KINDS, limit: int = 20) -> list[SearchHit]:
        needle = normalise(text)
        if not needle:
            return []
        wanted = {NodeKind(k) for k in kinds}
        hits = []
        with self._lock:
            if wanted & set(CONCEPT_KINDS):
                for node_id, kind, name, names in self._concept_index():
                    if kind in wanted and (best := score_keys(needle, names)) is not None:
                        hits.append(SearchHit(node_id, kind, name, best[1], best[0]))
            for kind in sorted(wanted - set(CONCEPT_KINDS)):
                raw = text.strip().lower()
                for node_id, name, synonyms, title in self._rows(q.search_kind(kind), {"q": raw, "cap": 500}):
                    names = [name, *split_synonyms(synonyms), *([title] if title else [])]
                    best = score_match(needle, names) or (2, name)
                    hits.append(SearchHit(node_id, kind, name, best[1], best[0]))
        hits.sort(key=lambda h: (h.score, h.name.casefold(), h.id))
        return hits[:limit]

    def neighbourhood(self, node_id: str, *, hops: int = 1, limit: int = 100, offset: int = 0) -> nx.MultiDiGraph:
        # From the adjacency index: the walk and the edges among the drawn nodes cost what is drawn.
        found = None
        if is_node_id(node_id):
            found = self._walks.neighbourhood(kind_of(node_id), node_id, hops=hops, limit=limit, offset=offset)
        if found is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return found

    def neighbourhood_ids(
        self, node_id: str, *, hops: int = 1, limit: int = 100, offset: int = 0
    ) -> tuple[list[str], int]:
        found = None
        if is_node_id(node_id):
            found = self._walks.neighbourhood_ids(kind_of(node_id), node_id, hops=hops, limit=limit, offset=offset)
        if found is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return found

    def _next_layer(self, frontier: list[str], seen: set[str], *, cap: int) -> tuple[list[str], int]:
        """The engine's own layer walk: unused by :meth:`neighbourhood` (the adjacency index answers),
        kept as the raw-engine reference the benchmark compares against."""
        by_kind: dict[NodeKind, list[str]] = {}
        for node_id in frontier:
            by_kind.setdefault(kind_of(node_id), []).append(node_id)
        found: set[str] = set()
        with self._lock:
            if len(frontier) == 1:  # the common case (one hop from one node): one anchored pass
                kind = kind_of(frontier[0])
                params = {"id": frontier[0], "seen": sorted(seen), "limit": max(cap, 0)}
                total, first = self._rows(q.neighbours_of(kind), params)[0]
                return (first if cap > 0 else []), total
            # A wider frontier (two hops and more) holds nodes of several kinds whose neighbours
            # overlap: gather every neighbour id, so the count is of distinct nodes.
            for kind, ids in sorted(by_kind.items()):
                offsets = [row[0] for row in self._rows(q.nodes_by_ids(kind), {"ids": ids})]
                params = {"offsets": offsets, "seen": sorted(seen), "limit": _ALL}
                found.update(row[0] for row in self._rows(q.neighbour_ids(kind), params))
        return sorted(found)[: max(cap, 0)], len(found)

    def evidence(self, drug_id: str, target_id: str) -> Evidence:
        with self._lock:
            drug, target = self.node(drug_id), self.node(target_id)
            for needed, found in ((drug_id, drug), (target_id, target)):
                if found is None:
                    raise NotFoundError(f"no node with id {needed!r}")
            tkind = kind_of(target_id)
            params = {"drug": drug_id, "target": target_id}
            stances: list[list[Any]] = []
            figures: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
            claim_recs: list[list[Any]] = []
            if tkind in (NodeKind.OUTCOME, NodeKind.CONDITION):
                stances = self._rows(q.evidence(tkind), params)
                for fid, eid, *values in self._rows(q.evidence_figures(tkind), params):
                    figure = _node_from(NodeKind.FIGURE, values)
                    # one row per REPORTS edge: several documents may cite the same number
                    figures.setdefault((fid, eid), {})[figure["id"]] = figure
                if stances:
                    claim_recs = self._rows(q.evidence_recommendations(tkind), params)
            finding_ids = {row[0] for row in stances}
            recs = self._rows(q.recommendations_for_drug(), {"drug": drug_id})
            recs += [row for row in claim_recs if row[-1] in finding_ids]
            wanted: dict[NodeKind, set[str]] = {NodeKind.FINDING: finding_ids}
            for _, _, eid, ekind, *_ in stances:
                wanted.setdefault(NodeKind(ekind), set()).add(eid)
            for gid, gkind, *_ in recs:
                wanted.setdefault(NodeKind(gkind), set()).add(gid)
            nodes = self._nodes_by_id(wanted)
        return self._assemble(drug, target, stances, figures, recs, nodes)

    def evidence_page(self, drug_id: str, target_id: str, *, limit: int = 100, offset: int = 0) -> EvidencePage:
        # Rank every stance in the index (weights kept there); build items (nodes, figures) for the page only.
        tkind = kind_of(target_id) if is_node_id(target_id) else None
        is_drug = is_node_id(drug_id) and kind_of(drug_id) is NodeKind.DRUG
        if tkind not in (NodeKind.OUTCOME, NodeKind.CONDITION) or not is_drug:
            return super().evidence_page(drug_id, target_id, limit=limit, offset=offset)
        start = max(offset, 0)
        with self._lock:
            drug, target = self.node(drug_id), self.node(target_id)
            for needed, found in ((drug_id, drug), (target_id, target)):
                if found is None:
                    raise NotFoundError(f"no node with id {needed!r}")
            # The claims, stances and weights come from the adjacency index; the engine is asked
            # for the page's relationships, figures and nodes only.
            page = self._walks.evidence_rows((NodeKind.DRUG, drug_id), (tkind, target_id), limit=limit, offset=start)
            if page is None:
                raise NotFoundError(f"no node with id {drug_id!r} or {target_id!r}")
            total, stances, figures, recs = page
            wanted: dict[NodeKind, set[str]] = {NodeKind.FINDING: {row[0] for row in stances}}
            for _, _, eid, ekind, *_ in stances:
                wanted.setdefault(NodeKind(ekind), set()).add(eid)
            for gid, gkind, *_ in recs:
                wanted.setdefault(NodeKind(gkind), set()).add(gid)
            nodes = self._nodes_by_id(wanted)
        whole = self._assemble(drug, target, stances, figures, recs, nodes)
        items = tuple(sorted(whole.items, key=page_order))
        return EvidencePage(dataclasses.replace(whole, items=items), total=total, offset=start)

    def _assemble(
        self,
        drug: dict[str, Any],
        target: dict[str, Any],
        stances: list[list[Any]],
        figures: Mapping[tuple[str, str], Mapping[str, dict[str, Any]]],
        recs: list[list[Any]],
        nodes: Mapping[str, dict[str, Any]],
    ) -> Evidence:
        """Evidence from the rows of :func:`ladybug_queries.evidence` and friends, in the store's order."""
        items = [
            assemble.item(
                nodes[fid], stance, nodes[eid], _edge_from(stance, values), figures.get((fid, eid), {}).values()
            )
            for fid, stance, eid, _, *values in stances
        ]
        recommendations = [
            assemble.recommendation(nodes[gid], _edge_from(EdgeType.RECOMMENDS.value, values[:-1]), values[-1])
            for gid, _, *values in recs
        ]
        return assemble.evidence(drug, target, items, recommendations)

    def _nodes_by_id(self, wanted: Mapping[NodeKind, Iterable[str]]) -> dict[str, dict[str, Any]]:
        """Nodes by kind and id, each fetched once through the primary-key index."""
        cached = self._walks.cached_nodes(wanted)  # None unless the node columns are current
        if cached is not None and getattr(self, "_transaction_thread", None) is None:
            return cached
        out: dict[str, dict[str, Any]] = {}
        for kind, ids in wanted.items():
            if ids:
                for row in self._rows(q.nodes_by_ids(kind), {"ids": sorted(ids)}):
                    node = _node_from(kind, row[1:])
                    out[node["id"]] = node
        return out

    def shortest_paths(self, source_id: str, target_id: str, *, max_hops: int = 6, limit: int = 10) -> list[GraphPath]:
        with self._lock:
            for needed in (source_id, target_id):
                if self.node(needed) is None:
                    raise NotFoundError(f"no node with id {needed!r}")
            if source_id == target_id:
                return []
        # A bidirectional breadth-first search over the adjacency index, stopped after ``limit``
        # paths; the engine's ALL SHORTEST search (engine_shortest_paths) costs the same for 10 or 10,000.
        found = self._walks.shortest_paths(
            (kind_of(source_id), source_id),
            (kind_of(target_id), target_id),
            max_hops=max(1, min(max_hops, 30)),
            limit=limit,
        )
        if found is None:
            raise NotFoundError(f"no node with id {source_id!r} or {target_id!r}")
        return [GraphPath(tuple(nodes), tuple(steps)) for nodes, steps in found]

    def engine_shortest_paths(
        self, source_id: str, target_id: str, *, max_hops: int = 6, limit: int = 10
    ) -> list[GraphPath]:
        """:meth:`shortest_paths` as the engine's ``ALL SHORTEST`` search: the benchmark's reference."""
        with self._lock:
            if source_id == target_id:
                return []
            cypher = q.shortest_paths(kind_of(source_id), kind_of(target_id), max(1, min(max_hops, 30)))
            rows = self._rows(cypher, {"a": source_id, "b": target_id, "limit": 10_000})
        paths = set()
        for ns, nids, rids, labels, srcs, dsts in rows:
            internal = {(n["table"], n["offset"]): node_id for n, node_id in zip(nids, ns, strict=True)}
            steps = tuple(
                (internal[(s["table"], s["offset"])], label, internal[(d["table"], d["offset"])], rid)
                for rid, label, s, d in zip(rids, labels, srcs, dsts, strict=True)
            )
            paths.add(GraphPath(tuple(ns), steps))
        return assemble.unique_paths(paths, limit)

    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        row_limit: int | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        if not cypher.strip():
            raise QueryError("the query is empty", query=cypher, hint="try: MATCH (d:Drug) RETURN d.name LIMIT 10")
        if not write:
            refuse_writes(cypher)
        elif self.read_only:
            raise WriteRefusedError(f"{self.path} was opened read-only", query=cypher)
        cap = self.row_limit if row_limit is None else row_limit
        timeout = self.timeout_s if timeout_s is None else timeout_s
        with self._lock:
            self._conn.set_query_timeout(int(timeout * 1000))
            try:
                with self._transaction(read_only=not write):
                    result = self._run(cypher, params)
                    if isinstance(result, list):  # several statements: keep the last result
                        result = result[-1]
                    columns = result.get_column_names()
                    rows = []
                    while result.has_next() and len(rows) <= cap:
                        rows.append(result.get_next())
            finally:
                self._conn.set_query_timeout(0)
            if write:
                self.after_ingest()
        truncated = len(rows) > cap
        rows = rows[:cap]
        return QueryResult(columns, [[_value(v) for v in row] for row in rows], truncated, _graph_of(rows))

    def console_query(
        self,
        cypher: str,
        *,
        row_limit: int | None = None,
        timeout_s: float | None = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> QueryResult:
        """User Cypher in a read-only worker process (:mod:`graph.store.query_worker`); this store's lock is not taken.

        A ``":memory:"`` store (tests) has no file a worker could open: it runs in-process,
        guarded, in a read-only transaction.
        """
        if not cypher.strip():
            raise QueryError("the query is empty", query=cypher, hint="try: MATCH (d:Drug) RETURN d.name LIMIT 10")
        refuse_writes(cypher)
        cap = self.row_limit if row_limit is None else row_limit
        timeout = self.timeout_s if timeout_s is None else timeout_s
        if self.path == ":memory:":
            return self.query(cypher, write=False, row_limit=cap, timeout_s=timeout)
        from graph.store.query_worker import run_read_only

        raw = run_read_only(Path(self.path) / DB_FILE, cypher, row_limit=cap, timeout_s=timeout, on_wait=on_wait)
        rows = raw.rows[:cap]
        truncated = raw.truncated or len(raw.rows) > cap
        return QueryResult(raw.columns, [[_value(v) for v in row] for row in rows], truncated, _graph_of(rows))

    def subgraph(self, node_ids: Iterable[str] | None = None) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        with self._lock:
            if node_ids is None:
                for kind in NodeKind:
                    for (n,) in self._rows(q.all_nodes(kind)):
                        g.add_node(n["id"], **_node_dict(n))
                for edge in EdgeType:
                    for s, t, r in self._rows(q.all_edges(edge)):
                        g.add_edge(s, t, key=r["id"], **_edge_dict(r))
                return g
            by_kind: dict[NodeKind, list[str]] = {}
            for node_id in dict.fromkeys(node_ids):
                if is_node_id(node_id):
                    by_kind.setdefault(kind_of(node_id), []).append(node_id)
            if sum(len(ids) for ids in by_kind.values()) <= _WALK_NODES:
                return self._walks.subgraph(by_kind)
            return self._engine_subgraph(by_kind)

    def engine_neighbourhood(
        self, node_id: str, *, hops: int = 1, limit: int = 100, offset: int = 0
    ) -> nx.MultiDiGraph:
        """:meth:`neighbourhood` answered by Cypher alone, without the adjacency index: the benchmark's reference."""
        window, more = EvidenceStore.neighbourhood_ids(self, node_id, hops=hops, limit=limit, offset=offset)
        by_kind: dict[NodeKind, list[str]] = {}
        for n in dict.fromkeys([node_id, *window]):
            by_kind.setdefault(kind_of(n), []).append(n)
        with self._lock:
            g = self._engine_subgraph(by_kind)
        g.graph["more"] = more
        return g

    def _engine_subgraph(self, by_kind: Mapping[NodeKind, list[str]]) -> nx.MultiDiGraph:
        """Nodes by primary key and the edges among them by Cypher alone (for large sets: one pass per kind)."""
        g = nx.MultiDiGraph()
        offsets: dict[NodeKind, list[int]] = {}
        found: dict[NodeKind, list[str]] = {}
        for kind, ids in by_kind.items():
            for offset, *values in self._rows(q.nodes_by_ids(kind), {"ids": ids}):
                node = _node_from(kind, values)
                g.add_node(node["id"], **node)
                offsets.setdefault(kind, []).append(offset)
                found.setdefault(kind, []).append(node["id"])
        if g.number_of_nodes() <= _SHORT_LIST:
            self._edges_among_few(g, offsets, found)
        else:
            self._edges_among_many(g, offsets)
        return g

    def _edges_among_few(
        self, g: nx.MultiDiGraph, offsets: Mapping[NodeKind, list[int]], found: Mapping[NodeKind, list[str]]
    ) -> None:
        """Edges among a small node set: one query per (source kind, target kind), walked from the smaller side.

        Both ends are matched by table offset (integer tests), and the walk starts at the side with
        fewer nodes, through the primary-key index when that is one node: a hub's thousands of
        edges are never read just to find the few that end inside the set.
        """
        for source in offsets:
            for target in sorted(q.reachable_kinds(source, offsets)):
                from_target = self._walk_from_target(source, target, offsets)
                anchor, other = (target, source) if from_target else (source, target)
                if len(found[anchor]) == 1:
                    cypher = q.edges_between(source, target, from_target=from_target, one=True)
                    params = {"id": found[anchor][0], "other": offsets[other]}
                else:
                    cypher = q.edges_between(source, target, from_target=from_target)
                    params = {"anchor": offsets[anchor], "other": offsets[other]}
                for s, t, label, *values in self._rows(cypher, params):
                    r = _edge_from(label, values)
                    g.add_edge(s, t, key=r["id"], **r)

    def _walk_from_target(self, source: NodeKind, target: NodeKind, offsets: Mapping[NodeKind, list[int]]) -> bool:
        """Which end to start from: one node (an index lookup); else not a concept (concepts are the hubs);
        else the smaller table (the offset test passes over the anchor's table)."""
        if len(offsets[target]) == 1 or len(offsets[source]) == 1:
            return len(offsets[target]) == 1 and len(offsets[source]) != 1
        hub_source, hub_target = source in CONCEPT_KINDS, target in CONCEPT_KINDS
        if hub_source != hub_target:
            return hub_source
        sizes = self._table_sizes()
        return sizes[target] < sizes[source]

    def _table_sizes(self) -> dict[NodeKind, int]:
        if self._sizes is None:
            self._sizes = {k: self._rows(q.count_nodes(k))[0][0] for k in NodeKind}
        return self._sizes

    def _edges_among_many(self, g: nx.MultiDiGraph, offsets: Mapping[NodeKind, list[int]]) -> None:
        """Edges among a large node set (an export): one pass per source kind, filtered here."""
        for kind, kind_offsets in offsets.items():
            targets = q.reachable_kinds(kind, offsets)
            if not targets:
                continue  # no edge out of this kind can end at a node of the subgraph
            cypher = q.edges_from(kind, targets, filter_present=False)
            for s, t, label, *values in self._rows(cypher, {"offsets": kind_offsets}):
                if t in g:
                    r = _edge_from(label, values)
                    g.add_edge(s, t, key=r["id"], **r)

    def version(self) -> object | None:
        # the adjacency index's own test of staleness: writes here, and the database files' size and time
        return self._walks._marker()

    def stats(self) -> StoreStats:
        with self._lock:
            nodes = {k.value: self._rows(q.count_nodes(k))[0][0] for k in NodeKind}
            edges = {e.value: self._rows(q.count_edges(e))[0][0] for e in EdgeType}
        return StoreStats({k: v for k, v in sorted(nodes.items()) if v}, {k: v for k, v in sorted(edges.items()) if v})


def _is_node(value: Any) -> bool:
    return isinstance(value, dict) and "_LABEL" in value and "_ID" in value and "_SRC" not in value


def _is_rel(value: Any) -> bool:
    return isinstance(value, dict) and "_SRC" in value and "_DST" in value


def _value(value: Any) -> Any:
    """A query result value as plain data: nodes and edges as dicts, paths as lists."""
    if _is_node(value):
        return _node_dict(value)
    if _is_rel(value):
        return _edge_dict(value)
    if isinstance(value, dict) and "_NODES" in value:
        return {"nodes": [_node_dict(n) for n in value["_NODES"]], "rels": [_edge_dict(r) for r in value["_RELS"]]}
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items() if k not in _INTERNAL}
    return value


def _graph_of(rows: list[list[Any]]) -> nx.MultiDiGraph | None:
    """The nodes and relationships a query returned, as a graph (``None`` when it returned none)."""
    nodes: dict[tuple[int, int], dict[str, Any]] = {}
    rels: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if _is_node(value):
            nodes[(value["_ID"]["table"], value["_ID"]["offset"])] = value
        elif _is_rel(value):
            rels.append(value)
        elif isinstance(value, dict):
            for v in (*value.get("_NODES", ()), *value.get("_RELS", ())) if "_NODES" in value else value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for row in rows:
        for value in row:
            walk(value)
    if not nodes and not rels:
        return None
    g = nx.MultiDiGraph()
    for n in nodes.values():
        g.add_node(n["id"], **_node_dict(n))
    for r in rels:
        src = nodes.get((r["_SRC"]["table"], r["_SRC"]["offset"]))
        dst = nodes.get((r["_DST"]["table"], r["_DST"]["offset"]))
        if src is not None and dst is not None:
            g.add_edge(src["id"], dst["id"], key=r.get("id"), **_edge_dict(r))
    return g
