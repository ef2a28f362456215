"""The server store: evidence in Neo4j through the official driver (Bolt).

Nodes carry their kind as the label (``:Drug``, ``:Study`` …) and every column of the
embedded store as a flat property; relationships are typed by :class:`EdgeType`.  A batch of
documents is ingested in one write transaction (``UNWIND $rows … MERGE`` statements, one
round trip per thousand rows rather than per document), so a lost connection rolls the batch
back and loading it again completes it; a batch the server refuses is written again one
document per transaction, so one bad document does not cost the others.  User
Cypher runs in read transactions behind the lexical guard, with a timeout and a row cap.
Driver errors become the project's errors in :mod:`graph.store.neo4j.errors`, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
import networkx as nx
from neo4j import exceptions as nx4j

from graph.errors import (
    NotFoundError,
    StoreError,
    StoreUnavailableError,
    WriteRefusedError,
)
from graph.ids import normalise
from graph.model import Document, EdgeType, NodeKind, is_node_id, kind_of
from graph.settings import Settings
from graph.store import assemble, derived
from graph.store.base import (
    CONCEPT_KINDS,
    BatchResult,
    Evidence,
    GraphPath,
    IngestReport,
    QueryResult,
    SearchHit,
    StoreStats,
    batch_or_each,
)
from graph.store.cypher import CypherStore, capped_result
from graph.store.cypher_guard import refuse_writes
from graph.store.names import names_of, ranked, score_match, text_hit
from graph.store.neo4j import queries as q
from graph.store.neo4j.errors import SCHEMES, translate_error
from graph.store.neo4j.values import edge_dict, evidence_node, node_dict, plain_rows
from graph.store.plan import batch_reports, chunks, fresh_positions, missing_values, plan_batch, reports
from graph.store.query_worker import WorkerLimits
from graph.store.replacing import remove_document

__all__ = ["BATCH_SIZE", "SCHEMES", "Neo4jStore", "translate_error"]

#: Rows per ``UNWIND`` statement: large enough to amortise round trips, small enough for the heap.
BATCH_SIZE = 1000

T = TypeVar("T")


class Neo4jStore(CypherStore):
    """Evidence in a Neo4j database reached at ``uri`` (``neo4j://``, ``bolt://``, ``+s`` for TLS)."""

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str | None = None,
        database: str | None = None,
        read_only: bool = False,
        row_limit: int = 1000,
        timeout_s: float = 10.0,
        connect_timeout_s: float = 10.0,
        max_retry_s: float = 30.0,
        console_limits: WorkerLimits | None = None,
    ) -> None:
        scheme = uri.partition("://")[0].lower()
        if scheme not in SCHEMES:
            raise StoreUnavailableError(f"cannot use Neo4j URI {uri!r}: the scheme must be one of {', '.join(SCHEMES)}")
        self.uri = uri
        self.user = user
        self.database = database
        self.read_only = read_only
        self.row_limit = row_limit
        self.timeout_s = timeout_s
        self.console_limits = console_limits
        self._password = password  # a console query's worker opens a connection of its own
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=(user, password or ""),
                connection_timeout=connect_timeout_s,
                max_transaction_retry_time=max_retry_s,
                notifications_min_severity="OFF",
            )
            self._driver.verify_connectivity()
        except (nx4j.Neo4jError, nx4j.DriverError, ValueError, OSError) as exc:
            driver = getattr(self, "_driver", None)
            if driver is not None:
                driver.close()
            raise self._error(exc) from exc
        if not read_only:
            self._ensure_schema()

    @classmethod
    def from_settings(cls, settings: Settings) -> Neo4jStore:
        """The store the settings name (``EVX_NEO4J_URI``, ``_USER``, ``_PASSWORD``, ``_DATABASE``)."""
        if not settings.neo4j_uri:
            raise StoreUnavailableError("no Neo4j URI: pass --neo4j bolt://HOST:7687 or set EVX_NEO4J_URI")
        return cls(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password,
            database=settings.neo4j_database,
            read_only=settings.read_only,
            row_limit=settings.row_limit,
            timeout_s=settings.timeout_s,
            console_limits=WorkerLimits.from_settings(settings),
        )

    # -- plumbing ------------------------------------------------------------------
    def _error(self, exc: Exception, query: str | None = None) -> StoreError:
        return translate_error(exc, uri=self.uri, user=self.user, query=query)

    @contextmanager
    def _translated(self, query: str | None = None) -> Iterator[None]:
        """The one boundary where driver errors become the project's errors."""
        try:
            yield
        except (nx4j.Neo4jError, nx4j.DriverError) as exc:
            raise self._error(exc, query) from exc

    def _read(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        with self._translated(), self._driver.session(database=self.database) as session:
            return session.execute_read(work)

    def _write(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        if self.read_only:
            raise WriteRefusedError(f"Neo4j at {self.uri} was opened read-only; open it without --read-only to load")
        with self._translated(), self._driver.session(database=self.database) as session:
            return session.execute_write(work)

    def _rows(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        def work(tx: neo4j.ManagedTransaction) -> list[list[Any]]:
            return [record.values() for record in tx.run(cypher, dict(params or {}))]

        return self._read(work)

    def _ensure_schema(self) -> None:
        """Unique ids per kind, created idempotently; schema changes get their own transactions."""
        for kind in NodeKind:
            cypher = q.create_id_constraint(kind)
            with self._translated(cypher), self._driver.session(database=self.database) as session:
                session.run(cypher).consume()

    def close(self) -> None:
        self._driver.close()

    # -- writing -------------------------------------------------------------------
    def ingest(self, document: Document) -> IngestReport:
        result = self.ingest_many([document])
        if result.failures:
            raise result.failures[0][1]
        return result.reports[0]

    def ingest_many(self, documents: Iterable[Document]) -> BatchResult:
        return batch_or_each(list(documents), lambda batch: self._write(lambda tx: self._ingest(tx, batch)))

    def replace(self, document: Document) -> IngestReport:
        return self._write(lambda tx: self._replace(tx, document))

    def _replace(self, tx: neo4j.ManagedTransaction, document: Document) -> IngestReport:
        # one transaction function: the old records go and the new ones come, or neither
        def rows(cypher: str, params: Mapping[str, Any] | None) -> list[list[Any]]:
            return [list(record.values()) for record in tx.run(cypher, dict(params or {}))]

        def run(cypher: str, params: Mapping[str, Any] | None) -> None:
            tx.run(cypher, dict(params or {})).consume()

        for drug, target in remove_document(document.source.id, rows, run, q):
            self._relink(tx, drug, target)
        return self._ingest(tx, [document])[0]

    def _ingest(self, tx: neo4j.ManagedTransaction, batch: list[Document]) -> list[IngestReport]:
        # Runs as one transaction function: the driver may run it again after a transient
        # failure, so it reads everything it decides on inside the transaction.
        ids = [d.source.id for d in batch]
        stored = {r["id"] for part in chunks(ids, BATCH_SIZE) for r in tx.run(q.stored_sources(), ids=list(part))}
        fresh = fresh_positions(batch, stored)
        if not fresh:
            return batch_reports(batch, {})
        plan = plan_batch([batch[i] for i in fresh])
        added, updated, edges_added = [0] * len(fresh), [0] * len(fresh), [0] * len(fresh)
        for kind, table in plan.nodes.items():
            existing = {
                r["id"]: r["props"]
                for part in chunks(list(table), BATCH_SIZE)
                for r in tx.run(q.existing_nodes(kind), ids=list(part))
            }
            for node_id, row in table.items():
                stored_row = existing.get(node_id)
                if stored_row is None:
                    added[plan.node_owner[node_id]] += 1
                elif missing_values(row, stored_row):
                    updated[plan.node_owner[node_id]] += 1
            for rows in chunks(list(table.values()), BATCH_SIZE):
                tx.run(q.merge_nodes(kind), rows=rows).consume()
        for (etype, skind, tkind), table in plan.edges.items():
            for rows in chunks(list(table.values()), BATCH_SIZE):
                tx.run(q.merge_edges(etype, skind, tkind), rows=rows).consume()
        for owner in plan.edge_owner.values():
            edges_added[owner] += 1
        for drug, target in sorted(plan.pairs):
            self._relink(tx, drug, target)
        return batch_reports(batch, dict(zip(fresh, reports(plan, added, updated, edges_added), strict=True)))

    @staticmethod
    def _relink(tx: neo4j.ManagedTransaction, drug: str, target: str) -> None:
        tkind = kind_of(target)
        counts = {r["stance"]: r["n"] for r in tx.run(q.linked_counts(tkind), drug=drug, target=target)}
        row = derived.linked_edge_row(
            drug, target, counts.get(EdgeType.SUPPORTS.value, 0), counts.get(EdgeType.CONTRADICTS.value, 0)
        )
        params = {k: row[k] for k in ("id", "source_doc", "supporting", "contradicting")}
        tx.run(q.merge_linked(tkind), drug=drug, target=target, **params).consume()

    # -- reading -------------------------------------------------------------------
    def node(self, node_id: str) -> dict[str, Any] | None:
        if not is_node_id(node_id):
            return None
        rows = self._rows(q.node_by_id(kind_of(node_id)), {"id": node_id})
        return node_dict(rows[0][0]) if rows else None

    def search(self, text: str, *, kinds: Iterable[NodeKind] = CONCEPT_KINDS, limit: int = 20) -> list[SearchHit]:
        needle = normalise(text)
        if not needle:
            return []
        wanted = {NodeKind(k) for k in kinds}
        raw = text.strip().lower()

        def work(tx: neo4j.ManagedTransaction) -> list[SearchHit]:
            # Concept names are matched here, not on the server: matching is accent-blind.
            hits = []
            for kind in sorted(wanted & set(CONCEPT_KINDS)):
                for r in tx.run(q.concept_names(kind)):
                    if (best := score_match(needle, names_of(r["name"], r["synonyms"]))) is not None:
                        hits.append(SearchHit(r["id"], kind, r["name"], best[1], best[0]))
            for kind in sorted(wanted - set(CONCEPT_KINDS)):
                for node_id, name, synonyms, title in (
                    rec.values() for rec in tx.run(q.search_kind(kind), q=raw, cap=500)
                ):
                    hits.append(text_hit(needle, node_id, kind, name, names_of(name, synonyms, title)))
            return hits

        return ranked(self._read(work), limit)

    def _next_layer(self, frontier: list[str], seen: set[str], *, cap: int) -> tuple[list[str], int]:
        by_kind: dict[NodeKind, list[str]] = {}
        for node_id in frontier:
            by_kind.setdefault(kind_of(node_id), []).append(node_id)

        # One kind: count, and fetch only the first page. Several kinds (two hops and more):
        # their neighbours overlap, so gather every id and count distinct nodes.
        several = len(by_kind) > 1

        def work(tx: neo4j.ManagedTransaction) -> tuple[set[str], int]:
            found: set[str] = set()
            total = 0
            for kind, ids in sorted(by_kind.items()):
                params = {"ids": ids, "seen": sorted(seen)}
                if not several:
                    total += tx.run(q.neighbour_count(kind), params).single(strict=True)[0]
                query = q.neighbour_ids(kind, limited=not several)
                found.update(r[0] for r in tx.run(query, {**params, "limit": max(cap, 0)}))
            return found, (len(found) if several else total)

        found, total = self._read(work)
        return sorted(found)[: max(cap, 0)], total

    def evidence(self, drug_id: str, target_id: str) -> Evidence:
        drug, target = self.node(drug_id), self.node(target_id)
        for needed, found in ((drug_id, drug), (target_id, target)):
            if found is None:
                raise NotFoundError(f"no node with id {needed!r}")
        tkind = kind_of(target_id)

        def work(tx: neo4j.ManagedTransaction) -> tuple[list, list]:
            rows = []
            if tkind in (NodeKind.OUTCOME, NodeKind.CONDITION):
                rows = [r.values() for r in tx.run(q.evidence(tkind), drug=drug_id, target=target_id)]
            recs = [r.values() for r in tx.run(q.recommendations_for_drug(), drug=drug_id)]
            finding_ids = sorted({f["id"] for f, *_ in rows})
            if finding_ids:
                recs += [r.values() for r in tx.run(q.recommendations_for_findings(), ids=finding_ids)]
            return rows, recs

        rows, recs = self._read(work)
        items = [
            assemble.item(node_dict(f), stance, evidence_node(e, ekind), r, (node_dict(x) for x in figures if x))
            for f, stance, e, ekind, r, figures in rows
        ]
        recommendations = [assemble.recommendation(evidence_node(g, gkind), r, about) for g, gkind, r, about in recs]
        return assemble.evidence(drug, target, items, recommendations)

    def shortest_paths(self, source_id: str, target_id: str, *, max_hops: int = 6, limit: int = 10) -> list[GraphPath]:
        for needed in (source_id, target_id):
            if self.node(needed) is None:
                raise NotFoundError(f"no node with id {needed!r}")
        if source_id == target_id:
            return []
        cypher = q.shortest_paths(kind_of(source_id), kind_of(target_id), max(1, min(max_hops, 30)))
        rows = self._rows(cypher, {"a": source_id, "b": target_id, "limit": 10_000})
        paths = {GraphPath(tuple(ns), tuple(tuple(step) for step in rs)) for ns, rs in rows}
        return assemble.unique_paths(paths, limit)

    @property
    def where(self) -> str:
        return f"Neo4j at {self.uri}"

    def _guard(self, cypher: str) -> None:
        refuse_writes(cypher, dialect="neo4j")  # READ sessions are not enough on every server

    def _trusted_rows(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        return self._rows(cypher, params)

    def _execute(
        self, cypher: str, params: Mapping[str, Any] | None, *, write: bool, cap: int, timeout_s: float
    ) -> QueryResult:
        @neo4j.unit_of_work(timeout=timeout_s)
        def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[list[Any]]]:
            result = tx.run(cypher, dict(params or {}))
            rows = []
            for record in result:
                rows.append(record.values())
                if len(rows) > cap:
                    break
            return list(result.keys()), rows

        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS  # a READ session: Neo4j itself refuses writes
        with (
            self._translated(cypher),
            self._driver.session(database=self.database, default_access_mode=mode) as session,
        ):
            columns, rows = session.execute_write(work) if write else session.execute_read(work)
        return capped_result(columns, rows, cap, plain_rows)

    def _console(
        self, cypher: str, *, cap: int, timeout_s: float, on_wait: Callable[[float], None] | None
    ) -> QueryResult:
        """In a worker process of its own (:mod:`graph.store.neo4j.console`).

        A READ transaction with the server's timeout, never committed; the worker is killed at
        the time limit (some servers ignore the timeout), on an oversized answer, or when
        ``on_wait`` raises.
        """
        from graph.store.neo4j.console import console_query

        connection = {"uri": self.uri, "user": self.user, "password": self._password, "database": self.database}
        return console_query(
            connection,
            cypher,
            row_limit=cap,
            timeout_s=timeout_s,
            limits=self.console_limits,
            on_wait=on_wait,
            translate=lambda exc, text: self._error(exc, text),
        )

    def subgraph(self, node_ids: Iterable[str] | None = None) -> nx.MultiDiGraph:
        wanted = None if node_ids is None else list(dict.fromkeys(n for n in node_ids if is_node_id(n)))

        def work(tx: neo4j.ManagedTransaction) -> nx.MultiDiGraph:
            g = nx.MultiDiGraph()
            if wanted is None:
                for kind in NodeKind:
                    for (n,) in tx.run(q.all_nodes(kind)):
                        g.add_node(n["id"], **node_dict(n))
                for edge in EdgeType:
                    for s, t, _, r in tx.run(q.all_edges(edge)):
                        g.add_edge(s, t, key=r["id"], **edge_dict(r))
                return g
            by_kind: dict[NodeKind, list[str]] = {}
            for node_id in wanted:
                by_kind.setdefault(kind_of(node_id), []).append(node_id)
            for kind, ids in by_kind.items():
                for (n,) in tx.run(q.nodes_by_ids(kind), ids=ids):
                    g.add_node(n["id"], **node_dict(n))
            present = list(g.nodes)
            for kind, ids in by_kind.items():
                for s, t, _, r in tx.run(q.edges_from(kind), ids=ids, present=present):
                    g.add_edge(s, t, key=r["id"], **edge_dict(r))
            return g

        return self._read(work)

    def stats(self) -> StoreStats:
        def work(tx: neo4j.ManagedTransaction) -> tuple[dict[str, int], dict[str, int]]:
            nodes = {k.value: tx.run(q.count_nodes(k)).single(strict=True)[0] for k in NodeKind}
            edges = {e.value: tx.run(q.count_edges(e)).single(strict=True)[0] for e in EdgeType}
            return nodes, edges

        nodes, edges = self._read(work)
        return StoreStats({k: v for k, v in sorted(nodes.items()) if v}, {k: v for k, v in sorted(edges.items()) if v})
