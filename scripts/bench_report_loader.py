"""Throughput of the drug–disease report loader: documents per second on the bundled sample.

Usage: .venv/bin/python scripts/bench_report_loader.py [N]   (default 200 loads)
"""

from __future__ import annotations

import sys
import time

from loaders import sample_paths
from loaders.report import ReportLoader


def main(n: int = 200) -> None:
    sample = next(p for p in sample_paths() if p.name.startswith("shb_"))
    loader = ReportLoader()
    list(loader.load(sample))  # warm caches (vocabulary, format table)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        list(loader.load(sample))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU time too: on a shared machine the wall clock also measures the neighbours
    print(
        f"{n} loads of {sample.name}: {n / elapsed:.1f} documents/s wall ({elapsed:.2f} s), {n / cpu:.1f} per CPU-second"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
