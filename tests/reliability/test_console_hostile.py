"""The console cannot be escaped: every reported attack, and hundreds of hostile queries, change nothing.

Three layers, each tested on its own:

- the lexical guard (:mod:`graph.store.cypher_guard`) refuses every query of the corpus
  (:mod:`tests.reliability.hostile_cypher`: payloads × ways of hiding them) through
  ``console_query`` on the embedded store, ``evx query`` and the Neo4j store over Bolt;
- with the guard bypassed, the worker process (read-only database, no file writes,
  Landlock) still changes nothing and creates no file, for every payload;
- on Neo4j, a READ transaction in a worker of its own that is never committed
  (``test_console_bolt.py``, with Neo4j's attacks by name on both backends).

"Changes nothing" is the store fingerprint (counts and a checksum of every node's and
edge's properties) and an empty watched directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.errors import QueryError, WriteRefusedError
from graph.store.cypher_guard import refuse_writes
from graph.store.ladybug.store import DB_FILE, LadybugStore
from graph.store.query_worker import run_read_only
from loaders import load_path, sample_paths
from tests.reliability.hostile_cypher import FALSE_POSITIVES, ISSUE_ATTACKS, NEO4J_PAYLOADS, PAYLOADS, corpus
from tests.reliability.support import TALLY, store_fingerprint
from ui.cli.main import app


def _samples_into(store: object) -> None:
    for path in sample_paths():
        for document in load_path(path):
            store.ingest(document)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def watch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("watched")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("console") / "store"
    with LadybugStore(directory) as store:
        _samples_into(store)
    return directory


@pytest.fixture(scope="module")
def app_store(store_dir: Path) -> Iterator[LadybugStore]:
    """The store as the explorer holds it: one writable handle in this process, open the whole time."""
    store = LadybugStore(store_dir, timeout_s=10)
    yield store
    store.close()


def _store_files(store_dir: Path) -> list[str]:
    return sorted(os.listdir(store_dir))


def _issue(name: str, watch: Path) -> str:
    return ISSUE_ATTACKS[name].replace("{watch}", str(watch))


@pytest.mark.parametrize("name", sorted(ISSUE_ATTACKS))
def test_reported_attack_is_refused_by_the_console(app_store: LadybugStore, watch: Path, name: str) -> None:
    before, files = store_fingerprint(app_store), _store_files(Path(app_store.path))
    with pytest.raises(WriteRefusedError):
        app_store.console_query(_issue(name, watch), timeout_s=5)
    assert store_fingerprint(app_store) == before
    assert os.listdir(watch) == [] and _store_files(Path(app_store.path)) == files
    TALLY["reported attacks refused: embedded console"] += 1


@pytest.mark.parametrize("name", sorted(ISSUE_ATTACKS))
def test_reported_attack_is_refused_by_evx_query(store_dir: Path, watch: Path, name: str) -> None:
    with LadybugStore(store_dir, read_only=True) as store:
        before = store_fingerprint(store)
    result = CliRunner().invoke(app, ["--store", str(store_dir), "query", _issue(name, watch)])
    assert result.exit_code == 1, result.output
    assert "error:" in result.output and "refused" in result.output and "Traceback" not in result.output
    with LadybugStore(store_dir, read_only=True) as store:
        assert store_fingerprint(store) == before
    assert os.listdir(watch) == []
    TALLY["reported attacks refused: evx query"] += 1


@pytest.mark.parametrize("name", sorted(ISSUE_ATTACKS))
def test_reported_attack_changes_nothing_even_past_the_guard(store_dir: Path, watch: Path, name: str) -> None:
    """The worker alone: read-only database, no file writes, Landlock (the guard is not consulted here)."""
    with LadybugStore(store_dir, read_only=True) as store:
        before = store_fingerprint(store)
    files = _store_files(store_dir)
    try:
        run_read_only(store_dir / DB_FILE, _issue(name, watch), row_limit=10, timeout_s=10)
    except QueryError:
        pass  # refused by the engine or the sandbox: either is fine, what matters is below
    with LadybugStore(store_dir, read_only=True) as store:
        assert store_fingerprint(store) == before
    assert os.listdir(watch) == [] and _store_files(store_dir) == files
    TALLY["reported attacks harmless with the guard bypassed: worker"] += 1


def test_hundreds_of_hostile_queries_are_refused_and_change_nothing(app_store: LadybugStore, watch: Path) -> None:
    queries = corpus({**PAYLOADS, **ISSUE_ATTACKS}, str(watch))
    assert len(queries) >= 200
    before, files = store_fingerprint(app_store), _store_files(Path(app_store.path))
    accepted = []
    for name, cypher in queries:
        try:
            refuse_writes(cypher)
        except QueryError:
            with pytest.raises(QueryError):
                app_store.console_query(cypher, timeout_s=5)
            TALLY["hostile queries refused: embedded console"] += 1
        else:
            accepted.append(name)  # the engine reads the payload as a comment or string: see below
            try:
                app_store.console_query(cypher, timeout_s=5)  # runs (or fails in the engine) and changes nothing
            except QueryError:
                pass
        assert os.listdir(watch) == [], name
    assert store_fingerprint(app_store) == before
    assert _store_files(Path(app_store.path)) == files
    # Only one presentation may pass: spacing the report's attacks with "\n\t" ends their "// x" comment at
    # once, which leaves the payload inside the string that the comment was hiding ('\n … // ').
    assert all(
        hider == "tabs_and_newlines" and payload in ISSUE_ATTACKS
        for hider, payload in (name.split(":", 1) for name in accepted)
    ), accepted
    assert TALLY["hostile queries refused: embedded console"] >= 200


def test_every_payload_is_harmless_in_the_worker_with_the_guard_bypassed(
    app_store: LadybugStore, store_dir: Path, watch: Path
) -> None:
    """Each payload straight into a worker, while this process holds the store open for writing."""
    before, files = store_fingerprint(app_store), _store_files(store_dir)
    outcomes: dict[str, str] = {}
    for name, text in PAYLOADS.items():
        try:
            answer = run_read_only(store_dir / DB_FILE, text.replace("{watch}", str(watch)), row_limit=5, timeout_s=10)
        except QueryError as exc:
            outcomes[name] = type(exc).__name__
        else:
            outcomes[name] = f"ran ({answer.rows[:1]})"
        assert os.listdir(watch) == [], name
        assert _store_files(store_dir) == files, name
        TALLY["payloads harmless with the guard bypassed: worker"] += 1
    assert store_fingerprint(app_store) == before
    # what reads files must have failed (Landlock or the read-only handle), not run
    for name in ("load_from_passwd", "copy_to_file", "call_read_csv", "export_database", "checkpoint"):
        assert not outcomes[name].startswith("ran"), (name, outcomes[name])


def test_the_worker_is_confined_where_the_kernel_has_landlock(store_dir: Path) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(444, None, 0, 1)  # landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)
    if abi < 1:
        pytest.skip("this kernel has no Landlock; the worker runs with its other limits only")
    answer = run_read_only(store_dir / DB_FILE, "RETURN 1", row_limit=1, timeout_s=10)
    assert answer.landlock_abi == abi


@pytest.mark.parametrize("name", sorted(FALSE_POSITIVES))
def test_reads_that_merely_use_keywords_run(app_store: LadybugStore, name: str) -> None:
    result = app_store.console_query(FALSE_POSITIVES[name], timeout_s=10)
    assert result.columns
    TALLY["reads with keywords as names run: embedded console"] += 1


def test_the_false_positives_of_the_report_give_their_answers(app_store: LadybugStore) -> None:
    assert app_store.console_query("RETURN {load: 1, set: 2} AS m").rows == [[{"load": 1, "set": 2}]]
    assert app_store.console_query("WITH 1 AS copy RETURN copy").rows == [[1]]
    assert app_store.console_query("MATCH (d:Drug) RETURN d.name AS begin").rows == [["mecasermin"]]
    assert app_store.console_query("CALL db_version() RETURN *").rows[0][0]
    assert app_store.console_query("CALL show_functions() RETURN count(*)").rows[0][0] > 100


# -- over Bolt ---------------------------------------------------------------------------


@pytest.mark.neo4j
def test_neo4j_refuses_the_corpus_and_every_reported_attack(request: pytest.FixtureRequest, watch: Path) -> None:
    from tests.contract.conftest import neo4j_store

    server = request.getfixturevalue("bolt")
    queries = corpus({**PAYLOADS, **NEO4J_PAYLOADS}, str(watch))
    queries += [(f"issue:{name}", _issue(name, watch)) for name in sorted(ISSUE_ATTACKS)]
    assert len(queries) >= 200
    with neo4j_store(server) as store:
        _samples_into(store)
        before = store_fingerprint(store)
        for name, cypher in queries:
            if name.startswith("tabs_and_newlines:u"):
                continue  # the payload is inside a string for the engine (see the embedded test)
            with pytest.raises(QueryError):
                store.console_query(cypher, timeout_s=5)
            TALLY["hostile queries refused: neo4j over Bolt"] += 1
        assert store_fingerprint(store) == before
        assert os.listdir(watch) == []
        for name in ("alias_copy", "alias_begin", "map_keys_load_set", "property_named_set", "label_pattern_copy"):
            store.console_query(FALSE_POSITIVES[name])
    assert TALLY["hostile queries refused: neo4j over Bolt"] >= 200


def test_neo4j_rules_refuse_what_neo4j_reads_as_code() -> None:
    """Neo4j ends a // comment at U+2028 and a block comment at the first */: the guard follows both engines."""
    for cypher in (
        "MATCH (d:Drug) RETURN d // x\u2028DETACH DELETE d",
        "RETURN 1 /* **/ MATCH (n) DETACH DELETE n /* */",
    ):
        refuse_writes(cypher)  # LadybugDB: all of it after RETURN is a comment
        with pytest.raises(WriteRefusedError):
            refuse_writes(cypher, dialect="neo4j")


