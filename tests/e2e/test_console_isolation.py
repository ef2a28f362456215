"""Two visitors in Chromium: one runs a long Cypher query, the other searches; then the first one leaves.

The long query spins for minutes with flat memory and is given the console's longest time
limit (60 s).  Before console queries ran in worker processes, the store lock was held for
the whole query and a search in another session took 19 s instead of 2.  Now:

- the other session's search answers while the query still runs, within
  :data:`SEARCH_BOUND_S` (the target is 1 s; the bound is generous because this machine has
  two cores shared by several test runs and a busy one takes ~1–2 s for a search even idle);
  the idle and the loaded times are printed with ``-s``;
- closing the first visitor's tab stops its query's worker process within
  :data:`CANCEL_BOUND_S` instead of letting it run to its limit.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest

pytestmark = pytest.mark.browser

TIMEOUT = 30_000
SPIN = "UNWIND range(1, 1000000) AS x UNWIND range(1, 1000000) AS y WITH x, y WHERE (x * y) % 7 = 3 RETURN count(*)"
#: A search must answer within this while another session's query runs (target 1 s; see the docstring).
SEARCH_BOUND_S = 5.0
#: A closed tab's query worker must be gone within this (Streamlit notices the closed socket first).
CANCEL_BOUND_S = 15.0


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return urlsplit(url).scheme in {"data", "blob", "about"} or host in {"127.0.0.1", "localhost", "::1"}


def _serves(proc: psutil.Process, store_dir: Path) -> bool:
    """Whether ``proc`` is the explorer of ``store_dir`` (by its command line or its EVX_STORE)."""
    try:
        return str(store_dir) in " ".join(proc.cmdline()) or str(store_dir) in proc.environ().get("EVX_STORE", "")
    except psutil.Error:
        return False


def _workers(store_dir: Path) -> list[psutil.Process]:
    """Console workers started by the explorer serving ``store_dir``."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if "worker_process.py" not in " ".join(proc.info["cmdline"] or ()):
                continue
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if any(_serves(parent, store_dir) for parent in proc.parents()):
                found.append(proc)
        except psutil.Error:
            continue
    return found


@pytest.fixture
def visitor(browser: Any) -> Iterator[Any]:
    """A second, separate browser session (its own context: its own Streamlit session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if _is_local(route.request.url) else route.abort())
    yield context
    context.close()


def _search_time(page: Any, app_url: str) -> float:
    page.goto(app_url, wait_until="domcontentloaded")
    box = page.get_by_label("Find a drug, condition or outcome (Dutch or English)")
    box.wait_for(timeout=TIMEOUT)
    box.fill("mecasermine")
    started = time.monotonic()
    box.press("Enter")
    page.get_by_role("button", name="mecasermin · Drug (as mecasermine)").wait_for(timeout=TIMEOUT)
    return time.monotonic() - started


def test_a_long_query_does_not_hold_up_another_sessions_search(
    watched: Any, visitor: Any, app_url: str, store_dir: Path, tmp_path: Path
) -> None:
    searcher, watch = watched
    idle = _search_time(searcher, app_url)

    runner = visitor.new_page()
    runner.goto(f"{app_url}/cypher", wait_until="domcontentloaded")
    editor = runner.get_by_label("Query (read-only)")
    editor.wait_for(timeout=TIMEOUT)
    editor.fill(SPIN)
    limit = runner.get_by_role("spinbutton", name="Timeout (seconds)")
    limit.fill("60")
    limit.press("Tab")
    runner.get_by_role("button", name="Run query").click()
    runner.get_by_text(re.compile(r"^Running… \d")).wait_for(timeout=TIMEOUT)
    assert _workers(store_dir), "the long query's worker is not running"

    loaded = _search_time(searcher, app_url)
    still_running = bool(_workers(store_dir)) and runner.get_by_text(re.compile(r"^Running… \d")).is_visible()
    print(f"\nsearch while idle: {idle:.2f} s; while another session's query runs: {loaded:.2f} s")
    searcher.screenshot(path=str(tmp_path / "search-during-query.png"))
    assert still_running, "the long query had already ended: the search was not measured against it"
    assert loaded < SEARCH_BOUND_S

    runner.close()  # the visitor leaves: Streamlit stops the session's run, which kills its worker
    deadline = time.monotonic() + CANCEL_BOUND_S
    while _workers(store_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    gone_after = CANCEL_BOUND_S - max(0.0, deadline - time.monotonic())
    print(f"worker gone {gone_after:.1f} s after the tab closed")
    assert _workers(store_dir) == [], "the query of a closed tab still runs"
    watch.assert_clean()
