"""Batched ingest and the load pipeline: same evidence as one-by-one, refusals isolated, re-runs resume."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bench.documents import ctgov_page, pubmed_set
from graph import pipeline
from graph.errors import QueryError
from graph.model import Document, NodeKind
from graph.pipeline import LoadProgress, load_files
from graph.store.base import EvidenceStore
from graph.store.ladybug import write as ladybug_write
from graph.store.ladybug.store import LadybugStore
from graph.store.memory import MemoryStore
from loaders import load_path
from tests.conftest import build_evidence_document


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """Six files: PubMed sets and trial pages that share drugs and outcomes (and so shortcut pairs)."""
    out = []
    for i in range(3):
        path = tmp_path / f"pubmed_{i}.xml"
        path.write_text(pubmed_set(i * 20, 20, seed=5), encoding="utf-8")
        out.append(path)
        path = tmp_path / f"ctgov_{i}.json"
        path.write_text(ctgov_page(i * 10, 10, seed=5), encoding="utf-8")
        out.append(path)
    return out


def _documents(files: list[Path]) -> list[Document]:
    return [d for path in files for d in load_path(path)]


def _signature(store: EvidenceStore) -> dict[str, Any]:
    graph = store.subgraph()
    linked = {
        (s, t): (d.get("supporting"), d.get("contradicting"))
        for s, t, d in graph.edges(data=True)
        if d["type"] == "LINKED_TO"
    }
    nodes = {n: {k: v for k, v in d.items() if v is not None} for n, d in graph.nodes(data=True)}
    stats = store.stats()
    return {"nodes": stats.nodes, "edges": stats.edges, "linked": linked, "props": nodes}


def test_a_batch_stores_what_one_by_one_ingest_stores(files: list[Path]) -> None:
    documents = _documents(files)
    reference = MemoryStore()
    for document in documents:
        reference.ingest(document)
    batched = LadybugStore(":memory:")
    result = batched.ingest_many(documents)
    assert not result.failures
    assert [r.source_id for r in result.reports] == [d.source.id for d in documents]
    assert _signature(batched) == _signature(reference)
    assert sum(s for s, _ in _signature(batched)["linked"].values()) > 0  # the shortcut counts were kept


def test_batches_across_a_store_that_already_holds_shared_concepts(files: list[Path]) -> None:
    documents = _documents(files)
    reference = MemoryStore()
    for document in documents:
        reference.ingest(document)
    store = LadybugStore(":memory:")
    for start in range(0, len(documents), 7):  # later batches meet stored drugs, outcomes and pairs
        assert not store.ingest_many(documents[start : start + 7]).failures
    assert _signature(store) == _signature(reference)


def test_a_concept_shared_by_a_batch_is_written_once_and_credited_once() -> None:
    first = build_evidence_document()
    second = build_evidence_document(first.source.props["text"] + " Again.")
    assert first.source.id != second.source.id
    store = LadybugStore(":memory:")
    reports = store.ingest_many([first, second]).reports
    assert store.stats().nodes[NodeKind.DRUG.value] == 1
    drug_ids = {n.id for n in first.nodes if n.kind is NodeKind.DRUG}
    assert drug_ids == {n.id for n in second.nodes if n.kind is NodeKind.DRUG}
    assert reports[0].nodes_added == len(first.all_nodes)
    assert reports[1].nodes_added < len(second.all_nodes)  # the shared nodes are the first document's


def test_the_same_document_twice_in_a_batch_is_stored_once(files: list[Path]) -> None:
    documents = _documents(files[:1])
    store = LadybugStore(":memory:")
    result = store.ingest_many([*documents, documents[0]])
    assert [r.already_loaded for r in result.reports] == [False] * len(documents) + [True]
    assert store.stats().documents == len(documents)


def test_a_refused_document_is_reported_and_the_rest_of_its_batch_stored(
    files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = _documents(files[:2])
    bad = documents[3].source.id
    real = ladybug_write.write_plan

    def refusing(plan: ladybug_write.BatchPlan, rows: Any, run: Any) -> Any:
        reports = real(plan, rows, run)  # written inside the transaction, then refused: must roll back
        if any(d.source.id == bad for d in plan.documents):
            raise QueryError("the engine refused a value")
        return reports

    monkeypatch.setattr(ladybug_write, "write_plan", refusing)
    store = LadybugStore(":memory:")
    result = store.ingest_many(documents)
    assert [source for source, _ in result.failures] == [bad]
    assert "refused a value" in str(result.failures[0][1])
    assert store.node(bad) is None
    assert store.stats().documents == len(documents) - 1
    monkeypatch.setattr(ladybug_write, "write_plan", real)
    clean = MemoryStore()
    for document in documents:
        if document.source.id != bad:
            clean.ingest(document)
    assert _signature(store) == _signature(clean)  # nothing of the refused document is left


def test_load_files_reports_a_broken_file_and_loads_the_others(files: list[Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<PubmedArticleSet><PubmedArticle>", encoding="utf-8")
    store = LadybugStore(":memory:")
    summary = load_files(store, [files[0], broken, files[1]], parse=load_path, batch_documents=8)
    assert [f.path for f in summary.failed_files] == [broken]
    assert summary.failed_files[0].error
    assert summary.new == store.stats().documents == len(_documents(files[:2]))


def test_a_deeply_nested_file_is_refused_and_the_rest_of_the_batch_loaded(files: list[Path], tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b'{"studies": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    store = LadybugStore(":memory:")
    summary = load_files(store, [files[0], deep, files[1]], parse=load_path, batch_documents=8)
    assert [f.path for f in summary.failed_files] == [deep]
    assert "nested deeper than" in (summary.failed_files[0].error or "")
    assert summary.new == store.stats().documents == len(_documents(files[:2]))


def test_a_rerun_skips_what_is_stored_and_finishes_the_rest(files: list[Path], tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "store") as store:
        first = load_files(store, files[:3], parse=load_path, batch_documents=5)
    with LadybugStore(tmp_path / "store") as store:
        again = load_files(store, files, parse=load_path, batch_documents=5)
        assert again.already == first.new
        assert again.new == len(_documents(files)) - first.new
        reference = MemoryStore()
        for document in _documents(files):
            reference.ingest(document)
        assert _signature(store) == _signature(reference)


def test_progress_counts_up_and_ends_at_the_total(files: list[Path]) -> None:
    seen: list[LoadProgress] = []
    store = LadybugStore(":memory:")
    load_files(store, files, parse=load_path, batch_documents=10, on_progress=seen.append)
    assert [p.documents for p in seen] == sorted(p.documents for p in seen)
    assert [p.bytes_done for p in seen] == sorted(p.bytes_done for p in seen)
    last = seen[-1]
    assert last.files_done == len(files) and last.bytes_done == last.bytes_total
    assert last.documents == last.stored == len(_documents(files)) and last.records > last.documents
    assert all(p.stored <= p.documents for p in seen)
    assert last.eta_s == 0
    assert {p.current_file for p in seen[:-1]} <= {f.name for f in files}


def test_a_worker_process_parses_the_same_documents(files: list[Path]) -> None:
    here = LadybugStore(":memory:")
    load_files(here, files[:2], parse=load_path, workers=0)
    pooled = LadybugStore(":memory:")
    summary = load_files(pooled, files[:2], parse=load_path, workers=1)
    assert summary.workers == 1
    assert _signature(pooled) == _signature(here)


def _hostile_parse(path: Path) -> Sequence[Document]:
    """A loader that stalls, exhausts memory or dies on the files named so (run in a parse worker)."""
    if path.stem == "stall":
        time.sleep(120)
    elif path.stem == "hog":
        return [bytearray(8 * 1024**3)]  # type: ignore[list-item]  # never returned under the worker's limit
    elif path.stem == "crash":
        os._exit(3)
    return load_path(path)


def test_a_parse_worker_stops_a_file_at_its_deadline_and_memory_limit(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "WORKER_FILE_DEADLINE_S", 2.0)
    monkeypatch.setattr(pipeline, "WORKER_MEMORY_BYTES", 2 * 1024**3)
    bad = [tmp_path / name for name in ("stall.xml", "hog.xml", "crash.xml")]
    for path in bad:
        path.write_text("<PubmedArticleSet/>", encoding="utf-8")
    store = LadybugStore(":memory:")
    began = time.monotonic()
    summary = load_files(store, [files[0], *bad, files[1]], parse=_hostile_parse, workers=1, batch_documents=8)
    seconds = time.monotonic() - began
    errors = {f.path.stem: f.error or "" for f in summary.failed_files}
    assert "did not finish within 2 s" in errors.pop("stall")
    assert "more memory than this process may use" in errors.pop("hog")
    assert "stopped without an answer" in errors.pop("crash")
    assert not errors
    assert summary.new == store.stats().documents == len(_documents(files[:2]))
    assert seconds < 60, f"took {seconds:.0f} s"  # two worker starts and a 2 s deadline, not the 120 s stall


def test_the_first_batches_are_small_so_writing_starts_while_files_are_parsed(files: list[Path]) -> None:
    documents = _documents(files)
    records = sum(len(d.nodes) + len(d.edges) + 1 for d in documents)
    sizes: list[int] = []

    class Recording(MemoryStore):
        def ingest_many(self, batch: Any) -> Any:
            batch = list(batch)
            sizes.append(sum(len(d.nodes) + len(d.edges) + 1 for d in batch))
            return super().ingest_many(batch)

    store = Recording()
    summary = load_files(store, files, parse=load_path, batch_records=records)  # all of it fits one full batch
    assert summary.new == len(documents) and sum(sizes) == records
    largest = max(len(d.nodes) + len(d.edges) + 1 for d in documents)
    assert len(sizes) > 2  # the first is a share of the full size, the next twice it…
    assert sizes[0] < records // pipeline.FIRST_BATCH_SHARE + largest
