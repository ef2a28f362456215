"""A load's resident memory is flat in the number of documents: the 400th costs what the 40th did.

Loading wrote each document as a dozen small ``COPY`` statements, and LadybugDB keeps ~14 MB
resident per ``COPY`` until the database closes: memory grew ~60 MB per document (500 abstracts
did not fit in 24 GB).  Here a separate process loads 400 small documents into an on-disk store,
in small batches and one by one, and reports its resident memory as it goes; the growth after
warm-up must stay under a generous bound (a leak of that kind passes it within a few documents;
the engine's own per-transaction memory is given back when the store reopens its database).
Not a timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.documents import pubmed_set
from graph.store.ladybug.write import RESIDENT_BUDGET_MIB
from tests.reliability.support import ROOT

DOCUMENTS = 400
PER_FILE = 20
#: Resident growth allowed per document after warm-up (the old path: ~60 MB per document) — or, if
#: larger, the engine memory the store lets pile up before it reopens its database (at most half its
#: resident budget), plus a margin.
BOUND_MIB_PER_DOCUMENT = 0.4
MARGIN_MIB = 128

_SCRIPT = r"""
import json, sys
from pathlib import Path
import psutil
from graph.store.ladybug.store import LadybugStore
from loaders import load_path

store_dir, batch, files = Path(sys.argv[1]), int(sys.argv[2]), [Path(p) for p in sys.argv[3:]]
documents = [d for path in files for d in load_path(path)]
process = psutil.Process()
samples = []
with LadybugStore(store_dir) as store:
    for start in range(0, len(documents), batch):
        chunk = documents[start : start + batch]
        if batch == 1:
            store.ingest(chunk[0])
        else:
            assert not store.ingest_many(chunk).failures
        samples.append((start + len(chunk), process.memory_info().rss / 2**20))
    stored = store.stats().documents
print(json.dumps({"samples": samples, "stored": stored}))
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("memory-corpus")
    paths = []
    for start in range(0, DOCUMENTS, PER_FILE):
        path = directory / f"pubmed_{start:04d}.xml"
        path.write_text(pubmed_set(start, PER_FILE, seed=11), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.timeout(900)
@pytest.mark.parametrize("batch", [1, 10], ids=["one-by-one", "batches-of-10"])
def test_resident_memory_does_not_grow_per_document(corpus: list[Path], tmp_path: Path, batch: int) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path / "store"), str(batch), *map(str, corpus)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=850,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["stored"] == DOCUMENTS
    samples = result["samples"]
    warm = next(rss for n, rss in samples if n >= DOCUMENTS // 10)  # after the first tenth: caches are built
    peak_after = max(rss for n, rss in samples if n >= DOCUMENTS // 10)
    documents_after = DOCUMENTS - DOCUMENTS // 10
    growth = peak_after - warm
    bound = max(BOUND_MIB_PER_DOCUMENT * documents_after, RESIDENT_BUDGET_MIB / 2 + MARGIN_MIB)
    assert growth <= bound, (
        f"resident memory grew {growth:.0f} MiB over {documents_after} documents "
        f"(from {warm:.0f} MiB; bound {bound:.0f} MiB): {samples[::10]}"
    )
