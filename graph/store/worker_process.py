"""What runs inside a console worker: one user query on a read-only database, then exit.

Started by :mod:`graph.store.query_worker` as ``python -I <this file>``; it imports only the
standard library and LadybugDB (no project package, so it starts in a fifth of a second).
Before the query runs the process confines itself:

- address space capped (``RLIMIT_AS``: the engine's buffer pool and address reservation
  plus the memory budget), so a runaway query fails with ``bad_alloc`` or dies, alone;
- ``RLIMIT_FSIZE`` 0: writing a single byte to any file kills it (``SIGXFSZ``);
- Landlock (Linux 5.13+), set before the engine starts its threads: it may read files
  only under the store directory, write none, open no TCP connection and signal no process outside
  itself; where the kernel lacks Landlock this layer is skipped and reported;
- it dies with its parent (``PR_SET_PDEATHSIG``) and runs at a lower CPU priority (nice 10),
  and once its database is open its session's scheduling group does too (:func:`_yield_cpu`).

A request with ``"backend": "bolt"`` runs the query on a Neo4j server instead (it imports
the neo4j driver, not LadybugDB): its own connection, a READ transaction carrying the server's
timeout, never committed; address space, CPU time and file size capped as above, no Landlock.

Protocol: one JSON request on stdin; on stdout a line ``{"ready": …}`` once the database is
open, then one line with the answer.  Values are JSON with tags for what JSON lacks:
every map is ``{"$d": {…}}`` and dates, times, durations, decimals, UUIDs and bytes are
``{"$t": type, "v": text}``, so a value never decides how it is read back; Bolt nodes,
relationships and paths are ``{"$n": …}``, ``{"$r": …}`` and ``{"$p": …}``.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import decimal
import importlib
import json
import os
import resource
import signal
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

_LANDLOCK_CREATE, _LANDLOCK_ADD, _LANDLOCK_RESTRICT = 444, 445, 446
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS = 1, 38
_READ_FILE, _READ_DIR = 1 << 2, 1 << 3
_RECOVERY_PENDING = "checkpoint recovery is pending"


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def landlock_read_only(directory: str) -> int:
    """Allow this process to read files under ``directory`` and nothing else; returns the ABI used (0: none)."""
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(_LANDLOCK_CREATE, None, 0, 1)  # LANDLOCK_CREATE_RULESET_VERSION
    if abi < 1:
        return 0
    fs = (1 << 13) - 1  # ABI 1: execute, write, read, read dir, remove, make char/dir/reg/sock/fifo/block/sym
    if abi >= 2:
        fs |= 1 << 13  # refer
    if abi >= 3:
        fs |= 1 << 14  # truncate
    if abi >= 5:
        fs |= 1 << 15  # ioctl on devices
    attr = _RulesetAttr(fs=fs, net=3 if abi >= 4 else 0, scoped=3 if abi >= 6 else 0)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = libc.syscall(_LANDLOCK_CREATE, ctypes.byref(attr), size, 0)
    if ruleset < 0:
        return 0
    parent = os.open(directory, os.O_PATH | os.O_CLOEXEC)
    rule = _PathBeneath(allowed=_READ_FILE | _READ_DIR, parent_fd=parent)
    if libc.syscall(_LANDLOCK_ADD, ruleset, 1, ctypes.byref(rule), 0) != 0:
        raise OSError(ctypes.get_errno(), "landlock_add_rule failed")
    os.close(parent)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
    if libc.syscall(_LANDLOCK_RESTRICT, ruleset, 0) != 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    os.close(ruleset)
    return int(abi)


def _status(field: str, fd: int | None = None) -> int:
    """A size from /proc/self/status in bytes (``VmSize``, ``VmHWM``…); ``fd``: one opened before Landlock."""
    if fd is None:
        with open("/proc/self/status", "rb") as status:
            text = status.read()
    else:
        text = os.pread(fd, 65536, 0)
    for line in text.decode("ascii", "replace").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reservation(db_file: str) -> int:
    """The engine's address reservation (``max_db_size``): a power of two, at least 1 GiB and 4 × the file."""
    size = 1 << 30
    need = 4 * os.path.getsize(db_file)
    while size < need:
        size <<= 1
    return size


