"""A Cypher script that recreates the subgraph in Neo4j (``cypher-shell -f FILE``).

Values are written as escaped literals (a script has no parameters); labels, types and
keys are backtick-quoted, so no document text can break out of its string.
"""

from __future__ import annotations

import json
import math
from typing import BinaryIO

import networkx as nx

__all__ = ["literal", "name", "script", "write"]


def name(identifier: str) -> str:
    """A backtick-quoted Cypher name."""
    return "`" + str(identifier).replace("`", "``") + "`"


def literal(value: object) -> str:
    """A Cypher literal for a scalar value (strings escaped, NaN refused)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "null"
        return repr(value)
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    escaped = (
        value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return "'" + escaped + "'"


def _map(attrs: dict[str, object]) -> str:
    return "{" + ", ".join(f"{name(k)}: {literal(v)}" for k, v in sorted(attrs.items()) if v is not None) + "}"


def script(graph: nx.MultiDiGraph) -> str:
    lines = ["// Evidence Explorer export: MERGE by id, so running it twice changes nothing."]
    kinds = sorted({attrs.get("kind") or "Node" for _, attrs in graph.nodes(data=True)})
    for kind in kinds:
        lines.append(f"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{name(kind)}) REQUIRE n.id IS UNIQUE;")
    for node_id, attrs in graph.nodes(data=True):
        kind = attrs.get("kind") or "Node"
        props = {k: v for k, v in attrs.items() if k != "id"}
        lines.append(f"MERGE (n:{name(kind)} {{id: {literal(node_id)}}}) SET n += {_map(props)};")
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        ukind = graph.nodes[u].get("kind") or "Node"
        vkind = graph.nodes[v].get("kind") or "Node"
        etype = attrs.get("type") or "RELATED"
        props = {k: val for k, val in attrs.items() if k not in ("type",)}
        props["id"] = attrs.get("id", key)
        lines.append(
            f"MATCH (a:{name(ukind)} {{id: {literal(u)}}}), (b:{name(vkind)} {{id: {literal(v)}}}) "
            f"MERGE (a)-[r:{name(etype)} {{id: {literal(props['id'])}}}]->(b) SET r += {_map(props)};"
        )
    return "\n".join(lines) + "\n"


def write(graph: nx.MultiDiGraph, out: BinaryIO) -> None:
    """The Cypher script, UTF-8, to the binary stream ``out``."""
    out.write(script(graph).encode("utf-8"))
