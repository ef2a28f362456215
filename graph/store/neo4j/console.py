"""A Neo4j store's console queries: in a worker process of their own, so the time limit is real.

The driver has no client-side read timeout, and some Bolt servers ignore the transaction
timeout (ArcadeDB runs such a query to its end), so a query run in the explorer's thread
could hold that thread, and the visitor's page, for as long as the server pleases.  Each
console query therefore runs in a fresh worker (:func:`graph.store.query_worker.run_on_bolt`)
with its own connection, in a READ transaction that carries the server's timeout and is never
committed; the worker is killed at the time limit, on an oversized answer, or when ``on_wait``
raises (the browser session went away), which drops its connection.  This module turns the
worker's tagged rows back into the values and graph :meth:`Neo4jStore.query` gives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx
from neo4j import exceptions as nx4j

from graph.errors import StoreError
from graph.store.base import QueryResult
from graph.store.cypher import capped_result, result_graph
from graph.store.query_worker import WorkerLimits, decode, run_on_bolt

__all__ = ["console_query", "rows_and_graph"]


def console_query(
    connection: Mapping[str, Any],
    cypher: str,
    *,
    row_limit: int,
    timeout_s: float,
    limits: WorkerLimits | None,
    on_wait: Callable[[float], None] | None,
    translate: Callable[[Exception, str], StoreError],
) -> QueryResult:
    """Run guarded user Cypher in a Bolt worker; ``translate(driver_error, cypher)`` is the store's error mapping."""

    def failure(report: Mapping[str, Any]) -> StoreError:
        return translate(_driver_error(report), cypher)

    raw = run_on_bolt(
        connection,
        cypher,
        row_limit=row_limit,
        timeout_s=timeout_s,
        limits=limits,
        on_wait=on_wait,
        failure=failure,
    )
    return capped_result(raw.columns, raw.rows, row_limit, rows_and_graph, truncated=raw.truncated)


def _driver_error(report: Mapping[str, Any]) -> Exception:
    """The driver's exception the worker reported, rebuilt so the store's one translation applies."""
    message = str(report.get("error") or "the query failed")
    if report.get("code"):
        return nx4j.Neo4jError._hydrate_neo4j(code=report["code"], message=message)
    kind = getattr(nx4j, str(report.get("kind")), None)
    if isinstance(kind, type) and issubclass(kind, nx4j.DriverError) and kind is not nx4j.Neo4jError:
        try:
            return kind(message)
        except TypeError:
            pass
    return RuntimeError(message)


def rows_and_graph(tagged: list[list[Any]]) -> tuple[list[list[Any]], nx.MultiDiGraph | None]:
    """Rows as plain data (nodes and relationships as dicts, paths as node/rel lists) and the graph they hold."""
    nodes: dict[str, dict[str, Any]] = {}
    rels: dict[str, tuple[str | None, str | None, dict[str, Any]]] = {}

    def plain(value: Any) -> Any:
        if isinstance(value, list):
            return [plain(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "$n" in value:
            node = value["$n"]
            out = {k: decode(v) for k, v in node["p"].items() if v is not None}
            if "kind" not in out and node["labels"]:
                out["kind"] = node["labels"][0]
            nodes[node["id"]] = out
            return out
        if "$r" in value:
            rel = value["$r"]
            out = {k: decode(v) for k, v in rel["p"].items() if v is not None}
            out["type"] = rel["type"]
            rels[rel["id"]] = (rel["ends"][0], rel["ends"][1], out)
            return out
        if "$p" in value:
            path = value["$p"]
            return {"nodes": [plain(n) for n in path["nodes"]], "rels": [plain(r) for r in path["rels"]]}
        if "$d" in value:
            return {k: plain(v) for k, v in value["$d"].items()}
        return decode(value)

    rows = [[plain(v) for v in row] for row in tagged]
    return rows, result_graph(nodes, rels.values())
