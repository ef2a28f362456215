"""``neo4j-admin database import`` files: a zip of typed node and relationship CSVs.

For loading millions of records into an empty Neo4j at once (far faster than any
transactional load).  One ``nodes_<Kind>.csv`` per kind with the header
``id:ID,kind,name,…,year:int,value:double,met_pico:boolean,:LABEL`` and one
``relationships_<TYPE>.csv`` per type with ``:START_ID,:END_ID,:TYPE,id,…``; the
``import.sh`` inside names every file in the command.  Fields may hold line breaks (quotes
are long), hence ``--multiline-fields=true``.  :func:`read` loads the files back.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import BinaryIO

import networkx as nx

from graph.errors import ExportError
from graph.model import EDGE_COLUMNS, EdgeType, NodeKind, node_columns

__all__ = ["NEO4J_TYPES", "edge_header", "node_header", "read", "write"]

#: Python column type → neo4j-admin header type (strings need no suffix).
NEO4J_TYPES: dict[type, str] = {int: "int", float: "double", bool: "boolean"}
_PARSE = {"int": int, "long": int, "double": float, "float": float, "boolean": lambda v: v == "true"}
_HEADER_FIELD = re.compile(r"^(?P<name>[A-Za-z_][\w]*)?(?::(?P<type>[A-Za-z_]+)(?:\((?P<group>[^)]*)\))?)?$")


def _typed(name: str, py: type) -> str:
    suffix = NEO4J_TYPES.get(py)
    return f"{name}:{suffix}" if suffix else name


def node_header(kind: NodeKind) -> list[str]:
    """``id:ID`` (one id space: ids carry their kind), typed properties, then ``:LABEL``."""
    cols = [_typed(name, py) for name, py in node_columns(kind).items() if name != "id"]
    return ["id:ID", *cols, ":LABEL"]


def edge_header() -> list[str]:
    return [":START_ID", ":END_ID", ":TYPE", *(_typed(name, py) for name, py in EDGE_COLUMNS.items())]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write(graph: nx.MultiDiGraph, out: BinaryIO) -> None:
    """CSV files and ``import.sh`` for ``neo4j-admin database import``, zipped, to the binary stream ``out``."""
    nodes: dict[NodeKind, list[list[str]]] = {}
    for node_id, attrs in graph.nodes(data=True):
        try:
            kind = NodeKind(attrs.get("kind"))
        except ValueError:
            raise ExportError(f"node {node_id!r} has no known kind ({attrs.get('kind')!r})") from None
        columns = [name for name in node_columns(kind) if name != "id"]
        nodes.setdefault(kind, []).append([str(node_id), *(_cell(attrs.get(c)) for c in columns), kind.value])
    edges: dict[EdgeType, list[list[str]]] = {}
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        try:
            etype = EdgeType(attrs.get("type"))
        except ValueError:
            raise ExportError(f"edge {key!r} has no known type ({attrs.get('type')!r})") from None
        values = {**attrs, "id": attrs.get("id", key)}
        edges.setdefault(etype, []).append([str(u), str(v), etype.value, *(_cell(values.get(c)) for c in EDGE_COLUMNS)])
    files = [f"nodes_{k.value}.csv" for k in sorted(nodes)] + [f"relationships_{e.value}.csv" for e in sorted(edges)]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for kind in sorted(nodes):
            zf.writestr(f"nodes_{kind.value}.csv", _csv(node_header(kind), nodes[kind]))
        for etype in sorted(edges):
            zf.writestr(f"relationships_{etype.value}.csv", _csv(edge_header(), edges[etype]))
        zf.writestr("import.sh", _script(files))


def _script(files: list[str]) -> str:
    args = " \\\n  ".join(
        f"--nodes={name}" if name.startswith("nodes_") else f"--relationships={name}" for name in files
    )
    return (
        "#!/bin/sh\n"
        "# Load into an empty database (stop it first): unzip here, then run this script.\n"
        'DATABASE="${1:-neo4j}"\n'
        'neo4j-admin database import full "$DATABASE" --overwrite-destination=true --multiline-fields=true \\\n'
        f"  {args}\n"
    )


def _parse_header(header: list[str]) -> list[tuple[str, str | None]]:
    fields = []
    for field in header:
        match = _HEADER_FIELD.match(field)
        if match is None:
            raise ExportError(f"{field!r} is not a neo4j-admin header field")
        fields.append((match["name"] or "", match["type"]))
    return fields


def read(path: Path) -> nx.MultiDiGraph:
    """The graph the files describe (what ``neo4j-admin`` would load)."""
    g = nx.MultiDiGraph()
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
        for name in [n for n in names if n.startswith("nodes_")] + [n for n in names if n.startswith("relationships_")]:
            rows = csv.reader(io.TextIOWrapper(zf.open(name), encoding="utf-8", newline=""))
            fields = _parse_header(next(rows))
            for row in rows:
                attrs: dict[str, object] = {}
                ends: dict[str, str] = {}
                for (prop, ftype), value in zip(fields, row, strict=True):
                    if ftype in ("ID", "START_ID", "END_ID", "TYPE", "LABEL"):
                        ends[ftype] = value
                        if ftype == "ID" and prop:
                            attrs[prop] = value
                    elif value != "":
                        attrs[prop] = _PARSE[ftype](value) if ftype in _PARSE else value
                if "ID" in ends:
                    attrs.setdefault("kind", ends["LABEL"])
                    g.add_node(ends["ID"], **attrs)
                else:
                    g.add_edge(ends["START_ID"], ends["END_ID"], key=attrs["id"], type=ends["TYPE"], **attrs)
    return g
