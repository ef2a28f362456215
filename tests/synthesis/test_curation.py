"""Curation: corrections kept apart from extracted data, applied as an overlay, surviving re-import."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from graph.curation import Correction, CurationLog, curate_evidence, curate_graph, parse_corrections, read_corrections
from graph.errors import LoadError
from graph.model import EdgeType
from graph.store.ladybug.store import LadybugStore
from graph.synthesis import synthesise
from tests.conftest import build_evidence_document

DRUG, OUTCOME = "drug:mecasermin", "outcome:hypoglycemia"
KHWAJA, BANG = "study:doi:10.1073/pnas.1311141111", "study:doi:10.1530/eje-20-0325"


def _edge(store, source: str, stance: EdgeType = EdgeType.CONTRADICTS) -> str:
    (item,) = [i for i in store.evidence(DRUG, OUTCOME).items if i.evidence["id"] == source and i.stance is stance]
    return item.edge_id


def _reject(edge: str) -> Correction:
    return Correction(
        action="reject", edge=edge, curator="A. Curator", date=dt.date(2025, 3, 1), reason="Rett is not the population"
    )


def test_computed_edge_id_is_the_stored_one(small_store):
    keys = {k for *_, k in small_store.graph.edges(keys=True)}
    assert _edge(small_store, KHWAJA) in keys
    assert _edge(small_store, BANG, EdgeType.SUPPORTS) in keys


def test_reject_relabel_and_add_overlay(small_store):
    evidence = small_store.evidence(DRUG, OUTCOME)
    khwaja, bang = _edge(small_store, KHWAJA), _edge(small_store, BANG, EdgeType.SUPPORTS)
    day = dt.date(2025, 3, 1)
    rejected = curate_evidence(evidence, [_reject(khwaja)])
    assert [i.evidence["id"] for i in rejected.rejected] == [KHWAJA]
    assert not rejected.evidence.contradicting
    assert synthesise(rejected.evidence).overall.contradict_weight == 0
    relabel = Correction(
        action="relabel", edge=bang, new_type=EdgeType.CONTRADICTS, curator="B", date=day, reason="misread"
    )
    relabelled = curate_evidence(evidence, [relabel]).evidence
    assert {i.evidence["id"] for i in relabelled.contradicting} == {KHWAJA, BANG}
    assert relabelled.contradicting[0].curation or relabelled.contradicting[1].curation  # the badge travels
    finding = evidence.items[0].finding["id"]
    grimberg = "guideline:doi:10.1159/000452150"
    add = Correction(
        action="add", source=grimberg, type=EdgeType.SUPPORTS, target=finding, curator="C", date=day, reason="§7.5"
    )
    added = curate_evidence(evidence, [add], node=small_store.node).evidence
    assert grimberg in {i.evidence["id"] for i in added.supporting}
    # the latest correction of an edge wins; confirm keeps the edge
    confirm = Correction(action="confirm", edge=khwaja, curator="D", date=day)
    assert curate_evidence(evidence, [_reject(khwaja), confirm]).evidence.contradicting


def test_graph_overlay_marks_edges_for_exports(small_store):
    khwaja = _edge(small_store, KHWAJA)
    graph = small_store.subgraph()
    curated = curate_graph(graph, [_reject(khwaja)])
    ((_, _, data),) = [(u, v, d) for u, v, k, d in curated.edges(keys=True, data=True) if k == khwaja]
    assert data["curation_status"] == "rejected" and data["curated_by"] == "A. Curator"
    assert data["curated_at"] == "2025-03-01" and data["curation_reason"] == "Rett is not the population"
    assert "curation_status" not in next(
        d for *_, k, d in graph.edges(keys=True, data=True) if k == khwaja
    )  # input untouched


def test_curator_file_errors_name_file_line_and_field(tmp_path):
    bad = tmp_path / "fixes.yaml"
    bad.write_text(
        "curator: A. Curator\ncorrections:\n  - action: confirm\n    edge: edge:abc\n    date: 2025-01-02\n"
        "  - action: reject\n    edge: edge:def\n    date: 2025-01-02\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match=r"fixes\.yaml:6: .*a reject needs a reason"):
        read_corrections(bad)
    with pytest.raises(LoadError, match=r":3: date: "):
        parse_corrections("- action: confirm\n  edge: edge:x\n  date: not-a-date\n  curator: Z\n")
    with pytest.raises(LoadError, match=r":1: new_type: "):
        parse_corrections(
            "- {action: relabel, edge: 'edge:x', new_type: LIKES, curator: Z, date: 2025-01-01, reason: r}\n"
        )
    ok = parse_corrections("curator: Z\ncorrections:\n  - {action: confirm, edge: 'edge:x', date: 2025-01-01}\n")
    assert ok[0].curator == "Z"


def test_curation_survives_reimport(tmp_path):
    """Load, curate, wipe the extracted data and load the same document again: the overlay still applies."""
    first = tmp_path / "first"
    with LadybugStore(first) as store:
        store.ingest(build_evidence_document())
        khwaja = _edge(store, KHWAJA)
        CurationLog.for_store(first).add(_reject(khwaja))
    assert (first / "curation.yaml").exists()
    # the curation log is not extracted data: removing the database leaves it alone
    for path in first.iterdir():
        if path.name != "curation.yaml":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    with LadybugStore(first) as store:
        assert store.stats().total_nodes == 0
        store.ingest(build_evidence_document())
        curated = curate_evidence(store.evidence(DRUG, OUTCOME), CurationLog.for_store(first).corrections)
    assert [i.evidence["id"] for i in curated.rejected] == [KHWAJA] and not curated.unmatched
    # and in a fresh store directory, with the log taken along as a curator's file
    fresh = tmp_path / "fresh"
    with LadybugStore(fresh) as store:
        store.ingest(build_evidence_document())
        log = CurationLog.for_store(fresh)
        log.add(*read_corrections(first / "curation.yaml"))
        curated = curate_evidence(store.evidence(DRUG, OUTCOME), log.corrections)
    assert not curated.evidence.contradicting and curated.rejected[0].curation[0]["curated_by"] == "A. Curator"
