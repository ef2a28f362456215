"""What only the Neo4j store does: driver errors, the CLI's fault messages, a server lost mid-load."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import neo4j.exceptions as nx4j
import pytest
from typer.testing import CliRunner

from graph.errors import QueryError, QueryTimeoutError, StoreUnavailableError, WriteRefusedError
from graph.model import EdgeType
from graph.settings import Settings
from graph.store import open_store
from graph.store.memory import MemoryStore
from graph.store.neo4j.store import Neo4jStore, translate_error
from tests.conftest import build_evidence_document
from tests.contract.conftest import neo4j_store
from tests.neo4j_server import BoltServer, free_port, start_arcadedb
from tests.synthetic import synthetic_document
from ui.cli.main import app

URI = "bolt://db.example:7687"


def _server_error(code: str, message: str) -> nx4j.Neo4jError:
    return nx4j.Neo4jError._hydrate_neo4j(code=code, message=message)


# -- error translation (no server needed) ----------------------------------------------


def test_syntax_error_position_from_neo4j_message() -> None:
    exc = _server_error(
        "Neo.ClientError.Statement.SyntaxError",
        "Invalid input 'RETURN': expected ')' (line 1, column 15 (offset: 14))",
    )
    error = translate_error(exc, uri=URI, query="MATCH (d:Drug RETURN d")
    assert type(error) is QueryError and error.position == 15


def test_syntax_error_position_from_arcadedb_message() -> None:
    exc = _server_error("Neo.ClientError.Statement.SyntaxError", "Syntax error at line 2:3 - mismatched input")
    error = translate_error(exc, uri=URI, query="MATCH (d)\nRETX d")
    assert error.position == len("MATCH (d)\n") + 3 + 1


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", QueryTimeoutError),
        ("Neo.ClientError.Transaction.TransactionTimedOut", QueryTimeoutError),
        ("Neo.ClientError.Statement.AccessMode", WriteRefusedError),
        ("Neo.ClientError.Database.DatabaseNotFound", StoreUnavailableError),
        ("Neo.ClientError.Statement.SemanticError", QueryError),
    ],
)
def test_server_codes_become_project_errors(code: str, expected: type) -> None:
    error = translate_error(_server_error(code, "something went wrong"), uri=URI, query="MATCH (n) RETURN n")
    assert type(error) is expected


def test_embedded_dialect_gets_a_hint() -> None:
    exc = _server_error("Neo.ClientError.Statement.SyntaxError", "Invalid input '*' (line 1, column 20 (offset: 19))")
    error = translate_error(exc, uri=URI, query="MATCH p = (a)-[* SHORTEST 1..3]-(b) RETURN label(a)")
    assert error.hint and "shortestPath" in error.hint


def test_unknown_scheme_is_refused_before_connecting() -> None:
    with pytest.raises(StoreUnavailableError, match="scheme must be one of"):
        Neo4jStore("http://localhost:7474")


def test_server_down_names_the_uri() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnavailableError, match=f"cannot reach Neo4j at {uri}"):
        open_store(Settings(neo4j_uri=uri, neo4j_password="x"))


def test_cli_server_down_is_one_error_line() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(app, ["--neo4j", uri, "stats"], env={"EVX_NEO4J_PASSWORD": "x"})
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and uri in lines[0], result.output
    assert "Traceback" not in result.output


# -- against the Bolt server ----------------------------------------------------------


@pytest.mark.neo4j
def test_cli_wrong_password_is_one_error_line(bolt: BoltServer) -> None:
    env = {"EVX_NEO4J_USER": bolt.user, "EVX_NEO4J_PASSWORD": "not-the-password"}
    if bolt.database:
        env["EVX_NEO4J_DATABASE"] = bolt.database
    result = CliRunner().invoke(app, ["--neo4j", bolt.uri, "stats"], env=env)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert bolt.uri in lines[0] and "EVX_NEO4J_PASSWORD" in lines[0]


@pytest.mark.neo4j
def test_cli_stats_and_load_on_the_server(bolt: BoltServer, curated_sample: Path) -> None:
    env = {
        "EVX_NEO4J_USER": bolt.user,
        "EVX_NEO4J_PASSWORD": bolt.password or "",
        "EVX_NEO4J_DATABASE": bolt.database or "",
    }
    runner = CliRunner()
    assert runner.invoke(app, ["--neo4j", bolt.uri, "load", str(curated_sample)], env=env).exit_code == 0
    result = runner.invoke(app, ["--neo4j", bolt.uri, "stats"], env=env)
    assert result.exit_code == 0 and "1 document\n" in result.output and "Guideline" in result.output


@pytest.mark.neo4j
@pytest.mark.parametrize(
    "attempt",
    [
        "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",  # ArcadeDB reads files in a read transaction
        "CALL db.createLabel('Planet')",
        "CALL { CREATE (:Drug {id: 'drug:x', name: 'x'}) } RETURN 1",
        "MATCH (d:Drug) REMOVE d.atc",
    ],
)
def test_console_refuses_file_reads_and_writing_procedures(bolt: BoltServer, attempt: str) -> None:
    with neo4j_store(bolt) as store:
        store.ingest(build_evidence_document())
        before = store.stats()
        with pytest.raises(WriteRefusedError):
            store.query(attempt)
        assert store.stats() == before and store.node("drug:mecasermin")["atc"] == "H01AC03"


@pytest.mark.neo4j
def test_paths_and_nodes_in_query_results(bolt: BoltServer) -> None:
    with neo4j_store(bolt) as store:
        store.ingest(build_evidence_document())
        result = store.query("MATCH p = (s:Study)-[:SUPPORTS]->(f:Finding) RETURN p")
        value = result.rows[0][0]
        if isinstance(value, dict):  # a Bolt Path, converted
            assert [n["kind"] for n in value["nodes"]] == ["Study", "Finding"]
        assert result.graph is not None
        assert result.graph.number_of_nodes() == 2 and result.graph.number_of_edges() == 1


@pytest.mark.neo4j
def test_a_claim_from_two_documents_is_listed_once(bolt: BoltServer) -> None:
    """Two documents give the claim two ABOUT edges each way and the figures two REPORTS edges:
    still one item per stance edge, and each figure once."""
    first = build_evidence_document()
    second = build_evidence_document(text="Second report. " + first.source.props["text"])
    with neo4j_store(bolt) as store:
        for doc in (first, second):
            store.ingest(doc)
        ev = store.evidence("drug:mecasermin", "outcome:hypoglycemia")
    keys = [(i.stance, i.evidence["id"], i.source_doc) for i in ev.items]
    assert sorted(keys) == sorted(
        (stance, study, doc.source.id)
        for doc in (first, second)
        for stance, study in (
            (EdgeType.SUPPORTS, "study:doi:10.1530/eje-20-0325"),
            (EdgeType.CONTRADICTS, "study:doi:10.1073/pnas.1311141111"),
        )
    )
    for item in ev.supporting:
        assert sorted(f["value"] for f in item.figures) == [16.0, 51.0]


@pytest.mark.neo4j
def test_query_timeout(bolt: BoltServer) -> None:
    if bolt.flavour == "arcadedb":
        pytest.skip("ArcadeDB ignores Bolt transaction timeouts (docs/neo4j.md); runs against a real Neo4j")
    with neo4j_store(bolt) as store, pytest.raises(QueryTimeoutError):
        store.query("UNWIND range(1, 1000000000) AS x RETURN count(x)", timeout_s=0.5)


@pytest.mark.neo4j
def test_server_killed_mid_load_rolls_back_and_reload_completes(bolt_server: BoltServer, tmp_path: Path) -> None:
    if bolt_server.flavour != "arcadedb":
        pytest.skip("needs a server process this test may kill")
    document = synthetic_document(6000, tag="midload")
    server = start_arcadedb(tmp_path / "killme")
    try:
        store = Neo4jStore(
            server.uri, user=server.user, password=server.password, database=server.database, max_retry_s=1
        )
        killer = threading.Timer(1.5, server.kill)
        killer.start()
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match=server.uri):
            store.ingest(document)
        killer.join()
        assert time.monotonic() - started < 60
        store.close()
        server = start_arcadedb(tmp_path / "killme", ports=server.ports)  # same data directory
        with Neo4jStore(server.uri, user=server.user, password=server.password, database=server.database) as store:
            assert store.node(document.source.id) is None  # the document's transaction was rolled back
            assert store.stats().total_nodes == 0
            assert not store.ingest(document).already_loaded
            clean = MemoryStore()
            clean.ingest(document)
            assert store.stats() == clean.stats()
            assert store.ingest(document).already_loaded
    finally:
        server.stop()
