"""A kill while the engine appends a commit to its write-ahead log: the store opens with its committed documents.

A SIGKILL leaves the log as a prefix of what the writer meant to write; between two ``write()``
calls of one commit (a batch is dozens of 4 KiB writes) that prefix ends inside a record.
LadybugDB then refused the store ("Checksum verification failed, the WAL file is corrupted", or
"Reading past the end of the file"), and for some cut points crashed the opening process.

The deterministic test cuts a killed store's log at chosen byte offsets — every kind of place a
kill between two writes can leave it — and opens each: the documents whose commit lies wholly
before the cut are there, whole, and nothing else; the user is told what was dropped; a re-run
completes the load.  The SIGKILL test aims real kills at the moment the log grows.  A log
damaged in the middle (not a kill's doing) is refused, unchanged, with what to do.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.errors import StoreCorruptError, StoreError, StoreLockedError
from graph.model import Document
from graph.store.ladybug import torn_log
from graph.store.ladybug.open import DB_FILE, open_database, recover_torn_logs
from graph.store.ladybug.store import LadybugStore
from loaders import load_path
from tests.reliability.support import DATA, LONG, ROOT, SAMPLES, TALLY
from tests.reliability.test_crash_consistency import _clean_signature, _orphans, _signature, _synthetic_curated

LOG = DB_FILE + ".wal"
KILL_ROUNDS = int(os.environ.get("EVX_TORN_KILL_ROUNDS", "30" if LONG else "2"))
BATCH = 3  # documents per transaction: a commit of dozens of 4 KiB writes, a wide window to land a kill in


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[Document]:
    """Small and large documents (the large ones take several 4 KiB writes to log), distinct sources."""
    directory = tmp_path_factory.mktemp("torn-corpus")
    files = [
        *sorted(SAMPLES.glob("*.txt")),
        *sorted((DATA / "reports").glob("*.txt"))[:3],
        _synthetic_curated(directory, 0, 60),
        _synthetic_curated(directory, 1, 90),
    ]
    by_source = {d.source.id: d for path in files for d in load_path(path)}
    return list(by_source.values())


@pytest.fixture(scope="module")
def killed(documents: list[Document], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    """A store as a kill after the last commit leaves it (copied while open), and where each document's commit ends."""
    root = tmp_path_factory.mktemp("torn-store")
    live, snapshot = root / "live", root / "killed"
    ends = []
    with LadybugStore(live) as store:
        for document in documents:
            store.ingest(document)  # one transaction each; the log is synced at every commit
            ends.append((live / LOG).stat().st_size)
        shutil.copytree(live, snapshot)  # what SIGKILL leaves: the log as written, nothing checkpointed
    assert ends == sorted(set(ends)), "every document is its own commit"
    return snapshot, ends


def _cut(snapshot: Path, at: int, directory: Path) -> Path:
    shutil.copytree(snapshot, directory)
    with (directory / LOG).open("r+b") as handle:
        handle.truncate(at)
    return directory


def _cut_points(ends: list[int], log_size: int) -> list[tuple[str, int]]:
    """Where a kill between two writes can leave the log: in every kind of place, each commit in turn."""
    rng = random.Random(13)
    first = ends[0]
    points = [("inside the header", 10), ("at the first commit", first)]
    for i in range(1, len(ends)):
        start, end = ends[i - 1], ends[i]
        points += [
            (f"commit {i}: inside the next record's length", start + 3),
            (f"commit {i}: inside a record", rng.randrange(start + 30, end - 30)),
            (f"commit {i}: the commit record's checksum half-written", end - 4),
        ]
    points.append(("at the last commit", log_size))
    return points


