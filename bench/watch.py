"""Run a command, sample its resident memory (process and children), stop it past a memory cap.

The embedded engine reserves terabytes of address space (``mmap``), so an address-space limit
(``prlimit --as``) stops it at start-up; resident memory is what has to stay bounded, so that is
what is watched and capped here.  The peak is the largest sampled sum over the process tree,
checked against the kernel's own high-water mark of the main process (``VmHWM``).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

__all__ = ["Watched", "run_watched"]


@dataclass(frozen=True)
class Watched:
    returncode: int
    seconds: float
    peak_rss_mib: float
    killed_over_cap: bool
    stdout: str
    stderr: str


def _hwm_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_watched(
    argv: list[str],
    *,
    cap_mib: float = 6000,
    timeout_s: float = 900,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval_s: float = 0.05,
) -> Watched:
    """Run ``argv`` to completion (or until it passes ``cap_mib`` resident, or ``timeout_s``)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd)
        root = psutil.Process(proc.pid)
        peak = 0.0
        hwm = 0.0
        over = False
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree if p.is_running()) / 2**20
                hwm = max(hwm, _hwm_mib(proc.pid))
            except psutil.Error:
                rss = 0.0
            peak = max(peak, rss)
            if rss > cap_mib or time.perf_counter() - start > timeout_s:
                over = rss > cap_mib
                for p in reversed(tree):
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                proc.wait()
                break
            time.sleep(interval_s)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return Watched(proc.returncode, round(seconds, 3), round(max(peak, hwm), 1), over, stdout, stderr)
