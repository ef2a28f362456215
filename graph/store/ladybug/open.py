"""Opening the embedded store's directory honestly: new, busy, locked, emptied or damaged.

LadybugDB treats a missing or 0-byte database file as a new, empty database, so a store whose
file was deleted or emptied (a failed copy, a full disk) would silently answer "0 documents"
and the next load would write a new store over the remains.  Those directories are refused.
A truncated file makes the engine say "please retry later" (it cannot tell truncation from a
checkpoint in progress); a read-write opener holds the only write lock, so no checkpoint can
be in progress, and the file is reported as damaged.  A read-only opener can meet a writer's
checkpoint ("checkpoint recovery is pending", a half-written index): it retries with backoff
for a bounded time, then says the store is busy, or damaged when no writer is at work.

A writer killed while appending to the engine's write-ahead log leaves the log ending in a partial
record, which the engine (kept strict: its lenient mode would drop every commit after damage
anywhere in the log) refuses, or crashes on.  A read-write opener holding the write lock cuts that
partial record off (:mod:`graph.store.ladybug.torn_log`) and says what was dropped; the committed
documents stay.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import StoreCorruptError, StoreError, StoreLockedError
from graph.model import NodeKind
from graph.store.ladybug import torn_log

__all__ = [
    "DB_FILE",
    "EMPTY_OR_MISSING",
    "READ_ONLY_WAIT_S",
    "STORE_MARK",
    "Opening",
    "check_directory",
    "mark_store",
    "open_database",
    "prepare",
    "recover_torn_logs",
]

#: The database file inside a store's directory.
DB_FILE = "evidence.lbdb"
#: What a user reads when the database file of an existing store is gone or empty.
EMPTY_OR_MISSING = "the database file is empty or missing; restore it from backup, or point --store at a new directory"
#: How long a read-only opener waits for a writer's checkpoint to finish.
READ_ONLY_WAIT_S = 10.0
#: Written beside the database file once a store has opened for writing; it outlives the file, so a
#: deleted database is told from a new store.  A curation log or an imported vocabulary alone is not
#: a store: both are made before the first load (``evx vocab import`` into a new directory).
STORE_MARK = ".store"
#: Files LadybugDB leaves only while a writer is at work, or when it died mid-commit or mid-checkpoint.
_RECOVERY_SUFFIXES = (".wal", ".shadow", ".wal.checkpoint")
_INGESTING = ".writing"  # our own marker: present from the first write until a clean close (after a checkpoint)
_WRITING = (*_RECOVERY_SUFFIXES, _INGESTING)  # a writer is at work, or died mid-write
_RETRY_LATER = "The database may be checkpointing; please retry later."
#: What the engine says about a file that is not (or no longer) a whole database, lower case.
_DAMAGE = ("cannot read checkpoint", "not a valid", "corrupt", "invalid", "checksum", "outside the database file")
_LOG_DAMAGE = (*_DAMAGE, "reading past the end")  # what it says of a log it cannot read through


_log = logging.getLogger(__name__)


@contextmanager
def _write_lock(database: Path) -> Iterator[bool]:
    """Whether this process could take the engine's write lock (a POSIX lock on the database file), held meanwhile.

    Released before the engine opens: POSIX locks belong to the process, so closing this descriptor
    while the engine held the file would drop the engine's lock too.  For the same reason it does
    not exclude this process's own engine: a store is opened for writing once per process (the
    explorer shares one, `evx` opens one).
    """
    try:
        import fcntl
    except ImportError:  # no POSIX locks here: another writer cannot be ruled out
        yield False
        return
    try:
        fd = os.open(database, os.O_RDWR)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False  # a live writer: its log's end is being written, not torn
            return
        yield True
    finally:
        os.close(fd)


def _mib(size: int) -> str:
    return (
        f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size / 2**10:.0f} KiB" if size >= 2**10 else f"{size} bytes"
    )


def recover_torn_logs(directory: Path | str, database: Path) -> list[str]:
    """Cut a log that a killed writer left ending in a partial record back to its last whole record.

    Only with the write lock (no live writer), and only the partial record at the end: the engine
    then replays what was committed and drops the unfinished transaction.  The user is told when a
    log held an unfinished transaction, cut or not; the warnings are returned, for callers to show.
    """
    if not torn_log.find_torn(database):
        return []
    told = []
    with _write_lock(database) as held:
        if not held:
            return []
        for torn in torn_log.find_torn(database):  # again, now that no writer can be appending
            torn_log.trim(torn)
            named = ""
            if torn.sources:
                shown = ", ".join(torn.sources[:5]) + (
                    f" and {len(torn.sources) - 5} more" if len(torn.sources) > 5 else ""
                )
                named = f", which named {len(torn.sources)} document(s): {shown}"
            left = "ending in a partial record" if torn.torn else "with a transaction that never committed"
            message = (
                f"{directory}: the last write to this store was interrupted (its process was killed or the machine "
                f"stopped) and left {torn.path.name} {left}. That unfinished transaction ({_mib(torn.dropped)} "
                f"after the last commit{named}) was discarded; every document committed before it is kept. "
                "Run the same load again to store the rest."
            )
            _log.warning(message)
            told.append(message)
    return told


def _store_files(directory: Path, database: Path) -> list[str]:
    try:
        names = [p.name for p in directory.iterdir()]
    except OSError:
        return []
    return sorted(n for n in names if n != database.name and n.startswith(database.name + "."))


def mark_store(database: Path) -> None:
    """Leave the mark that this directory holds a store (once; a store made before the mark gets it now)."""
    mark = Path(f"{database}{STORE_MARK}")
    if not mark.exists():
        mark.write_text("an Evidence Explorer store: the database file beside this one holds its evidence\n")


def check_directory(directory: Path, database: Path, *, read_only: bool) -> None:
    """Refuse a path that is not a store directory, or a store whose database file is gone or empty."""
    if directory.exists() and not directory.is_dir():
        raise StoreCorruptError(f"{directory} is a file; a store is a directory (try a new path)")
    try:
        size = database.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError as exc:
        raise StoreCorruptError(f"{directory}: cannot read the database file: {exc.strerror or exc}") from exc
    if size == 0 or (size is None and _store_files(directory, database)):
        raise StoreCorruptError(f"{directory}: {EMPTY_OR_MISSING}")
    if size is None and read_only:
        raise StoreCorruptError(
            f"{directory} holds no evidence store ({database.name} is missing); load documents first"
        )


def open_database(
    connect: Callable[[], Any],
    *,
    directory: Path | str,
    database: Path | None,
    read_only: bool,
    wait_s: float = READ_ONLY_WAIT_S,
) -> Any:
    """``connect()`` (which opens the database and checks it answers), translated and, read-only, retried.

    ``connect`` raises the engine's ``RuntimeError``; the result is whatever it returns.
    """
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return connect()
        except RuntimeError as exc:
            text = str(exc)
            first = text.splitlines()[0] if text else type(exc).__name__
            if "lock" in text.lower():
                raise StoreLockedError(
                    f"{directory} is open for writing in another process (an explorer or a load?). "
                    "Close it, or open the store read-only (`--read-only`)."
                ) from exc
            writer = database is not None and any(Path(f"{database}{s}").exists() for s in _WRITING)
            if read_only and writer and time.monotonic() < deadline:
                time.sleep(delay)  # a writer's checkpoint: it finishes in well under a second
                delay = min(delay * 2, 0.5)  # short: a writer between checkpoints leaves short windows
                continue
            if read_only and writer:
                torn = database is not None and bool(torn_log.find_torn(database))
                raise StoreLockedError(
                    f"{directory} is being written by another process (a load?) and could not be read "
                    f"within {wait_s:g} s; try again when it has finished"
                    + (
                        ". If no load is running, the last one was interrupted mid-write: open the store once "
                        "for writing (without --read-only) and it recovers"
                        if torn
                        else ""
                    )
                ) from exc
            low = first.lower()
            if database is not None and not read_only and "wal" in low and any(s in low for s in _LOG_DAMAGE):
                # a kill's torn end was cut before the engine read the log: this is damage within it
                raise StoreCorruptError(_damaged_log(directory, database, _reason(first))) from exc
            if database is None or not any(sign in first.lower() for sign in _DAMAGE):
                # not the file's fault: permissions, memory or address space (the engine maps its buffer pool) —
                # or garbage in the log read before its checksum is checked ("basic_string::_M_replace_aux")
                hint = ""
                if database is not None and not read_only and _log_unfinished(database):
                    hint = f"; if it follows an interrupted load, its write-ahead log may be damaged: {_log_advice(database)}"
                raise StoreError(f"{directory} cannot be opened as an evidence store: {first}{hint}") from exc
            raise StoreCorruptError(
                f"{directory}: the database file is damaged ({_reason(first)}); "
                "restore it from backup, or point --store at a new directory"
            ) from exc


def _log_unfinished(database: Path) -> bool:
    """A non-empty active log and the writer's marker: the last writer died with writes not checkpointed."""
    try:
        return (
            Path(f"{database}{torn_log.LOG_SUFFIXES[0]}").stat().st_size > 0
            and Path(f"{database}{_INGESTING}").exists()
        )
    except OSError:
        return False


