"""GraphML export through networkx's writer (Gephi, Cytoscape, yEd open it)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import networkx as nx

from graph.export.scalars import scalar_copy

__all__ = ["read", "write"]


def write(graph: nx.MultiDiGraph, out: BinaryIO) -> None:
    """GraphML (scalar attributes, named keys) to the binary stream ``out``."""
    nx.write_graphml(scalar_copy(graph), out, encoding="utf-8", named_key_ids=True)


def read(path: Path) -> nx.MultiDiGraph:
    return nx.MultiDiGraph(nx.read_graphml(path, force_multigraph=True))
