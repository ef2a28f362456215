"""The embedded engine's values as plain data: node and edge dicts, and the graph a query returned.

Nodes and relationships come back from LadybugDB as dicts with internal keys (``_ID``,
``_LABEL``, ``_SRC``, ``_DST``); the store's own reads list columns instead (far cheaper), and
:func:`node_from` / :func:`edge_from` turn those back into the same dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.model import EDGE_COLUMNS, NodeKind, node_columns
from graph.store.cypher import result_graph

__all__ = ["edge_dict", "edge_from", "node_dict", "node_from", "plain_rows"]

_INTERNAL = ("_ID", "_LABEL", "_SRC", "_DST")


def _plain_dict(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None and k not in _INTERNAL}


def node_dict(value: dict[str, Any]) -> dict[str, Any]:
    out = _plain_dict(value)
    out.setdefault("kind", value.get("_LABEL"))
    return out


def edge_dict(value: dict[str, Any]) -> dict[str, Any]:
    out = _plain_dict(value)
    out["type"] = value.get("_LABEL")
    return out


_EDGE_NAMES = tuple(EDGE_COLUMNS)


def node_from(kind: NodeKind, values: Iterable[Any]) -> dict[str, Any]:
    """A node dict from the columns :func:`ladybug_queries.node_fields` lists (as ``node_dict`` gives)."""
    out = {k: v for k, v in zip(node_columns(kind), values, strict=True) if v is not None}
    out.setdefault("kind", kind.value)
    return out


def edge_from(label: str, values: Iterable[Any]) -> dict[str, Any]:
    """An edge dict from the columns :func:`ladybug_queries.edge_fields` lists (as ``edge_dict`` gives)."""
    out = {k: v for k, v in zip(_EDGE_NAMES, values, strict=True) if v is not None}
    out["type"] = label
    return out


def _is_node(value: Any) -> bool:
    return isinstance(value, dict) and "_LABEL" in value and "_ID" in value and "_SRC" not in value


def _is_rel(value: Any) -> bool:
    return isinstance(value, dict) and "_SRC" in value and "_DST" in value


def _value(value: Any) -> Any:
    """A query result value as plain data: nodes and edges as dicts, paths as lists."""
    if _is_node(value):
        return node_dict(value)
    if _is_rel(value):
        return edge_dict(value)
    if isinstance(value, dict) and "_NODES" in value:
        return {"nodes": [node_dict(n) for n in value["_NODES"]], "rels": [edge_dict(r) for r in value["_RELS"]]}
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items() if k not in _INTERNAL}
    return value


def plain_rows(rows: list[list[Any]]) -> tuple[list[list[Any]], nx.MultiDiGraph | None]:
    return [[_value(v) for v in row] for row in rows], _graph_of(rows)


def _graph_of(rows: list[list[Any]]) -> nx.MultiDiGraph | None:
    """The nodes and relationships a query returned, as a graph (``None`` when it returned none)."""
    nodes: dict[tuple[int, int], dict[str, Any]] = {}
    rels: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if _is_node(value):
            nodes[_key(value["_ID"])] = value
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
    return result_graph(
        {key: node_dict(n) for key, n in nodes.items()},
        ((_key(r["_SRC"]), _key(r["_DST"]), edge_dict(r)) for r in rels),
    )


def _key(internal: dict[str, int]) -> tuple[int, int]:
    return (internal["table"], internal["offset"])
