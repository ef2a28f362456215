"""A Neo4j store's console queries are bounded like the embedded store's, and Neo4j's attacks are refused.

Over Bolt (the ArcadeDB test server, or ``EVX_NEO4J_URI``) each console query runs in a
worker process with its own connection: killed at its time limit (ArcadeDB ignores the
server-side transaction timeout, so this is the only limit there), cut at its row cap and
answer size, cancelled when ``on_wait`` raises, in a READ transaction that is never
committed.  Neo4j's attacks (:data:`NEO4J_ATTACKS`) are named tests on both backends.
Bounds are generous (a shared two-core machine); the measured times are printed with ``-s``.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.errors import QueryError, QueryTimeoutError, WriteRefusedError
from graph.store.ladybug.store import LadybugStore
from graph.store.query_worker import WorkerLimits
from loaders import load_path, sample_paths
from tests.reliability.hostile_cypher import NEO4J_ATTACKS
from tests.reliability.support import TALLY, Gone, console_workers, leave_after, store_fingerprint

#: Nine million rows: seconds on any server, never within a 1 s limit.
LONG = "UNWIND range(1, 3000) AS x UNWIND range(1, 3000) AS y RETURN count(*)"
#: What a timed-out query may take in all: worker start, connection, the limit, the kill (loaded machine).
BOUND_S = 20.0
#: Payloads LadybugDB reads as a comment or a string literal (unicode escapes count only inside strings there).
_INERT_ON_LADYBUG = {"escaped_newline_ends_comment", "escaped_quote_ends_string"}
_LIMITS = (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE, resource.RLIMIT_CORE)


def _samples_into(store: object) -> None:
    for path in sample_paths():
        for document in load_path(path):
            store.ingest(document)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def watch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("watched-bolt")


@pytest.fixture(scope="module")
def bolt_store(request: pytest.FixtureRequest) -> Iterator[object]:
    """The Neo4j store on the test server, emptied and loaded with the samples once for this module."""
    from tests.contract.conftest import neo4j_store

    server = request.getfixturevalue("bolt_server")
    server.clear()
    with neo4j_store(server) as store:
        _samples_into(store)
        store.flavour = server.flavour  # type: ignore[attr-defined]
        yield store


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LadybugStore]:
    directory = tmp_path_factory.mktemp("neo4j-attacks") / "store"
    with LadybugStore(directory) as writer:
        _samples_into(writer)
    with LadybugStore(directory, timeout_s=10) as store:
        yield store


@pytest.mark.neo4j
def test_a_long_bolt_query_is_stopped_at_its_time_limit(bolt_store: object) -> None:
    before = store_fingerprint(bolt_store)  # type: ignore[arg-type]
    limits_before = [resource.getrlimit(r) for r in _LIMITS]
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="its worker was stopped"):
        bolt_store.console_query(LONG, timeout_s=1.0)  # type: ignore[attr-defined]
    took = time.monotonic() - started
    print(f"\nBolt console query with a 1 s limit: timeout error after {took:.2f} s")
    TALLY["Bolt console queries stopped at their time limit"] += 1
    assert took < BOUND_S
    assert console_workers() == []
    assert [resource.getrlimit(r) for r in _LIMITS] == limits_before  # the limits were the worker's only
    assert store_fingerprint(bolt_store) == before  # type: ignore[arg-type]
    assert bolt_store.console_query("MATCH (d:Drug) RETURN count(d) AS n").rows[0][0] > 0  # type: ignore[attr-defined]


@pytest.mark.neo4j
def test_whatever_on_wait_raises_cancels_the_bolt_query(bolt_store: object) -> None:
    seen: list[float] = []
    with pytest.raises(Gone):
        bolt_store.console_query(LONG, timeout_s=60, on_wait=leave_after(0.5, seen=seen, when_running=True))  # type: ignore[attr-defined]
    assert seen and console_workers() == []


@pytest.mark.neo4j
def test_bolt_answers_are_cut_at_the_row_cap_and_the_answer_size(bolt_store: object) -> None:
    result = bolt_store.console_query("UNWIND range(1, 50) AS x RETURN x", row_limit=10)  # type: ignore[attr-defined]
    assert result.rows == [[x] for x in range(1, 11)] and result.truncated
    bolt_store.console_limits = WorkerLimits(answer_bytes=64 * 1024)  # type: ignore[attr-defined]
    try:
        big = bolt_store.console_query(  # type: ignore[attr-defined]
            "UNWIND range(1, 5000) AS x RETURN x, 'padding padding padding padding padding padding' AS p",
            row_limit=100_000,
        )
    finally:
        bolt_store.console_limits = None  # type: ignore[attr-defined]
    assert big.truncated and 0 < len(big.rows) < 5000


@pytest.mark.neo4j
def test_bolt_console_values_and_graph_match_the_store_query(bolt_store: object) -> None:
    cypher = "MATCH p = (s:Study)-[:SUPPORTS]->(f:Finding) RETURN p, s, f.name AS name, date('2020-01-02') AS d LIMIT 5"
    direct = bolt_store.query(cypher)  # type: ignore[attr-defined]
    console = bolt_store.console_query(cypher)  # type: ignore[attr-defined]
    assert console.columns == direct.columns and console.rows == direct.rows
    assert console.graph is not None and direct.graph is not None
    assert sorted(console.graph.nodes) == sorted(direct.graph.nodes)
    assert console.graph.number_of_edges() == direct.graph.number_of_edges()


@pytest.mark.neo4j
def test_a_bolt_syntax_error_keeps_its_position(bolt_store: object) -> None:
    with pytest.raises(QueryError) as info:
        bolt_store.console_query("MATCH (d:Drug RETURN d")  # type: ignore[attr-defined]
    assert info.value.position is not None and not isinstance(info.value, WriteRefusedError)


# -- Neo4j's attacks, by name, on both backends ------------------------------------------------


def _attack(name: str, watch: Path) -> str:
    return NEO4J_ATTACKS[name].replace("{watch}", str(watch))


@pytest.mark.parametrize("name", sorted(NEO4J_ATTACKS))
def test_neo4j_attack_is_refused_or_harmless_on_the_embedded_store(
    embedded: LadybugStore, watch: Path, name: str
) -> None:
    """Refused by the guard or by the engine (no such clause), or, where LadybugDB reads the payload
    as a comment or a string (``\\u000a``, ``\\u0027`` are escapes only inside strings there), run as
    the harmless read it is there."""
    before = store_fingerprint(embedded)
    try:
        embedded.console_query(_attack(name, watch), timeout_s=5)
        assert name in _INERT_ON_LADYBUG, "a Neo4j attack ran on the embedded store"
    except QueryError:
        pass
    assert store_fingerprint(embedded) == before
    assert os.listdir(watch) == []
    TALLY["Neo4j attacks refused: embedded"] += 1


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(NEO4J_ATTACKS))
def test_neo4j_attack_is_refused_over_bolt(bolt_store: object, watch: Path, name: str) -> None:
    before = store_fingerprint(bolt_store)  # type: ignore[arg-type]
    with pytest.raises(WriteRefusedError):
        bolt_store.console_query(_attack(name, watch), timeout_s=5)  # type: ignore[attr-defined]
    assert store_fingerprint(bolt_store) == before  # type: ignore[arg-type]
    assert os.listdir(watch) == []
    TALLY["Neo4j attacks refused: over Bolt"] += 1


@pytest.mark.neo4j
@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (d:Drug) SET d.name = 'PWNED' RETURN d.name",
        "MATCH (n:Guideline) DETACH DELETE n",
        "CREATE (:Drug {id: 'drug:evil', name: 'evil'}) RETURN 1",
        "MERGE (d:Drug {id: 'drug:mecasermin'}) ON MATCH SET d.name = 'PWNED' RETURN 1",
        "MATCH (d:Drug) REMOVE d.atc RETURN 1",
        *[NEO4J_ATTACKS[n] for n in ("call_subquery_create", "escaped_keyword_create", "escaped_newline_ends_comment")],
    ],
)
def test_with_the_guard_bypassed_a_bolt_write_changes_nothing(
    bolt_store: object, monkeypatch: pytest.MonkeyPatch, cypher: str
) -> None:
    """The second layer: a READ transaction that is never committed (Neo4j also refuses the write itself)."""
    import graph.store.neo4j.store as neo4j_module

    monkeypatch.setattr(neo4j_module, "refuse_writes", lambda text, **_: None)
    before = store_fingerprint(bolt_store)  # type: ignore[arg-type]
    try:
        bolt_store.console_query(cypher, timeout_s=10)  # type: ignore[attr-defined]
        refused = False
    except QueryError:
        refused = True
    if bolt_store.flavour == "neo4j":  # type: ignore[attr-defined]
        assert refused, "a READ transaction ran a write"
    assert store_fingerprint(bolt_store) == before  # type: ignore[arg-type]
    TALLY["Bolt writes undone with the guard bypassed"] += 1
