"""The server store: evidence in Neo4j through the official driver (Bolt).

Nodes carry their kind as the label (``:Drug``, ``:Study`` …) and every column of the
embedded store as a flat property; relationships are typed by :class:`EdgeType`.  Each
document is ingested in one write transaction (``UNWIND $rows … MERGE`` batches), so a
lost connection rolls the whole document back and loading it again completes it.  User
Cypher runs in read transactions behind the lexical guard, with a timeout and a row cap.
Driver errors become the project's errors in :func:`translate_error`, and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
import networkx as nx
from neo4j import exceptions as nx4j
from neo4j.graph import Node as BoltNode
from neo4j.graph import Path as BoltPath
from neo4j.graph import Relationship as BoltRelationship

from graph.errors import (
    NotFoundError,
    QueryError,
    QueryTimeoutError,
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
    Evidence,
    EvidenceStore,
    GraphPath,
    IngestReport,
    QueryResult,
    SearchHit,
    StoreStats,
    score_match,
    split_synonyms,
)
from graph.store.cypher_guard import refuse_writes
from graph.store.neo4j import queries as q
from graph.store.plan import chunks, missing_values, plan_batch, reports
from graph.store.query_worker import WorkerLimits
from graph.store.replacing import remove_document

__all__ = ["BATCH_SIZE", "SCHEMES", "Neo4jStore", "translate_error"]

#: URI schemes the driver understands (``+s`` verifies TLS, ``+ssc`` accepts self-signed).
SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
#: Rows per ``UNWIND`` statement: large enough to amortise round trips, small enough for the heap.
BATCH_SIZE = 1000

_TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.TransientError.Transaction.LockClientStopped",
)
_WRITE_CODES = (
    "Neo.ClientError.Statement.AccessMode",
    "Neo.ClientError.Transaction.ForbiddenDueToTransactionType",
    "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
    "Neo.ClientError.Security.Forbidden",
)
# Embedded-dialect forms and what to write on Neo4j instead.
_LADYBUG_HINTS = (
    (re.compile(r"\*\s*(ALL\s+)?SHORTEST\b", re.I), "on Neo4j write shortestPath((a)-[*..6]-(b))"),
    (re.compile(r"\blabel\s*\(", re.I), "on Neo4j use type(r) or labels(n) instead of label(x)"),
    (re.compile(r"\brels\s*\(", re.I), "on Neo4j use relationships(p) instead of rels(p)"),
    (re.compile(r"\bLOAD\s+FROM\b|\bCOPY\b", re.I), "LOAD FROM and COPY exist only in the embedded store"),
)

T = TypeVar("T")


def translate_error(exc: Exception, *, uri: str, user: str | None = None, query: str | None = None) -> StoreError:
    """A driver or server error as the project's error, naming the server and what to do."""
    if isinstance(exc, nx4j.AuthError):
        return StoreUnavailableError(
            f"Neo4j at {uri} refused the user {user!r}: check EVX_NEO4J_USER and EVX_NEO4J_PASSWORD"
        )
    if isinstance(exc, nx4j.ServiceUnavailable | nx4j.SessionExpired | nx4j.IncompleteCommit):
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return StoreUnavailableError(
            f"cannot reach Neo4j at {uri} ({reason}); is the server running? Check --neo4j or EVX_NEO4J_URI"
        )
    if isinstance(exc, nx4j.ConfigurationError):
        return StoreUnavailableError(f"cannot use Neo4j URI {uri!r}: {exc}; schemes: {', '.join(SCHEMES)}")
    if not isinstance(exc, nx4j.Neo4jError):
        return StoreError(f"Neo4j at {uri}: {exc}")
    code = exc.code or ""
    message = (exc.message or str(exc)).strip()
    first = message.splitlines()[0] if message else code
    if code in _TIMEOUT_CODES:
        return QueryTimeoutError(
            "the query ran past its time limit and was stopped",
            query=query,
            hint="add a LIMIT, narrow the MATCH, or raise the timeout",
        )
    if code in _WRITE_CODES or isinstance(exc, nx4j.ForbiddenOnReadOnlyDatabase):
        return WriteRefusedError(first, query=query, hint="pass --write to change the store")
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return StoreUnavailableError(f"Neo4j at {uri} has no such database ({first}); check EVX_NEO4J_DATABASE")
    position = _position(exc, query)
    hint = next((h for pattern, h in _LADYBUG_HINTS if query and pattern.search(query)), None)
    where = f" (at column {position})" if position else ""
    return QueryError(f"{first}{where}", query=query, position=position, hint=hint)


