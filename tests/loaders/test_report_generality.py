"""Reports in the seed's format about other drugs and conditions, other layouts and languages.

Each test checks the facts a researcher reads from one report: every stance (the whole set,
so a wrong one fails), figures with their denominators, arm populations and doses, sample
sizes, guidelines written by organisations with their strength, and SPC sections 4.2–4.8.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import Document, EdgeType, NodeKind
from graph.vocabulary import Vocabulary
from loaders.report import OpenVocabulary, ReportLoader, parse_report

DATA = Path(__file__).resolve().parents[1] / "data" / "reports"


def _load(name: str, **kwargs) -> Document:
    return next(ReportLoader(**kwargs).load(DATA / name))


def _names(doc: Document) -> dict[str, str]:
    return {n.id: n.name for n in doc.all_nodes}


def _stances(doc: Document) -> set[tuple[str, str, str]]:
    names = _names(doc)
    return {
        (e.type.value, names[e.source], names[e.target])
        for e in doc.edges
        if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)
    }


def _figures(doc: Document) -> list[dict]:
    names = _names(doc)
    out = []
    for n in doc.nodes:
        if n.kind is NodeKind.FIGURE:
            measures = [names[e.target] for e in doc.edges if e.type is EdgeType.MEASURES and e.source == n.id]
            out.append({**n.props, "measures": measures})
    return out


def _node(doc: Document, name: str):
    (node,) = [n for n in doc.all_nodes if n.name == name]
    return node


def _recommends(doc: Document, source: str) -> dict[str, dict]:
    names = _names(doc)
    return {
        names[e.target]: {"quote": e.provenance.quote, **e.props}
        for e in doc.edges
        if e.type is EdgeType.RECOMMENDS and names[e.source] == source
    }


def test_metformin_in_renal_impairment():
    doc = _load("metformine_nierfunctiestoornis.txt")
    la = "metformin → lactic acidosis in type 2 diabetes"
    assert _stances(doc) == {
        ("SUPPORTS", "Lalau 2018", la),
        ("CONTRADICTS", "Lalau 2018", "metformin → hypoglycemia in type 2 diabetes"),
        ("SUPPORTS", "Inzucchi 2014", la),  # not from "…werd … onderzocht": a study's aim is no finding
        ("CONTRADICTS", "Ekström 2012", la),  # "No lactic acidosis was observed"
        ("SUPPORTS", "SPC Glucophage 2020", "metformin → lactic acidosis"),  # listed in 4.8
    }
    arms = {
        (f.get("numerator"), f.get("denominator"), f.get("population"), f.get("dose_regimen")) for f in _figures(doc)
    }
    assert (3, 60, "verlaagde dosis (n=60)", "verlaagde dosis") in arms
    assert (4, 60, "volledige dosis (n=60)", "volledige dosis") in arms
    rate = next(f for f in _figures(doc) if f.get("value") == 0.27)
    assert rate["unit"] == "%" and rate["measures"] == [la] and rate["denominator"] == 1100  # "in 1,100 patients"
    assert {n.name: n.props["n"] for n in doc.nodes if n.kind is NodeKind.STUDY} == {
        "Lalau 2018": 120,
        "Inzucchi 2014": 65,
        "Ekström 2012": 51675,
    }
    nfn = _node(doc, "Nederlandse Federatie voor Nefrologie 2021")
    assert (nfn.props["issuer"], nfn.props["strength"], nfn.props["quality"], nfn.props["year"]) == (
        "Nederlandse Federatie voor Nefrologie",
        "Sterke aanbeveling",
        "moderate",
        2021,
    )
    assert _recommends(doc, nfn.name)["metformin"]["quote"].startswith("Het wordt aanbevolen de dosering")
    # SPC 4.3: each contra-indication is a claim about a condition, not about the report's outcome
    spc = _recommends(doc, "SPC Glucophage 2020")
    assert spc["metformin → Ernstig nierfalen"]["note"] == "contra-indication"
    assert spc["metformin → Ernstig nierfalen"]["quote"] == "Ernstig nierfalen (GFR < 30 ml/min)."
    assert "metformin → Diabetische ketoacidose" in spc
    assert spc["metformin"]["text"].startswith("4.2 dosing: Bij een GFR van 30-44 ml/min")
    assert _node(doc, "Ernstig nierfalen").kind is NodeKind.CONDITION
    advice = spc["metformin → lactic acidosis in type 2 diabetes"]["text"]
    assert "4.4 warning: De nierfunctie" in advice and "4.5 interaction: Jodiumhoudende" in advice
    assert "4.6 pregnancy: Bij een zwangerschapswens" in advice and "4.7 driving: Metformine alleen" in advice
    assert _node(doc, "SPC Glucophage 2020").props["section"] == "4.2; 4.3; 4.4; 4.5; 4.6; 4.7; 4.8"
    # 4.8 "Zeer zelden (< 1/10.000)" is a frequency band, not one patient of ten thousand
    band = next(f for f in _figures(doc) if f.get("category"))
    assert band["category"] == "Zeer zelden (< 1/10.000)"
    assert band.get("numerator") is None and band.get("denominator") is None and band.get("value") is None
    assert not any(f.get("denominator") in (1, 10) for f in _figures(doc))


def test_risk_factors_are_not_effects_and_organisation_guideline():
    doc = _load("glucocorticoiden_diabetes_risicofactoren.txt")
    hyper = "prednisolone → hyperglycemia in diabetes mellitus"
    assert _stances(doc) == {
        ("SUPPORTS", "Wong 2016", hyper),
        # "Bij een dosis van 30 mg per dag of meer had 61% van de patiënten hyperglykemie": a claim at a dose
        ("SUPPORTS", "Wong 2016", f"{hyper} at ≥ 30 mg per dag"),
        ("CONTRADICTS", "Wong 2016", "prednisolone → hypoglycemia in diabetes mellitus"),
        ("SUPPORTS", "Hoekstra 2019", "prednisolone → hyperglycemia in type 2 diabetes"),
        ("SUPPORTS", "Nederlandse Internisten Vereniging 2020", "prednisolone → hyperglycemia"),
    }
    # "Patiënten met een HbA1c > 64 mmol/mol hadden vaker hyperglykemie": HbA1c is the patients', not an effect
    assert not [n for n in doc.nodes if n.kind is NodeKind.FINDING and "HbA1c" in n.name]
    figures = {f["value"]: f for f in _figures(doc)}
    assert (figures[46.0]["numerator"], figures[46.0]["denominator"]) == (96, 210)
    assert (figures[61.0]["dose_value"], figures[61.0]["dose_unit"], figures[61.0]["dose_regimen"]) == (
        30.0,
        "mg",
        "per dag; at or above",
    )
    assert _node(doc, "Hoekstra 2019").props["n"] == 1  # "Een 54-jarige man"
    niv = _node(doc, "Nederlandse Internisten Vereniging 2020")
    assert (niv.props["strength"], niv.props["quality"], niv.props["title"]) == (
        "Sterke aanbeveling",
        "low",
        "Richtlijn glucocorticoïden en diabetes",
    )
    rec = _recommends(doc, niv.name)["prednisolone"]
    assert rec["strength"] == "Sterke aanbeveling" and rec["quote"].startswith("Wij adviseren")
    assert not doc.warnings[1:]  # only the denominator-less 61%


def test_english_report_with_arms_organisation_guideline_and_smpc():
    doc = _load("insulin_glargine_english.txt")
    assert _stances(doc) == {
        ("SUPPORTS", "Pratley 2019", "insulin → severe hypoglycemia in type 2 diabetes"),
        ("SUPPORTS", "Pratley 2019", "insulin → HbA1c change in type 2 diabetes"),
        ("CONTRADICTS", "Pratley 2019", "insulin → hypoglycemic seizure in type 2 diabetes"),
        ("SUPPORTS", "Mbaye 2020", "insulin → hypoglycemia in diabetes mellitus"),
        ("SUPPORTS", "SmPC Lantus 2021", "insulin → hypoglycemia"),  # 4.8 "Very common (≥1/10): hypoglycaemia"
        ("SUPPORTS", "SmPC Lantus 2021", "insulin → injection site reaction"),  # 4.8 "Common: …"
    }
    arms = {(f["numerator"], f["denominator"]): f for f in _figures(doc) if f.get("numerator") is not None}
    assert arms[(12, 150)]["population"] == "reduced dose (n=150)"
    assert arms[(19, 148)]["population"] == "full dose (n=148)"
    assert arms[(19, 148)]["measures"] == ["insulin → severe hypoglycemia in type 2 diabetes"]
    hba1c = next(f for f in _figures(doc) if f.get("value") == 7.6)
    assert hba1c["baseline"] == 8.4
    assert _node(doc, "Mbaye 2020").props["n"] == 2  # "Two sisters"
    ada = _node(doc, "American Diabetes Association 2024")
    assert (ada.props["strength"], ada.props["quality"], ada.props["journal"], ada.props["pages"]) == (
        "Strong recommendation",
        "high",
        "Diabetes Care",
        "S1-S321",
    )
    smpc = _recommends(doc, "SmPC Lantus 2021")
    assert smpc["insulin → Hypersensitivity to the active substance"]["note"] == "contra-indication"
    assert smpc["insulin"]["text"].startswith("4.2 dosing: The dose should be adjusted")
    assert "4.4 warning" in smpc["insulin → hypoglycemia in type 2 diabetes"]["text"]
    bands = {f["category"]: f["measures"] for f in _figures(doc) if f.get("category")}
    assert bands == {"Very common (≥1/10)": ["insulin → hypoglycemia"], "Common": ["insulin → injection site reaction"]}
    assert doc.source.props["language"] == "en"


_EXTRA = """
drugs:
  - name: isotretinoin
    atc: D10BA01
    synonyms: [isotretinoïne, isotretinoine, Roaccutane]
