"""Resource limits are only ever applied in children: the calling process keeps its own.

Every bounded piece of work (a console query's worker, a bounded upload read, PDF text, an
``evx load`` parse worker) limits its address space, CPU time or file size *in the child*.
Were one of them to call ``setrlimit`` in the caller, the explorer or the test process would
keep that limit, and every process it starts later (a parse worker, a console worker) would
inherit it — as a parse worker's ``MemoryError`` under an inherited soft ``RLIMIT_AS`` once
showed.  Each test here makes the call and compares the caller's limits before and after.
"""

from __future__ import annotations

import resource
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.pipeline import load_files
from graph.store.ladybug.store import DB_FILE, LadybugStore
from graph.store.memory import MemoryStore
from graph.store.query_worker import run_read_only
from loaders import load_path, sample_paths
from loaders.bounded import load_bounded
from loaders.pdf_text import pdf_text
from tests.reliability.test_bounded_loaders import amplified_pdf

_LIMITS = {
    "RLIMIT_AS": resource.RLIMIT_AS,
    "RLIMIT_CPU": resource.RLIMIT_CPU,
    "RLIMIT_FSIZE": resource.RLIMIT_FSIZE,
    "RLIMIT_CORE": resource.RLIMIT_CORE,
    "RLIMIT_NOFILE": resource.RLIMIT_NOFILE,
}


def _limits() -> dict[str, tuple[int, int]]:
    return {name: resource.getrlimit(which) for name, which in _LIMITS.items()}


@pytest.fixture
def unchanged() -> Iterator[None]:
    before = _limits()
    yield
    assert _limits() == before, "a limit meant for a child process was applied to this one"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("parent-limits") / "store"
    with LadybugStore(directory) as store:
        for document in load_path(sample_paths()[0]):
            store.ingest(document)
    return directory


def test_a_console_worker_leaves_the_callers_limits(store_dir: Path, unchanged: None) -> None:
    answer = run_read_only(store_dir / DB_FILE, "MATCH (n) RETURN count(n)", row_limit=10, timeout_s=20)
    assert answer.rows[0][0] > 0


def test_a_bounded_upload_read_leaves_the_callers_limits(unchanged: None) -> None:
    assert load_bounded(sample_paths()[0])


def test_pdf_text_leaves_the_callers_limits(unchanged: None) -> None:
    assert "hypoglykemie" in pdf_text(amplified_pdf(2, 2_000), path="ok.pdf")


def test_an_evx_load_parse_worker_leaves_the_callers_limits(unchanged: None) -> None:
    summary = load_files(MemoryStore(), sample_paths()[:2], parse=load_path, workers=1)
    assert summary.workers == 1 and not summary.failed_files
