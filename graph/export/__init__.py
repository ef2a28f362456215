"""Exports of a subgraph, one module per format, with readers where a format round-trips.

``write(graph, "graphml", path)`` picks the writer by name; ``WRITERS`` lists them and
an unknown name gets an error listing the valid ones.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx

from graph.errors import ExportError
from graph.export import bundle, csv_zip, cypher_script, gexf, graphml, html, neo4j_admin, node_link

__all__ = ["READERS", "SUFFIXES", "WRITERS", "read", "write"]

Writer = Callable[[nx.MultiDiGraph, Path], None]

#: Format name → writer(graph, path).  Formats are registered here and nowhere else.
WRITERS: dict[str, Writer] = {
    "json": node_link.write,
    "graphml": graphml.write,
    "gexf": gexf.write,
    "csv": csv_zip.write,
    "cypher": cypher_script.write,
    "html": html.write,
    "neo4j-admin": neo4j_admin.write,
    "bundle": bundle.write,
}

#: Format name → reader(path) for the formats that round-trip.
READERS: dict[str, Callable[[Path], nx.MultiDiGraph]] = {
    "json": node_link.read,
    "graphml": graphml.read,
    "gexf": gexf.read,
    "csv": csv_zip.read,
    "neo4j-admin": neo4j_admin.read,
}

#: The file suffix each format is saved with.
SUFFIXES: dict[str, str] = {
    "json": ".json",
    "graphml": ".graphml",
    "gexf": ".gexf",
    "csv": ".zip",
    "cypher": ".cypher",
    "html": ".html",
    "neo4j-admin": ".zip",
    "bundle": ".zip",
}


def write(graph: nx.MultiDiGraph, fmt: str, path: Path, *, force: bool = False) -> Path:
    """Write ``graph`` as ``fmt`` to ``path``; refuse to overwrite unless ``force``."""
    writer = WRITERS.get(fmt)
    if writer is None:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(sorted(WRITERS))}")
    path = Path(path)
    if path.exists() and not force:
        raise ExportError(f"{path} exists; choose another name or pass --force to overwrite it")
    if path.is_dir():
        raise ExportError(f"{path} is a directory; give a file name")
    if not path.parent.exists():
        raise ExportError(f"{path.parent} does not exist; create it first")
    tmp = path.with_name(f".{path.name}.partial")
    try:
        writer(graph, tmp)
        tmp.replace(path)  # a reader never sees a half-written export
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read(fmt: str, path: Path) -> nx.MultiDiGraph:
    reader = READERS.get(fmt)
    if reader is None:
        raise ExportError(f"{fmt!r} cannot be read back; readable formats: {', '.join(sorted(READERS))}")
    return reader(Path(path))
