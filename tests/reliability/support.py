"""Shared by the reliability suites: run sizes, seed documents, hostile values, hang guards, tallies.

``EVX_LONG=1`` selects the nightly size (ten times the CI size and random rather than
derandomised runs); otherwise the fuzz runs are derandomised, so CI failures reproduce.
"""

from __future__ import annotations

import os
import resource
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from hypothesis import HealthCheck, settings

from graph.store.base import EvidenceStore

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "loaders" / "samples"
DATA = ROOT / "tests" / "data"
LONG = os.environ.get("EVX_LONG") == "1"
#: Seconds one fuzz case may take before it counts as a hang.
HANG_S = float(os.environ.get("EVX_FUZZ_HANG_S", "30"))

#: What the suites did, printed at the end of the run (see conftest.py) and quoted in docs/reliability.md.
TALLY: Counter[str] = Counter()


def fuzz_settings(ci_examples: int) -> settings:
    """Hypothesis settings for ``ci_examples`` cases in CI, ten times that with ``EVX_LONG=1``."""
    return settings(
        max_examples=ci_examples * (10 if LONG else 1),
        deadline=None,
        derandomize=not LONG,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,  # the autouse memory cap: once per test, on purpose
        ],
    )


class Hang(Exception):
    """A fuzz case ran past :data:`HANG_S`."""


@contextmanager
def time_limit(seconds: float = HANG_S) -> Iterator[None]:
    """Raise :class:`Hang` if the block runs longer than ``seconds`` (Python code; C loops are caught after)."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - started
    if elapsed > seconds:
        raise Hang(f"took {elapsed:.1f} s (limit {seconds:g} s)")


@contextmanager
def memory_limit(extra_bytes: int = 4 * 1024**3) -> Iterator[None]:
    """Cap this process's address space at its current size plus ``extra_bytes`` (a runaway case
    raises ``MemoryError`` instead of sending the shared machine's OOM killer after everyone)."""
    vm = next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmSize:")
    )
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = vm + extra_bytes if hard == resource.RLIM_INFINITY else min(vm + extra_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def seeds(*patterns: str) -> list[Path]:
    """Real documents shipped with the project and its tests, by glob under the repository root."""
    found = sorted({p for pattern in patterns for p in ROOT.glob(pattern) if p.is_file()})
    assert found, f"no seed documents match {patterns}"
    return found


#: Strings a hostile or broken document may carry: markup, Cypher, paths, confusables, controls.
HOSTILE_STRINGS: tuple[str, ...] = (
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "'}) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n //',
    "`; DROP TABLE Study; //",
    "$param {id: 'x'}",
    "../../etc/passwd",
    "..\\..\\windows\\system32",
    "/dev/zero",
    "C:\\evil\\name.graphml",
    "\u202etxt.exe",  # right-to-left override
    "\u200b\u200d\ufeff",  # zero-width characters and a stray BOM
    "mecasermіne",  # Cyrillic і
    "ｈｙｐｏｇｌｙｃｅｍｉａ",  # fullwidth
    "51％ (n＝21)",
    "１２ of ４０ (３０%)",
    "NCT０００００００１",
    "\x00\x01\x02\x1b[31m",
    "e\u0301\u0301\u0301\u0301",  # stacked combining marks
    "𝐦𝐞𝐜𝐚𝐬𝐞𝐫𝐦𝐢𝐧",  # mathematical bold
    "NaN",
    "-0",
    "1e308",
    "99999999999999999999999999",
    "(n=0) 0% of 0",
    "%s%n%x{0}{}",
    "",
    " ",
    "\n\n\n",
)

#: Look-alike replacements used to garble structural words (markers, headings, keys).
CONFUSABLES: dict[str, str] = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "x": "х",
    "i": "і",
    "%": "％",
    ":": "꞉",
    "|": "｜",
    "0": "０",
    "1": "１",
    " ": "\u00a0",
    "-": "‐",
    "(": "（",
    "=": "＝",
}

#: Encodings a document may arrive in, right or wrong.
ENCODINGS: tuple[str, ...] = (
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-32",
    "latin-1",
    "cp1252",
    "cp500",
    "mac_roman",
)


def store_fingerprint(store: EvidenceStore) -> tuple[Any, ...]:
    """Stats plus a checksum over every node's and edge's properties: equal means nothing changed."""
    stats = store.stats()
    graph = store.subgraph()
    nodes = sorted((n, sorted((k, repr(v)) for k, v in d.items())) for n, d in graph.nodes(data=True))
    edges = sorted(
        (s, t, k, sorted((a, repr(v)) for a, v in d.items())) for s, t, k, d in graph.edges(keys=True, data=True)
    )
    return (stats.nodes, stats.edges, hash(repr(nodes)), hash(repr(edges)))


def console_workers() -> list[psutil.Process]:
    """The console worker processes this test process has started and not yet reaped."""
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and "worker_process.py" in " ".join(proc.cmdline()):
                found.append(proc)
        except psutil.Error:
            pass  # it ended while we looked
    return found


class Gone(Exception):
    """What an ``on_wait`` callback raises to stand for a browser session that went away."""


def leave_after(seconds: float, *, seen: list[float], when_running: bool = False) -> Callable[[float], None]:
    """An ``on_wait`` callback that records each wait and raises :class:`Gone` once ``seconds`` have passed
    (and, with ``when_running``, only once a worker is running)."""

    def on_wait(elapsed: float) -> None:
        seen.append(elapsed)
        if elapsed > seconds and (not when_running or console_workers()):
            raise Gone

    return on_wait
