"""JSON export: networkx node-link data with ``nodes`` and ``edges``.

Every node carries ``id``, ``kind``, ``name`` and its properties; every edge ``source``,
``target``, ``type`` (upper case), ``key`` (the edge id) and its properties, ``quote`` included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx

__all__ = ["from_data", "read", "to_data", "write"]


def to_data(graph: nx.MultiDiGraph) -> dict[str, Any]:
    data = nx.node_link_data(graph, edges="edges")
    for node in data["nodes"]:
        node.setdefault("kind", None)
        node.setdefault("name", node["id"])
    return data


def from_data(data: dict[str, Any]) -> nx.MultiDiGraph:
    graph = nx.node_link_graph(data, edges="edges", directed=True, multigraph=True)
    return nx.MultiDiGraph(graph)


def write(graph: nx.MultiDiGraph, out: BinaryIO) -> None:
    """node-link JSON, UTF-8, to the binary stream ``out``."""
    out.write(json.dumps(to_data(graph), ensure_ascii=False, indent=1, default=str).encode("utf-8"))


def read(path: Path) -> nx.MultiDiGraph:
    return from_data(json.loads(path.read_text(encoding="utf-8")))
