"""The drug–disease report loader on the bundled sample: every fact the issue lists, with quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import Document, EdgeType, NodeKind
from graph.store.memory import MemoryStore
from loaders import detect, load_path
from loaders.report import ReportLoader

SAMPLE = Path(__file__).parents[2] / "loaders" / "samples" / "shb_mecasermine_diabetes.txt"


@pytest.fixture(scope="module")
def doc() -> Document:
    docs = load_path(SAMPLE)
    assert len(docs) == 1
    return docs[0]


def node(doc: Document, name: str, kind: NodeKind | None = None):
    found = [n for n in doc.all_nodes if n.name == name and (kind is None or n.kind is kind)]
    assert len(found) == 1, (name, [n.name for n in doc.all_nodes])
    return found[0]


def edges(doc: Document, etype: EdgeType, source=None, target=None):
    return [
        e
        for e in doc.edges
        if e.type is etype and (source is None or e.source == source) and (target is None or e.target == target)
    ]


def stance_of(doc: Document, reporter: str, outcome: str):
    """(stance, quote) of a reporter towards 'drug → outcome' (any population)."""
    names = {n.id: n for n in doc.all_nodes}
    out = [
        (e.type, e.provenance.quote)
        for e in doc.edges
        if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)
        and names[e.source].name == reporter
        and names[e.target].props["outcome"] == outcome
    ]
    assert len(out) == 1, out
    return out[0]


def figures_of(doc: Document, reporter: str):
    rid = node(doc, reporter).id
    names = {n.id: n for n in doc.all_nodes}
    return [names[e.target] for e in edges(doc, EdgeType.REPORTS, source=rid)]


def test_sample_is_detected_as_a_report():
    assert isinstance(detect(SAMPLE), ReportLoader)


def test_report_source_node(doc):
    p = doc.source.props
    assert doc.source.kind is NodeKind.SOURCE
    assert p["advice"] == "monitor"
    assert p["drug"] == "mecasermin" and p["condition"] == "diabetes mellitus"
    assert p["pico_population"] == "Patiënt met diabetes"
    assert p["pico_intervention"] == "Mecasermine"
    assert p["pico_comparison"] == "Placebo (of patiënten zonder diabetes)"
    assert p["pico_outcome"].startswith("Ontregeling diabetes mellitus, toename micro- of macrovasculaire complicaties")
    assert "hypoglykemieën" in p["pico_outcome"]
    assert p["review_period"] == "from 2010"
    assert p["language"] == "nl"
    assert p["text"] == SAMPLE.read_text(encoding="utf-8")
    assert p["search_terms"].startswith("PUBMED: diabetes mellitus OR hypoglycemia")
    assert doc.source.name == "mecasermin – diabetes mellitus"


def test_advice_is_a_recommends_edge_with_its_quote(doc):
    (edge,) = edges(doc, EdgeType.RECOMMENDS, source=doc.source.id)
    assert edge.props["text"] == "monitor"
    assert edge.provenance.quote == "Wel bewaken"


def test_concepts_are_normalised(doc):
    ids = {n.id for n in doc.all_nodes}
    assert {"drug:mecasermin", "outcome:hypoglycemia", "condition:type-1-diabetes", "condition:laron-syndrome"} <= ids
    assert {"condition:rett-syndrome", "condition:papp-a2-deficiency", "condition:diabetes-mellitus"} <= ids
    assert len([n for n in doc.all_nodes if n.kind is NodeKind.DRUG]) == 1  # IGF-1, rhIGF-1, Increlex: one drug
    assert node(doc, "mecasermin").props["atc"] == "H01AC03"


STUDIES = {
    # name: (doi, design, n, met_pico, year, journal, volume, pages)
    "Ekström 2015": (
        "10.1210/jc.2015-2070",
        "RCT (cross-over)",
        7,
        True,
        2015,
        "J Clin Endocrinol Metab",
        "100(11)",
        "4299-4306",
    ),
    "Mohamed-Ali 2002": (None, "review", 376, True, 2002, "Treatments in endocrinology", "1(6)", "399–410"),
    "Khwaja 2014": (
        "10.1073/pnas.1311141111",
        "clinical study",
        10,
        False,
        2014,
        "Proc Natl Acad Sci U S A",
        "111(12)",
        "4596-4601",
    ),
    "Bang 2021": (
        "10.1530/EJE-20-0325",
        "prospective study",
        242,
        False,
        2021,
        "Eur J Endocrinol",
        "184(2)",
        "267-276",
    ),
    "Martín-Rivada 2021": (
        "10.1016/j.ghir.2021.101419",
        "case report",
        2,  # "Een broer en zus"
        False,
        2021,
        "Growth Horm IGF Res",
        "60-61",
        "101419",
    ),
    "Latrech 2012": ("10.1159/000339158", "case report", 1, False, 2012, "Horm Res Paediatr", "78(3)", "193-200"),
}


@pytest.mark.parametrize("name", STUDIES)
def test_every_study_with_its_bibliography(doc, name):
    doi, design, n, met_pico, year, journal, volume, pages = STUDIES[name]
    study = node(doc, name, NodeKind.STUDY)
    p = study.props
    assert (p.get("doi"), p["design"], p.get("n"), p["met_pico"], p["year"]) == (doi, design, n, met_pico, year)
    assert (p["journal"], p["volume"], p["pages"]) == (journal, volume, pages)
    assert p["results"].startswith("•")
    if doi:
        assert study.id == f"study:doi:{doi.lower()}"
    assert study.provenance.quote in doc.source.props["text"]
    assert any(e.target == study.id for e in edges(doc, EdgeType.CITES, source=doc.source.id))


def test_citation_details(doc):
    ek = node(doc, "Ekström 2015").props
    assert ek["authors"] == "Ekström K; Pulkkinen MA; Carlsson-Skwirut C; et al."
    assert ek["title"] == (
        "Tissue IGF-I Measured by Microdialysis Reflects Body Glucose Utilization After rhIGF-I Injection in Type 1 Diabetes"
    )
    assert ek["population"] == "type 1 diabetes"
    assert "onderdrukt IGF-1 insuline" in ek["author_remarks"]
    assert ek["reviewer_remarks"].startswith("• In DM1 patiënten zorgt IGF-1 voor verbeterde glucoseopname.")
    assert node(doc, "Mohamed-Ali 2002").props["authors"] == "Mohamed-Ali V; Pinkney J"
    kh = node(doc, "Khwaja 2014").props
    assert kh["title"].endswith("mecasermin (recombinant human IGF-1) for the treatment of Rett syndrome")
    assert "Rett syndroom is een neurologische aandoening" in kh["reviewer_remarks"]
    bang = node(doc, "Bang 2021").props
    assert "  o In de niet-behandelde Laronsyndroomgroep (n=21) had 51% hypoglykemie" in bang["results"]
    assert "0,1 event per behandeljaar" in bang["author_remarks"]
    assert "responders" in bang["reviewer_remarks"]
    mr = node(doc, "Martín-Rivada 2021").props
    assert mr["authors"].startswith("Martín-Rivada Á; Barrios V; Martínez Díaz-Guerra G")
    assert "triptoreline" in mr["reviewer_remarks"]


@pytest.mark.parametrize(
    ("reporter", "outcome", "expected", "quote"),
    [
        ("Bang 2021", "hypoglycemia", EdgeType.SUPPORTS, "(68,9%) hypoglykemie gemeld"),
        ("Mohamed-Ali 2002", "hypoglycemia", EdgeType.SUPPORTS, "hypoglykemie en andere bijwerkingen gemeld."),
        ("Khwaja 2014", "hypoglycemia", EdgeType.CONTRADICTS, "Er werd geen hypoglykemie gezien."),
        (
            "Martín-Rivada 2021",
            "hypoglycemia",
            EdgeType.CONTRADICTS,
            "Beide patiënten hebben geen hypoglykemie ervaren.",
        ),
        ("Ekström 2015", "improved glucose uptake", EdgeType.SUPPORTS, "de glucoseopname significant"),
        ("Latrech 2012", "postprandial hyperglycemia", EdgeType.CONTRADICTS, "corrected"),
        ("Grimberg 2016", "hypoglycemia", EdgeType.SUPPORTS, "has been reported as a side effect of IGF-I treatment"),
        ("SPC Increlex 2017", "hypoglycemia", EdgeType.SUPPORTS, "Van de 115 (28%) proefpersonen"),
        ("SPC Increlex 2017", "hypoglycemic seizure", EdgeType.SUPPORTS, "hypoglykemisch insult"),
    ],
)
def test_stances_with_verbatim_quotes(doc, reporter, outcome, expected, quote):
    etype, text = stance_of(doc, reporter, outcome)
    assert etype is expected
    assert quote in text
    assert text in doc.source.props["text"]


def test_findings_are_about_drug_outcome_and_population(doc):
    names = {n.id: n for n in doc.all_nodes}
    (edge,) = [e for e in edges(doc, EdgeType.CONTRADICTS) if names[e.source].name == "Khwaja 2014"]
    finding = names[edge.target]
    assert finding.props == {"drug": "mecasermin", "outcome": "hypoglycemia", "population": "Rett syndrome"}
    about = {e.target for e in edges(doc, EdgeType.ABOUT, source=finding.id)}
    assert about == {"drug:mecasermin", "outcome:hypoglycemia"}
    assert [e.target for e in edges(doc, EdgeType.IN_POPULATION, source=finding.id)] == ["condition:rett-syndrome"]


def _fig(figs, value):
    found = [f for f in figs if f.props.get("value") == value]
    assert len(found) == 1, [f.props for f in figs]
    return found[0].props


def test_bang_figures(doc):
    figs = figures_of(doc, "Bang 2021")
    assert _fig(figs, 51.0) | {} == _fig(figs, 51.0)
    f51 = _fig(figs, 51.0)
    assert (f51["unit"], f51["denominator"], f51.get("numerator")) == ("%", 21, None)
    assert f51["population"] == "niet-behandelde Laronsyndroomgroep (n=21)"
    f16 = _fig(figs, 16.0)
    assert (f16["denominator"], f16["population"]) == (114, "groep zonder Laronsyndroom (n=114)")
    f69 = _fig(figs, 68.9)
    assert (f69["numerator"], f69["unit"], f69.get("denominator")) == (93, "%", None)
    f25 = _fig(figs, 2.5)
    assert f25["numerator"] == 6
    assert _fig(figs, 0.1)["unit"] == "events per treatment-year"
    assert _fig(figs, 0.01)["unit"] == "events per treatment-year"


def test_figure_populations_link_only_non_negated_conditions(doc):
    names = {n.id: n for n in doc.all_nodes}
    figs = {f.props["value"]: f.id for f in figures_of(doc, "Bang 2021")}
    assert [e.target for e in edges(doc, EdgeType.IN_POPULATION, source=figs[51.0])] == ["condition:laron-syndrome"]
    assert edges(doc, EdgeType.IN_POPULATION, source=figs[16.0]) == []  # "zonder Laronsyndroom"
    (measures,) = edges(doc, EdgeType.MEASURES, source=figs[0.01])
    assert names[measures.target].props["outcome"] == "severe hypoglycemia"


def test_other_figures(doc):
    fold = _fig(figures_of(doc, "Ekström 2015"), 2.5)
    assert (fold["unit"], fold["p_value"]) == ("fold", "<0.0001")
    hba1c = _fig(figures_of(doc, "Latrech 2012"), 5.7)
    assert (hba1c["baseline"], hba1c["unit"]) == (5.4, "%")
    assert _fig(figures_of(doc, "Grimberg 2016"), 42.0).get("denominator") is None
    spc = figures_of(doc, "SPC Increlex 2017")
    f28 = _fig(spc, 28.0)
    assert (f28["numerator"], f28["unit"]) == (115, "%")
    six = _fig(spc, 6.0)
    assert (six["unit"], six["numerator"]) == ("patients", 6)


def test_every_figure_is_reported_and_measures_a_finding_with_quotes(doc):
    text = doc.source.props["text"]
    figures = [n for n in doc.nodes if n.kind is NodeKind.FIGURE]
    assert len(figures) == 11
    for fig in figures:
        (rep,) = [e for e in edges(doc, EdgeType.REPORTS) if e.target == fig.id]
        assert rep.provenance.quote and text[rep.provenance.span[0] : rep.provenance.span[1]] == rep.provenance.quote
        assert len(edges(doc, EdgeType.MEASURES, source=fig.id)) == 1


def test_every_evidence_edge_carries_a_verbatim_quote(doc):
    text = doc.source.props["text"]
    for e in doc.edges:
        if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS, EdgeType.RECOMMENDS, EdgeType.REPORTS):
            start, end = e.provenance.span
            assert text[start:end] == e.provenance.quote


def test_grimberg_guideline_recommends(doc):
    g = node(doc, "Grimberg 2016", NodeKind.GUIDELINE)
    assert g.id == "guideline:doi:10.1159/000452150"
    p = g.props
    assert (p["strength"], p["quality"], p["section"], p["guideline_type"]) == (
        "Strong recommendation",
        "⚫⚫⚫⚫",
        "7.5",
        "guideline",
    )
    assert p["authors"] == "Grimberg A; DiVall SA; Polychronakos C; et al."
    (rec,) = edges(doc, EdgeType.RECOMMENDS, source=g.id)
    assert rec.target == "drug:mecasermin"
    assert rec.props["strength"] == "Strong recommendation"
    assert rec.provenance.quote.startswith(
        "We recommend administration of IGF-I 20 min after a \ncarbohydrate-containing meal"
    )
    assert "20 min after a carbohydrate-containing meal" in rec.props["text"]


def test_spc_is_a_label_with_dosing_and_warning(doc):
    spc = node(doc, "SPC Increlex 2017", NodeKind.GUIDELINE)
    p = spc.props
    assert (p["guideline_type"], p["issuer"], p["year"], p["section"]) == ("label", "EMA", 2017, "4.2; 4.4; 4.5; 4.8")
    recs = {e.target: e for e in edges(doc, EdgeType.RECOMMENDS, source=spc.id)}
    assert recs["drug:mecasermin"].props["text"].startswith("4.2 dosing: INCRELEX dient kort vóór of na een maaltijd")
    (warning,) = [e for t, e in recs.items() if t != "drug:mecasermin"]
    assert warning.provenance.quote.startswith("Het kan nodig zijn de dosis van insuline")
    assert "4.4 warning" in warning.props["text"] and "4.5 interaction" in warning.props["text"]


def test_warnings_name_their_line(doc):
    assert doc.warnings == ("line 341: '42%' has no denominator (no n= nearby); kept without one",)
    assert SAMPLE.read_text(encoding="utf-8").splitlines()[340].count("42%") == 1


def test_loading_twice_gives_the_same_records(doc):
    again = load_path(SAMPLE)[0]
    assert [n.id for n in again.nodes] == [n.id for n in doc.nodes]
    assert [e.id for e in again.edges] == [e.id for e in doc.edges]


def test_memory_store_shows_the_evidence():
    store = MemoryStore()
    store.ingest(load_path(SAMPLE)[0])
    ev = store.evidence("drug:mecasermin", "outcome:hypoglycemia")
    by_name = {}
    for item in ev.items:
        by_name.setdefault(item.evidence["name"], []).append(item)
    (bang,) = by_name["Bang 2021"]
    assert bang.stance is EdgeType.SUPPORTS
    got = {(f["value"], f.get("denominator")) for f in bang.figures}
    assert {(51.0, 21), (16.0, 114)} <= got
    (khwaja,) = by_name["Khwaja 2014"]
    assert khwaja.stance is EdgeType.CONTRADICTS
    assert khwaja.quote == "Er werd geen hypoglykemie gezien."
    assert any(r["evidence"]["name"] == "Grimberg 2016" for r in ev.recommendations)
