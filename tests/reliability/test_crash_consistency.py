"""Crash consistency: SIGKILL the loading process at random moments; the store must stay whole.

Each round starts a loader subprocess (:mod:`tests.reliability.crash_loader`, what `evx load`
does) on an empty store, waits until it is inside the ingest of a randomly chosen document,
waits a further random fraction of a second and kills it with SIGKILL.  Then, in this process:

* the store opens (LadybugDB replays or discards its write-ahead log);
* it holds whole documents only: it equals a clean load of exactly the documents it holds
  (node and edge counts, FROM_SOURCE edges per Source, the LINKED_TO shortcut counts), and
  every node but a Source has its FROM_SOURCE edge;
* running the load again completes it, with no duplicates: it then equals a clean load of
  the whole corpus, and a further load changes nothing.

Both write paths are killed: one transaction per document, and the batched pipeline of
`evx load` (several documents per transaction), where a kill must leave whole batches.
Twenty rounds each in CI (seeded: ``EVX_CRASH_SEED``), a hundred with ``EVX_LONG=1``.
"""

from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.model import Document
from graph.store.base import EvidenceStore
from graph.store.ladybug.store import LadybugStore
from graph.store.memory import MemoryStore
from loaders import load_path
from tests.reliability.support import DATA, LONG, ROOT, SAMPLES, TALLY

ROUNDS = int(os.environ.get("EVX_CRASH_ROUNDS", "100" if LONG else "20"))
SEED = int(os.environ.get("EVX_CRASH_SEED", "20240611"))
LOADER = Path(__file__).with_name("crash_loader.py")
BATCH = 4  # documents per transaction in the batched rounds: several batches over the corpus


def _synthetic_curated(directory: Path, index: int, studies: int) -> Path:
    """A curated file with ``studies`` studies supporting or contradicting one claim."""
    nodes: list[dict[str, Any]] = [
        {"kind": "Finding", "name": "claim", "drug": "mecasermin", "outcome": "hypoglycemia"},
    ]
    edges = []
    for i in range(studies):
        name = f"Crash{index} Study{i} {2000 + i % 20}"
        nodes.append({"kind": "Study", "name": name, "year": 2000 + i % 20, "n": 10 + i, "design": "cohort study"})
        edges.append({"type": "SUPPORTS" if i % 4 else "CONTRADICTS", "from": name, "to": "claim"})
    path = directory / f"synthetic_{index:02d}.yaml"
    data = {"evx": "curated/1", "source": {"title": f"Synthetic crash corpus {index}"}, "nodes": nodes, "edges": edges}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("corpus")
    files = [
        *sorted(SAMPLES.glob("*.txt")),
        SAMPLES / "curated_mecasermin_example.yaml",
        *sorted((DATA / "reports").glob("*.txt")),
        DATA / "ctgov" / "NCT90000001_mecasermin_terminated.json",
        DATA / "ctgov" / "page_mecasermin.json",
        DATA / "pubmed" / "set_mixed.xml",
        DATA / "mecasermin_studies.yaml",
    ]
    files += [_synthetic_curated(directory, i, 20 + 15 * i) for i in range(4)]
    return files


@pytest.fixture(scope="module")
def readings(corpus: list[Path]) -> dict[str, list[Document]]:
    """Each file of the corpus (by path, in load order) with the documents read from it, read once."""
    return {str(path): list(load_path(path)) for path in corpus}


