"""Exports and imports in pairs: every readable format round-trips the evidence graph."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from graph.errors import ExportError
from graph.export import READERS, WRITERS, read, write
from graph.export.cypher_script import literal, script
from graph.store.memory import MemoryStore
from tests.conftest import build_evidence_document


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    store = MemoryStore()
    store.ingest(build_evidence_document())
    g = store.subgraph()
    g.nodes["study:doi:10.1530/eje-20-0325"]["title"] = "<img src=x onerror=alert(1)> & \"quotes\" 'single'"
    return g


def _signature(g: nx.MultiDiGraph) -> tuple:
    nodes = sorted((n, d.get("kind"), d.get("name")) for n, d in g.nodes(data=True))
    edges = sorted((u, v, d.get("type"), d.get("quote")) for u, v, d in g.edges(data=True))
    return nodes, edges


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_round_trip(graph: nx.MultiDiGraph, tmp_path: Path, fmt: str) -> None:
    path = write(graph, fmt, tmp_path / f"out.{fmt}")
    back = read(fmt, path)
    assert _signature(back) == _signature(graph)
    bang = back.nodes["study:doi:10.1530/eje-20-0325"]
    assert bang["n"] == 242 and bang["year"] == 2021
    assert bang["title"] == graph.nodes["study:doi:10.1530/eje-20-0325"]["title"]
    fig = next(d for _, d in back.nodes(data=True) if d.get("kind") == "Figure" and d.get("denominator") == 21)
    assert fig["value"] == 51.0


def test_json_is_node_link_with_the_documented_names(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    data = json.loads(write(graph, "json", tmp_path / "g.json").read_text())
    assert set(data) >= {"nodes", "edges"}
    assert all({"id", "kind", "name"} <= set(n) for n in data["nodes"])
    supports = [e for e in data["edges"] if e["type"] == "SUPPORTS"]
    assert supports and {"source", "target", "type", "quote", "source_doc"} <= set(supports[0])
    assert all(e["type"].isupper() for e in data["edges"])


def test_graphml_opens_with_networkx(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    g = nx.read_graphml(write(graph, "graphml", tmp_path / "g.graphml"))
    assert g.number_of_nodes() == graph.number_of_nodes()


def test_graphml_is_byte_for_byte_what_networkx_writes(graph: nx.MultiDiGraph) -> None:
    """The streaming writer must stay the document networkx's writer makes (tools read either)."""
    import io

    from graph.export import graphml
    from graph.export.scalars import scalar_copy

    g = graph.copy()
    g.add_node('odd "id" & <tag>\t\n', name="line\nbreak\ttab\rreturn", n=3, share=0.5, flag=True, tags=["a"], empty="")
    g.add_edge('odd "id" & <tag>\t\n', next(iter(graph.nodes)), key="k&1", type="SUPPORTS", meta={"a": 1}, gone=None)
    ours, theirs = io.BytesIO(), io.BytesIO()
    graphml.write(g, ours)
    nx.write_graphml(scalar_copy(g), theirs, encoding="utf-8", named_key_ids=True)
    assert ours.getvalue() == theirs.getvalue()
    empty, theirs_empty = io.BytesIO(), io.BytesIO()
    graphml.write(nx.MultiDiGraph(), empty)
    nx.write_graphml(nx.MultiDiGraph(), theirs_empty, encoding="utf-8", named_key_ids=True)
    assert empty.getvalue() == theirs_empty.getvalue()


def test_csv_zip_has_nodes_and_edges(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    with zipfile.ZipFile(write(graph, "csv", tmp_path / "g.zip")) as zf:
        assert sorted(zf.namelist()) == ["edges.csv", "nodes.csv"]
        header = zf.read("edges.csv").decode().splitlines()[0]
        assert header.startswith("source,target,type,id")


def test_cypher_script_escapes_everything(graph: nx.MultiDiGraph) -> None:
    text = script(graph)
    assert "MERGE (n:`Study` {id: 'study:doi:10.1530/eje-20-0325'})" in text
    assert "\\'single\\'" in text
    assert literal("a'b\\c\nd") == "'a\\'b\\\\c\\nd'"
    assert literal(float("nan")) == "null" and literal(True) == "true" and literal(None) == "null"
    # every statement ends the line it starts on: no document text can open a new statement
    assert all(line.endswith(";") or line.startswith("//") for line in text.splitlines())


def test_refuses_to_overwrite_unless_forced(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    write(graph, "json", path)
    with pytest.raises(ExportError, match="exists; choose another name or pass --force"):
        write(graph, "json", path)
    write(graph, "json", path, force=True)
    assert not list(tmp_path.glob(".*partial"))


def test_unknown_format_and_bad_paths(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown export format 'pdf'; choose one of"):
        write(graph, "pdf", tmp_path / "x")
    with pytest.raises(ExportError, match="does not exist"):
        write(graph, "json", tmp_path / "no" / "dir" / "g.json")
    with pytest.raises(ExportError, match="cannot be read back"):
        read("cypher", tmp_path / "x")
    assert {"json", "graphml", "gexf", "csv", "cypher"} <= set(WRITERS)


def test_empty_graph_exports(tmp_path: Path) -> None:
    for fmt in READERS:
        back = read(fmt, write(nx.MultiDiGraph(), fmt, tmp_path / f"empty.{fmt}"))
        assert back.number_of_nodes() == 0
