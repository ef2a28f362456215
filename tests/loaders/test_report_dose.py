"""A claim stated at a dose is a Finding of its own, shown with its dose in the evidence table and conflicts."""

from __future__ import annotations

import json
from pathlib import Path

from graph.evidence_view import evidence_rows
from graph.model import EdgeType, NodeKind
from graph.store.memory import MemoryStore
from graph.synthesis import synthesise
from loaders import load_path
from loaders.ctgov import study_document
from loaders.report import parse_report
from ui.web.evidence_html import evidence_html

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "loaders" / "samples" / "shb_mecasermine_diabetes.txt"
RECORD = ROOT / "tests" / "data" / "ctgov" / "NCT90000001_mecasermin_terminated.json"


def _store_with_seed_and_trial() -> MemoryStore:
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    record["protocolSection"]["statusModule"]["whyStopped"] = "Hypoglycemia at or above 200 µg/kg/day"
    store = MemoryStore()
    for document in load_path(SAMPLE):
        store.ingest(document)
    store.ingest(study_document(record))
    return store


def _supported(doc, reporter: str) -> list:
    """The hypoglycemia claims ``reporter`` supports."""
    names = {n.id: n for n in doc.all_nodes}
    return [
        names[e.target]
        for e in doc.edges
        if e.type is EdgeType.SUPPORTS
        and names[e.source].name == reporter
        and names[e.target].props["outcome"] == "hypoglycemia"
    ]


def test_the_seeds_higher_doses_are_a_claim_of_their_own():
    (doc,) = load_path(SAMPLE)
    (finding,) = _supported(doc, "Mohamed-Ali 2002")
    # "Wel is er in studies met hogere doseringen hypoglykemie en andere bijwerkingen gemeld."
    assert finding.name == "mecasermin → hypoglycemia in diabetes mellitus at hogere doseringen"
    assert finding.props["dose_regimen"] == "hogere doseringen"
    assert "dose_value" not in finding.props  # the text gives no number: none is made up
    about = {e.target for e in doc.edges if e.type is EdgeType.ABOUT and e.source == finding.id}
    assert about == {"drug:mecasermin", "outcome:hypoglycemia"}
    # the claims of sentences without a dose carry none
    (khwaja,) = [
        n for n in doc.nodes if n.kind is NodeKind.FINDING and n.name.endswith("hypoglycemia in Rett syndrome")
    ]
    assert not {"dose_value", "dose_unit", "dose_regimen"} & set(khwaja.props)


def test_a_dose_makes_a_distinct_id_and_the_same_dose_meets():
    def finding_ids(sentence: str) -> set[str]:
        text = SAMPLE.read_text(encoding="utf-8").replace(
            "Wel is er in studies met hogere doseringen", f"Wel is er in studies {sentence}"
        )
        return {f.id for f in _supported(parse_report(text), "Mohamed-Ali 2002")}

    at_200, again, at_100 = (
        finding_ids("bij 200 µg/kg/dag of meer"),
        finding_ids("bij 200 µg/kg/dag of meer"),
        finding_ids("bij 100 µg/kg/dag of meer"),
    )
    assert at_200 == again and at_200 != at_100


def test_a_sentence_comparing_doses_keeps_the_claim_without_a_dose():
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "Wel is er in studies met hogere doseringen", "Wel is er bij 40 mg/kg en bij 80 mg/kg"
    )
    (finding,) = _supported(parse_report(text), "Mohamed-Ali 2002")
    assert finding.name == "mecasermin → hypoglycemia in diabetes mellitus"


def test_the_evidence_table_shows_the_dose():
    store = _store_with_seed_and_trial()
    rows = evidence_rows(store.evidence("drug:mecasermin", "outcome:hypoglycemia"))
    by_name = {(r.name, r.stance): r for r in rows}
    assert by_name[("Mohamed-Ali 2002", "supports")].doses == ("hogere doseringen",)
    trial = next(r for r in rows if r.evidence_id == "study:nct:NCT90000001" and r.stance == "supports")
    assert "≥ 200 µg/kg/day" in trial.doses
    assert by_name[("Khwaja 2014", "contradicts")].doses == ()
    html = evidence_html(rows, [])
    assert "dose: hogere doseringen" in html and "dose: " in html.split("Khwaja 2014")[0]
    assert "≥ 200 µg/kg/day" in html


def test_the_conflicts_view_compares_the_trials_stopping_dose():
    store = _store_with_seed_and_trial()
    syn = synthesise(store.evidence("drug:mecasermin", "outcome:hypoglycemia"))
    stop = next(
        c
        for c in syn.conflicts
        if c.supporting.evidence_id == "study:nct:NCT90000001" and "200" in (c.supporting.claim or "")
    )
    dose = next(d for d in stop.differences if d.attribute == "dose")
    assert dose.supporting == "≥ 200 µg/kg/day"


def test_a_digest_and_a_registry_record_meet_on_the_claim_at_a_dose():
    from loaders.trial_digest import parse_trial_digest

    text = (ROOT / "loaders" / "samples" / "trial_digest_NCT00330668.txt").read_text(encoding="utf-8")
    text = text.replace(
        "terminated in March 2010, as indicated",
        "terminated in March 2010 because of hypoglycemia at or above 200 µg/kg/day, as indicated",
    )
    digest = parse_trial_digest(text)
    (edge,) = [e for e in digest.edges if e.type is EdgeType.SUPPORTS]
    finding = next(n for n in digest.nodes if n.id == edge.target)
    assert finding.name == "mecasermin → hypoglycemia in primary IGF-1 deficiency at ≥ 200 µg/kg/day"
    assert edge.props["note"].endswith("dose: ≥ 200 µg/kg/day") and edge.provenance.quote in text
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    record["protocolSection"]["statusModule"]["whyStopped"] = "Hypoglycemia at or above 200 µg/kg/day"
    registry = study_document(record)
    assert finding.id in {e.target for e in registry.edges if e.type is EdgeType.SUPPORTS}
    # the sample digest names no reason: no stance is made up
    plain = parse_trial_digest((ROOT / "loaders" / "samples" / "trial_digest_NCT00330668.txt").read_text("utf-8"))
    assert not [e for e in plain.edges if e.type is EdgeType.SUPPORTS]
    negated = parse_trial_digest(text.replace("because of hypoglycemia", "for reasons not related to hypoglycemia"))
    assert not [e for e in negated.edges if e.type is EdgeType.SUPPORTS]
