"""Two visitors in Chromium: one runs a long Cypher query, the other searches; then the first one leaves.

The long query spins for minutes with flat memory and is given the console's longest time
limit (60 s).  Before console queries ran in worker processes, the store lock was held for
the whole query and a search in another session took 19 s instead of 2.  Now:

- the other session's searches answer while the query still runs; their median is held to
  :data:`SEARCH_BOUND_S`, a generous bound for two shared cores (never the target), and the
  idle and loaded times are printed with ``-s`` and recorded as test properties.  The 1 s
  target is measured by the benchmark (:mod:`bench.isolation`, whose steps these are);
- closing the first visitor's tab stops its query's worker process within
  :data:`CANCEL_BOUND_S` instead of letting it run to its limit.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.isolation import (
    SEARCHES,
    console_workers,
    query_is_running,
    search_time,
    start_long_query,
    wait_until_no_workers,
)
from tests.e2e.conftest import is_local

pytestmark = pytest.mark.browser

#: A search must answer within this while another session's query runs (target 1 s; see the docstring).
SEARCH_BOUND_S = 5.0
#: A closed tab's query worker must be gone within this (Streamlit notices the closed socket first).
CANCEL_BOUND_S = 15.0
#: Searches timed while the query runs (their median is held to the bound; each is printed).
TIMED = 3


@pytest.fixture
def visitor(browser: Any) -> Iterator[Any]:
    """A second, separate browser session (its own context: its own Streamlit session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
    yield context
    context.close()


def test_a_long_query_does_not_hold_up_another_sessions_search(
    watched: Any, visitor: Any, app_url: str, store_dir: Path, tmp_path: Path, record_property: Any
) -> None:
    searcher, watch = watched
    search_time(searcher, app_url)  # opens the explorer (its first search warms the server)
    idle = search_time(searcher, None, search=SEARCHES[1])

    runner = visitor.new_page()
    start_long_query(runner, app_url, timeout_s=60)
    assert console_workers(store_dir), "the long query's worker is not running"

    loaded = [search_time(searcher, None, search=SEARCHES[i % 2]) for i in range(TIMED)]
    still_running = bool(console_workers(store_dir)) and query_is_running(runner)
    load = os.getloadavg()
    print(
        f"\nsearch while idle: {idle:.2f} s; while another session's query runs: "
        + ", ".join(f"{s:.2f}" for s in loaded)
        + f" s (load average {load[0]:.1f})"
    )
    record_property("search_idle_s", round(idle, 3))
    record_property("search_during_query_s", [round(s, 3) for s in loaded])
    searcher.screenshot(path=str(tmp_path / "search-during-query.png"))
    assert still_running, "the long query had already ended: the search was not measured against it"
    assert statistics.median(loaded) < SEARCH_BOUND_S

    runner.close()  # the visitor leaves: Streamlit stops the session's run, which kills its worker
    gone_after = wait_until_no_workers(store_dir, CANCEL_BOUND_S)
    print(f"worker gone {gone_after:.1f} s after the tab closed" if gone_after is not None else "worker still running")
    record_property("worker_gone_after_close_s", gone_after)
    assert gone_after is not None, "the query of a closed tab still runs"
    watch.assert_clean()
