"""Trial digests: the sample digest becomes a Study that meets the registry record of the same trial."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.model import EdgeType, NodeKind
from graph.store.memory import MemoryStore
from loaders import detect, load_path
from loaders.trial_digest import TrialDigestLoader, parse_trial_digest

SAMPLE = Path(__file__).resolve().parents[2] / "loaders" / "samples" / "trial_digest_NCT00330668.txt"
CTGOV = Path(__file__).resolve().parents[1] / "data" / "ctgov"


@pytest.fixture(scope="module")
def digest():
    return load_path(SAMPLE)[0]


def test_detected_as_a_trial_digest():
    assert detect(SAMPLE).name == "trial_digest"


def test_study_properties(digest):
    study = next(n for n in digest.nodes if n.kind is NodeKind.STUDY)
    assert study.id == "study:nct:NCT00330668"
    p = study.props
    assert p["nct_id"] == "NCT00330668"
    assert (
        p["title"]
        == "Treatment of Children and Adolescents With Growth Failure Associated With Primary IGF-1 Deficiency"
    )
    assert p["phase"] == "Phase 3"
    assert p["extension"] is True
    assert p["status"] == "TERMINATED"
    assert p["ended"] == "2010-03"
    assert p["has_results"] is False  # the evidence gap is a value, not a missing one
    assert "does not contain specific efficacy or safety results" in p["results"]
    assert p["population"].startswith("Children diagnosed with Primary IGF-1 Deficiency")
    assert p["interventions"] == "mecasermin"
    assert "growth parameters and adverse events" in p["outcomes"]
    assert study.provenance.quote.startswith("This Phase 3 extension study (NCT00330668) was unfortunately terminated")


def test_condition_and_drug_through_the_vocabulary(digest):
    edges = {(e.type, e.target) for e in digest.edges}
    assert (EdgeType.STUDIES, "drug:mecasermin") in edges
    assert (EdgeType.STUDIED_IN, "condition:primary-igf-1-deficiency") in edges
    source = digest.source
    assert source.props["source_type"] == "trial_digest"
    assert source.props["uri"] == "https://clinicaltrials.gov/study/NCT00330668"
    assert source.props["retrieved"] == "2026-05-04"
    assert source.name == "Long-Term IGF-1 Treatment Explored for Children with Primary Growth Failure"
    for record in (*digest.nodes, *digest.edges):
        prov = record.provenance
        if prov.span:
            assert source.props["text"][prov.span[0] : prov.span[1]] == prov.quote


def test_merges_with_the_registry_record_of_the_same_trial(digest):
    store = MemoryStore()
    store.ingest(digest)
    registry = next(d for d in load_path(CTGOV / "page_mecasermin.json") if "NCT00330668" in d.source.name)
    store.ingest(registry)
    studies = [n for n, a in store.graph.nodes(data=True) if a.get("nct_id") == "NCT00330668"]
    assert studies == ["study:nct:NCT00330668"]
    assert store.node("study:nct:NCT00330668")["has_results"] is False


def test_reloading_changes_nothing(digest):
    store = MemoryStore()
    store.ingest(digest)
    before = (store.graph.number_of_nodes(), store.graph.number_of_edges())
    again = store.ingest(load_path(SAMPLE)[0])
    assert again.already_loaded
    assert (store.graph.number_of_nodes(), store.graph.number_of_edges()) == before


def test_a_digest_without_an_nct_id_is_refused():
    with pytest.raises(LoadError, match="no NCT id"):
        parse_trial_digest("A title\n\nBackground\nSomething.\n\nResults\nNone.\n", path="x.txt")


def test_results_with_numbers_are_results(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    start = text.index("This Phase 3 extension study")
    end = text.index("Why It Matters")
    changed = (
        text[:start] + "Height velocity rose from 2.8 to 8.0 cm/year in 71 children (NCT00330668).\n\n" + text[end:]
    )
    path = tmp_path / "digest.txt"
    path.write_text(changed, encoding="utf-8")
    assert TrialDigestLoader().sniff(path, path.read_bytes())
    study = next(n for n in next(TrialDigestLoader().load(path)).nodes if n.kind is NodeKind.STUDY)
    assert study.props["has_results"] is True
    assert "status" not in study.props
