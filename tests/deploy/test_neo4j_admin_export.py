"""The neo4j-admin export: header syntax ``neo4j-admin database import`` accepts, and a round trip."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from graph.errors import ExportError
from graph.export import READERS, WRITERS, read, write
from graph.model import EDGE_COLUMNS, EdgeType, NodeKind, node_columns
from graph.store.memory import MemoryStore
from tests.conftest import build_evidence_document

# name:type for properties, :ID / :LABEL / :START_ID / :END_ID / :TYPE for the special fields
PROPERTY = re.compile(r"^[a-z_][a-z0-9_]*(:(int|long|double|float|boolean|string))?$")
SPECIAL = {"id:ID", ":LABEL", ":START_ID", ":END_ID", ":TYPE"}
TYPED = {int: "int", float: "double", bool: "boolean"}


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, MemoryStore]:
    store = MemoryStore()
    store.ingest(build_evidence_document())
    return write(store.subgraph(), "neo4j-admin", tmp_path / "import.zip"), store


def _tables(path: Path) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(path) as zf:
        return {
            name: list(csv.reader(io.TextIOWrapper(zf.open(name), encoding="utf-8", newline="")))
            for name in zf.namelist()
            if name.endswith(".csv")
        }


def test_registered_as_a_format() -> None:
    assert "neo4j-admin" in WRITERS and "neo4j-admin" in READERS


def test_node_headers_follow_the_import_syntax(exported: tuple[Path, MemoryStore]) -> None:
    tables = _tables(exported[0])
    node_files = sorted(n for n in tables if n.startswith("nodes_"))
    assert node_files == sorted(f"nodes_{k}.csv" for k in exported[1].stats().nodes)
    for name in node_files:
        header = tables[name][0]
        kind = NodeKind(name.removeprefix("nodes_").removesuffix(".csv"))
        assert header[0] == "id:ID" and header[-1] == ":LABEL"
        assert header.count("id:ID") == 1
        for field in header[1:-1]:
            assert PROPERTY.match(field), field
        expected = {n: TYPED.get(t) for n, t in node_columns(kind).items() if n != "id"}
        got = {f.partition(":")[0]: (f.partition(":")[2] or None) for f in header[1:-1]}
        assert got == expected
        assert all(row[-1] == kind.value for row in tables[name][1:])
    study = tables["nodes_Study.csv"][0]
    assert {"year:int", "n:int", "met_pico:boolean"} <= set(study)
    assert "value:double" in tables["nodes_Figure.csv"][0]


def test_relationship_headers_follow_the_import_syntax(exported: tuple[Path, MemoryStore]) -> None:
    tables = _tables(exported[0])
    rel_files = sorted(n for n in tables if n.startswith("relationships_"))
    assert rel_files == sorted(f"relationships_{t}.csv" for t in exported[1].stats().edges)
    for name in rel_files:
        header = tables[name][0]
        assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
        assert all(PROPERTY.match(f) for f in header[3:])
        assert [f.partition(":")[0] for f in header[3:]] == list(EDGE_COLUMNS)
        etype = EdgeType(name.removeprefix("relationships_").removesuffix(".csv"))
        assert all(row[2] == etype.value for row in tables[name][1:])
    assert "span_start:int" in tables["relationships_SUPPORTS.csv"][0]


def test_every_id_is_unique_and_every_end_exists(exported: tuple[Path, MemoryStore]) -> None:
    tables = _tables(exported[0])
    ids = [row[0] for name, rows in tables.items() if name.startswith("nodes_") for row in rows[1:]]
    assert len(ids) == len(set(ids))
    for name, rows in tables.items():
        if name.startswith("relationships_"):
            assert all(row[0] in ids and row[1] in ids for row in rows[1:])


def test_import_script_names_every_file(exported: tuple[Path, MemoryStore]) -> None:
    with zipfile.ZipFile(exported[0]) as zf:
        script = zf.read("import.sh").decode()
        files = [n for n in zf.namelist() if n.endswith(".csv")]
    assert "neo4j-admin database import full" in script and "--multiline-fields=true" in script
    for name in files:
        flag = "--nodes=" if name.startswith("nodes_") else "--relationships="
        assert flag + name in script


def test_round_trip_keeps_values_and_types(exported: tuple[Path, MemoryStore]) -> None:
    original = exported[1].subgraph()
    back = read("neo4j-admin", exported[0])
    assert dict(back.nodes(data=True)) == dict(original.nodes(data=True))
    assert sorted(back.edges(keys=True, data=True)) == sorted(original.edges(keys=True, data=True))
    figure = next(d for _, d in back.nodes(data=True) if d["kind"] == "Figure")
    assert isinstance(figure["value"], float) and isinstance(figure["denominator"], int)


def test_quotes_with_commas_quotes_and_line_breaks_survive(tmp_path: Path) -> None:
    store = MemoryStore()
    store.ingest(build_evidence_document())
    g = store.subgraph()
    g.nodes["drug:mecasermin"]["synonyms"] = 'a, "b"\nc'
    back = read("neo4j-admin", write(g, "neo4j-admin", tmp_path / "x.zip"))
    assert back.nodes["drug:mecasermin"]["synonyms"] == 'a, "b"\nc'


def test_unknown_kind_is_an_export_error(tmp_path: Path) -> None:
    store = MemoryStore()
    store.ingest(build_evidence_document())
    g = store.subgraph()
    g.nodes["drug:mecasermin"]["kind"] = "Planet"
    with pytest.raises(ExportError, match="Planet"):
        write(g, "neo4j-admin", tmp_path / "x.zip")
