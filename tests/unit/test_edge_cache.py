"""The in-memory relationship columns answer walks exactly as the engine does, and are dropped on a change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.store.ladybug import read
from graph.store.ladybug.store import LadybugStore
from loaders import load_path, sample_paths
from tests.conftest import build_evidence_document

STARTS = ("drug:mecasermin", "outcome:hypoglycemia", "condition:laron-syndrome", "study:doi:10.1530/eje-20-0325")


def _snapshot(g: nx.MultiDiGraph) -> tuple[list[Any], list[Any]]:
    edges = sorted((u, v, k, sorted(d.items())) for u, v, k, d in g.edges(keys=True, data=True))
    return edges, sorted((n, sorted(d.items())) for n, d in g.nodes(data=True))


def _views(store: LadybugStore) -> list[Any]:
    out: list[Any] = []
    for start in STARTS:
        for hops in (1, 2):
            out.append(_snapshot(store.neighbourhood(start, hops=hops, limit=200)))
    out.append(store.evidence_page("drug:mecasermin", "outcome:hypoglycemia", limit=3))
    out.append(store.shortest_paths("drug:mecasermin", "condition:laron-syndrome", max_hops=4))
    out.append(_snapshot(store.subgraph()))
    every = sorted(store.subgraph().nodes)
    out.append([store.node(n) for n in [*every, "drug:no-such-drug"]])
    out.append(store.evidence("drug:mecasermin", "outcome:hypoglycemia"))
    return out


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("edge-cache") / "store"
    with LadybugStore(directory) as store:
        for path in sample_paths():
            for document in load_path(path):
                store.ingest(document)
    return directory


def test_walks_read_from_the_cache_answer_as_the_engine_does(samples: Path) -> None:
    with LadybugStore(samples, read_only=True) as engine_only:
        engine_only._walks._cache_edges = False
        expected = _views(engine_only)
        assert engine_only._walks.edge_cache(wait=True) is None
    with LadybugStore(samples, read_only=True) as cached:
        cache = cached._walks.edge_cache(wait=True)
        assert cache is not None and len(cache) == cached.stats().total_edges
        nodes = cached._walks.node_cache(wait=True)
        assert nodes is not None and cached._walks.current_nodes() is nodes
        assert _views(cached) == expected


def test_a_view_sends_no_statement_once_the_columns_are_read(samples: Path) -> None:
    with LadybugStore(samples, read_only=True) as store:
        store._walks.node_cache(wait=True)
        sent: list[str] = []
        run = store._run
        store._run = lambda cypher, params=None: sent.append(cypher) or run(cypher, params)  # type: ignore[method-assign]
        store.neighbourhood("drug:mecasermin", hops=2, limit=50)
        store.evidence_page("drug:mecasermin", "outcome:hypoglycemia", limit=2)
        store.shortest_paths("drug:mecasermin", "condition:laron-syndrome", max_hops=4)
        assert store.node("drug:mecasermin") is not None
        assert store.evidence("drug:mecasermin", "outcome:hypoglycemia").items
        assert sent == []


def test_evidence_from_the_index_is_the_engines(samples: Path) -> None:
    """Every drug → outcome or condition link of the samples: the evidence the index gives (no statement) is what
    the engine's evidence statements give, recommendations included."""
    with LadybugStore(samples, read_only=True) as store:
        store._walks.node_cache(wait=True)
        g = store.subgraph()
        links = sorted(
            {
                (d, t)
                for f, d in g.edges()
                if d.startswith("drug:")
                for _, t in g.out_edges(f)
                if t.split(":")[0] in ("outcome", "condition")
            }
        )
        assert len(links) > 3
        for drug_id, target_id in links:
            with store._lock:
                stances, figures, recs = read.evidence_rows(store._rows, drug_id, target_id)
                nodes = store._nodes_by_id(read.wanted_nodes(stances, recs))
                drug, target = store.node(drug_id), store.node(target_id)
            assert store.evidence(drug_id, target_id) == read.assemble_rows(drug, target, stances, figures, recs, nodes)


def test_a_write_drops_the_cache_and_the_next_index_reads_it_again(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s") as store:
        store.ingest(build_evidence_document())
        first = store._walks.edge_cache(wait=True)
        assert first is not None
        assert "outcome:hypoglycemia" in store.neighbourhood("drug:mecasermin")
        store.after_ingest()  # what every write path calls
        second = store._walks.edge_cache(wait=True)
        assert second is not None and second is not first
        assert second.version == store._walks.index().version


def test_an_ingest_updates_the_index_and_columns_as_a_full_rebuild_would(tmp_path: Path) -> None:
    """Documents ingested after the index was built are taken in without a rebuild; the views, the index and the
    columns then say what a full rebuild of the same store says."""
    from tests.unit.test_adjacency import canonical

    documents = [d for path in sample_paths() for d in load_path(path)]
    assert len(documents) >= 3
    with LadybugStore(tmp_path / "s") as store:
        walks = store._walks
        store.ingest(documents[0])
        store.neighbourhood("drug:mecasermin")
        walks.edge_cache(wait=True)
        builds = walks.builds
        for batch in (documents[1:2], documents[2:]):
            store.ingest_many(batch)
            store.node("drug:mecasermin")  # a lookup alone does not wait for the index
            store.neighbourhood("drug:mecasermin")
        assert walks.builds == builds and walks.updates == 2  # taken in, not rebuilt
        assert walks.edge_cache() is not None and walks.node_cache() is not None  # carried over
        updated = walks.index()
        views = _views(store)
        walks.invalidate()  # the full rebuild, to compare with
        rebuilt = walks.index()
        assert walks.builds == builds + 1
        walks.edge_cache(wait=True)
        assert canonical(updated) == canonical(rebuilt)
        assert _views(store) == views


def test_a_replaced_document_rebuilds_the_index(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s") as store:
        document = build_evidence_document()
        store.ingest(document)
        store.neighbourhood("drug:mecasermin")
        builds = store._walks.builds
        store.replace(document)  # deletes: the index is read again whole
        store.neighbourhood("drug:mecasermin")
        assert store._walks.builds == builds + 1
