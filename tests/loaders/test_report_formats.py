"""Other reports in the same format: another drug, reordered/missing sections, an English table, PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import Document, EdgeType, NodeKind
from loaders import detect, load_path
from loaders.report import ReportLoader

DATA = Path(__file__).parents[1] / "data" / "reports"
SAMPLE = Path(__file__).parents[2] / "loaders" / "samples" / "shb_mecasermine_diabetes.txt"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def load(name: str) -> Document:
    path = DATA / name
    assert isinstance(detect(path), ReportLoader)
    (doc,) = load_path(path)
    return doc


def named(doc: Document, name: str):
    (n,) = [n for n in doc.all_nodes if n.name == name]
    return n


def stances(doc: Document) -> set[tuple[str, str, str, str | None]]:
    names = {n.id: n for n in doc.all_nodes}
    return {
        (e.type.value, names[e.source].name, names[e.target].props["outcome"], names[e.target].props.get("population"))
        for e in doc.edges
        if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)
    }


def test_another_drug_and_condition():
    doc = load("prednisolon_diabetes.txt")
    p = doc.source.props
    assert (p["advice"], p["drug"], p["condition"], p["review_period"]) == (
        "contraindicated",
        "prednisolone",
        "type 2 diabetes",
        "2012–2023",
    )
    visser = named(doc, "Visser 2019").props
    assert (visser["doi"], visser["design"], visser["n"], visser["met_pico"]) == (
        "10.9999/njm.2019.0412",
        "RCT",
        84,
        True,
    )
    assert visser["authors"] == "Visser JA; de Boer P; Jansen-Smit L; et al."
    assert named(doc, "Bakker 2021").props["design"] == "retrospective study"
    assert stances(doc) >= {
        ("SUPPORTS", "Visser 2019", "hyperglycemia", "type 2 diabetes"),
        ("CONTRADICTS", "Visser 2019", "hypoglycemia", "type 2 diabetes"),
        ("SUPPORTS", "Bakker 2021", "hyperglycemia", None),
        ("SUPPORTS", "Pieters 2020", "hyperglycemia", None),
    }
    figs = {n.props["value"]: n.props for n in doc.nodes if n.kind is NodeKind.FIGURE}
    assert (figs[38.0]["denominator"], figs[38.0]["population"]) == (42, "prednisolongroep (n=42)")
    assert (figs[35.0]["numerator"], figs[35.0]["denominator"]) == (140, 400)
    assert (figs[7.9]["baseline"], figs[0.02]["unit"]) == (7.1, "events per patient-year")
    guideline = named(doc, "Pieters 2020")
    assert (guideline.props["strength"], guideline.props["quality"], guideline.props["section"]) == (
        "Strong recommendation",
        "⚫⚫⚫◯",
        "3.1",
    )
    # the first guideline row is written by an organisation: a guideline of its own, without a
    # recommendation of its own (the recommendation below belongs to the next row)
    niv = named(doc, "Nederlandse Internisten Vereniging 2020")
    assert (niv.props["issuer"], niv.props["title"], niv.props["year"]) == (
        "Nederlandse Internisten Vereniging",
        "Richtlijn glucocorticoïden en diabetes",
        2020,
    )
    assert doc.warnings == (
        "line 80: guideline 'Nederlandse Internisten Vereniging 2020': no recommendation sentence found",
    )
    assert DATA.joinpath("prednisolon_diabetes.txt").read_text().splitlines()[76].startswith("Nederlandse Internisten")


def test_reordered_report_with_missing_sections():
    doc = load("dupilumab_eczeem_reordered.txt")
    p = doc.source.props
    assert (p["advice"], p["drug"], p["condition"]) == ("no action", "dupilumab", "atopic dermatitis")
    assert "review_period" not in p and "search_terms" not in p
    study = named(doc, "Hendriks 2020").props
    assert (study["doi"], study["design"], study["n"]) == ("10.9999/bjd.2020.1120", "prospective study", 50)
    assert study["reviewer_remarks"] == "• Geen controlegroep."
    assert stances(doc) == {
        ("SUPPORTS", "Hendriks 2020", "conjunctivitis", "atopic dermatitis"),
        ("CONTRADICTS", "Hendriks 2020", "headache", "atopic dermatitis"),
    }
    (fig,) = [n for n in doc.nodes if n.kind is NodeKind.FIGURE]
    assert (fig.props["value"], fig.props["numerator"], fig.props["denominator"]) == (24.0, 12, 50)
    assert not [n for n in doc.nodes if n.kind is NodeKind.GUIDELINE]


def test_english_study_table():
    doc = load("somatropine_diabetes_english_table.txt")
    assert doc.source.props["drug"] == "somatropin" and doc.source.props["review_period"] == "from 2015"
    clark = named(doc, "Clark 2018").props
    assert (clark["design"], clark["n"], clark["language"], clark["doi"]) == (
        "cohort study",
        60,
        "en",
        "10.9999/dc18-0042",
    )
    assert clark["author_remarks"] == "• Patients did not experience severe hypoglycaemia."
    assert clark["reviewer_remarks"].startswith("• Small study")
    assert stances(doc) == {
        ("SUPPORTS", "Clark 2018", "hyperglycemia", "type 1 diabetes"),
        ("SUPPORTS", "Clark 2018", "HbA1c change", "type 1 diabetes"),
        ("CONTRADICTS", "Clark 2018", "severe hypoglycemia", "type 1 diabetes"),
    }
    figs = {n.props["value"]: n.props for n in doc.nodes if n.kind is NodeKind.FIGURE}
    assert (figs[30.0]["numerator"], figs[30.0]["denominator"]) == (12, 40)
    assert figs[7.9]["baseline"] == 7.4


def _font() -> Path:
    font = FONT_DIR / "DejaVuSans.ttf"
    if not font.exists():
        pytest.skip(f"no Unicode TTF font at {font} (apt-get install fonts-dejavu-core) to write the test PDF")
    return font


def make_pdf(text: str, path: Path) -> Path:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (dev extra) writes the test PDF")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(_font()))
    pdf.set_font("DejaVu", size=9)
    for line in text.split("\n"):
        if line.strip():
            pdf.cell(0, 4.5, line.rstrip(), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4.5)
    path.write_bytes(bytes(pdf.output()))
    return path


def test_pdf_with_text_layer(tmp_path):
    pdf = make_pdf(SAMPLE.read_text(encoding="utf-8"), tmp_path / "report.pdf")
    assert isinstance(detect(pdf), ReportLoader)
    (doc,) = load_path(pdf)
    assert doc.source.props["advice"] == "monitor"
    studies = {n.name: n.props for n in doc.nodes if n.kind is NodeKind.STUDY}
    assert set(studies) == {
        "Ekström 2015",
        "Mohamed-Ali 2002",
        "Khwaja 2014",
        "Bang 2021",
        "Martín-Rivada 2021",
        "Latrech 2012",
    }
    assert studies["Khwaja 2014"]["doi"] == "10.1073/pnas.1311141111"
    assert studies["Khwaja 2014"]["design"] == "clinical study"
    assert stances(doc) >= {
        ("SUPPORTS", "Bang 2021", "hypoglycemia", None),
        ("CONTRADICTS", "Khwaja 2014", "hypoglycemia", "Rett syndrome"),
    }
    figs = {(n.props["value"], n.props.get("denominator")) for n in doc.nodes if n.kind is NodeKind.FIGURE}
    assert {(51.0, 21), (16.0, 114)} <= figs
    grimberg = next(n for n in doc.nodes if n.name == "Grimberg 2016")
    assert grimberg.props["quality"] == "⚫⚫⚫⚫"
