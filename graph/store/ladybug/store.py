"""The embedded store: LadybugDB in a directory, real Cypher, bulk loads with ``COPY``.

One process may open a store for writing; others can open it read-only.  Documents are
ingested in batches, one transaction per batch (all or nothing), by ``CREATE`` from Arrow
tables (:mod:`graph.store.ladybug.write`); an empty store takes prepared tables by ``COPY``
into a new file.  The buffer pool is sized by the settings, not the engine's default.
Writing is :mod:`graph.store.ladybug.ingest`, reads of several statements :mod:`graph.store.ladybug.read`;
LadybugDB raises bare ``RuntimeError``, which :mod:`graph.store.ladybug.errors` turns into the project's errors.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import pyarrow as pa

from graph.errors import (
    NotFoundError,
)
from graph.ids import normalise
from graph.model import EdgeType, NodeKind, is_node_id, kind_of
from graph.store import assemble
from graph.store.base import (
    CONCEPT_KINDS,
    RECOMMENDATIONS,
    Evidence,
    EvidencePage,
    EvidenceStore,
    GraphPath,
    QueryResult,
    SearchHit,
    StoreStats,
    page_order,
    recommendation_order,
)
from graph.store.cypher import CypherStore, capped_result
from graph.store.cypher_guard import refuse_writes
from graph.store.ladybug import queries as q
from graph.store.ladybug import read
from graph.store.ladybug import write as ladybug_write
from graph.store.ladybug.errors import translate_error
from graph.store.ladybug.ingest import LadybugWriting
from graph.store.ladybug.open import DB_FILE, mark_store, prepare
from graph.store.ladybug.values import edge_dict, node_dict, node_from, plain_rows
from graph.store.ladybug.walks import LadybugWalks
from graph.store.names import names_of, ranked, score_keys, text_hit

__all__ = ["DB_FILE", "LadybugStore", "translate_error"]

_WALK_NODES = 5_000  # up to this many nodes, a subgraph's edges come from the adjacency index


class LadybugStore(LadybugWriting, CypherStore):
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
        from graph.settings import default_buffer_pool_mb

        self.path = path
        self.read_only = read_only
        self.row_limit = row_limit
        self.timeout_s = timeout_s
        self._lock = threading.RLock()
        pool = buffer_pool_mb or default_buffer_pool_mb()  # the engine's own default is most of the machine
        self._search_index: list[tuple[str, NodeKind, str, list[tuple[str, str]]]] | None = None
        self._sizes: dict[NodeKind, int] | None = None  # rows per node table, to plan subgraph walks
        opening = prepare(path, read_only=read_only, pool_mb=pool, checkpoint_bytes=ladybug_write.CHECKPOINT_WAL_BYTES)
        self._marker = opening.marker
        database_file = None if opening.target == ":memory:" else Path(opening.target)
        self._pool_mb = pool
        self._reopen = opening.reopen
        self._db, self._conn = opening.reopen()
        self.recovered = tuple(opening.recovered)
        self._writes, self._opened_mib = 0, ladybug_write.resident_mib()
        self._walks = LadybugWalks(
            rows=self._rows,
            arrow=self._arrow,
            lock=self._lock,
            database_file=database_file,
        )
        if not read_only:
            self._ensure_schema()
            if database_file is not None:
                mark_store(database_file)
            if opening.unclean:
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
        return node_from(kind, rows[0]) if rows else None

    def _concept_index(self) -> list[tuple[str, NodeKind, str, list[tuple[str, str]]]]:
        """(id, kind, name, [(name or synonym, its normalised form)]), normalised once, not per search."""
        if self._search_index is None:
            index = []
            for kind in CONCEPT_KINDS:
                for node_id, name, synonyms in self._rows(f"MATCH (n:{kind.value}) RETURN n.id, n.name, n.synonyms"):
                    names = names_of(name, synonyms)
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
                    hits.append(text_hit(needle, node_id, kind, name, names_of(name, synonyms, title)))
        return ranked(hits, limit)

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
        with self._lock:
            return read.engine_next_layer(self._rows, frontier, seen, cap=cap)

    def evidence(self, drug_id: str, target_id: str) -> Evidence:
        indexed = self._indexed_evidence(drug_id, target_id, limit=None, offset=0, recommendations=None)
        if indexed is not None:  # a drug → outcome or condition link: from the index, no statement
            return indexed[2]
        with self._lock:
            drug, target = self.node(drug_id), self.node(target_id)
            for needed, found in ((drug_id, drug), (target_id, target)):
                if found is None:
                    raise NotFoundError(f"no node with id {needed!r}")
            stances, figures, recs = read.evidence_rows(self._rows, drug_id, target_id)
            nodes = self._nodes_by_id(read.wanted_nodes(stances, recs))
        return read.assemble_rows(drug, target, stances, figures, recs, nodes)

    def evidence_page(
        self,
        drug_id: str,
        target_id: str,
        *,
        limit: int = 100,
        offset: int = 0,
        recommendations: int = RECOMMENDATIONS,
    ) -> EvidencePage:
        # Rank every stance and recommendation in the index (weights kept there); build items (nodes, figures) and
        # recommendations for the page only.
        start, most = max(offset, 0), max(recommendations, 0)
        indexed = self._indexed_evidence(drug_id, target_id, limit=limit, offset=start, recommendations=most)
        if indexed is None:
            return super().evidence_page(
                drug_id, target_id, limit=limit, offset=offset, recommendations=recommendations
            )
        total, recs_total, whole = indexed
        items = tuple(sorted(whole.items, key=page_order))
        recs = tuple(sorted(whole.recommendations, key=recommendation_order)[:most])
        page = dataclasses.replace(whole, items=items, recommendations=recs)
        return EvidencePage(page, total=total, offset=start, recommendations_total=recs_total)

    def _indexed_evidence(
        self, drug_id: str, target_id: str, *, limit: int | None, offset: int, recommendations: int | None
    ) -> tuple[int, int, Evidence] | None:
        """How many stances and recommendations a drug → outcome or condition link has, and the evidence of
        ``limit`` of the stances (all when ``None``) from ``offset`` heaviest first with at least the
        ``recommendations`` strongest recommendations (all when ``None``), from the adjacency index; ``None`` for
        other pairs and inside a transaction (the index does not see its writes)."""
        tkind = kind_of(target_id) if is_node_id(target_id) else None
        is_drug = is_node_id(drug_id) and kind_of(drug_id) is NodeKind.DRUG
        if tkind not in (NodeKind.OUTCOME, NodeKind.CONDITION) or not is_drug:
            return None
        if getattr(self, "_transaction_thread", None) is not None:
            return None
        with self._lock:
            # The claims, stances and weights come from the adjacency index; the engine is asked
            # for the page's relationships, figures and nodes only.
            every = 2**62 if limit is None else limit
            page = self._walks.evidence_rows(
                (NodeKind.DRUG, drug_id),
                (tkind, target_id),
                limit=every,
                offset=offset,
                recommendations=recommendations,
            )
            known = page[-1] if page is not None and page[-1] is not None else {}  # both ends, when the page read them
            drug, target = known.get(drug_id) or self.node(drug_id), known.get(target_id) or self.node(target_id)
            for needed, found in ((drug_id, drug), (target_id, target)):
                if found is None:
                    raise NotFoundError(f"no node with id {needed!r}")
            if page is None:
                raise NotFoundError(f"no node with id {drug_id!r} or {target_id!r}")
            total, stances, figures, recs, recs_total, nodes = page
            if nodes is None:  # the node columns are not read yet
                nodes = self._nodes_by_id(read.wanted_nodes(stances, recs))
        assert drug is not None and target is not None
        return total, recs_total, read.assemble_rows(drug, target, stances, figures, recs, nodes)

    def _nodes_by_id(self, wanted: Mapping[NodeKind, Iterable[str]]) -> dict[str, dict[str, Any]]:
        """Nodes by kind and id, each fetched once through the primary-key index."""
        cached = self._walks.cached_nodes(wanted)  # None unless the node columns are current
        if cached is not None and getattr(self, "_transaction_thread", None) is None:
            return cached
        out: dict[str, dict[str, Any]] = {}
        for kind, ids in wanted.items():
            if ids:
                for row in self._rows(q.nodes_by_ids(kind), {"ids": sorted(ids)}):
                    node = node_from(kind, row[1:])
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
            paths = read.engine_paths(self._rows, source_id, target_id, max_hops=max(1, min(max_hops, 30)))
        return assemble.unique_paths(paths, limit)

    @property
    def where(self) -> str:
        return str(self.path)

    def _guard(self, cypher: str) -> None:
        refuse_writes(cypher)

    def _trusted_rows(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        with self._lock:
            return self._rows(cypher, params)

    def _execute(
        self, cypher: str, params: Mapping[str, Any] | None, *, write: bool, cap: int, timeout_s: float
    ) -> QueryResult:
        with self._lock:
            self._conn.set_query_timeout(int(timeout_s * 1000))
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
        return capped_result(columns, rows, cap, plain_rows)

    def _console(
        self, cypher: str, *, cap: int, timeout_s: float, on_wait: Callable[[float], None] | None
    ) -> QueryResult:
        """In a read-only worker process (:mod:`graph.store.query_worker`); this store's lock is not taken.

        A ``":memory:"`` store (tests) has no file a worker could open: it runs in-process, in a
        read-only transaction.
        """
        if self.path == ":memory:":
            return self._execute(cypher, None, write=False, cap=cap, timeout_s=timeout_s)
        from graph.store.query_worker import run_read_only

        raw = run_read_only(Path(self.path) / DB_FILE, cypher, row_limit=cap, timeout_s=timeout_s, on_wait=on_wait)
        return capped_result(raw.columns, raw.rows, cap, plain_rows, truncated=raw.truncated)

    def subgraph(self, node_ids: Iterable[str] | None = None) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        with self._lock:
            if node_ids is None:
                for kind in NodeKind:
                    for (n,) in self._rows(q.all_nodes(kind)):
                        g.add_node(n["id"], **node_dict(n))
                for edge in EdgeType:
                    for s, t, r in self._rows(q.all_edges(edge)):
                        g.add_edge(s, t, key=r["id"], **edge_dict(r))
                return g
            by_kind: dict[NodeKind, list[str]] = {}
            for node_id in dict.fromkeys(node_ids):
                if is_node_id(node_id):
                    by_kind.setdefault(kind_of(node_id), []).append(node_id)
            if sum(len(ids) for ids in by_kind.values()) <= _WALK_NODES:
                return self._walks.subgraph(by_kind)
            return read.engine_subgraph(self._rows, by_kind, self._table_sizes)

    def engine_neighbourhood(
        self, node_id: str, *, hops: int = 1, limit: int = 100, offset: int = 0
    ) -> nx.MultiDiGraph:
        """:meth:`neighbourhood` answered by Cypher alone, without the adjacency index: the benchmark's reference."""
        window, more = EvidenceStore.neighbourhood_ids(self, node_id, hops=hops, limit=limit, offset=offset)
        by_kind: dict[NodeKind, list[str]] = {}
        for n in dict.fromkeys([node_id, *window]):
            by_kind.setdefault(kind_of(n), []).append(n)
        with self._lock:
            g = read.engine_subgraph(self._rows, by_kind, self._table_sizes)
        g.graph["more"] = more
        return g

    def _table_sizes(self) -> dict[NodeKind, int]:
        if self._sizes is None:
            self._sizes = {k: self._rows(q.count_nodes(k))[0][0] for k in NodeKind}
        return self._sizes

    def version(self) -> object | None:
        # the adjacency index's own test of staleness: writes here, and the database files' size and time
        return self._walks._marker()

    def stats(self) -> StoreStats:
        with self._lock:
            nodes = {k.value: self._rows(q.count_nodes(k))[0][0] for k in NodeKind}
            edges = {e.value: self._rows(q.count_edges(e))[0][0] for e in EdgeType}
        return StoreStats({k: v for k, v in sorted(nodes.items()) if v}, {k: v for k, v in sorted(edges.items()) if v})
