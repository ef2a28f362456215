"""Timing helpers: percentiles over repetitions, and replaying what a store sent to its engine.

Ratios are what later changes are compared on, so every "ours" timing has a partner
timed on the same inputs in the same process: the raw engine running the very
statements the store sent (recorded, then replayed), or networkx on the same graph.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["Recorder", "peak_rss_mib", "rss_mib", "summary", "timed"]


def summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean/max in milliseconds and the number of repetitions (nearest-rank percentiles)."""
    if not seconds:
        return {"n": 0}
    ordered = sorted(seconds)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered) + 0.5) - 1))] * 1000

    return {
        "n": len(ordered),
        "p50_ms": round(rank(0.50), 3),
        "p95_ms": round(rank(0.95), 3),
        "mean_ms": round(sum(ordered) / len(ordered) * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def timed(
    fn: Callable[[Any], object], inputs: Iterable[Any], *, budget_s: float | None = None, min_reps: int = 5
) -> list[float]:
    """Seconds per call of ``fn`` on each input; past ``budget_s`` (and ``min_reps``) the rest are skipped."""
    out: list[float] = []
    began = time.perf_counter()
    for item in inputs:
        if budget_s is not None and len(out) >= min_reps and time.perf_counter() - began > budget_s:
            break
        start = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - start)
    return out


def peak_rss_mib() -> float:
    """This process's peak resident set (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mib() -> float:
    """This process's resident set now."""
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


class Recorder:
    """Records the statements a LadybugStore sends, to replay them straight to the engine."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.statements: list[tuple[str, dict[str, Any]]] = []
        self.seconds: list[float] = []  # per recorded statement, for a phase breakdown

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        original = self.connection.execute
        self.statements = []
        self.seconds = []

        def execute(query: str, parameters: dict[str, Any] | None = None) -> Any:
            self.statements.append((query, dict(parameters or {})))
            start = time.perf_counter()
            try:
                return original(query, parameters)
            finally:
                self.seconds.append(time.perf_counter() - start)

        self.connection.execute = execute
        try:
            yield self.statements
        finally:
            del self.connection.execute  # back to the class's method

    def replay(self, statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Run the statements on the bare connection and fetch every row, as the store does."""
        for query, params in statements:
            result = self.connection.execute(query, params)
            if isinstance(result, list):
                for part in result:
                    part.get_all()
            else:
                result.get_all()
