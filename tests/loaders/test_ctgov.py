"""ClinicalTrials.gov API v2 JSON: studies, why they stopped, adverse events as figures, bad input."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.model import EdgeType, NodeKind
from graph.store.memory import MemoryStore
from loaders import detect, load_path
from loaders.ctgov import CtgovLoader, dumps
from tests.shared_data import CTGOV, needs

DATA = Path(__file__).resolve().parents[1] / "data" / "ctgov"
MECASERMIN = DATA / "NCT90000001_mecasermin_terminated.json"
DUPILUMAB = CTGOV / "NCT02210780.json"
REPAGLINIDE = CTGOV / "NCT00763412.json"


def _one(path: Path):
    docs = load_path(path)
    assert len(docs) == 1
    return docs[0]


def _node(doc, node_id):
    return next(n for n in doc.all_nodes if n.id == node_id)


def _figures(doc, label):
    return {n.props["population"]: n for n in doc.nodes if n.kind is NodeKind.FIGURE and n.props["label"] == label}


def _edges(doc, etype):
    return {(e.source, e.target): e for e in doc.edges if e.type is etype}


@needs(DUPILUMAB)
def test_detected_as_ctgov():
    assert detect(DUPILUMAB).name == "ctgov"
    assert detect(DATA / "page_mecasermin.json").name == "ctgov"


@needs(DUPILUMAB)
def test_real_record_with_adverse_events():
    doc = _one(DUPILUMAB)
    study = _node(doc, "study:nct:NCT02210780")
    p = study.props
    assert (p["status"], p["phase"], p["n"], p["allocation"]) == ("COMPLETED", "Phase 2", 194, "RANDOMIZED")
    assert p["design"] == "randomized controlled trial"
    assert p["has_results"] is True and p["ended"] == "2015-09-15"
    assert doc.source.props["uri"] == "https://clinicaltrials.gov/study/NCT02210780"
    assert doc.source.props["source_type"] == "ctgov"
    # "Other" adverse event: conjunctivitis 8 of 97 on dupilumab, 0 of 97 on placebo
    conj = _figures(doc, "Conjunctivitis (other adverse event)")
    drug = conj["Dupilumab 300 mg qw"].props
    assert (drug["numerator"], drug["denominator"], drug["arm"]) == (8, 97, "treatment")
    assert drug["value"] == pytest.approx(8.25)
    placebo = conj["Placebo qw"].props
    assert (placebo["numerator"], placebo["denominator"], placebo["arm"]) == (0, 97, "comparator")
    finding = _node(doc, "drug:dupilumab") and next(
        n for n in doc.nodes if n.kind is NodeKind.FINDING and n.props["outcome"] == "conjunctivitis"
    )
    assert (conj["Dupilumab 300 mg qw"].id, finding.id) in _edges(doc, EdgeType.MEASURES)
    assert ("study:nct:NCT02210780", finding.id) in _edges(doc, EdgeType.SUPPORTS)
    # the quote of a figure is the stats entry, found verbatim at its span in the record JSON
    prov = conj["Dupilumab 300 mg qw"].provenance
    assert prov.quote == '{"groupId":"EG001","numAffected":8,"numAtRisk":97}'
    assert doc.source.props["text"][prov.span[0] : prov.span[1]] == prov.quote
    # a serious event not in the vocabulary becomes an Outcome node of its own
    serum = _figures(doc, "Serum sickness-like reaction (serious adverse event)")
    assert serum["Dupilumab 300 mg qw"].props["numerator"] == 1
    assert _node(doc, "outcome:serum-sickness-like-reaction").name == "Serum sickness-like reaction"
    assert "drug:placebo" not in {n.id for n in doc.nodes}


@needs(REPAGLINIDE)
def test_record_with_zero_adverse_events():
    doc = _one(REPAGLINIDE)
    totals = [n for n in doc.nodes if n.kind is NodeKind.FIGURE and "group total" in n.props["label"]]
    assert {(n.props["numerator"], n.props["denominator"]) for n in totals} == {(0, 8)}
    assert not [n for n in doc.nodes if n.kind is NodeKind.FIGURE and "(serious adverse event)" in n.props["label"]]
    assert (EdgeType.STUDIES, "drug:repaglinide") in {(e.type, e.target) for e in doc.edges}
    assert _node(doc, "study:nct:NCT00763412").props["n"] == 31


def test_terminated_for_hypoglycemia_is_a_finding_the_trial_supports():
    doc = _one(MECASERMIN)
    study = _node(doc, "study:nct:NCT90000001")
    assert study.props["status"] == "TERMINATED"
    assert study.props["why_stopped"] == "Unacceptable frequency of hypoglycemia in the mecasermin arm"
    assert study.props["ended"] == "2011-06"
    finding = next(n for n in doc.nodes if n.kind is NodeKind.FINDING and n.props["outcome"] == "hypoglycemia")
    assert finding.name == "mecasermin → hypoglycemia in primary IGF-1 deficiency"
    supports = _edges(doc, EdgeType.SUPPORTS)[("study:nct:NCT90000001", finding.id)]
    assert supports.provenance.quote == "Unacceptable frequency of hypoglycemia in the mecasermin arm"
    assert "whyStopped" in supports.props["note"]
    about = {e.target for e in doc.edges if e.type is EdgeType.ABOUT and e.source == finding.id}
    assert about == {"drug:mecasermin", "outcome:hypoglycemia"}
    serious = _figures(doc, "Hypoglycaemia (serious adverse event)")
    assert (serious["Mecasermin"].props["numerator"], serious["Mecasermin"].props["denominator"]) == (3, 21)
    assert (serious["Untreated control"].props["numerator"], serious["Untreated control"].props["denominator"]) == (
        0,
        20,
    )
    other = _figures(doc, "Hypoglycaemia (other adverse event)")
    assert other["Mecasermin"].props["numerator"] == 9
    assert _node(doc, "outcome:lipohypertrophy").props["synonyms"]


def test_page_yields_one_document_per_study():
    docs = load_path(DATA / "page_mecasermin.json")
    assert [next(n.id for n in d.nodes if n.kind is NodeKind.STUDY and n.props.get("status")) for d in docs] == [
        "study:nct:NCT00330668",
        "study:nct:NCT90000001",
    ]
    assert _node(docs[0], "study:nct:NCT00330668").props["has_results"] is False


def _page(tmp_path: Path, studies: list, **extra) -> Path:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"studies": studies, **extra}), encoding="utf-8")
    return path


@needs(REPAGLINIDE)
def test_one_bad_study_in_a_page_is_a_warning_and_the_others_load(tmp_path):
    good = json.loads(MECASERMIN.read_text())
    other = json.loads(REPAGLINIDE.read_text())
    no_nct = {"protocolSection": {"identificationModule": {"briefTitle": "No id"}}}
    bad_shape = {"protocolSection": ["not", "an", "object"]}
    path = _page(tmp_path, [good, no_nct, "a string", bad_shape, other], nextPageToken="abc")
    docs = list(CtgovLoader().load(path))
    assert [d.source.props["uri"].rsplit("/", 1)[1] for d in docs] == ["NCT90000001", "NCT00763412"]
    warnings = [w for d in docs for w in d.warnings]
    assert any("studies[1]" in w and "missing" in w for w in warnings)
    assert any("studies[2]" in w and "expected a study object" in w for w in warnings)
    assert any("studies[3]" in w and "protocolSection" in w for w in warnings)


def test_a_single_bad_study_names_record_and_field(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"protocolSection": {"identificationModule": {"nctId": "12345"}}}))
    with pytest.raises(LoadError) as caught:
        list(CtgovLoader().load(path))
    assert caught.value.field == "protocolSection.identificationModule.nctId"
    assert "'12345' is not an NCT id" in str(caught.value)


def test_wrong_top_level_shape_is_refused(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2, 3]")
    with pytest.raises(LoadError, match="expected a JSON object"):
        list(CtgovLoader().load(path))


def test_missing_modules_and_unknown_enums_load_with_warnings(tmp_path):
    record = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT90000002", "briefTitle": "Bare"},
            "statusModule": {"overallStatus": "PAUSED_FOR_LUNCH"},
            "designModule": {"phases": ["PHASE9"], "enrollmentInfo": {"count": "forty"}},
            "conditionsModule": "Laron syndrome",
        }
    }
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(record))
    doc = _one(path)
    study = _node(doc, "study:nct:NCT90000002")
    assert study.props["status"] == "PAUSED_FOR_LUNCH"  # kept as given, and flagged
    assert "n" not in study.props and "phase" not in study.props
    text = "\n".join(doc.warnings)
    assert (
        "study NCT90000002: field protocolSection.statusModule.overallStatus: unknown value 'PAUSED_FOR_LUNCH'" in text
    )
    assert "PHASE9" in text
    assert "protocolSection.designModule.enrollmentInfo.count: expected a whole number" in text
    assert "field protocolSection.conditionsModule: expected an object, got str" in text
    assert "armsInterventionsModule" not in text  # a missing module is not an error


@needs(REPAGLINIDE)
def test_truncated_page_keeps_the_studies_before_the_break(tmp_path):
    whole = dumps({"studies": [json.loads(MECASERMIN.read_text()), json.loads(REPAGLINIDE.read_text())]})
    path = tmp_path / "cut.json"
    path.write_text(whole[: len(whole) - 500], encoding="utf-8")
    docs = list(CtgovLoader().load(path))
    assert len(docs) == 1 and "NCT90000001" in docs[0].source.name
    assert any("ends early" in w for w in docs[0].warnings)


def test_truncated_single_study_is_an_error(tmp_path):
    text = MECASERMIN.read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    with pytest.raises(LoadError, match="ends early"):
        list(CtgovLoader().load(path))


def test_a_100_mb_page_is_streamed(tmp_path):
    study = dumps(json.loads(MECASERMIN.read_text()))
    path = tmp_path / "big.json"
    copies = 100 * 1024 * 1024 // len(study) + 1
    with path.open("w", encoding="utf-8") as out:
        out.write('{"studies":[')
        out.write(",".join([study] * 1000))
        for _ in range(copies // 1000):
            out.write("," + ",".join([study] * 1000))
        out.write('],"nextPageToken":"x"}')
    assert path.stat().st_size > 100 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    documents = CtgovLoader().load(path)
    first = [next(documents) for _ in range(3)]
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    documents.close()
    assert all("NCT90000001" in d.source.name for d in first)
    assert peak < 20 * 1024 * 1024, f"peak {peak:,} bytes: the file was not streamed"
    assert elapsed < 10


def test_meets_the_report_at_the_same_drug_and_outcome(evidence_document):
    store = MemoryStore()
    store.ingest(evidence_document)
    store.ingest(_one(MECASERMIN))
    evidence = store.evidence("drug:mecasermin", "outcome:hypoglycemia")
    reporters = {item.evidence["id"] for item in evidence.items}
    assert {"study:doi:10.1530/eje-20-0325", "study:nct:NCT90000001"} <= reporters
