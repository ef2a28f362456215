"""GEXF export through networkx's writer (Gephi's native format)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graph.export.scalars import scalar_copy

__all__ = ["read", "write"]


def write(graph: nx.MultiDiGraph, path: Path) -> None:
    g = scalar_copy(graph)
    for node_id, attrs in g.nodes(data=True):
        attrs["label"] = attrs.get("name", node_id)  # Gephi shows `label`
    for *_, attrs in g.edges(data=True):
        attrs.pop("id", None)  # GEXF reserves `id` for the edge key
    nx.write_gexf(g, path, encoding="utf-8")


def read(path: Path) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(nx.read_gexf(path))
    for _, attrs in g.nodes(data=True):
        attrs.pop("label", None)
    for _u, _v, key, attrs in g.edges(keys=True, data=True):
        attrs.setdefault("id", attrs.pop("id", key))
    return g
