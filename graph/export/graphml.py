"""GraphML export through networkx's writer (Gephi, Cytoscape, yEd open it)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graph.export.scalars import scalar_copy

__all__ = ["read", "write"]


def write(graph: nx.MultiDiGraph, path: Path) -> None:
    nx.write_graphml(scalar_copy(graph), path, encoding="utf-8", named_key_ids=True)


def read(path: Path) -> nx.MultiDiGraph:
    return nx.MultiDiGraph(nx.read_graphml(path, force_multigraph=True))
