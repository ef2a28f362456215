"""Hostile content: markup, Cypher fragments and path tricks are stored verbatim and never executed.

The browser side (labels, tooltips and quotes rendered as text) is proven by
``tests/e2e/test_browser.py::test_hostile_document_text_renders_as_text`` on ``tests/data/hostile.yaml``;
here: ingestion, queries, exports, export and upload file names.
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest
import yaml

from graph.export import SUFFIXES, WRITERS, write
from graph.reading import safe_name
from graph.service import EvidenceService
from graph.store.cypher_guard import strip_literals
from graph.store.ladybug.store import LadybugStore
from loaders import load_path, sample_paths
from tests.reliability.support import DATA, HOSTILE_STRINGS, store_fingerprint
from ui.web.viewmodel import ViewState, export_name

CYPHER = "'}) DETACH DELETE n //"
NAMES = [
    CYPHER,
    '"}) MATCH (n) DETACH DELETE n //',
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "<img src=x onerror=alert(1)>",
]


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = "Studies named to hurt: " + " | ".join(NAMES) + " reported hypoglycemia with mecasermin."
    nodes = [
        {"kind": "Study", "name": name, "title": name, "design": name, "year": 2001 + i} for i, name in enumerate(NAMES)
    ]
    nodes.append({"kind": "Finding", "name": "claim", "drug": "mecasermin", "outcome": "hypoglycemia"})
    edges = [{"type": "SUPPORTS", "from": name, "to": "claim", "quote": name} for name in NAMES]
    path = tmp_path_factory.mktemp("hostile") / "hostile-names.yaml"
    source = {"title": CYPHER + " <script>alert(1)</script>", "text": text}
    path.write_text(
        yaml.safe_dump({"evx": "curated/1", "source": source, "nodes": nodes, "edges": edges}), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, hostile_file: Path) -> LadybugStore:
    opened = LadybugStore(tmp_path_factory.mktemp("hostile-store") / "store")
    for path in [*sample_paths(), DATA / "hostile.yaml", hostile_file]:
        for document in load_path(path):
            opened.ingest(document)
    yield opened
    opened.close()


def test_values_are_stored_verbatim_and_nothing_ran(store: LadybugStore) -> None:
    names = {row[0] for row in store.query("MATCH (s:Study) RETURN s.name", row_limit=1000).rows}
    assert set(NAMES) <= names
    assert "<img src=x onerror=alert(1)>" in names
    assert store.stats().nodes["Drug"] == 1  # no DETACH DELETE happened
    quotes = {row[0] for row in store.query("MATCH ()-[r:SUPPORTS]->() RETURN r.quote", row_limit=1000).rows}
    assert set(NAMES) <= quotes


@pytest.mark.parametrize("text", [*NAMES, *HOSTILE_STRINGS])
def test_hostile_text_in_lookups_is_a_parameter(store: LadybugStore, text: str) -> None:
    before = store_fingerprint(store)
    store.search(text)
    assert store.node(f"study:{text}") is None or store.node(f"study:{text}")["id"] == f"study:{text}"
    store.query("MATCH (s:Study) WHERE s.name = $name RETURN s.id", {"name": text})
    assert store_fingerprint(store) == before


def test_exports_keep_hostile_values_inside_literals(store: LadybugStore, tmp_path: Path) -> None:
    graph = store.subgraph()
    for fmt in WRITERS:
        path = write(graph, fmt, tmp_path / f"export-{fmt}{SUFFIXES.get(fmt, '')}")
        assert path.parent == tmp_path
    script = (tmp_path / f"export-cypher{SUFFIXES['cypher']}").read_text(encoding="utf-8")
    code = strip_literals(script)
    assert not re.search(r"\bDETACH\b|<script|onerror", code), "a hostile value escaped its literal"
    back = nx.read_graphml(tmp_path / f"export-graphml{SUFFIXES['graphml']}")
    assert {d.get("name") for _, d in back.nodes(data=True)} >= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_download_names_are_sanitised(name: str) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("study:x", name=name, kind="Study")
    for fmt, suffix in SUFFIXES.items():
        file_name = export_name(graph, ViewState(trail=["study:x"]), fmt, suffix)
        assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9]+)+", file_name), file_name
        assert ".." not in file_name.removesuffix(suffix)


@pytest.mark.parametrize("name", [*NAMES, "..", ".", "", "a/../../b.yaml", "C:\\x\\y.txt", "\x00.yaml"])
def test_upload_names_cannot_leave_the_upload_folder(name: str) -> None:
    safe = safe_name(name)
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    summary = EvidenceService(LadybugStore()).upload([(name, b"evx: curated/1\nsource: {title: t}\n")])
    assert summary.documents + len(summary.errors) == 1
