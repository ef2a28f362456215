"""Bolt values as plain data: node and relationship dicts, paths as node/rel lists, and the graph a query returned."""

from __future__ import annotations

from typing import Any

import networkx as nx
from neo4j.graph import Node as BoltNode
from neo4j.graph import Path as BoltPath
from neo4j.graph import Relationship as BoltRelationship

from graph.store.cypher import result_graph

__all__ = ["edge_dict", "evidence_node", "node_dict", "plain_rows"]


def node_dict(node: BoltNode) -> dict[str, Any]:
    out = {k: v for k, v in dict(node).items() if v is not None}
    if "kind" not in out and node.labels:
        out["kind"] = sorted(node.labels)[0]
    return out


def edge_dict(rel: BoltRelationship) -> dict[str, Any]:
    out = {k: v for k, v in dict(rel).items() if v is not None}
    out["type"] = rel.type
    return out


def _label(labels: Any) -> str | None:
    return sorted(labels)[0] if labels else None


def evidence_node(node: BoltNode, labels: Any) -> dict[str, Any]:
    out = node_dict(node)
    out.setdefault("kind", _label(labels))
    return out


def _value(value: Any) -> Any:
    """A query result value as plain data: nodes and edges as dicts, paths as node/rel lists."""
    if isinstance(value, BoltNode):
        return node_dict(value)
    if isinstance(value, BoltRelationship):
        return edge_dict(value)
    if isinstance(value, BoltPath):
        return {"nodes": [node_dict(n) for n in value.nodes], "rels": [edge_dict(r) for r in value.relationships]}
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if hasattr(value, "to_native"):  # neo4j.time values
        return value.to_native()
    return value


def plain_rows(rows: list[list[Any]]) -> tuple[list[list[Any]], nx.MultiDiGraph | None]:
    return [[_value(v) for v in row] for row in rows], _graph_of(rows)


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
    return result_graph(
        {element: node_dict(n) for element, n in nodes.items()},
        (
            (
                r.start_node.element_id if r.start_node is not None else None,
                r.end_node.element_id if r.end_node is not None else None,
                edge_dict(r),
            )
            for r in rels.values()
        ),
    )