def test_evx_query_works_while_another_process_holds_the_store(tmp_path: Path) -> None:
    """As with a running explorer: the console opens read-only beside the writer, reads, and still refuses."""
    import subprocess
    import sys

    directory = tmp_path / "store"
    with LadybugStore(directory) as store:
        _samples_into(store)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from graph.store.ladybug.store import LadybugStore; s = LadybugStore(sys.argv[1]); "
            "print('open', flush=True); time.sleep(60)",
            str(directory),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        read = CliRunner().invoke(app, ["--store", str(directory), "query", "MATCH (d:Drug) RETURN d.name"])
        assert read.exit_code == 0, read.output
        assert "mecasermin" in read.output
        hostile = CliRunner().invoke(app, ["--store", str(directory), "query", PAYLOADS["set_property"]])
        assert hostile.exit_code == 1 and "refused" in hostile.output
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture(scope="module")
def bolt_store(request: pytest.FixtureRequest) -> Iterator[object]:
    """The Neo4j store on the session's Bolt server (loaded with the samples when a test finds it empty)."""
    from tests.contract.conftest import neo4j_store

    with neo4j_store(request.getfixturevalue("bolt_server")) as store:
        yield store


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(ISSUE_ATTACKS))
def test_reported_attack_is_refused_over_bolt(bolt_store: object, watch: Path, name: str) -> None:
    if not bolt_store.query("MATCH (d:Drug) RETURN count(d) AS n").rows[0][0]:  # type: ignore[attr-defined]
        _samples_into(bolt_store)  # another test emptied the server
    before = store_fingerprint(bolt_store)  # type: ignore[arg-type]
    with pytest.raises(WriteRefusedError):
        bolt_store.console_query(_issue(name, watch), timeout_s=5)  # type: ignore[attr-defined]
    assert store_fingerprint(bolt_store) == before  # type: ignore[arg-type]
    assert os.listdir(watch) == []
    TALLY["reported attacks refused: neo4j over Bolt"] += 1
