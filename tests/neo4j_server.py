"""A real Bolt server for the tests: ``EVX_NEO4J_URI`` if set, else ArcadeDB in a subprocess.

No Neo4j can run on the build machines, so the Neo4j store is tested against ArcadeDB's
Bolt plugin (``arcadedb-embedded`` bundles a JRE).  It runs in a subprocess because its
JVM may crash at interpreter exit, and so that a test can kill it mid-load.  Run as a
script, this module *is* that subprocess.

In CI (``CI=true``) a server that cannot start fails the tests, with its log; locally they
skip with the reason.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DATABASE = "evidence"
PASSWORD = "evx-test-password"
START_DEADLINE_S = 90.0


@dataclass
class BoltServer:
    """Where a Bolt server listens and how to log in; ``process`` is set when we started it."""

    uri: str
    user: str
    password: str | None
    database: str | None
    process: subprocess.Popen | None = None
    root: Path | None = None
    log: Path | None = None
    ports: tuple[int, int, int] = (0, 0, 0)
    flavour: str = "arcadedb"
    _log_file: object = field(default=None, repr=False)

    def clear(self) -> None:
        """Delete every node and relationship, so each test starts from an empty database."""
        import neo4j

        with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password or "")) as driver:
            driver.execute_query("MATCH (n) DETACH DELETE n", database_=self.database)

    def kill(self) -> None:
        """Stop the server at once, like a crash or a pulled cable (no clean shutdown)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log_file is not None:
            self._log_file.close()  # type: ignore[attr-defined]
            self._log_file = None

    def log_tail(self, lines: int = 40) -> str:
        if self.log is None or not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_arcadedb(root: Path, *, ports: tuple[int, int, int] | None = None) -> BoltServer:
    """Start ArcadeDB with the Bolt plugin on free ports (or ``ports``) and wait until it answers."""
    bolt, http, https = ports or (free_port(), free_port(), free_port())
    root.mkdir(parents=True, exist_ok=True)
    log = root / "server.log"
    log_file = log.open("a")
    process = subprocess.Popen(
        [sys.executable, __file__, str(root), str(bolt), str(http), str(https), PASSWORD, DATABASE],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    server = BoltServer(
        f"bolt://127.0.0.1:{bolt}",
        "root",
        PASSWORD,
        DATABASE,
        process=process,
        root=root,
        log=log,
        ports=(bolt, http, https),
        _log_file=log_file,
    )
    try:
        wait_until_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


def wait_until_ready(server: BoltServer, deadline_s: float = START_DEADLINE_S) -> None:
    """Poll until Bolt accepts a login and the database answers (the JVM start is slow on 2 cores)."""
    import neo4j

    deadline = time.monotonic() + deadline_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"the Bolt server exited with {server.process.returncode}:\n{server.log_tail()}")
        if server.log is not None and "READY" not in server.log.read_text(errors="replace"):
            time.sleep(0.5)
            continue
        try:
            with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password or "")) as driver:
                driver.execute_query("RETURN 1", database_=server.database)
            return
        except Exception as exc:  # not up yet
            last = exc
            time.sleep(0.5)
    raise RuntimeError(f"the Bolt server did not answer within {deadline_s:.0f}s ({last}):\n{server.log_tail()}")


def external_server() -> BoltServer | None:
    """The server ``EVX_NEO4J_URI`` names (a real Neo4j), or ``None``."""
    uri = os.environ.get("EVX_NEO4J_URI")
    if not uri:
        return None
    return BoltServer(
        uri,
        os.environ.get("EVX_NEO4J_USER", "neo4j"),
        os.environ.get("EVX_NEO4J_PASSWORD"),
        os.environ.get("EVX_NEO4J_DATABASE") or None,
        flavour="neo4j",
    )


def unavailable(reason: str) -> None:
    """Fail in CI, where a server must start; skip elsewhere."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"no Bolt server for the Neo4j tests (CI=true, so this is a failure): {reason}")
    pytest.skip(f"no Bolt server for the Neo4j tests: {reason}")


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    """One Bolt server for the whole test session."""
    external = external_server()
    if external is not None:
        yield external
        return
    try:
        import arcadedb_embedded  # noqa: F401
    except ImportError as exc:
        unavailable(f"arcadedb-embedded is not installed ({exc}); pip install -e '.[dev]'")
    try:
        server = start_arcadedb(tmp_path_factory.mktemp("arcadedb"))
    except RuntimeError as exc:
        unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def bolt(bolt_server: BoltServer) -> BoltServer:
    """The session's server, emptied for this test."""
    bolt_server.clear()
    return bolt_server


def _serve(root: str, bolt: str, http: str, https: str, password: str, database: str) -> None:
    """The subprocess: start ArcadeDB with Bolt, create the database, then wait to be stopped."""
    import signal

    from arcadedb_embedded import ArcadeDBServer

    server = ArcadeDBServer(
        root_path=root,
        root_password=password,
        config={
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": int(bolt),
            "http_port": int(http),
            "server.httpsIncomingPort": int(https),
        },
    )
    server.start()
    server.create_database(database)
    print("READY", flush=True)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        time.sleep(0.2)
    with contextlib.suppress(Exception):
        server.stop()
    os._exit(0)  # skip interpreter teardown: the JVM can crash there


if __name__ == "__main__":
    _serve(*sys.argv[1:7])