def _position(exc: nx4j.Neo4jError, query: str | None) -> int | None:
    """The 1-based offset of a syntax error in the query text, from whatever the server gave."""
    record = getattr(exc, "diagnostic_record", None) or {}
    pos = record.get("_position") if isinstance(record, Mapping) else None
    if isinstance(pos, Mapping) and isinstance(pos.get("offset"), int) and pos["offset"] >= 0:
        return pos["offset"] + 1
    text = exc.message or str(exc)
    if m := re.search(r"offset: (\d+)", text):  # Neo4j: "(line 1, column 15 (offset: 14))"
        return int(m.group(1)) + 1
    # ArcadeDB: "at line 1:14" or "at line 1, column 13", columns counted from 0
    if m := re.search(r"line (\d+)(?::|, column )(\d+)", text):
        line, column = int(m.group(1)), int(m.group(2))
        lines = (query or "").split("\n")
        before = sum(len(x) + 1 for x in lines[: max(line - 1, 0)])
        return before + column + 1
    return None


def _node_dict(node: BoltNode) -> dict[str, Any]:
    out = {k: v for k, v in dict(node).items() if v is not None}
    if "kind" not in out and node.labels:
        out["kind"] = sorted(node.labels)[0]
    return out


def _edge_dict(rel: BoltRelationship) -> dict[str, Any]:
    out = {k: v for k, v in dict(rel).items() if v is not None}
    out["type"] = rel.type
    return out


def _label(labels: Any) -> str | None:
    return sorted(labels)[0] if labels else None


def _evidence_node(node: BoltNode, labels: Any) -> dict[str, Any]:
    out = _node_dict(node)
    out.setdefault("kind", _label(labels))
    return out


