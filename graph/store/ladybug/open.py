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
from pathlib import Path
from typing import Any

from graph.errors import StoreCorruptError, StoreError, StoreLockedError

__all__ = ["EMPTY_OR_MISSING", "READ_ONLY_WAIT_S", "STORE_MARK", "check_directory", "mark_store", "open_database"]

#: What a user reads when the database file of an existing store is gone or empty.
EMPTY_OR_MISSING = "the database file is empty or missing; restore it from backup, or point --store at a new directory"
#: How long a read-only opener waits for a writer's checkpoint to finish.
READ_ONLY_WAIT_S = 10.0
#: Written beside the database file once a store has opened for writing; it outlives the file, so a
#: deleted database is told from a new store.  A curation log or an imported vocabulary alone is not
#: a store: both are made before the first load (``evx vocab import`` into a new directory).
STORE_MARK = ".store"
_WRITING = (".wal", ".shadow", ".wal.checkpoint", ".writing")  # a writer is at work, or died mid-write
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