conditions:
  - name: acne
    mesh: D000152
    synonyms: [acne vulgaris]
outcomes:
  - name: depression
    mesh: D003863
    synonyms: [depressie, depressieve klachten]
"""


def test_compact_table_read_with_an_open_vocabulary():
    # rows without blank lines, "Meta-analyse" and "n =" on their own lines; drug, condition and
    # outcome are not in the bundled vocabulary: a richer one (here a small extra one) plugs in
    bundled_only = _load("isotretinoine_acne_compacte_tabel.txt")
    assert not _stances(bundled_only)
    assert any("Isotretinoïne" in w and "not in the vocabulary" in w for w in bundled_only.warnings)
    vocabulary = OpenVocabulary(Vocabulary.default(), Vocabulary.from_yaml(_EXTRA))
    doc = _load("isotretinoine_acne_compacte_tabel.txt", vocabulary=vocabulary)
    claim = "isotretinoin → depression in acne"
    at_dose = f"{claim} at ≥ 1 mg/kg/dag"  # "In studies met doseringen van 1 mg/kg/dag of meer … 8/95"
    assert _stances(doc) == {
        ("CONTRADICTS", "Huang 2017", claim),
        ("SUPPORTS", "Huang 2017", at_dose),
        ("CONTRADICTS", "Bremner 2005", claim),
    }
    figures = {(f.get("numerator"), f.get("denominator")): f for f in _figures(doc)}
    assert figures[(8, 95)]["measures"] == [at_dose]
    assert (figures[(8, 95)]["dose_value"], figures[(8, 95)]["dose_unit"]) == (1.0, "mg/kg/dag")
    assert figures[(0, 13)]["measures"] == [claim]
    assert {n.name: n.props.get("design") for n in doc.nodes if n.kind is NodeKind.STUDY} == {
        "Huang 2017": "meta-analysis",
        "Bremner 2005": "prospective study",
    }
    assert not doc.warnings


def test_a_plain_vocabulary_object_plugs_in_too():
    text = (DATA / "isotretinoine_acne_compacte_tabel.txt").read_text(encoding="utf-8")
    merged = Vocabulary([*Vocabulary.default().concepts, *Vocabulary.from_yaml(_EXTRA).concepts])
    doc = parse_report(text, vocabulary=merged)
    assert doc.source.props["drug"] == "isotretinoin" and doc.source.props["condition"] == "acne"


@pytest.mark.parametrize(
    "name",
    [
        "metformine_nierfunctiestoornis.txt",
        "glucocorticoiden_diabetes_risicofactoren.txt",
        "insulin_glargine_english.txt",
        "isotretinoine_acne_compacte_tabel.txt",
    ],
)
def test_every_quote_is_verbatim_and_loading_is_idempotent(name):
    first, second = _load(name), _load(name)
    text = first.source.props["text"]
    for record in (*first.nodes, *first.edges):
        prov = record.provenance
        if prov.span:
            assert text[prov.span[0] : prov.span[1]] == prov.quote
    assert [n.id for n in first.nodes] == [n.id for n in second.nodes]
    assert [e.id for e in first.edges] == [e.id for e in second.edges]