def _reason(first: str) -> str:
    return first.replace(_RETRY_LATER, "").removeprefix("Runtime exception: ").strip().rstrip(".")


def _log_advice(database: Path) -> str:
    """What to do about a damaged write-ahead log: move the active log aside, unless a checkpoint was in progress."""
    log = Path(f"{database}{torn_log.LOG_SUFFIXES[0]}")
    if any(Path(f"{database}{s}").exists() for s in (".wal.checkpoint", ".shadow")) or not log.exists():
        # the frozen log and the shadow pages may hold committed pages: never suggest moving them
        return "a checkpoint was in progress, so restore the store from backup, or point --store at a new directory"
    return (
        f"restore the store from backup; or move {log.name} out of the directory (keep it): the store then opens "
        "with the documents of its last checkpoint, and running the same loads again stores the rest"
    )


def _damaged_log(directory: Path | str, database: Path, reason: str) -> str:
    """A write-ahead log damaged before its end (a kill only cuts its end, which is recovered before this)."""
    return (
        f"{directory}: its write-ahead log is damaged before its end ({reason}); an interrupted write does not do "
        f"this, and nothing was changed: {_log_advice(database)}"
    )


@dataclass(frozen=True)
class Opening:
    """Where a store's database is, whether its last writer died mid-write, and how to (re)open it."""

    target: str  #: the database file, or ``":memory:"``
    marker: Path | None  #: the writer's marker (``None`` read-only or in memory)
    unclean: bool  #: a writer died mid-commit or mid-checkpoint (SIGKILL, power loss): derived data is rebuilt
    reopen: Callable[[], tuple[Any, Any]]  #: a new (database, connection), checked to answer
    #: what recovery told the user on opening (a torn log cut back: :func:`recover_torn_logs`)
    recovered: list[str] = field(default_factory=list)


