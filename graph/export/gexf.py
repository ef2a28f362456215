"""GEXF export through networkx's writer (Gephi's native format)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import networkx as nx

from graph.export.scalars import scalar_copy

__all__ = ["read", "write"]


def write(graph: nx.MultiDiGraph, out: BinaryIO) -> None:
    """GEXF for Gephi (``label`` shown, the relation as ``relation``) to the binary stream ``out``."""
    g = scalar_copy(graph)
    for node_id, attrs in g.nodes(data=True):
        attrs["label"] = attrs.get("name", node_id)  # Gephi shows `label`
    for *_, attrs in g.edges(data=True):
        attrs.pop("id", None)  # GEXF reserves `id` for the edge key
        # and `type` for directed/undirected: the relation travels as `relation`, shown as the label
        attrs["relation"] = attrs["label"] = attrs.pop("type", None) or "RELATED"
    nx.write_gexf(g, out, encoding="utf-8")


def read(path: Path) -> nx.MultiDiGraph:
    raw = nx.read_gexf(path)
    g = nx.MultiDiGraph()
    for node_id, attrs in raw.nodes(data=True):
        g.add_node(node_id, **{k: v for k, v in attrs.items() if k != "label"})
    for u, v, attrs in raw.edges(data=True):
        data = {k: val for k, val in attrs.items() if k not in ("label", "relation", "key", "id")}
        edge_id = str(attrs.get("key", attrs.get("id")))
        g.add_edge(u, v, key=edge_id, id=edge_id, type=attrs.get("relation"), **data)
    return g
