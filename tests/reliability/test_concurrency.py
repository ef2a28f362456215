"""Concurrency: explorer sessions reading while a load runs, and the single-writer rule.

Several threads share one :class:`LadybugStore` (as the explorer's sessions share it through
``st.cache_resource``) and search, expand, read evidence and run Cypher, while another thread
ingests documents into it.  No read may fail, and no read may see part of a document: the
evidence items and studies of each source are either all there or not there at all.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from graph.store.ladybug.store import LadybugStore
from loaders import load_path, sample_paths
from tests.reliability.support import LONG, ROOT, TALLY
from tests.synthetic import synthetic_document

READERS = 6
DOCUMENTS = 24 if LONG else 8
DRUG, OUTCOME = "drug:mecasermin", "outcome:hypoglycemia"


def test_sessions_read_while_a_load_runs(tmp_path: Path) -> None:
    store = LadybugStore(tmp_path / "store", timeout_s=30)
    for path in sample_paths():
        for document in load_path(path):
            store.ingest(document)
    baseline = {item.source_doc for item in store.evidence(DRUG, OUTCOME).items}
    documents = [synthetic_document(20 + 5 * i, tag=f"concurrent{i}") for i in range(DOCUMENTS)]
    expected = {d.source.id: sum(1 for e in d.edges if e.type.value in ("SUPPORTS", "CONTRADICTS")) for d in documents}
    studies = {d.source.id: sum(1 for n in d.nodes if n.kind.value == "Study") for d in documents}
    errors: list[BaseException] = []
    reads = [0] * READERS
    done = threading.Event()

    def check_evidence() -> None:
        per_source: dict[str, int] = {}
        for item in store.evidence(DRUG, OUTCOME).items:
            per_source[item.source_doc or ""] = per_source.get(item.source_doc or "", 0) + 1
        for source, count in per_source.items():
            if source not in baseline:
                assert count == expected[source], f"torn read: {count} of {expected[source]} items of {source}"

    def check_cypher() -> None:
        rows = store.query(
            "MATCH (s:Study)-[:FROM_SOURCE]->(src:Source) WHERE src.id STARTS WITH 'source:' RETURN src.id, count(s)",
            row_limit=10_000,
        ).rows
        for source, count in rows:
            if source in studies:
                assert count == studies[source], f"torn read: {count} of {studies[source]} studies of {source}"

    def check_browse() -> None:
        assert store.search("mecasermin")[0].id == DRUG
        graph = store.neighbourhood(DRUG, limit=50)
        assert DRUG in graph

    checks: list[Callable[[], None]] = [check_evidence, check_cypher, check_browse]

    def reader(index: int) -> None:
        try:
            while not done.is_set():
                checks[(index + reads[index]) % len(checks)]()
                reads[index] += 1
        except BaseException as exc:
            errors.append(exc)

    def writer() -> None:
        try:
            for document in documents:
                store.ingest(document)
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    for thread in threads:
        thread.start()
    load = threading.Thread(target=writer)
    load.start()
    load.join(timeout=600)
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors[0]
    assert all(count > 0 for count in reads), reads
    assert store.stats().documents == 3 + DOCUMENTS
    check_evidence()
    store.close()
    TALLY["concurrent reader sessions held during a load"] += READERS
    TALLY["concurrent reads checked for torn documents"] += sum(reads)


_OPEN = """
import sys, time
from graph.errors import StoreLockedError
from graph.store.ladybug.store import LadybugStore
started = time.monotonic()
try:
    LadybugStore(sys.argv[1])
except StoreLockedError as exc:
    print(f"locked {time.monotonic() - started:.2f}", exc)
    sys.exit(3)
with LadybugStore(sys.argv[1], read_only=True) as store:
    print("read-only", store.stats().documents)
"""


def test_a_second_writer_gets_a_clear_message_quickly(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    with LadybugStore(directory) as store:
        for document in load_path(sample_paths()[0]):
            store.ingest(document)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", _OPEN, str(directory)], capture_output=True, text=True, timeout=120, cwd=ROOT
        )
        assert result.returncode == 3, result.stdout + result.stderr
        assert "--read-only" in result.stdout and "another process" in result.stdout
        assert float(result.stdout.split()[1]) < 5.0, result.stdout
        assert time.monotonic() - started < 60
    TALLY["second writers refused with StoreLockedError"] += 1


def test_a_read_only_opener_works(tmp_path: Path) -> None:
    """`--read-only` is the way in for a second process: it reads what the writer committed."""
    directory = tmp_path / "store"
    with LadybugStore(directory) as store:
        for document in load_path(sample_paths()[0]):
            store.ingest(document)
    code = "import sys\nfrom graph.store.ladybug.store import LadybugStore\nprint(LadybugStore(sys.argv[1], read_only=True).stats().documents)"
    result = subprocess.run([sys.executable, "-c", code, str(directory)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.strip() == "1", result.stderr
