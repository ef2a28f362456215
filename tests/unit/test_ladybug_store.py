"""What only the embedded store has: a directory, a lock, a schema, the engine's dialect."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.errors import QueryError, QueryTimeoutError, StoreCorruptError, StoreLockedError, WriteRefusedError
from graph.store.ladybug.store import DB_FILE, LadybugStore
from tests.conftest import TRIAL_TEXT, build_evidence_document


def test_store_is_a_directory_that_reopens_with_its_data(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s") as store:
        store.ingest(build_evidence_document())
        before = store.stats()
    assert (tmp_path / "s" / DB_FILE).exists()
    with LadybugStore(tmp_path / "s") as again:
        assert again.stats() == before
        assert again.ingest(build_evidence_document()).already_loaded


def test_a_file_where_the_store_should_be(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("not a store")
    with pytest.raises(StoreCorruptError, match="is a file"):
        LadybugStore(tmp_path / "f")


def test_a_corrupt_database_file(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / DB_FILE).write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreCorruptError, match=r"the database file is damaged \(.*not a valid .* database file"):
        LadybugStore(tmp_path / "s")


def test_read_only_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreCorruptError, match="holds no evidence store"):
        LadybugStore(tmp_path / "none", read_only=True)


def test_locked_by_another_process_says_so_and_read_only_still_works(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with LadybugStore(path) as store:
        store.ingest(build_evidence_document())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from graph.store.ladybug.store import LadybugStore; "
            f"s = LadybugStore({str(path)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        with pytest.raises(StoreLockedError, match=r"another process.*--read-only"):
            LadybugStore(path)
        assert time.monotonic() - started < 30  # a clear message, not a lock-up
        with LadybugStore(path, read_only=True) as reader:
            assert reader.stats().documents == 1
            with pytest.raises(WriteRefusedError, match="read-only"):
                reader.ingest(build_evidence_document("x " + build_evidence_document().source.props["text"]))
    finally:
        holder.kill()
        holder.wait()


def test_schema_gains_new_columns_on_open(tmp_path: Path) -> None:
    import ladybug

    path = tmp_path / "old"
    path.mkdir()
    db = ladybug.Database(str(path / DB_FILE))
    conn = ladybug.Connection(db)
    conn.execute("CREATE NODE TABLE Drug(id STRING PRIMARY KEY, kind STRING, name STRING)")
    conn.execute("CREATE (:Drug {id: 'drug:old', kind: 'Drug', name: 'old'})")
    conn.close()
    db.close()
    with LadybugStore(path) as store:
        assert store.node("drug:old")["name"] == "old"
        store.ingest(build_evidence_document())
        assert store.node("drug:mecasermin")["atc"] == "H01AC03"


def test_timeout_stops_a_runaway_query(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s") as store:
        with pytest.raises(QueryTimeoutError, match="time limit"):
            store.query("UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN sum(x * y)", timeout_s=0.3)
        assert store.query("RETURN 1 AS one").rows == [[1]]  # the connection still works


@pytest.mark.parametrize(
    ("neo4j_form", "hint"),
    [
        ("MATCH p = shortestPath((a:Drug)-[*]-(b:Outcome)) RETURN p", "SHORTEST 1..6"),
        ("MATCH (a)-[r]->(b) RETURN type(r)", "label(r)"),
    ],
)
def test_neo4j_only_forms_get_a_hint(tmp_path: Path, neo4j_form: str, hint: str) -> None:
    with LadybugStore(tmp_path / "s") as store, pytest.raises(QueryError) as info:
        store.query(neo4j_form)
    assert info.value.hint is not None and hint in info.value.hint
    assert f"Hint: {info.value.hint}" in str(info.value)


def test_unknown_label_lists_the_schema(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s") as store, pytest.raises(QueryError) as info:
        store.query("MATCH (p:Patient) RETURN p")
    assert "Drug" in (info.value.hint or "")


def test_file_reading_clauses_are_refused(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s") as store:
        for attempt in ("LOAD FROM '/etc/passwd' (header=false) RETURN *", "COPY Drug FROM '/tmp/x.csv'"):
            with pytest.raises(WriteRefusedError):
                store.query(attempt)


def test_memory_the_loader_holds_before_the_first_write_is_not_taken_for_engine_growth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load parses its first batch before writing it: that memory is the loader's, not the engine's.

    Counted from the open, 200 reports (~450 MiB of parsed documents) made the store checkpoint and
    reopen its database after one batch, in a 600 MiB process.
    """
    from graph.store.ladybug import write as ladybug_write

    resident = iter([150.0, *([150.0 + ladybug_write.RESIDENT_BUDGET_MIB / 2 + 100] * 20)])
    monkeypatch.setattr(ladybug_write, "resident_mib", lambda: next(resident))
    with LadybugStore(tmp_path / "s") as store:  # opened at 150 MiB; the loader then holds ~550 MiB more
        store.ingest(build_evidence_document())
        store.ingest(build_evidence_document(TRIAL_TEXT + " A second report of it."))
        assert store._writes == 2  # no reopen (it would have reset the count)
