"""Dutch compound and inflected outcome names read over an English open vocabulary.

The vocabulary here knows MeSH's English names only ("Acidosis, Lactic", "Renal Insufficiency",
"Liver Failure", "Hypoglycemia"); the report writes "melkzuuracidoses", "nierfalen",
"leverfalen", "hypoglykemische", "hypoglykemieën".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import EdgeType, NodeKind
from graph.vocab_store import Entry
from graph.vocabulary import Vocabulary
from loaders.report import OpenVocabulary, ReportLoader
from loaders.text.dutch import readings
from loaders.text.recognize import Recognizer

REPORT = Path(__file__).resolve().parents[1] / "data" / "reports" / "gliclazide_nierfunctie_samengestelde_termen.txt"


def _entry(term: str, mesh: str, name: str, kind: str) -> Entry:
    return Entry(term=term, mesh=mesh, name=name, kind=kind, cased=None, count=0)


def _recognizer() -> Recognizer:
    return Recognizer(
        [
            _entry("gliclazide", "D005907", "Gliclazide", "Drug"),
            _entry("diabetes mellitus, type 2", "D003924", "Diabetes Mellitus, Type 2", "Condition"),
            _entry("liver failure", "D017093", "Liver Failure", "Condition"),
            _entry("hypoglycemia", "D007003", "Hypoglycemia", "Outcome"),
            _entry("acidosis, lactic", "D000140", "Acidosis, Lactic", "Outcome"),
            _entry("renal insufficiency", "D051437", "Renal Insufficiency", "Outcome"),
            _entry("kidney failure", "D051437", "Renal Insufficiency", "Outcome"),
        ],
        vocabulary=Vocabulary([]),  # no curated Dutch synonyms: only the English names
    )


@pytest.mark.parametrize(
    ("word", "reading"),
    [
        ("melkzuuracidose", "lactic acidosis"),
        ("Melkzuuracidoses", "lactic acidosis"),
        ("nierfalen", "kidney failure"),
        ("leverfalen", "liver failure"),
        ("nierinsufficiëntie", "renal insufficiency"),
        ("hypoglykemieën", "hypoglykemie"),
        ("hypoglykemische", "hypoglykemie"),
        ("gewichtstoename", "weight gain"),
        ("spierkrampen", "muscle cramps"),
    ],
)
def test_a_compound_reads_as_its_english_name(word, reading):
    assert reading in readings(word)


def test_words_the_table_cannot_read_have_no_reading():
    assert readings("patiënten") == readings("behandeling") == readings("werd") == ()


def test_the_report_is_read_over_the_english_names():
    recognizer = _recognizer()
    assert not recognizer.mentions("Nierfalen werd niet gezien.")  # the recogniser alone misses the compound
    doc = next(ReportLoader(OpenVocabulary(Vocabulary([]), recognizer)).load(REPORT))
    names = {n.id: n.name for n in doc.all_nodes}
    stances = {
        (e.type.value, names[e.source], names[e.target], e.provenance.quote)
        for e in doc.edges
        if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)
    }
    assert stances == {
        (
            "SUPPORTS",
            "Schernthaner 2004",
            "Gliclazide → Hypoglycemia",
            "Hypoglykemische episodes traden op bij 12/421 patiënten.",
        ),
        ("CONTRADICTS", "Schernthaner 2004", "Gliclazide → Renal Insufficiency", "Nierfalen werd niet gezien."),
        ("CONTRADICTS", "Kowalski 2019", "Gliclazide → Acidosis, Lactic", "Er traden geen melkzuuracidoses op."),
        (
            "SUPPORTS",
            "Kowalski 2019",
            "Gliclazide → Hypoglycemia",
            "Hypoglykemieën kwamen voor bij 9% van 310 patiënten.",
        ),
        ("SUPPORTS", "SPC Diamicron 2022", "Gliclazide → Hypoglycemia", "Vaak: hypoglykemie."),
    }
    # SPC 4.3 "Ernstig leverfalen.": a contra-indication in the MeSH condition, not a new name
    contra = [e for e in doc.edges if e.type is EdgeType.RECOMMENDS and e.props.get("note") == "contra-indication"]
    assert [names[e.target] for e in contra] == ["Gliclazide → Liver Failure"]
    liver = next(n for n in doc.nodes if n.name == "Liver Failure")
    assert liver.kind is NodeKind.CONDITION and liver.props.get("mesh") == "D017093"
    figures = {(n.props.get("numerator"), n.props.get("denominator")) for n in doc.nodes if n.kind is NodeKind.FIGURE}
    assert {(12, 421), (None, 310)} <= figures
    assert not doc.warnings
