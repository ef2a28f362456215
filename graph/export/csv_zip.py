"""CSV export: a zip holding ``nodes.csv`` and ``edges.csv`` (spreadsheets, R, pandas)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import BinaryIO

import networkx as nx

__all__ = ["read", "write"]

NODE_LEAD = ["id", "kind", "name"]
EDGE_LEAD = ["source", "target", "type", "id"]


def _table(rows: list[dict[str, object]], lead: list[str]) -> str:
    columns = lead + sorted({k for row in rows for k in row} - set(lead))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write(graph: nx.MultiDiGraph, out: BinaryIO) -> None:
    """``nodes.csv`` and ``edges.csv`` in a zip, to the binary stream ``out``."""
    nodes = [{"id": n, **attrs} for n, attrs in graph.nodes(data=True)]
    edges = [{"source": u, "target": v, "id": key, **attrs} for u, v, key, attrs in graph.edges(keys=True, data=True)]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("nodes.csv", _table(nodes, NODE_LEAD))
        zf.writestr("edges.csv", _table(edges, EDGE_LEAD))


def _typed(value: str) -> object:
    if value == "":
        return None
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            continue
    return {"True": True, "False": False}.get(value, value)


def read(path: Path) -> nx.MultiDiGraph:
    """Read back an export; numbers and booleans are recovered from their text."""
    g = nx.MultiDiGraph()
    with zipfile.ZipFile(path) as zf:
        nodes = csv.DictReader(io.TextIOWrapper(zf.open("nodes.csv"), encoding="utf-8"))
        for row in nodes:
            node_id = row.pop("id")
            g.add_node(node_id, **{k: _typed(v) for k, v in row.items() if v != ""}, id=node_id)
        edges = csv.DictReader(io.TextIOWrapper(zf.open("edges.csv"), encoding="utf-8"))
        for row in edges:
            u, v = row.pop("source"), row.pop("target")
            attrs = {k: _typed(val) for k, val in row.items() if val != ""}
            attrs["id"] = row["id"]
            g.add_edge(u, v, key=row["id"], **attrs)
    for _, attrs in g.nodes(data=True):
        attrs.pop("id", None)
        for key in ("name", "quote", "title", "text"):
            if key in attrs and not isinstance(attrs[key], str):
                attrs[key] = str(attrs[key])
    return g
