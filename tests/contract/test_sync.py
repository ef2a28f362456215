"""``copy_store`` and ``evx sync``: every document arrives, once, and the copy reads back the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.store.ladybug.store import LadybugStore
from graph.store.memory import MemoryStore
from graph.sync import copy_store, read_documents
from tests.conftest import build_evidence_document
from tests.contract.conftest import neo4j_store
from tests.contract.test_parity import sample_documents
from tests.neo4j_server import BoltServer
from ui.cli.main import app


def _same(a: object, b: object) -> None:
    ga, gb = a.subgraph(), b.subgraph()  # type: ignore[attr-defined]
    assert dict(ga.nodes(data=True)) == dict(gb.nodes(data=True))
    assert sorted(ga.edges(keys=True, data=True)) == sorted(gb.edges(keys=True, data=True))


def test_documents_read_back_as_they_were_loaded() -> None:
    store = MemoryStore()
    original = build_evidence_document()
    store.ingest(original)
    (back,) = read_documents(store)
    assert back.source == original.source
    assert sorted(n.id for n in back.nodes) == sorted(n.id for n in original.nodes)
    assert sorted(e.id for e in back.edges) == sorted(e.id for e in original.edges)


def test_memory_to_embedded_copy_is_complete_and_idempotent(tmp_path: Path) -> None:
    source = MemoryStore()
    for doc in sample_documents():
        source.ingest(doc)
    seen: list[tuple[int, int, str]] = []
    with LadybugStore(tmp_path / "store") as target:
        report = copy_store(source, target, progress=lambda *step: seen.append(step))
        assert report.copied == report.documents == len(seen) == source.stats().documents
        assert seen[-1][:2] == (report.documents, report.documents)
        _same(source, target)
        again = copy_store(source, target)
        assert again.copied == 0 and again.already_there == report.documents
        _same(source, target)


@pytest.mark.neo4j
def test_sync_to_neo4j_and_back_with_the_cli(bolt: BoltServer, tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "here") as embedded:
        for doc in sample_documents():
            embedded.ingest(doc)
    env = {
        "EVX_NEO4J_USER": bolt.user,
        "EVX_NEO4J_PASSWORD": bolt.password or "",
        "EVX_NEO4J_DATABASE": bolt.database or "",
    }
    runner = CliRunner()
    to = runner.invoke(app, ["--store", str(tmp_path / "here"), "--neo4j", bolt.uri, "sync", "--to", "neo4j"], env=env)
    assert to.exit_code == 0, to.output
    assert "copied 3 of 3 documents into Neo4j" in to.output
    back = runner.invoke(
        app, ["--store", str(tmp_path / "there"), "--neo4j", bolt.uri, "sync", "--from", "neo4j"], env=env
    )
    assert back.exit_code == 0, back.output
    again = runner.invoke(
        app, ["--store", str(tmp_path / "here"), "--neo4j", bolt.uri, "sync", "--to", "neo4j"], env=env
    )
    assert "copied 0 of 3" in again.output and "3 were already there" in again.output
    with (
        LadybugStore(tmp_path / "here", read_only=True) as here,
        LadybugStore(tmp_path / "there", read_only=True) as there,
        neo4j_store(bolt) as server,
    ):
        _same(here, server)
        _same(here, there)


def test_sync_needs_a_direction_and_a_server(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--store", str(tmp_path), "sync"], env={"EVX_NEO4J_URI": ""}).exit_code == 2
    result = runner.invoke(app, ["--store", str(tmp_path), "sync", "--to", "neo4j"], env={"EVX_NEO4J_URI": ""})
    assert result.exit_code == 2 and "EVX_NEO4J_URI" in result.output