def encode(value: Any) -> Any:
    """A LadybugDB value as tagged JSON data (see the module docstring)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return (
            value
            if value == value and value not in (float("inf"), float("-inf"))
            else {"$t": "float", "v": repr(value)}
        )
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"$d": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, dt.datetime):
        return {"$t": "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$t": "date", "v": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$t": "time", "v": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$t": "timedelta", "v": repr(value.total_seconds())}
    if isinstance(value, decimal.Decimal):
        return {"$t": "decimal", "v": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$t": "uuid", "v": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$t": "bytes", "v": bytes(value).hex()}
    return str(value)


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _collect(
    records: Iterator[Any], convert: Callable[[Any], Any], request: dict[str, Any]
) -> tuple[list[Any], str | None]:
    """Encoded rows up to one past the row cap, or until their JSON passes the answer budget."""
    rows: list[Any] = []
    used = 0
    for record in records:
        if len(rows) > request["row_limit"]:
            return rows, "rows"
        row = convert(record)
        used += len(json.dumps(row, ensure_ascii=False))
        if used > request["answer_bytes"]:
            return rows, "bytes"
        rows.append(row)
    return rows, None


def _open_group() -> int | None:
    """This process's scheduling group (``/proc/self/autogroup``), opened for writing before Landlock closes it."""
    try:
        return os.open("/proc/self/autogroup", os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        return None  # no autogroup (disabled, or not Linux): the nice value alone decides


def _yield_cpu(group: int | None) -> None:
    """Once the database is open: the session's scheduling group at nice 10 too, so the query leaves the CPU to the explorer.

    The worker runs in a session of its own (so that killing it takes every thread), and where the
    kernel schedules by session (autogroup, on in most distributions' kernels) a nice value counts
    only inside the session: with its own nice 10 alone the worker shared a core with the explorer
    as an equal; with its group's raised too it got a seventh of the explorer's share.  The start
    (imports, opening the database) keeps the group's normal share: lowered from the start, it
    took 3–7 s instead of 0.75 s on a busy machine.
    """
    if group is not None:
        try:
            os.write(group, b"10")
        except OSError:
            pass
        os.close(group)


def main() -> None:
    request = json.loads(sys.stdin.read())
    linux = sys.platform.startswith("linux")
    if linux:
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != request["parent"]:
        os._exit(3)  # the parent died before the death signal was armed
    os.nice(10)  # per thread: before the engine's threads start, which inherit it
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    if request.get("backend") == "bolt":
        _bolt(request, linux)
    _ladybug(request, linux)


def _ladybug(request: dict[str, Any], linux: bool) -> None:
    db_file, directory = request["db_file"], os.path.dirname(request["db_file"])
    reservation = _reservation(db_file)
    pool = request["buffer_pool_bytes"]
    limit = 0
    if linux:  # elsewhere the address-space limit is not enforced the same way (macOS ignores it)
        limit = _status("VmSize") + reservation + pool + request["memory_bytes"]
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # a backstop should the parent's clock fail: every engine thread may burn CPU for the whole wall time
    cpu = int((request["open_timeout_s"] + request["timeout_s"]) * max(1, request["threads"])) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    import ladybug

    try:  # what Database() would import lazily, after the door is closed
        importlib.import_module("ladybug._lbug")
    except ImportError:
        importlib.import_module("ladybug._lbug_capi")
    # Landlock binds the calling thread and the threads it starts later, so it goes on before
    # the engine starts its worker threads (in Database()); the store is still readable.
    status = os.open("/proc/self/status", os.O_RDONLY | os.O_CLOEXEC) if linux else None
    group = _open_group() if linux else None
    abi = landlock_read_only(directory) if request["confine"] and linux else 0
    deadline = time.monotonic() + request["open_timeout_s"]
    while True:
        try:
            db = ladybug.Database(
                db_file,
                read_only=True,
                buffer_pool_size=pool,
                max_db_size=reservation,
                max_num_threads=request["threads"],
            )
            conn = ladybug.Connection(db)
            conn.execute("RETURN 1").get_all()
            break
        except RuntimeError as exc:
            if _RECOVERY_PENDING not in str(exc) or time.monotonic() > deadline:
                _say({"error": str(exc), "phase": "open"})
                os._exit(0)
            time.sleep(0.2)  # a writer is checkpointing; its recovery files go away when it finishes
    _say({"ready": True, "landlock": abi, "address_space": limit})
    _yield_cpu(group)
    try:
        result = conn.execute(request["cypher"], request["params"])
        if isinstance(result, list):
            raise RuntimeError("several statements in one query")
        columns = result.get_column_names()
        rows, cut = _collect(iter(lambda: result.get_next() if result.has_next() else None, None), encode, request)
    except RuntimeError as exc:
        _say({"error": str(exc), "phase": "query"})
        os._exit(0)
    except MemoryError:
        _say({"error": "std::bad_alloc", "phase": "query"})
        os._exit(0)
    peak = _status("VmHWM", status) if status is not None else 0
    _say({"columns": columns, "rows": rows, "cut": cut, "peak_rss": peak})
    os._exit(0)  # skip the engine's teardown: nothing was written


def _bolt(request: dict[str, Any], linux: bool) -> None:
    """Over Bolt: a driver of its own, a READ transaction with the server's timeout, never committed.

    Whatever the server would let a READ transaction do, the transaction ends with the
    connection when this process exits, uncommitted.  The Bolt worker runs no engine of its
    own, so it is confined by its limits only (no Landlock: the driver may need the TLS files).
    """
    limit = 0
    if linux:
        limit = _status("VmSize") + request["memory_bytes"]
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = int(request["open_timeout_s"] + request["timeout_s"]) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    for optional in ("numpy", "pandas", "pyarrow"):  # the driver imports them when it can: seconds, unused here
        sys.modules[optional] = None  # type: ignore[assignment]
    import neo4j
    from neo4j import exceptions as errors
    from neo4j import graph

    def report(exc: BaseException, phase: str) -> None:
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        _say({"error": message, "code": getattr(exc, "code", None), "kind": type(exc).__name__, "phase": phase})
        os._exit(0)

    def value(v: Any) -> Any:
        if isinstance(v, graph.Node):
            return {"$n": {"id": v.element_id, "labels": sorted(v.labels), "p": {k: value(x) for k, x in v.items()}}}
        if isinstance(v, graph.Relationship):
            ends = [None if n is None else n.element_id for n in (v.start_node, v.end_node)]
            return {"$r": {"id": v.element_id, "type": v.type, "ends": ends, "p": {k: value(x) for k, x in v.items()}}}
        if isinstance(v, graph.Path):
            return {"$p": {"nodes": [value(n) for n in v.nodes], "rels": [value(r) for r in v.relationships]}}
        if isinstance(v, list | tuple):
            return [value(x) for x in v]
        if isinstance(v, dict):
            return {"$d": {str(k): value(x) for k, x in v.items()}}
        if hasattr(v, "to_native"):  # neo4j.time values
            try:
                return encode(v.to_native())
            except (ValueError, OverflowError, TypeError):
                return str(v)
        return encode(v)

    status = os.open("/proc/self/status", os.O_RDONLY | os.O_CLOEXEC) if linux else None
    try:
        driver = neo4j.GraphDatabase.driver(
            request["uri"],
            auth=(request["user"], request["password"] or ""),
            connection_timeout=request["open_timeout_s"],
            max_transaction_retry_time=0,
            notifications_min_severity="OFF",
        )
        session = driver.session(database=request["database"], default_access_mode=neo4j.READ_ACCESS)
        tx = session.begin_transaction(timeout=request["timeout_s"])
    except (errors.Neo4jError, errors.DriverError, ValueError, OSError) as exc:
        report(exc, "open")
    _say({"ready": True, "landlock": 0, "address_space": limit})
    _yield_cpu(_open_group() if linux else None)
    try:
        result = tx.run(request["cypher"], request["params"])
        columns = list(result.keys())
        rows, cut = _collect(iter(result), lambda record: [value(v) for v in record.values()], request)
    except (errors.Neo4jError, errors.DriverError) as exc:
        report(exc, "query")
    except MemoryError:
        report(MemoryError("MemoryError"), "query")
    peak = _status("VmHWM", status) if status is not None else 0
    _say({"columns": columns, "rows": rows, "cut": cut, "peak_rss": peak})
    os._exit(0)  # uncommitted: the server rolls the transaction back as the connection closes


if __name__ == "__main__":
    main()