def test_a_log_cut_anywhere_opens_with_exactly_its_committed_documents(
    killed: tuple[Path, list[int]], documents: list[Document], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot, ends = killed
    log_size = (snapshot / LOG).stat().st_size
    for n, (where, at) in enumerate(_cut_points(ends, log_size)):
        store_dir = _cut(snapshot, at, tmp_path / f"cut-{n}")
        committed = [d for d, end in zip(documents, ends, strict=True) if end <= at]
        caplog.clear()
        # the engine refused (or crashed on) every cut inside a record
        with caplog.at_level(logging.WARNING, logger="graph.store.ladybug.open"), LadybugStore(store_dir) as store:
            held = [d.source.id for d in documents if store.node(d.source.id) is not None]
            assert held == [d.source.id for d in committed], f"{where} (byte {at})"
            assert _signature(store) == _clean_signature(committed), f"{where}: not whole documents"
            assert _orphans(store) == []
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        if at in ends or at == log_size:
            assert warnings == [], f"{where}: a log ending in a whole commit is not a recovery"
        else:
            assert len(warnings) == 1, f"{where}: the user is told"
            assert str(store_dir) in warnings[0] and "discarded" in warnings[0] and "committed" in warnings[0]
            assert "Run the same load again" in warnings[0]
        TALLY["torn logs: cut points opened with exactly their committed documents"] += 1
    # once recovered, the store is an ordinary one: a re-run completes it, and a further open tells nothing
    store_dir = tmp_path / "cut-0"
    with LadybugStore(store_dir) as store:
        for document in documents:
            store.ingest(document)
        assert _signature(store) == _clean_signature(documents)
    caplog.clear()
    with caplog.at_level(logging.WARNING), LadybugStore(store_dir):
        pass
    assert not caplog.records


def test_cuts_that_crashed_the_engine_open(killed: tuple[Path, list[int]], tmp_path: Path) -> None:
    """Two dozen cuts through the largest document's records, opened in a child process.

    Some of these crashed the opening process (SIGSEGV in the engine's read of the torn record),
    so a child opens them, saying which cut it is at: a crash names the cut.
    """
    snapshot, ends = killed
    start, end = ends[-2], ends[-1]  # the largest document: records of several 4 KiB writes
    cuts = list(range(start + 8, end, max(1, (end - start) // 24)))
    for n, at in enumerate(cuts):
        _cut(snapshot, at, tmp_path / f"cut-{n}")
    script = (
        "import sys\nfrom graph.store.ladybug.store import LadybugStore\n"
        "for directory in sys.argv[1:]:\n"
        "    print('opening', directory, flush=True)\n"
        "    with LadybugStore(directory) as s:\n"
        "        print('sources', len(s.query('MATCH (n:Source) RETURN n.id', row_limit=100).rows), flush=True)\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script, *(str(tmp_path / f"cut-{n}") for n in range(len(cuts)))],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        timeout=300,
    )
    lines = child.stdout.splitlines()
    assert child.returncode == 0, f"exit {child.returncode} at {lines[-1:]} (cuts at {cuts})\n{child.stderr[-2000:]}"
    assert [line for line in lines if line.startswith("sources")] == [f"sources {len(ends) - 1}"] * len(cuts)
    assert child.stderr.count("discarded") == len(cuts)  # the warning reaches the terminal without logging set up
    TALLY["torn logs: cut points through one document's records opened (child process)"] += len(cuts)


def test_a_log_damaged_in_the_middle_is_refused_unchanged_with_what_to_do(
    documents: list[Document], tmp_path: Path
) -> None:
    """Damage before the log's end is not a kill's doing: nothing is cut, and the message says what to do."""
    store_dir = tmp_path / "store"
    with LadybugStore(store_dir) as store:
        store.ingest(documents[0])  # checkpointed at the clean close
    with LadybugStore(store_dir) as store:
        for document in documents[1:4]:
            store.ingest(document)
        killed = tmp_path / "killed"
        shutil.copytree(store_dir, killed)
    log = killed / LOG
    data = bytearray(log.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside a committed transaction's records
    log.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError) as refused:
        LadybugStore(killed)
    message = str(refused.value)
    assert str(killed) in message and "damaged before its end" in message and f"move {LOG}" in message
    assert log.read_bytes() == bytes(data), "a damaged log is left as it was"
    # what the message says works: without the log, the store opens with its last checkpoint's documents
    log.rename(tmp_path / LOG)
    with LadybugStore(killed) as store:
        assert _signature(store) == _clean_signature(documents[:1])


def test_garbage_in_the_log_that_the_engine_misreads_still_says_what_to_do(
    killed: tuple[Path, list[int]], tmp_path: Path
) -> None:
    """Damage read before its checksum is checked gives the engine's bare C++ message; the log is named."""
    store_dir = shutil.copytree(killed[0], tmp_path / "store")

    def misreads() -> None:
        raise RuntimeError("basic_string::_M_replace_aux")  # a flipped byte in a string length, measured

    with pytest.raises(StoreError) as refused:
        open_database(misreads, directory=store_dir, database=store_dir / DB_FILE, read_only=False)
    assert "write-ahead log may be damaged" in str(refused.value) and f"move {LOG}" in str(refused.value)


def test_a_reader_of_a_torn_store_is_told_to_open_it_for_writing(
    killed: tuple[Path, list[int]], tmp_path: Path
) -> None:
    """A read-only opener may not cut a log (a writer may be appending); it says how the store recovers."""
    snapshot, ends = killed
    store_dir = _cut(snapshot, ends[1] + 5, tmp_path / "cut")

    def refuses() -> None:
        raise RuntimeError("Storage exception: Checksum verification failed, the WAL file is corrupted.")

    with pytest.raises(StoreLockedError) as refused:
        open_database(refuses, directory=store_dir, database=store_dir / DB_FILE, read_only=True, wait_s=0.2)
    assert "open the store once for writing (without --read-only)" in str(refused.value)
    assert (store_dir / LOG).stat().st_size == ends[1] + 5, "a reader leaves the log as it is"


def test_a_live_writers_log_is_never_cut(killed: tuple[Path, list[int]], tmp_path: Path) -> None:
    """A log that looks torn because its writer is appending right now is left alone (the write lock is taken)."""
    snapshot, ends = killed
    store_dir = _cut(snapshot, ends[1] + 5, tmp_path / "cut")
    database = store_dir / DB_FILE
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDWR)\n"
            "fcntl.lockf(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)",
            str(database),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert torn_log.find_torn(database), "the cut is seen"
        assert recover_torn_logs(store_dir, database) == []
        assert (store_dir / LOG).stat().st_size == ends[1] + 5, "not cut while another process holds the lock"
    finally:
        holder.kill()
        holder.wait()
    assert recover_torn_logs(store_dir, database), "cut once the lock is free"
    assert (store_dir / LOG).stat().st_size < ends[1] + 5


def _slowed_writes() -> list[str]:
    """strace delaying each ``pwrite`` 2 ms, where it is installed and may trace (not in every container)."""
    command = [
        "strace",
        "-f",
        "-qq",
        "-o",
        os.devnull,
        "-e",
        "trace=pwrite64",
        "-e",
        "inject=pwrite64:delay_enter=2000",
    ]
    if shutil.which("strace") is None:
        return []
    probe = subprocess.run([*command, sys.executable, "-c", "pass"], capture_output=True, timeout=60)
    return command if probe.returncode == 0 else []


def _kill_loader(proc: subprocess.Popen[str], *, traced: bool) -> None:
    """SIGKILL the loader; under strace, the traced loader itself, then wait for strace (it outlives the loader)."""
    if traced:
        for task in Path(f"/proc/{proc.pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                os.kill(int(child), signal.SIGKILL)
        try:
            proc.wait(timeout=60)
            return
        except subprocess.TimeoutExpired:
            pass
    proc.kill()
    proc.wait()


@pytest.mark.timeout(600)
def test_sigkill_while_the_log_grows_leaves_an_openable_store_of_whole_documents(
    documents: list[Document], tmp_path: Path
) -> None:
    """Real kills aimed at the engine appending a commit (the log's size polled, the loader killed as it grows).

    A commit's writes take well under a millisecond, so where strace can trace the loader each of
    its ``pwrite`` calls is delayed 2 ms (``inject=pwrite64:delay_enter``): the kill then lands
    between two writes of the commit most times.  Without strace it is up to the scheduler; the
    cuts above cover where a kill can land.  This shows the whole path: a real kill, a real
    reopen, the re-run.
    """
    import pickle

    readings = tmp_path / "readings.pickle"
    readings.write_bytes(pickle.dumps({f"doc-{i}": [d] for i, d in enumerate(documents)}))
    loader = Path(__file__).with_name("crash_loader.py")
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    rng = random.Random(int(os.environ.get("EVX_CRASH_SEED", "20240611")))
    torn = 0
    slowed = _slowed_writes()
    for round_no in range(KILL_ROUNDS):
        store_dir = tmp_path / f"round-{round_no}"
        log = store_dir / LOG
        target = rng.randrange(1, len(documents))
        proc = subprocess.Popen(
            [*slowed, sys.executable, str(loader), "--batch", str(BATCH), str(store_dir), str(readings)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == f"begin {target}":
                break
        size = log.stat().st_size if log.exists() else 0
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if (log.stat().st_size if log.exists() else 0) > size:
                break  # the engine is appending this document's commit: kill now, no sleep in this loop
        _kill_loader(proc, traced=bool(slowed))
        proc.stdout.close()
        torn += bool(torn_log.find_torn(store_dir / DB_FILE))
        with LadybugStore(store_dir) as store:  # must open, whatever the kill cut
            held = [d for d in documents if store.node(d.source.id) is not None]
            assert _signature(store) == _clean_signature(held), f"round {round_no}: not whole documents"
            assert _orphans(store) == []
        done = subprocess.run(
            [sys.executable, str(loader), str(store_dir), str(readings)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        with LadybugStore(store_dir, read_only=True) as store:
            assert _signature(store) == _clean_signature(documents), f"round {round_no}: the re-run did not complete"
        TALLY["SIGKILLs while the log grew (store opened, whole documents, re-run completed)"] += 1
    TALLY["  of which left the log ending after its last commit"] += torn


def test_under_an_engine_release_whose_framing_is_unchecked_no_log_is_cut(
    killed: tuple[Path, list[int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misread framing could make a whole log look cut; then the engine's refusal stands and the log is kept."""
    assert torn_log.framing_known(), "the installed engine is one whose framing these tests check"
    assert not torn_log.framing_known("0.23.0") and not torn_log.framing_known("1.22.0")
    snapshot, ends = killed
    store_dir = _cut(snapshot, ends[1] + 40, tmp_path / "cut")
    before = (store_dir / LOG).read_bytes()
    monkeypatch.setattr(torn_log, "framing_known", lambda version=None: False)
    assert torn_log.find_torn(store_dir / DB_FILE) == []
    assert recover_torn_logs(store_dir, store_dir / DB_FILE) == []
    assert (store_dir / LOG).read_bytes() == before


def test_the_store_keeps_what_its_opening_recovered_for_the_user(
    killed: tuple[Path, list[int]], tmp_path: Path
) -> None:
    snapshot, ends = killed
    store_dir = _cut(snapshot, ends[1] + 40, tmp_path / "cut")
    with LadybugStore(store_dir) as store:
        assert len(store.recovered) == 1
        assert "the last write to this store was interrupted" in store.recovered[0]
    with LadybugStore(store_dir) as store:
        assert store.recovered == ()  # recovered once: an ordinary store afterwards
