"""The conflicts view compares the dose each side states instead of saying "not recorded"."""

from __future__ import annotations

import json
from pathlib import Path

from graph.store.memory import MemoryStore
from graph.synthesis import synthesise
from loaders.ctgov import study_document
from tests.synthesis.conftest import report_documents

DATA = Path(__file__).resolve().parents[1] / "data" / "ctgov"


def _dose(conflict):
    return next(((d.supporting, d.contradicting) for d in conflict.differences if d.attribute == "dose"), None)


def test_a_dose_in_the_supporting_sentence_is_compared(sample_evidence):
    syn = synthesise(sample_evidence)
    pair = next(
        c for c in syn.conflicts if (c.supporting.name, c.contradicting.name) == ("Mohamed-Ali 2002", "Khwaja 2014")
    )
    # "Wel is er in studies met hogere doseringen hypoglykemie … gemeld" against "Er werd geen hypoglykemie gezien."
    assert _dose(pair) == ("hogere doseringen", "not recorded")
    assert "dose" not in pair.not_recorded


def test_registry_doses_reach_the_conflicts_view():
    record = json.loads((DATA / "NCT90000001_mecasermin_terminated.json").read_text(encoding="utf-8"))
    record["protocolSection"]["statusModule"]["whyStopped"] = "Hypoglycemia at or above 200 µg/kg/day"
    store = MemoryStore()
    for document in report_documents():
        store.ingest(document)
    store.ingest(study_document(record))
    syn = synthesise(store.evidence("drug:mecasermin", "outcome:hypoglycemia"))
    pair = next(c for c in syn.conflicts if c.supporting.evidence_id == "study:nct:NCT90000001")
    supporting, contradicting = _dose(pair)
    # the trial's figures carry its groups' dose ("Mecasermin 120 µg/kg twice daily")
    assert supporting == "120 µg/kg twice daily"
    assert contradicting == "not recorded"
