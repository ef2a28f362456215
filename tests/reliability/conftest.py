"""Print what the reliability suites did (cases fuzzed, kills survived, writes refused…) at the end."""

from __future__ import annotations

from typing import Any

from tests.neo4j_server import bolt, bolt_server  # noqa: F401 - fixtures for the Neo4j leg of the read-only table
from tests.reliability.support import TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TALLY:
        terminalreporter.section("reliability counts")
        for name, count in sorted(TALLY.items()):
            terminalreporter.write_line(f"{name}: {count:,}")