class Neo4jStore(EvidenceStore):
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
        return self._write(lambda tx: self._ingest(tx, document))

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
        return self._ingest(tx, document)

    def _ingest(self, tx: neo4j.ManagedTransaction, document: Document) -> IngestReport:
        # Runs as one transaction function: the driver may run it again after a transient
        # failure, so it reads everything it decides on inside the transaction.
        if tx.run(q.source_exists(), id=document.source.id).single(strict=True)["n"]:
            return IngestReport(document.source.id, already_loaded=True, warnings=document.warnings)
        plan = plan_batch([document])
        added, updated = [0], [0]
        for kind, table in plan.nodes.items():
            existing = {r["id"]: r["props"] for r in tx.run(q.existing_nodes(kind), ids=list(table))}
            for node_id, row in table.items():
                stored = existing.get(node_id)
                if stored is None:
                    added[0] += 1
                elif missing_values(row, stored):
                    updated[0] += 1
            for batch in chunks(list(table.values()), BATCH_SIZE):
                tx.run(q.merge_nodes(kind), rows=batch).consume()
        for (etype, skind, tkind), table in plan.edges.items():
            for batch in chunks(list(table.values()), BATCH_SIZE):
                tx.run(q.merge_edges(etype, skind, tkind), rows=batch).consume()
        for drug, target in sorted(plan.pairs):
            self._relink(tx, drug, target)
        return reports(plan, added, updated, [len(plan.edge_owner)])[0]

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
        return _node_dict(rows[0][0]) if rows else None

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
                    names = [r["name"], *split_synonyms(r["synonyms"])]
                    if (best := score_match(needle, names)) is not None:
                        hits.append(SearchHit(r["id"], kind, r["name"], best[1], best[0]))
            for kind in sorted(wanted - set(CONCEPT_KINDS)):
                for node_id, name, synonyms, title in (
                    rec.values() for rec in tx.run(q.search_kind(kind), q=raw, cap=500)
                ):
                    names = [name, *split_synonyms(synonyms), *([title] if title else [])]
                    best = score_match(needle, names) or (2, name)
                    hits.append(SearchHit(node_id, kind, name, best[1], best[0]))
            return hits

        hits = self._read(work)
        hits.sort(key=lambda h: (h.score, h.name.casefold(), h.id))
        return hits[:limit]

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
            assemble.item(_node_dict(f), stance, _evidence_node(e, ekind), r, (_node_dict(x) for x in figures if x))
            for f, stance, e, ekind, r, figures in rows
        ]
        recommendations = [assemble.recommendation(_evidence_node(g, gkind), r, about) for g, gkind, r, about in recs]
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
            refuse_writes(cypher, dialect="neo4j")  # READ sessions are not enough on every server
        elif self.read_only:
            raise WriteRefusedError(f"Neo4j at {self.uri} was opened read-only", query=cypher)
        cap = self.row_limit if row_limit is None else row_limit
        timeout = self.timeout_s if timeout_s is None else timeout_s

        @neo4j.unit_of_work(timeout=timeout)
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
        """User Cypher, guarded, in a worker process of its own (:mod:`graph.store.neo4j.console`).

        A READ transaction with the server's timeout, never committed; the worker is killed at
        the time limit (some servers ignore the timeout), on an oversized answer, or when
        ``on_wait`` raises.
        """
        if not cypher.strip():
            raise QueryError("the query is empty", query=cypher, hint="try: MATCH (d:Drug) RETURN d.name LIMIT 10")
        refuse_writes(cypher, dialect="neo4j")
        from graph.store.neo4j.console import console_query

        connection = {"uri": self.uri, "user": self.user, "password": self._password, "database": self.database}
        return console_query(
            connection,
            cypher,
            row_limit=self.row_limit if row_limit is None else row_limit,
            timeout_s=self.timeout_s if timeout_s is None else timeout_s,
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
                        g.add_node(n["id"], **_node_dict(n))
                for edge in EdgeType:
                    for s, t, _, r in tx.run(q.all_edges(edge)):
                        g.add_edge(s, t, key=r["id"], **_edge_dict(r))
                return g
            by_kind: dict[NodeKind, list[str]] = {}
            for node_id in wanted:
                by_kind.setdefault(kind_of(node_id), []).append(node_id)
            for kind, ids in by_kind.items():
                for (n,) in tx.run(q.nodes_by_ids(kind), ids=ids):
                    g.add_node(n["id"], **_node_dict(n))
            present = list(g.nodes)
            for kind, ids in by_kind.items():
                for s, t, _, r in tx.run(q.edges_from(kind), ids=ids, present=present):
                    g.add_edge(s, t, key=r["id"], **_edge_dict(r))
            return g

        return self._read(work)

    def stats(self) -> StoreStats:
        def work(tx: neo4j.ManagedTransaction) -> tuple[dict[str, int], dict[str, int]]:
            nodes = {k.value: tx.run(q.count_nodes(k)).single(strict=True)[0] for k in NodeKind}
            edges = {e.value: tx.run(q.count_edges(e)).single(strict=True)[0] for e in EdgeType}
            return nodes, edges

        nodes, edges = self._read(work)
        return StoreStats({k: v for k, v in sorted(nodes.items()) if v}, {k: v for k, v in sorted(edges.items()) if v})


def _value(value: Any) -> Any:
    """A query result value as plain data: nodes and edges as dicts, paths as node/rel lists."""
    if isinstance(value, BoltNode):
        return _node_dict(value)
    if isinstance(value, BoltRelationship):
        return _edge_dict(value)
    if isinstance(value, BoltPath):
        return {"nodes": [_node_dict(n) for n in value.nodes], "rels": [_edge_dict(r) for r in value.relationships]}
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if hasattr(value, "to_native"):  # neo4j.time values
        return value.to_native()
    return value


def _graph_of(rows: list[list[Any]]) -> nx.MultiDiGraph | None:
    """The nodes and relationships a query returned, as a graph (``None`` when it returned none)."""
    nodes: dict[str, BoltNode] = {}
    rels: dict[str, BoltRelationship] = {}

    def walk(value: Any) -> None:
        if isinstance(value, BoltNode):
            nodes[value.element_id] = value
        elif isinstance(value, BoltRelationship):
            rels[value.element_id] = value
        elif isinstance(value, BoltPath):
            for v in (*value.nodes, *value.relationships):
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
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
        g.add_node(n.get("id", n.element_id), **_node_dict(n))
    for r in rels.values():
        src = nodes.get(r.start_node.element_id) if r.start_node is not None else None
        dst = nodes.get(r.end_node.element_id) if r.end_node is not None else None
        if src is not None and dst is not None:
            g.add_edge(src.get("id", src.element_id), dst.get("id", dst.element_id), key=r.get("id"), **_edge_dict(r))
    return g
