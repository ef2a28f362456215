"""The benchmark's own smoke test at a tiny size: structure and correctness, never timings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.corpus import generate
from bench.documents import ctgov_page, pubmed_set, report_text
from bench.run import main
from graph.model import ALLOWED_TRIPLES, EdgeType, NodeKind, kind_of
from graph.store.ladybug.store import LadybugStore
from graph.store.memory import MemoryStore

SIZE = 2_000


@pytest.fixture(scope="module")
def corpus():
    return generate(SIZE, seed=3)


def test_generator_hits_the_requested_size_and_is_seeded(corpus) -> None:
    assert abs(corpus.n_edges - SIZE) <= SIZE * 0.1
    again = generate(SIZE, seed=3)
    assert again.edge_counts() == corpus.edge_counts()
    assert again.nodes[NodeKind.STUDY].equals(corpus.nodes[NodeKind.STUDY])
    assert generate(SIZE, seed=4).nodes[NodeKind.STUDY] != corpus.nodes[NodeKind.STUDY]


def test_every_edge_is_an_allowed_triple_between_ids_of_the_right_kind(corpus) -> None:
    node_ids = {kind: set(corpus.ids(kind)) for kind in corpus.nodes}
    for kind, ids in node_ids.items():
        assert all(kind_of(i) is kind for i in ids)
    for (etype, source, target), table in corpus.edges.items():
        assert (source, etype, target) in ALLOWED_TRIPLES
        assert set(table.column("from").to_pylist()) <= node_ids[source]
        assert set(table.column("to").to_pylist()) <= node_ids[target]
    edge_ids = [i for t in corpus.edges.values() for i in t.column("id").to_pylist()]
    assert len(edge_ids) == len(set(edge_ids))


def test_degrees_are_skewed(corpus) -> None:
    studies = corpus.edges[(EdgeType.STUDIES, NodeKind.STUDY, NodeKind.DRUG)].column("to").to_pylist()
    per_drug = sorted((studies.count(d) for d in set(studies)), reverse=True)
    assert per_drug[0] >= 4 * per_drug[len(per_drug) // 2]


def test_linked_to_counts_are_what_the_reference_store_derives(corpus) -> None:
    store = MemoryStore()
    store.graph = corpus.to_networkx()
    for drug, outcome, supporting, contradicting in corpus.linked_pairs()[:25]:
        evidence = store.evidence(drug, outcome)
        assert len({i.evidence["id"] for i in evidence.supporting}) == supporting
        assert len({i.evidence["id"] for i in evidence.contradicting}) == contradicting


def test_bulk_load_leaves_the_generated_counts(corpus, tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "db") as store:
        store.bulk_load(corpus.nodes, corpus.edges)
        stats = store.stats()
        assert stats.nodes == corpus.node_counts()
        assert stats.edges == corpus.edge_counts()
        drug, outcome, supporting, _ = corpus.linked_pairs()[0]
        assert len({i.evidence["id"] for i in store.evidence(drug, outcome).supporting}) == supporting


def test_the_embedded_store_answers_like_the_reference_store_on_the_corpus(corpus, tmp_path: Path) -> None:
    reference = MemoryStore()
    reference.graph = corpus.to_networkx()
    with LadybugStore(tmp_path / "db") as store:
        store.bulk_load(corpus.nodes, corpus.edges)
        for kind in (NodeKind.DRUG, NodeKind.OUTCOME, NodeKind.STUDY, NodeKind.FINDING):
            for node_id in corpus.ids(kind)[:4]:
                a, b = reference.neighbourhood(node_id, limit=30), store.neighbourhood(node_id, limit=30)
                assert set(a.edges(keys=True)) == set(b.edges(keys=True)) and a.graph["more"] == b.graph["more"]
                assert all(a.nodes[n] == b.nodes[n] for n in a)
        for drug, outcome, *_ in corpus.linked_pairs()[:10]:
            assert reference.evidence(drug, outcome) == store.evidence(drug, outcome)
        drug, outcome, *_ = corpus.linked_pairs()[-1]
        assert {p.nodes for p in reference.shortest_paths(drug, corpus.ids(NodeKind.CONDITION)[0], limit=50)} == {
            p.nodes for p in store.shortest_paths(drug, corpus.ids(NodeKind.CONDITION)[0], limit=50)
        }


def test_synthetic_documents_load_with_the_project_loaders(tmp_path: Path) -> None:
    from loaders import detect, load_path

    for name, text, loader in (
        ("r.txt", report_text(1), "drug-disease-report"),
        ("t.json", ctgov_page(0, 3), "ctgov"),
        ("p.xml", pubmed_set(0, 3), "pubmed"),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert detect(path).name == loader
        documents = load_path(path)
        assert documents and all(d.counts().get("Study", 0) >= 1 for d in documents)
    assert report_text(1) != report_text(2)


def test_the_benchmark_writes_its_table_and_json(tmp_path: Path) -> None:
    argv = [
        "--sizes",
        str(SIZE),
        "--reps",
        "3",
        "--out",
        str(tmp_path),
        "--no-browser",
        "--ingest-scale",
        "0.002",
        "--literature",
        "synthetic",
    ]
    assert main([*argv, "--reports", "2", "--records", "4"]) == 0
    results = json.loads((tmp_path / "bench-results.json").read_text())
    assert {"machine", "sizes", "loaders", "browser", "reps", "seed", "wall_s"} <= results.keys()
    size = results["sizes"][str(SIZE)]
    store, reference = size["store"], size["networkx"]
    assert "error" not in store and "error" not in reference, (store, reference)
    assert store["stored"] == {"nodes": store["corpus"]["nodes"], "edges": store["corpus"]["edges"]}
    for op in ("search", "neighbourhood", "evidence", "shortest_path"):
        assert store["ops"][op]["ours"]["n"] == 3 and store["ops"][op]["engine"]["n"] == 3
        assert reference["ops"][op]["n"] >= 1
    assert {"graphml_1000", "graphml_10000", "html_500", "html_2000"} <= store["exports"].keys()
    assert {"report", "ctgov", "pubmed"} <= results["loaders"].keys()
    ingest = results["ingest"]  # a handful of documents per corpus through `evx load`
    for name in ("pubmed", "ctgov", "reports"):
        assert "skipped" in ingest[name] or (ingest[name]["returncode"] == 0 and ingest[name]["documents"] >= 1)
    table = (tmp_path / "BENCHMARKS.md").read_text()
    for heading in ("## Machine", "## Targets", "## Query latency", "## Exports", "## Loader throughput", "## Browser"):
        assert heading in table
