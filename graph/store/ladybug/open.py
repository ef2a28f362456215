"""Opening the embedded store's directory honestly: new, busy, locked, emptied or damaged.

LadybugDB treats a missing or 0-byte database file as a new, empty database, so a store whose
file was deleted or emptied (a failed copy, a full disk) would silently answer "0 documents"
and the next load would write a new store over the remains.  Those directories are refused.
A truncated file makes the engine say "please retry later" (it cannot tell truncation from a
checkpoint in progress); a read-write opener holds the only write lock, so no checkpoint can
be in progress, and the file is reported as damaged.  A read-only opener can meet a writer's
checkpoint ("checkpoint recovery is pending", a half-written index): it retries with backoff
for a bounded time, then says the store is busy, or damaged when no writer is at work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import StoreCorruptError, StoreError, StoreLockedError
from graph.model import NodeKind

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
                raise StoreLockedError(
                    f"{directory} is being written by another process (a load?) and could not be read "
                    f"within {wait_s:g} s; try again when it has finished"
                ) from exc
            if database is None or not any(sign in first.lower() for sign in _DAMAGE):
                # not the file's fault: permissions, memory or address space (the engine maps its buffer pool)
                raise StoreError(f"{directory} cannot be opened as an evidence store: {first}") from exc
            reason = first.replace(_RETRY_LATER, "").removeprefix("Runtime exception: ").strip().rstrip(".")
            raise StoreCorruptError(
                f"{directory}: the database file is damaged ({reason}); "
                "restore it from backup, or point --store at a new directory"
            ) from exc


@dataclass(frozen=True)
class Opening:
    """Where a store's database is, whether its last writer died mid-write, and how to (re)open it."""

    target: str  #: the database file, or ``":memory:"``
    marker: Path | None  #: the writer's marker (``None`` read-only or in memory)
    unclean: bool  #: a writer died mid-commit or mid-checkpoint (SIGKILL, power loss): derived data is rebuilt
    reopen: Callable[[], tuple[Any, Any]]  #: a new (database, connection), checked to answer


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

    return Opening(target, marker, unclean, reopen)
