"""Read-only means read-only: write and admin attempts through the Cypher console and `evx query`.

Each attempt in :data:`ATTEMPTS` is run (a) through ``store.query()`` on the embedded store,
(b) through ``evx query`` (typer's CliRunner, a store on disk), (c) through the Neo4j store over
Bolt (``-m neo4j``: the ArcadeDB server of tests/contract).  Every one must be refused with
:class:`~graph.errors.WriteRefusedError` (exit code 1 and ``error:`` in the CLI) and leave the
store as it was: same counts, same properties (:func:`store_fingerprint`).  The embedded store
is also run with the lexical guard switched off, to show its read-only transaction refuses
every write on its own (defence in depth).  Legitimate reads that merely contain write words
are run too: refusing them would be a bug as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import graph.store.ladybug.store as ladybug_module
from graph.errors import QueryError, WriteRefusedError
from graph.store.base import EvidenceStore
from graph.store.cypher_guard import refuse_writes
from graph.store.ladybug.store import LadybugStore
from graph.store.memory import MemoryStore
from loaders import load_path, sample_paths
from tests.reliability.support import TALLY, store_fingerprint
from ui.cli.main import app

#: (name, Cypher): every one must be refused and change nothing.
ATTEMPTS: list[tuple[str, str]] = [
    ("create node", "CREATE (:Drug {id: 'drug:evil', name: 'evil'})"),
    ("merge", "MERGE (d:Drug {id: 'drug:mecasermin'}) ON MATCH SET d.name = 'pwned'"),
    ("set property", "MATCH (d:Drug) SET d.name = 'pwned'"),
    ("remove property", "MATCH (d:Drug) REMOVE d.atc"),
    ("delete", "MATCH (f:Figure) DELETE f"),
    ("detach delete", "MATCH (n) DETACH DELETE n"),
    ("load csv", "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row"),
    ("load from (file read)", "LOAD FROM '/etc/passwd' (header = false) RETURN *"),
    ("copy from file", "COPY Drug FROM '/tmp/evil.csv'"),
    ("copy to file", "COPY (MATCH (n:Source) RETURN n.text) TO '/tmp/evx-exfiltrated.csv'"),
    ("apoc write procedure", "CALL apoc.create.node(['Drug'], {id: 'drug:evil'}) YIELD node RETURN node"),
    ("db.createLabel", "CALL db.createLabel('Evil')"),
    ("dbms admin", "CALL dbms.security.createUser('evil', 'pw', false)"),
    ("backticked procedure", "CALL `db`.`createLabel`('Evil')"),
    ("create index", "CREATE INDEX evil FOR (d:Drug) ON (d.name)"),
    ("create constraint", "CREATE CONSTRAINT evil FOR (d:Drug) REQUIRE d.id IS UNIQUE"),
    ("drop table", "DROP TABLE Figure"),
    ("alter table", "ALTER TABLE Drug ADD evil STRING"),
    ("two statements", "MATCH (n:Drug) RETURN n.name; MATCH (n) DETACH DELETE n"),
    ("read then create", "MATCH (n:Drug) RETURN count(n);CREATE (:Drug {id: 'drug:evil', name: 'evil'})"),
    ("block comment hides nothing", "/* read only */ MATCH (d:Drug) /* really */ SET d.name = 'pwned'"),
    ("line comment then write", "MATCH (d:Drug) // just reading\nDETACH DELETE d"),
    ("comment ended by CR", "MATCH (d:Drug) RETURN d // x\rDETACH DELETE d"),
    ("U+2028 in a comment, then a quote", "// x\u2028 '\nMATCH (d:Drug) DETACH DELETE d // '"),
    ("quote inside a comment", "MATCH (d:Drug) // it's fine\nDETACH DELETE d // '"),
    ("backslash in backticks", "MATCH (d:`Drug\\`) DETACH DELETE d //`) RETURN 1"),
    ("string looks closed", "MATCH (d:Drug) WHERE d.name = 'a\\' ' DETACH DELETE d //'"),
    ("lower case", "match (n) detach delete n"),
    ("mixed case", "MaTcH (n) DeTaCh DeLeTe n"),
    ("unicode whitespace", "MATCH (n)\u00a0DETACH\u2003DELETE\u3000n"),
    ("tab and newline", "MATCH (n)\n\tDETACH\n\tDELETE n"),
    ("foreach", "MATCH (d:Drug) FOREACH (x IN [1] | SET d.name = 'pwned')"),
    ("call subquery", "CALL { CREATE (:Drug {id: 'drug:evil', name: 'evil'}) } RETURN 1"),
    ("use system", "USE system CREATE USER evil SET PASSWORD 'evil'"),
    ("create database", "CREATE DATABASE evil"),
    ("grant", "GRANT ALL ON DATABASE * TO PUBLIC"),
    ("export database", "EXPORT DATABASE '/tmp/evx-exported'"),
    ("import database", "IMPORT DATABASE '/tmp/evx-exported'"),
    ("attach", "ATTACH '/tmp/other.lbdb' AS other (dbtype lbug)"),
    ("install extension", "INSTALL httpfs"),
    ("load extension", "LOAD EXTENSION httpfs"),
    ("checkpoint", "CHECKPOINT"),
    ("begin transaction", "BEGIN TRANSACTION"),
    ("commit", "COMMIT"),
    ("create after with", "MATCH (d:Drug) WITH d CREATE (d)-[:STUDIES]->(:Study {id: 'study:evil', name: 'x'})"),
    ("set all properties", "MATCH (d:Drug) SET d += {name: 'pwned'}"),
]

#: Reads that only look like writes: they must run (on the embedded store) without a refusal.
LEGITIMATE_READS: list[str] = [
    "MATCH (s:Study) WHERE s.name CONTAINS 'created' RETURN s.name",
    "MATCH (n:Drug) WHERE n.name = 'DELETE me; DROP TABLE x' RETURN n.name",
    "MATCH (n:Drug) RETURN n.name AS created, n.atc AS `set`, n.id AS deleted_at",
    "// CREATE in a comment\nMATCH (n:Drug) RETURN count(n)",
    "/* MATCH (n) DETACH DELETE n */ MATCH (n:Drug) RETURN count(n)",
    "MATCH (n:Drug) RETURN count(n);",
    "MATCH (s:Study) WHERE s.design STARTS WITH 'merge' OR s.title = 'remove; set' RETURN s.id",
    "CALL show_tables() RETURN *",
    "CALL table_info('Drug') RETURN *",
    "match (d:Drug)-[r:LINKED_TO]->(o:Outcome) return d.name, r.supporting, o.name order by o.name",
    "MATCH (n:Source) WHERE n.text CONTAINS 'CALL apoc.create' RETURN count(n)",
]


def _samples_into(store: EvidenceStore) -> None:
    for path in sample_paths():
        for document in load_path(path):
            store.ingest(document)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LadybugStore]:
    store = LadybugStore(tmp_path_factory.mktemp("ro") / "store", timeout_s=5)
    _samples_into(store)
    yield store
    store.close()


def test_the_table_is_big_enough() -> None:
    assert len(ATTEMPTS) >= 20
    assert len({name for name, _ in ATTEMPTS}) == len(ATTEMPTS)


@pytest.mark.parametrize(("name", "cypher"), ATTEMPTS, ids=[name for name, _ in ATTEMPTS])
def test_embedded_store_refuses(embedded: LadybugStore, name: str, cypher: str) -> None:
    before = store_fingerprint(embedded)
    with pytest.raises(WriteRefusedError):
        embedded.query(cypher)
    assert store_fingerprint(embedded) == before
    assert embedded.query("MATCH (d:Drug) RETURN d.name").rows == [["mecasermin"]]
    TALLY["write attempts refused: embedded store.query()"] += 1


#: Attempts the engine's read-only transaction cannot stop by itself (they read files or
#: change no data); only the lexical guard stands in their way, which is why it exists.
GUARD_ONLY = {
    "load csv",
    "load from (file read)",
    "copy to file",
    "export database",
    "attach",
    "install extension",
    "load extension",
    "checkpoint",
    "begin transaction",
    "commit",
    "use system",
}


@pytest.mark.parametrize(
    ("name", "cypher"),
    [a for a in ATTEMPTS if a[0] not in GUARD_ONLY],
    ids=[n for n, _ in ATTEMPTS if n not in GUARD_ONLY],
)
def test_engine_read_only_transaction_alone_changes_nothing(
    embedded: LadybugStore, monkeypatch: pytest.MonkeyPatch, name: str, cypher: str
) -> None:
    """With the lexical guard switched off, the read-only transaction still refuses or fails: nothing changes."""
    monkeypatch.setattr(ladybug_module, "refuse_writes", lambda cypher: None)
    before = store_fingerprint(embedded)
    try:  # WriteRefusedError, an error for Neo4j-only syntax, or (U+2028) the engine reads the rest as a comment
        embedded.query(cypher)
    except QueryError:
        pass
    assert store_fingerprint(embedded) == before
    TALLY["write attempts stopped by the engine alone (guard off): embedded"] += 1


@pytest.mark.parametrize("cypher", LEGITIMATE_READS)
def test_reads_with_write_words_are_not_refused(embedded: LadybugStore, cypher: str) -> None:
    refuse_writes(cypher)
    result = embedded.query(cypher)
    assert result.columns
    TALLY["legitimate reads with write words allowed"] += 1


def test_guard_refuses_property_named_like_a_keyword_only_when_it_is_a_clause() -> None:
    refuse_writes("MATCH (n) WHERE n.set = 1 AND n.delete = 2 AND n.create IS NULL RETURN n.merge")
    with pytest.raises(WriteRefusedError):
        refuse_writes("MATCH (n) WHERE n.x = 1 SET n.set = 2")


def test_memory_store_runs_no_cypher_at_all() -> None:
    store = MemoryStore()
    _samples_into(store)
    before = store.stats()
    for _, cypher in ATTEMPTS:
        with pytest.raises(QueryError):
            store.query(cypher)
    assert store.stats() == before


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli") / "store"
    with LadybugStore(directory) as store:
        _samples_into(store)
    return directory


@pytest.mark.parametrize(("name", "cypher"), ATTEMPTS, ids=[name for name, _ in ATTEMPTS])
def test_evx_query_refuses(cli_store: Path, name: str, cypher: str) -> None:
    with LadybugStore(cli_store, read_only=True) as store:
        before = store_fingerprint(store)
    result = CliRunner().invoke(app, ["--store", str(cli_store), "query", cypher])
    assert result.exit_code == 1, result.output
    assert "error:" in result.output and ("refused" in result.output or "read-only" in result.output)
    assert "Traceback" not in result.output
    with LadybugStore(cli_store, read_only=True) as store:
        assert store_fingerprint(store) == before
    TALLY["write attempts refused: evx query"] += 1


def test_evx_query_write_flag_is_the_only_way(cli_store: Path, tmp_path: Path) -> None:
    """The refusals above are not because the CLI cannot write: with --write it can."""
    directory = tmp_path / "copy"
    with LadybugStore(directory) as store:
        _samples_into(store)
    cypher = "MATCH (d:Drug) SET d.atc = 'X00'"
    assert CliRunner().invoke(app, ["--store", str(directory), "query", cypher]).exit_code == 1
    assert CliRunner().invoke(app, ["--store", str(directory), "query", "--write", cypher]).exit_code == 0
    with LadybugStore(directory, read_only=True) as store:
        assert store.query("MATCH (d:Drug) RETURN d.atc").rows == [["X00"]]


@pytest.mark.neo4j
def test_neo4j_store_refuses_every_attempt(request: pytest.FixtureRequest) -> None:
    from tests.contract.conftest import neo4j_store

    server = request.getfixturevalue("bolt")
    with neo4j_store(server) as store:
        _samples_into(store)
        before = store_fingerprint(store)
        for name, cypher in ATTEMPTS:
            with pytest.raises(WriteRefusedError):
                store.query(cypher)
            TALLY["write attempts refused: neo4j over Bolt"] += 1
            assert store_fingerprint(store) == before, f"{name} changed the store"
        for cypher in [
            "MATCH (s:Study) WHERE s.name CONTAINS 'created' RETURN s.name",
            "MATCH (n:Drug) RETURN count(n);",
        ]:
            store.query(cypher)