def prepare(path: str | Path, *, read_only: bool, pool_mb: int, checkpoint_bytes: int) -> Opening:
    """Check the directory (:func:`check_directory`) and say how to open its database (:func:`open_database`)."""
    import ladybug

    if path == ":memory:":
        target = ":memory:"
    else:
        directory = Path(path)
        check_directory(directory, directory / DB_FILE, read_only=read_only)
        directory.mkdir(parents=True, exist_ok=True)
        target = str(directory / DB_FILE)
    marker = None if target == ":memory:" or read_only else Path(target + _INGESTING)
    unclean = marker is not None and any(Path(target + suffix).exists() for suffix in _WRITING)

    def connect() -> tuple[Any, Any]:
        if marker is not None:  # read-write, on disk: a log torn by a killed writer is cut back first
            opening.recovered.extend(recover_torn_logs(path, Path(target)))
        db = ladybug.Database(
            target,
            read_only=read_only,
            buffer_pool_size=pool_mb * 2**20,
            # the engine's 16 MB made every commit of a batch of trial records a checkpoint
            checkpoint_threshold=checkpoint_bytes,
        )
        try:
            conn = ladybug.Connection(db)
            tables = {row[1] for row in conn.execute("CALL show_tables() RETURN *").get_all()}
            if NodeKind.SOURCE.value in tables:  # reads the data file: a torn checkpoint shows here
                conn.execute(f"MATCH (s:{NodeKind.SOURCE.value}) RETURN count(*)").get_all()
        except BaseException:
            db.close()
            raise
        return db, conn

    def reopen() -> tuple[Any, Any]:
        return open_database(
            connect, directory=path, database=None if target == ":memory:" else Path(target), read_only=read_only
        )

    opening = Opening(target, marker, unclean, reopen)
    return opening
