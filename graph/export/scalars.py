"""Make a graph safe for writers that take only scalar attributes (GraphML, GEXF)."""

from __future__ import annotations

import json

import networkx as nx

__all__ = ["scalar", "scalar_copy"]


def scalar(value: object) -> object:
    """``value`` itself when a writer takes it (``None``, bool, number, string), else as JSON text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def scalar_copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy without ``None`` values, with lists and dicts as JSON text, and no graph attributes."""
    out = nx.MultiDiGraph()
    for node_id, attrs in graph.nodes(data=True):
        out.add_node(node_id, **{k: scalar(v) for k, v in attrs.items() if v is not None})
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=key, **{k: scalar(val) for k, val in attrs.items() if val is not None})
    return out