@pytest.fixture(scope="module")
def readings_file(readings: dict[str, list[Document]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The readings for the loader processes: they write what the reference was computed from."""
    path = tmp_path_factory.mktemp("readings") / "readings.pickle"
    path.write_bytes(pickle.dumps(readings))
    return path


@pytest.fixture(scope="module")
def documents(readings: dict[str, list[Document]]) -> dict[str, Document]:
    """Every document of the corpus by source id, in load order."""
    return {document.source.id: document for documents in readings.values() for document in documents}


def _signature(store: EvidenceStore) -> dict[str, Any]:
    """What "the same evidence" means here: counts, provenance per source, the shortcut's counts."""
    graph = store.subgraph()
    per_source: dict[str, int] = {}
    linked = {}
    for s, t, data in graph.edges(data=True):
        if data["type"] == "FROM_SOURCE":
            per_source[t] = per_source.get(t, 0) + 1
        elif data["type"] == "LINKED_TO":
            linked[(s, t)] = (data.get("supporting"), data.get("contradicting"))
    stats = store.stats()
    return {"nodes": stats.nodes, "edges": stats.edges, "from_source": per_source, "linked": linked}


def _clean_signature(documents: list[Document]) -> dict[str, Any]:
    store = MemoryStore()
    for document in documents:
        store.ingest(document)
    return _signature(store)


def _orphans(store: LadybugStore) -> list[str]:
    """Nodes (other than Sources) without the FROM_SOURCE edge every loaded node has."""
    rows = store.query(
        "MATCH (n) WHERE label(n) <> 'Source' AND NOT EXISTS { MATCH (n)-[:FROM_SOURCE]->(:Source) } RETURN n.id",
        row_limit=100,
    ).rows
    return [r[0] for r in rows]


def _run_loader(store_dir: Path, readings_file: Path, batch: int | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    batching = ["--batch", str(batch)] if batch else []
    return subprocess.Popen(
        [sys.executable, str(LOADER), *batching, str(store_dir), str(readings_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _load_to_completion(store_dir: Path, readings_file: Path, batch: int | None = None) -> None:
    proc = _run_loader(store_dir, readings_file, batch)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, f"the load after a crash failed:\n{err}"
    assert out.rstrip().endswith("finished")


def test_memory_reference_agrees_with_a_clean_embedded_load(documents: dict[str, Document], tmp_path: Path) -> None:
    """The reference the rounds compare with is itself right: a clean LadybugDB load gives the same."""
    with LadybugStore(tmp_path / "clean") as store:
        for document in documents.values():
            store.ingest(document)
        assert _signature(store) == _clean_signature(list(documents.values()))
        assert _orphans(store) == []


@pytest.mark.timeout(2400)  # twenty kill-and-reload rounds: minutes, more on a busy machine
@pytest.mark.parametrize("batch", [None, BATCH], ids=["per-document", "batched"])
def test_sigkill_during_ingest_leaves_whole_documents(
    readings_file: Path, documents: dict[str, Document], tmp_path: Path, batch: int | None
) -> None:
    """Per document (one transaction each) and batched (`evx load`'s pipeline, BATCH documents a transaction)."""
    rng = random.Random(SEED)
    full = _clean_signature(list(documents.values()))
    ids = list(documents)
    outcomes: dict[str, int] = {}
    for round_no in range(ROUNDS):
        store_dir = tmp_path / f"round-{round_no:03d}"
        target = rng.randrange(len(ids))  # the document whose ingest is interrupted
        delay = rng.uniform(0.0, 0.6)
        proc = _run_loader(store_dir, readings_file, batch)
        assert proc.stdout is not None
        deadline = time.monotonic() + 300
        for line in proc.stdout:
            if line.strip() == f"begin {target}" or time.monotonic() > deadline:
                break
        time.sleep(delay)
        proc.kill()  # SIGKILL: no clean-up, no atexit, no flush
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()  # type: ignore[union-attr]
        assert proc.returncode == -9 or proc.returncode == 0, proc.returncode
        outcomes["finished before the kill" if proc.returncode == 0 else "killed mid-load"] = (
            outcomes.get("finished before the kill" if proc.returncode == 0 else "killed mid-load", 0) + 1
        )

        recovering = any(store_dir.glob("*.wal")) or any(store_dir.glob("*.shadow"))
        outcomes["killed mid-commit (recovery files left)"] = (
            outcomes.get("killed mid-commit (recovery files left)", 0) + recovering
        )
        with LadybugStore(store_dir) as store:  # must open: a kill is not corruption
            held = [i for i in ids if store.node(i) is not None]
            assert set(held) <= set(ids)
            assert _signature(store) == _clean_signature([documents[i] for i in held]), (
                f"round {round_no}: the store is not a clean load of the {len(held)} documents it holds"
            )
            assert _orphans(store) == []
            TALLY["crash rounds: documents found whole after a kill"] += len(held)
            interrupted = ids[target] not in held
        outcomes["interrupted document absent"] = outcomes.get("interrupted document absent", 0) + interrupted

        _load_to_completion(store_dir, readings_file, batch)
        with LadybugStore(store_dir) as store:
            assert _signature(store) == full, f"round {round_no}: the completed load differs from a clean one"
        _load_to_completion(store_dir, readings_file, batch)  # once more: already loaded, nothing changes
        with LadybugStore(store_dir, read_only=True) as store:
            assert _signature(store) == full
        mode = "batched" if batch else "per-document"
        TALLY[f"SIGKILLs survived, {mode} (store opened, whole documents, load completed, no duplicates)"] += 1
    print(f"crash rounds: {ROUNDS}, seed {SEED}, batch {batch}, {outcomes}")
    assert outcomes.get("killed mid-load", 0) >= ROUNDS // 2, outcomes
