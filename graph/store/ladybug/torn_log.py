"""A write-ahead log cut short by a kill: found by its framing and cut back to its last whole record.

A SIGKILL (or an out-of-memory kill) while LadybugDB appends a commit to its log leaves the log
ending inside a record.  The engine, strict about its log (``throw_on_wal_replay_failure=True``),
then refuses to open the store ("Checksum verification failed, the WAL file is corrupted" or
"Reading past the end of the file"), and for some cut points it crashes the opening process
(SIGSEGV while unwinding from the torn read; measured on 0.22: 2.2 KB of one 39 KB transaction).  The
engine's lenient mode is no answer: it stops at the first bad record *anywhere* in the log, so
damage in the middle would silently drop every commit after it.

So the store keeps the engine strict and removes only what a kill can leave: a partial record at
the very end.  Everything before it is whole records, written in order; the engine replays the
committed ones and drops a trailing uncommitted transaction as it always does.  A partial record
is never part of a commit the writer was told about (a commit returns after its whole record is
written and synced), so no committed document is lost; the user is told what was dropped.  A log
that only *looks* cut — a damaged length field in the middle makes the walk stop early — still has
commit records after the break; it is left alone, for the engine to refuse as damaged.

The framing (LadybugDB 0.22, checksums on): a header of ``_HEADER`` bytes (database id, checksum
flag, checksum), then records of ``[u64 length][length bytes: type, body][u64 checksum]``.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["LOG_SUFFIXES", "TornLog", "find_torn", "framing_known", "trim"]

#: The engine's logs beside the database file: the active log, and the log frozen by a checkpoint in progress.
LOG_SUFFIXES = (".wal", ".wal.checkpoint")
_HEADER = 25  # 16-byte database id, 1-byte checksum flag, 8-byte checksum
_LENGTH = struct.Struct("<Q")
_CHECKSUM = 8
_COMMIT = 2  # record types: a transaction's end, and a checkpoint's (which makes the frozen log's pages durable)
_CHECKPOINT = 254
#: A commit record, whole: [length 9][type][empty owner-catalog name][checksum of those 17 bytes] — the same bytes
#: in every commit.  Found after the break, it shows a log damaged in the middle, not cut at its end.
_COMMIT_RECORD = bytes.fromhex("0900000000000000 02 0000000000000000 517d1de0b202d058")
_CHUNK = 16 * 2**20
#: Engine releases (major, minor) whose log framing was checked against real logs (tests/reliability/test_torn_log.py).
_FRAMED_RELEASES = (["0", "22"],)
_SOURCE_ID = re.compile(rb"source:[0-9a-f]{20}")
_NAMES_READ = 64 * 2**20  # how much of the dropped part is searched for the documents it named


@dataclass(frozen=True)
class TornLog:
    """A log a killed writer left: ending in a partial record, or in whole records after its last commit.

    Either way what follows the last commit is a transaction that never committed; the engine drops
    whole records of it itself, a partial one must be cut off first (:func:`trim`).
    """

    path: Path
    size: int  #: bytes in the file
    whole: int  #: where its last whole record ends: the file is cut back to this
    committed: int  #: where its last commit (or checkpoint) record ends
    sources: tuple[str, ...]  #: the documents named in the uncommitted part (source ids), for the user

    @property
    def torn(self) -> bool:
        """Whether it ends inside a record (which the engine refuses, or crashes on)."""
        return self.whole < self.size

    @property
    def dropped(self) -> int:
        """Bytes not replayed: the torn record and any whole records of the unfinished transaction."""
        return self.size - self.committed


def _scan(path: Path) -> TornLog | None:
    """Walk the log's records; ``None`` when it ends with a whole commit (or is empty, damaged, not there)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return None
        if size < _HEADER:
            return TornLog(path, size, 0, 0, ())
        position = committed = _HEADER
        while position < size:
            handle.seek(position)
            head = handle.read(_LENGTH.size + 1)
            if len(head) < _LENGTH.size:
                break
            (length,) = _LENGTH.unpack_from(head)
            end = position + _LENGTH.size + length + _CHECKSUM
            if end > size:
                break
            if length and head[_LENGTH.size] in (_COMMIT, _CHECKPOINT):
                committed = end
            position = end
        if committed == size or (position < size and _commits_after(handle, position, size)):
            return None
        handle.seek(committed)
        names = dict.fromkeys(m.decode() for m in _SOURCE_ID.findall(handle.read(min(size - committed, _NAMES_READ))))
    return TornLog(path, size, position, committed, tuple(names))


def _commits_after(handle: BinaryIO, position: int, size: int) -> bool:
    """Whether a whole commit record lies after ``position``: then the log was damaged there, not cut."""
    overlap = len(_COMMIT_RECORD) - 1
    while position < size:
        handle.seek(position)
        chunk = handle.read(min(_CHUNK, size - position))
        if _COMMIT_RECORD in chunk:
            return True
        if len(chunk) <= overlap:
            return False
        position += len(chunk) - overlap
    return False


def framing_known(version: str | None = None) -> bool:
    """Whether the installed engine writes the log framing this module reads (checked on 0.22).

    Another release may frame its log differently; misread, a whole log could look cut and lose
    commits to :func:`trim`.  Under an engine not checked here nothing is cut: the engine's own
    refusal stands, with its advice (``open.py``).
    """
    if version is None:
        try:
            version = importlib.metadata.version("ladybug")
        except importlib.metadata.PackageNotFoundError:
            return False
    return version.split(".")[:2] in _FRAMED_RELEASES


def find_torn(database: Path) -> list[TornLog]:
    """The logs of ``database`` that end after their last commit (read only; a live writer's log can look so).

    None under an engine release whose framing is not known (:func:`framing_known`).
    """
    if not framing_known():
        return []
    return [torn for suffix in LOG_SUFFIXES if (torn := _scan(Path(f"{database}{suffix}"))) is not None]


def trim(torn: TornLog) -> None:
    """Cut the log back to its last whole record, durably.  Only while holding the database's write lock."""
    if not torn.torn:
        return
    with torn.path.open("r+b") as handle:
        handle.truncate(torn.whole)
        handle.flush()
        os.fsync(handle.fileno())
