"""Run a visitor's Cypher in a worker process that cannot write, and cannot hold anyone else up.

The explorer and ``evx query`` (without ``--write``) send user text here.  Each query gets
its own process (:mod:`graph.store.worker_process`) that opens the store's database file
with LadybugDB ``read_only=True`` — a second, read-only handle beside the app's own, which
LadybugDB allows across processes — and confines itself (address space, no file writes,
Landlock).  The caller's process holds no store lock while it waits, so other sessions'
searches and walks go on.

Limits, all enforced from outside the engine:

- wall clock: the worker is SIGKILLed ``timeout_s`` after its database is open (killing
  the worker *is* the timeout; the engine's own interrupt is not relied on, it checks the
  clock only between batches);
- memory: ``memory_bytes`` of address space beyond the engine's buffer pool and reservation;
- answer: at most ``row_limit`` rows and ``answer_bytes`` of encoded rows (then ``truncated``);
- concurrency: at most :data:`MAX_WORKERS` workers per process; later queries wait their
  turn within their own time limit.

``on_wait(elapsed_s)`` is called about ten times a second while the query runs; whatever it
raises (Streamlit's stop request when a browser session goes away, for one) kills the worker
first and then propagates.

A Neo4j store's console queries go the same way (:func:`run_on_bolt`): the worker opens its
own Bolt connection, runs the query in a READ transaction with the server's transaction timeout
and never commits it; killing the worker drops the connection, whether or not the server
honours the timeout.  Without explicit limits a query gets those of the settings
(:class:`graph.settings.Settings`, ``EVX_CONSOLE_MEMORY_MB`` and ``EVX_CONSOLE_ANSWER_MB``).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import QueryError, QueryTimeoutError, StoreCorruptError, StoreError, WriteRefusedError
from graph.settings import Settings

__all__ = ["MAX_WORKERS", "RawAnswer", "WorkerLimits", "decode", "run_on_bolt", "run_read_only"]

#: Workers one process runs at once (the machine's cores, at least two).
MAX_WORKERS = max(2, os.cpu_count() or 2)
_WORKER = Path(__file__).with_name("worker_process.py")
_POLL_S = 0.1
_STDERR_KEEP = 16_384
_MB = 1024**2
_DEFAULTS = Settings.model_fields


@dataclass(frozen=True, slots=True)
class WorkerLimits:
    """What one console query may use (defaults: the settings' ``console_memory_mb`` and ``console_answer_mb``)."""

    memory_bytes: int = _DEFAULTS["console_memory_mb"].default * _MB
    buffer_pool_bytes: int = 256 * _MB
    answer_bytes: int = _DEFAULTS["console_answer_mb"].default * _MB
    threads: int = 2
    open_timeout_s: float = 20.0
    confine: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerLimits:
        """The limits ``settings`` give a console query."""
        return cls(memory_bytes=settings.console_memory_mb * _MB, answer_bytes=settings.console_answer_mb * _MB)


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """The worker's answer: engine values (decoded), whether it was cut, and what the worker used
    (``landlock_abi`` 0: the kernel could not confine it; ``peak_rss_bytes``: its high-water mark)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    landlock_abi: int
    peak_rss_bytes: int
    seconds: float


_slots = threading.BoundedSemaphore(MAX_WORKERS)


def decode(value: Any) -> Any:
    """Tagged JSON from a worker back to Python values (see :mod:`graph.store.worker_process`)."""
    import datetime as dt
    import decimal
    import uuid

    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$d" in value:
        return {k: decode(v) for k, v in value["$d"].items()}
    tag, text = value.get("$t"), value.get("v", "")
    if tag == "datetime":
        return dt.datetime.fromisoformat(text)
    if tag == "date":
        return dt.date.fromisoformat(text)
    if tag == "time":
        return dt.time.fromisoformat(text)
    if tag == "timedelta":
        return dt.timedelta(seconds=float(text))
    if tag == "decimal":
        return decimal.Decimal(text)
    if tag == "uuid":
        return uuid.UUID(text)
    if tag == "bytes":
        return bytes.fromhex(text)
    if tag == "float":
        return float(text)
    return value


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _acquire(deadline: float, on_wait: Callable[[float], None] | None, started: float) -> None:
    while not _slots.acquire(timeout=_POLL_S):
        if on_wait is not None:
            on_wait(time.monotonic() - started)
        if time.monotonic() > deadline:
            raise QueryTimeoutError(
                f"every console worker ({MAX_WORKERS}) was busy for the whole time limit; the query did not start",
                hint="try again in a moment",
            )


def run_read_only(
    db_file: Path,
    cypher: str,
    params: Mapping[str, Any] | None = None,
    *,
    row_limit: int,
    timeout_s: float,
    limits: WorkerLimits | None = None,
    on_wait: Callable[[float], None] | None = None,
) -> RawAnswer:
    """Run ``cypher`` in a fresh worker on a read-only handle of ``db_file``; see the module docstring."""
    limits = limits or WorkerLimits.from_settings(Settings.from_env())
    if not db_file.exists():
        raise StoreCorruptError(f"{db_file.parent} holds no evidence store ({db_file.name} is missing)")
    fields = {"db_file": str(db_file.resolve()), "buffer_pool_bytes": limits.buffer_pool_bytes}
    request = _request(fields, cypher, params, row_limit, timeout_s, limits)
    return _in_a_slot(request, cypher, timeout_s, limits, on_wait, _ladybug_failure(cypher))


def run_on_bolt(
    connection: Mapping[str, Any],
    cypher: str,
    params: Mapping[str, Any] | None = None,
    *,
    row_limit: int,
    timeout_s: float,
    failure: Callable[[Mapping[str, Any]], StoreError],
    limits: WorkerLimits | None = None,
    on_wait: Callable[[float], None] | None = None,
) -> RawAnswer:
    """Run ``cypher`` in a fresh worker over its own Bolt connection, in a READ transaction never committed.

    ``connection``: ``uri``, ``user``, ``password``, ``database`` (sent on the worker's stdin,
    never on its command line).  ``failure`` turns the worker's error report (``error``, the
    server's ``code`` or the driver's error ``kind``, ``phase`` ``open`` or ``query``) into the
    store's error.  Rows come back tagged: nodes ``$n``, relationships ``$r``, paths ``$p``.
    """
    limits = limits or WorkerLimits.from_settings(Settings.from_env())
    fields = {"backend": "bolt", **{k: connection.get(k) for k in ("uri", "user", "password", "database")}}
    request = _request(fields, cypher, params, row_limit, timeout_s, limits)
    return _in_a_slot(request, cypher, timeout_s, limits, on_wait, failure)


def _request(
    fields: Mapping[str, Any],
    cypher: str,
    params: Mapping[str, Any] | None,
    row_limit: int,
    timeout_s: float,
    limits: WorkerLimits,
) -> str:
    try:
        return json.dumps(
            {
                **fields,
                "parent": os.getpid(),
                "cypher": cypher,
                "params": dict(params or {}),
                "row_limit": row_limit,
                "timeout_s": timeout_s,
                "memory_bytes": limits.memory_bytes,
                "answer_bytes": limits.answer_bytes,
                "threads": limits.threads,
                "open_timeout_s": limits.open_timeout_s,
                "confine": limits.confine,
            }
        )
    except (TypeError, ValueError) as exc:
        raise QueryError(f"query parameters must be JSON values: {exc}", query=cypher) from exc


def _in_a_slot(
    request: str,
    cypher: str,
    timeout_s: float,
    limits: WorkerLimits,
    on_wait: Callable[[float], None] | None,
    failure: Callable[[Mapping[str, Any]], StoreError],
) -> RawAnswer:
    started = time.monotonic()
    _acquire(started + timeout_s, on_wait, started)
    try:
        return _run(request, cypher, timeout_s, limits, on_wait, started, failure)
    finally:
        _slots.release()


def _ladybug_failure(cypher: str) -> Callable[[Mapping[str, Any]], StoreError]:
    def failure(message: Mapping[str, Any]) -> StoreError:
        from graph.store.ladybug.errors import translate_error

        if message.get("phase") == "open":
            return StoreCorruptError(f"the store cannot be opened for reading: {message['error'].splitlines()[0]}")
        return translate_error(RuntimeError(message["error"]), cypher)

    return failure


def _run(
    request: str,
    cypher: str,
    timeout_s: float,
    limits: WorkerLimits,
    on_wait: Callable[[float], None] | None,
    started: float,
    failure: Callable[[Mapping[str, Any]], StoreError],
) -> RawAnswer:
    proc = subprocess.Popen(
        [sys.executable, "-I", str(_WORKER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes every thread and child with it
        cwd="/",
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    out, err = bytearray(), bytearray()
    ready_at: float | None = None
    ready: dict[str, Any] = {}
    killed_for: str | None = None
    try:
        try:
            proc.stdin.write(request.encode("utf-8"))
            proc.stdin.close()
        except BrokenPipeError:
            pass  # it died at start; what it said (stderr, exit status) is reported below
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ, out)
        selector.register(proc.stderr, selectors.EVENT_READ, err)
        open_deadline = time.monotonic() + limits.open_timeout_s
        cap = limits.answer_bytes + 1024**2  # encoded rows plus the envelope
        while selector.get_map():
            for key, _ in selector.select(timeout=_POLL_S):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                sink: bytearray = key.data
                if sink is err:
                    sink.extend(chunk[: max(0, _STDERR_KEEP - len(sink))])
                    continue
                sink.extend(chunk)
                if ready_at is None and b"\n" in sink:
                    line, _, rest = bytes(sink).partition(b"\n")
                    try:
                        ready = json.loads(line)
                    except ValueError:
                        ready = {"error": line.decode("utf-8", "replace"), "phase": "open"}
                    sink[:] = rest
                    if "ready" not in ready:  # the database could not be opened
                        sink[:] = line
                        break
                    ready_at = time.monotonic()
                if len(sink) > cap:
                    killed_for = "answer"
                    break
            if killed_for:
                break
            now = time.monotonic()
            if ready_at is None and now > open_deadline:
                killed_for = "open"
                break
            if ready_at is not None and now - ready_at > timeout_s:
                killed_for = "timeout"
                break
            if on_wait is not None:
                on_wait(now - started)
    finally:
        _kill(proc)  # harmless when it has exited already (its answer is complete); else this is the stop
        code = proc.wait()
        for stream in (proc.stdout, proc.stderr):
            stream.close()
    elapsed = time.monotonic() - (ready_at or started)
    if killed_for == "timeout":
        raise QueryTimeoutError(
            f"the query ran past its time limit of {timeout_s:g} s; its worker was stopped after {elapsed:.2f} s",
            query=cypher,
            hint="add a LIMIT, narrow the MATCH, or raise the timeout",
        )
    if killed_for == "open":
        raise QueryError(f"the store could not be opened for reading within {limits.open_timeout_s:g} s", query=cypher)
    if killed_for == "answer":
        raise QueryError(
            f"the answer grew past {limits.answer_bytes // 1024**2} MB and the query was stopped",
            query=cypher,
            hint="return fewer or smaller columns, or add a LIMIT",
        )
    return _answer(out, ready, code, elapsed, cypher, limits, bytes(err), failure)


def _answer(
    out: bytearray,
    ready: dict[str, Any],
    code: int,
    elapsed: float,
    cypher: str,
    limits: WorkerLimits,
    stderr: bytes,
    failure: Callable[[Mapping[str, Any]], StoreError],
) -> RawAnswer:
    message: dict[str, Any] | None = None
    text = bytes(out).strip()
    if text:
        try:
            message = json.loads(text.splitlines()[-1])
        except ValueError:
            message = None
    if message is None or ("error" not in message and "columns" not in message):
        if code == -signal.SIGXCPU:
            raise QueryTimeoutError("the query used more CPU time than its time limit allows", query=cypher)
        if code == -signal.SIGXFSZ:
            raise WriteRefusedError("refused: the query tried to write a file; its worker was stopped", query=cypher)
        if code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS) or _out_of_memory(stderr):
            raise QueryError(
                f"the query needed more memory than a console query may use ({limits.memory_bytes // 1024**2} MB) "
                "and its worker was stopped",
                query=cypher,
                hint="add a LIMIT, narrow the MATCH, or avoid building very large lists",
            )
        detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {code}"]
        raise QueryError(f"the query worker stopped unexpectedly: {detail[0]}", query=cypher)
    if "error" in message:
        if message.get("phase") != "open" and _out_of_memory(message["error"].encode()):
            raise QueryError(
                f"the query needed more memory than a console query may use ({limits.memory_bytes // 1024**2} MB)",
                query=cypher,
                hint="add a LIMIT, narrow the MATCH, or avoid building very large lists",
            )
        raise failure(message)
    return RawAnswer(
        columns=list(message["columns"]),
        rows=[decode(row) for row in message["rows"]],
        truncated=message.get("cut") is not None,
        landlock_abi=int(ready.get("landlock", 0)),
        peak_rss_bytes=int(message.get("peak_rss", 0)),
        seconds=elapsed,
    )


def _out_of_memory(text: bytes) -> bool:
    return any(s in text for s in (b"bad_alloc", b"MemoryError", b"Mmap for size", b"Cannot allocate memory"))
