"""What every store that runs Cypher does the same way: the checks, defaults and row cap of a query.

The embedded and the Neo4j store differ in how a statement reaches the engine (a connection in
this process, a driver session, a worker process) and in what the engine's values look like; the
rest of :meth:`~EvidenceStore.query` and :meth:`~EvidenceStore.console_query` is written here once:
empty text and writes are refused before anything is sent (the lexical guard, in the store's
dialect), a store opened read-only refuses ``write=True``, ``None`` limits take the store's own,
and an answer keeps at most ``row_limit`` rows (``truncated`` when there were more), with the
graph its nodes and relationships make (:func:`result_graph`).  It also gives the two reads the
store-to-store copy (:mod:`graph.sync`) needs, so that never goes through the user-facing
:meth:`query`.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from graph.errors import QueryError, WriteRefusedError
from graph.store.base import EvidenceStore, QueryResult
from graph.store.cypher_guard import refuse_writes

__all__ = ["CypherStore", "capped_result", "check_cypher", "result_graph"]

#: Rows as plain data (nodes and edges as dicts) and the graph they hold (``None`` when none).
Plain = Callable[[list[list[Any]]], tuple[list[list[Any]], nx.MultiDiGraph | None]]

_EXAMPLE = "try: MATCH (d:Drug) RETURN d.name LIMIT 10"
#: Ids of a batch of documents' members per statement (one parameter list).
_MEMBER_BATCH = 500


def check_cypher(
    cypher: str, *, write: bool, read_only: bool, where: str, guard: Callable[[str], None] | None = None
) -> None:
    """Refuse, before anything is sent: empty text; when not ``write``, whatever could write (``guard``,
    :func:`~graph.store.cypher_guard.refuse_writes` in the embedded dialect unless given); with ``write``,
    a store opened read-only (``where`` names it in the message)."""
    if not cypher.strip():
        raise QueryError("the query is empty", query=cypher, hint=_EXAMPLE)
    if not write:
        (guard or refuse_writes)(cypher)  # a read transaction is not enough on every engine
    elif read_only:
        raise WriteRefusedError(f"{where} was opened read-only", query=cypher)


def capped_result(
    columns: Sequence[str], rows: list[list[Any]], cap: int, plain: Plain, *, truncated: bool = False
) -> QueryResult:
    """At most ``cap`` of ``rows`` as plain data; ``truncated`` when the engine gave more (or said so)."""
    kept, graph = plain(rows[:cap])
    return QueryResult(list(columns), kept, truncated or len(rows) > cap, graph)


def result_graph(
    nodes: Mapping[Hashable, Mapping[str, Any]], rels: Iterable[tuple[Hashable, Hashable, Mapping[str, Any]]]
) -> nx.MultiDiGraph | None:
    """The nodes and relationships a query returned, as a graph (``None`` when it returned none).

    ``nodes`` are keyed by the engine's own node key, ``rels`` given as (start key, end key,
    properties); a node is named by its ``id`` (else its engine key), and a relationship whose
    ends were not both returned is left out.
    """
    rels = list(rels)
    if not nodes and not rels:
        return None
    g = nx.MultiDiGraph()
    ids = {key: node.get("id", key) for key, node in nodes.items()}
    for key, node in nodes.items():
        g.add_node(ids[key], **node)
    for start, end, props in rels:
        if start in ids and end in ids:
            g.add_edge(ids[start], ids[end], key=props.get("id"), **props)
    return g


class CypherStore(EvidenceStore):
    """A store that runs Cypher; backends give :meth:`_guard`, :meth:`_execute`, :meth:`_console` and
    :meth:`_trusted_rows`."""

    read_only: bool
    row_limit: int
    timeout_s: float

    @property
    @abc.abstractmethod
    def where(self) -> str:
        """The store as messages name it (a directory, ``Neo4j at URI``)."""

    def limits(self, row_limit: int | None, timeout_s: float | None) -> tuple[int, float]:
        """The row cap and time limit of one query: the caller's, else the store's."""
        return (
            self.row_limit if row_limit is None else row_limit,
            self.timeout_s if timeout_s is None else timeout_s,
        )

    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        row_limit: int | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        check_cypher(cypher, write=write, read_only=self.read_only, where=self.where, guard=self._guard)
        cap, timeout = self.limits(row_limit, timeout_s)
        return self._execute(cypher, params, write=write, cap=cap, timeout_s=timeout)

    def console_query(
        self,
        cypher: str,
        *,
        row_limit: int | None = None,
        timeout_s: float | None = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> QueryResult:
        check_cypher(cypher, write=False, read_only=self.read_only, where=self.where, guard=self._guard)
        cap, timeout = self.limits(row_limit, timeout_s)
        return self._console(cypher, cap=cap, timeout_s=timeout, on_wait=on_wait)

    @abc.abstractmethod
    def _guard(self, cypher: str) -> None:
        """The lexical guard in the store's dialect (:func:`~graph.store.cypher_guard.refuse_writes`).

        Called through the backend's own module, where the reliability tests switch it off to show
        that the engine's read-only transaction alone still changes nothing.
        """

    @abc.abstractmethod
    def _execute(
        self, cypher: str, params: Mapping[str, Any] | None, *, write: bool, cap: int, timeout_s: float
    ) -> QueryResult:
        """Run checked Cypher in a transaction of the right kind; at most ``cap`` rows (see :func:`capped_result`)."""

    @abc.abstractmethod
    def _console(
        self, cypher: str, *, cap: int, timeout_s: float, on_wait: Callable[[float], None] | None
    ) -> QueryResult:
        """Run checked, read-only Cypher where it can neither write nor stall other callers."""

    @abc.abstractmethod
    def _trusted_rows(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        """Every row of one of the store's own reads (not user text), as the engine gives them; thread-safe."""

    # -- storage primitives for copying a store (graph/sync.py) ------------------------------------
    def source_ids(self) -> list[str]:
        return sorted(row[0] for row in self._trusted_rows("MATCH (s:Source) RETURN s.id"))

    def members(self, source_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {source_id: [] for source_id in source_ids}
        ids = list(found)
        for start in range(0, len(ids), _MEMBER_BATCH):
            batch = {"ids": ids[start : start + _MEMBER_BATCH]}
            cypher = "UNWIND $ids AS i MATCH (n)-[:FROM_SOURCE]->(s:Source {id: i}) RETURN s.id, n.id"
            for source_id, node_id in self._trusted_rows(cypher, batch):
                found[source_id].append(node_id)
        return {source_id: sorted(ids) for source_id, ids in found.items()}
