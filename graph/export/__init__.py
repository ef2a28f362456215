"""Exports of a subgraph, one module per format, with readers where a format round-trips.

:data:`FORMATS` is the one registry: a format's name, file suffix, MIME type, the label and
hint a download button shows, and its writer, which writes to a binary stream (networkx's
``write_*(G, file)`` style), so the web UI hands bytes to a download without a temporary
file and ``evx export`` writes a file atomically.  ``WRITERS``, ``SUFFIXES`` and
``READERS`` are views of it; an unknown name gets an error listing the valid ones.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import networkx as nx

from graph.errors import ExportError
from graph.export import bundle, csv_zip, cypher_script, gexf, graphml, html, neo4j_admin, node_link

__all__ = ["FORMATS", "READERS", "SUFFIXES", "WRITERS", "Format", "export_bytes", "format_of", "read", "write"]

StreamWriter = Callable[[nx.MultiDiGraph, BinaryIO], None]
Writer = Callable[[nx.MultiDiGraph, Path], None]


@dataclass(frozen=True)
class Format:
    """One export format: what it is called, how it is saved and served, and how it is written."""

    name: str
    suffix: str
    mime: str
    label: str
    hint: str
    write: StreamWriter
    read: Callable[[Path], nx.MultiDiGraph] | None = None

    def write_path(self, graph: nx.MultiDiGraph, path: Path) -> None:
        """Write ``graph`` to the file ``path`` (no checks: see :func:`write`)."""
        with Path(path).open("wb") as out:
            self.write(graph, out)


#: Formats are registered here and nowhere else, in the order the export page offers them.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", ".json", "application/json", "JSON", "networkx node-link JSON", node_link.write, node_link.read),
        Format(
            "graphml",
            ".graphml",
            "application/graphml+xml",
            "GraphML",
            "Gephi, Cytoscape, yEd",
            graphml.write,
            graphml.read,
        ),
        Format("gexf", ".gexf", "application/xml", "GEXF", "Gephi", gexf.write, gexf.read),
        Format(
            "csv", ".zip", "application/zip", "CSV", "nodes.csv and edges.csv in a zip", csv_zip.write, csv_zip.read
        ),
        Format(
            "cypher", ".cypher", "text/plain", "Cypher script", "recreates the subgraph in Neo4j", cypher_script.write
        ),
        Format("html", ".html", "text/html", "HTML page", "opens offline in any browser", html.write),
        Format(
            "neo4j-admin",
            ".zip",
            "application/zip",
            "neo4j-admin import",
            "CSV files and import.sh for neo4j-admin database import",
            neo4j_admin.write,
            neo4j_admin.read,
        ),
        Format(
            "bundle",
            ".zip",
            "application/zip",
            "Evidence bundle",
            "graph, quotes, figures, summaries and a report per link",
            bundle.write,
        ),
    )
}

#: Format name → writer(graph, path).
WRITERS: dict[str, Writer] = {name: f.write_path for name, f in FORMATS.items()}

#: Format name → reader(path) for the formats that round-trip.
READERS: dict[str, Callable[[Path], nx.MultiDiGraph]] = {n: f.read for n, f in FORMATS.items() if f.read}

#: The file suffix each format is saved with.
SUFFIXES: dict[str, str] = {name: f.suffix for name, f in FORMATS.items()}


def format_of(fmt: str) -> Format:
    """The registered format ``fmt``, or an error naming the valid ones."""
    found = FORMATS.get(fmt)
    if found is None:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(sorted(FORMATS))}")
    return found


def export_bytes(graph: nx.MultiDiGraph, fmt: str) -> bytes:
    """``graph`` written as ``fmt`` into memory: what a download button serves."""
    buffer = io.BytesIO()
    format_of(fmt).write(graph, buffer)
    return buffer.getvalue()


def write(graph: nx.MultiDiGraph, fmt: str, path: Path, *, force: bool = False) -> Path:
    """Write ``graph`` as ``fmt`` to ``path``; refuse to overwrite unless ``force``."""
    chosen = format_of(fmt)
    path = Path(path)
    if path.exists() and not force:
        raise ExportError(f"{path} exists; choose another name or pass --force to overwrite it")
    if path.is_dir():
        raise ExportError(f"{path} is a directory; give a file name")
    if not path.parent.exists():
        raise ExportError(f"{path.parent} does not exist; create it first")
    tmp = path.with_name(f".{path.name}.partial")
    try:
        chosen.write_path(graph, tmp)
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
