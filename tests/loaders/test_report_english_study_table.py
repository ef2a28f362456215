"""A report the loader was not written against: Dutch frame, English study table, group author, SmPC 4.2–4.9."""

from __future__ import annotations

from pathlib import Path

from graph.model import EdgeType, NodeKind
from loaders.report import parse_report

REPORT = Path(__file__).parents[1] / "data" / "reports" / "repaglinide_nierfunctie_engelse_studietabel.txt"


def _doc():
    return parse_report(REPORT.read_text(encoding="utf-8"))


def _stances(doc) -> set[tuple[str, str, str]]:
    names = {n.id: n.name for n in doc.all_nodes}
    return {
        (e.type.value, names[e.source], names[e.target])
        for e in doc.edges
        if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)
    }


def _node(doc, name: str):
    (found,) = [n for n in doc.nodes if n.name == name]
    return found


def test_everything_is_read_without_a_warning():
    doc = _doc()
    assert not doc.warnings
    assert doc.source.props["advice"] == "adjust dose" and doc.source.props["review_period"] == "2000–2024"
    t2d = "repaglinide → hypoglycemia in type 2 diabetes"
    assert _stances(doc) == {
        ("SUPPORTS", "Hasslacher 2003", t2d),
        ("CONTRADICTS", "Hasslacher 2003", "repaglinide → severe hypoglycemia in type 2 diabetes"),
        ("SUPPORTS", "Schumacher 2001", t2d),
        # "Hypoglykemie komt vaker voor bij een verminderde nierfunctie"
        ("SUPPORTS", "Nederlands Huisartsen Genootschap 2023", "repaglinide → hypoglycemia"),
        ("SUPPORTS", "SmPC NovoNorm 2022", "repaglinide → hypoglycemia"),
        ("SUPPORTS", "SmPC NovoNorm 2022", "repaglinide → headache"),
    }


def test_a_group_author_after_a_semicolon_and_an_evidence_line_with_its_n():
    doc = _doc()
    hasslacher = _node(doc, "Hasslacher 2003")  # "Hasslacher C; Multinational Repaglinide Renal Study Group."
    assert hasslacher.props["authors"] == "Hasslacher C; Multinational Repaglinide Renal Study Group"
    assert hasslacher.props["title"].startswith("Safety and efficacy of repaglinide")
    assert (hasslacher.props["journal"], hasslacher.props["n"]) == ("Diabetes Care", 281)
    schumacher = _node(doc, "Schumacher 2001")  # "Clinical study, n = 42" on one line
    assert (schumacher.props["design"], schumacher.props["n"]) == ("clinical study", 42)


def test_groups_named_after_their_counts():
    doc = _doc()
    groups = {
        (n.props.get("numerator"), n.props.get("denominator")): n.props.get("population")
        for n in doc.nodes
        if n.kind is NodeKind.FIGURE and n.props.get("numerator") is not None
    }
    assert groups == {
        (18, 151): "with normal renal function (n=151)",
        (13, 130): "with impaired renal function (n=130)",
        (3, 18): "severe renal impairment (n=18)",
        (1, 24): "mild renal impairment (n=24)",
    }


def test_smpc_sections_4_2_to_4_9():
    doc = _doc()
    label = _node(doc, "SmPC NovoNorm 2022")
    assert label.props["section"] == "4.2; 4.3; 4.4; 4.5; 4.6; 4.7; 4.8; 4.9"
    names = {n.id: n.name for n in doc.all_nodes}
    recommends = {
        names[e.target]: e.props.get("text", "")
        for e in doc.edges
        if e.type is EdgeType.RECOMMENDS and e.source == label.id
    }
    # 4.3: a contra-indication is about a condition, not an effect
    assert recommends["repaglinide → Severe hepatic impairment"] == "4.3 contraindication: Severe hepatic impairment."
    assert recommends["repaglinide"].startswith("4.2 dosing: The recommended starting dose is 0.5 mg")
    warnings = recommends["repaglinide → hypoglycemia in type 2 diabetes"]
    assert "4.5 interaction: Gemfibrozil" in warnings and "4.7 driving: Patients should be warned" in warnings
    # 4.8: a band with both bounds is one category, not a count of one patient in ten
    bands = sorted(n.props["category"] for n in doc.nodes if n.kind is NodeKind.FIGURE and n.props.get("category"))
    assert bands == ["Common (≥1/100, <1/10)", "Uncommon"]


def test_the_guideline_an_organisation_wrote():
    doc = _doc()
    nhg = _node(doc, "Nederlands Huisartsen Genootschap 2023")
    assert (nhg.props["strength"], nhg.props["quality"], nhg.props["title"]) == (
        "Zwakke aanbeveling",
        "low",
        "NHG-Standaard Diabetes mellitus type 2",
    )
