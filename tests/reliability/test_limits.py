"""Resource limits: query timeout, row cap, oversized files and uploads, absurd record counts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

import loaders.base as loaders_base
from graph.errors import LoadError, QueryTimeoutError
from graph.reading import MAX_UPLOAD_BYTES
from graph.service import EvidenceService
from graph.store.ladybug.store import LadybugStore
from graph.store.memory import MemoryStore
from loaders import MAX_DOCUMENT_BYTES, load_path, sample_paths
from loaders.base import MAX_RECORDS, DocumentBuilder
from tests.reliability.support import SAMPLES, TALLY, store_fingerprint
from ui.cli.main import STREAMLIT_DEFAULTS

#: A query that runs for minutes unless stopped: every walk of up to 12 steps through the samples.
#: (``UNWIND range(1, 2000000000)`` is not stopped in time: the engine builds the list before it
#: looks at the clock — measured 123 s for a 1 s limit; see docs/reliability.md.)
RUNAWAY = "MATCH p = (a)-[*1..12]-(b) RETURN count(p)"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LadybugStore:
    opened = LadybugStore(tmp_path_factory.mktemp("limits") / "store")
    for path in sample_paths():
        for document in load_path(path):
            opened.ingest(document)
    yield opened
    opened.close()


@pytest.mark.parametrize("limit_s", [0.5, 1.0, 2.0])
def test_a_runaway_query_is_stopped_near_its_time_limit(store: LadybugStore, limit_s: float) -> None:
    before = store_fingerprint(store)
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError) as info:
        store.query(RUNAWAY, timeout_s=limit_s)
    elapsed = time.monotonic() - started
    assert limit_s * 0.8 <= elapsed <= limit_s + 1.0, f"stopped after {elapsed:.2f} s for a {limit_s} s limit"
    assert "time limit" in str(info.value) and info.value.hint
    # the store still works, and still answers the next query without a timeout of its own
    assert store.query("MATCH (d:Drug) RETURN d.name").rows == [["mecasermin"]]
    assert store_fingerprint(store) == before
    TALLY["runaway queries stopped within 1 s of the limit"] += 1


def test_the_default_timeout_applies(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s", timeout_s=0.5) as short:
        for document in load_path(sample_paths()[0]):
            short.ingest(document)
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError):
            short.query(RUNAWAY)
        assert time.monotonic() - started < 1.5


def test_row_cap_truncates_and_says_so(store: LadybugStore) -> None:
    total = store.query("MATCH (n) RETURN count(n)").rows[0][0]
    capped = store.query("MATCH (n) RETURN n.id", row_limit=5)
    assert len(capped.rows) == 5 and capped.truncated
    exact = store.query("MATCH (n) RETURN n.id", row_limit=total)
    assert len(exact.rows) == total and not exact.truncated
    default = LadybugStore.__init__.__kwdefaults__["row_limit"]  # type: ignore[index]
    assert store.query("UNWIND range(1, 5000) AS x RETURN x").truncated is True
    assert len(store.query("UNWIND range(1, 5000) AS x RETURN x").rows) == default


def test_an_oversized_document_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge-report.txt"
    report = (SAMPLES / "shb_mecasermine_diabetes.txt").read_bytes()
    with path.open("wb") as handle:
        handle.write(report)
        handle.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no disk is used for the zeros
    with pytest.raises(LoadError) as info:
        load_path(path)
    assert f"{MAX_DOCUMENT_BYTES:,}" in str(info.value) and path.name in str(info.value)


def test_a_document_with_absurdly_many_records_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the curated loader, with the limit lowered so the file stays small."""
    monkeypatch.setattr(loaders_base, "MAX_RECORDS", 300)
    nodes = [{"kind": "Study", "name": f"Study {i}", "year": 2000 + i % 20} for i in range(400)]
    path = tmp_path / "absurd.yaml"
    path.write_text(yaml.safe_dump({"evx": "curated/1", "source": {"title": "absurd"}, "nodes": nodes}))
    with pytest.raises(LoadError) as info:
        load_path(path)
    assert "more than 300 records" in str(info.value) and path.name in str(info.value)
    TALLY["absurd documents stopped"] += 1


def test_the_real_record_limit_stops_a_builder_quickly() -> None:
    """The limit as shipped: a builder fed without end stops at MAX_RECORDS, in seconds, not minutes."""
    builder = DocumentBuilder(text="absurd", source_type="test", title="absurd")
    started = time.monotonic()
    with pytest.raises(LoadError, match=f"more than {MAX_RECORDS:,} records"):
        for i in range(MAX_RECORDS):
            builder.add_figure(_study(builder, i), None, label="x", value=float(i))
    assert time.monotonic() - started < 120
    TALLY["absurd documents stopped"] += 1


def _study(builder: DocumentBuilder, i: int) -> str:
    return builder.add_node(f"study:absurd:{i}", loaders_base.NodeKind.STUDY, f"absurd {i}")


def test_upload_over_the_limit_is_refused_unread_and_the_rest_load() -> None:
    store = MemoryStore()
    curated = (SAMPLES / "curated_mecasermin_example.yaml").read_bytes()
    big = b"evx: curated/1\n" + b"#" * 4_000
    summary = EvidenceService(store).upload([("big.yaml", big), ("ok.yaml", curated)], max_bytes=3_000)
    assert summary.documents == 1
    assert len(summary.errors) == 1 and summary.errors[0].startswith("big.yaml: 4,015 bytes")
    assert "evx load" in summary.errors[0]
    assert store.stats().documents == 1


def test_upload_limit_matches_the_browser_limit_and_the_document_limit() -> None:
    options = dict(zip(STREAMLIT_DEFAULTS[::2], STREAMLIT_DEFAULTS[1::2], strict=True))
    assert int(options["--server.maxUploadSize"]) * 1024 * 1024 == MAX_UPLOAD_BYTES == MAX_DOCUMENT_BYTES
    assert EvidenceService.upload.__kwdefaults__["max_bytes"] == MAX_DOCUMENT_BYTES  # type: ignore[index]


@pytest.mark.skipif(os.environ.get("EVX_LONG") != "1", reason="writes 200 MB; nightly (EVX_LONG=1)")
def test_upload_at_the_real_limit_is_refused() -> None:
    summary = EvidenceService(MemoryStore()).upload([("huge.txt", b"x" * (MAX_DOCUMENT_BYTES + 1))])
    assert summary.documents == 0 and "evx load" in summary.errors[0]
