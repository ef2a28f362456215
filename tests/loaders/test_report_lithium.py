"""An English report on another drug (lithium in bipolar disorder) in another layout.

Dashes instead of bullets, an "OTHER - does not meet PICO" table, a guideline by an organisation
whose name wraps over two lines (NICE), and an English SmPC with sections 4.2–4.9. The drug,
condition and outcomes are not in the bundled vocabulary: a MeSH-like open vocabulary names them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import EdgeType, NodeKind
from graph.vocab_store import Entry
from graph.vocabulary import Vocabulary
from loaders.report import OpenVocabulary, ReportLoader
from loaders.text.recognize import Recognizer
from loaders.text.stance import stance as stance_of

REPORT = Path(__file__).resolve().parents[1] / "data" / "reports" / "lithium_bipolar_english_dashes.txt"


def _entry(term: str, mesh: str, name: str, kind: str) -> Entry:
    return Entry(term=term, mesh=mesh, name=name, kind=kind, cased=None, count=0)


@pytest.fixture(scope="module")
def doc():
    recognizer = Recognizer(
        [
            _entry("lithium", "D008094", "Lithium", "Drug"),
            _entry("valproate", "D014635", "Valproic Acid", "Drug"),
            _entry("bipolar disorder", "D001714", "Bipolar Disorder", "Condition"),
            _entry("hypothyroidism", "D007037", "Hypothyroidism", "Outcome"),
            _entry("renal impairment", "D051437", "Renal Insufficiency", "Outcome"),
            _entry("end-stage renal disease", "D007676", "Kidney Failure, Chronic", "Outcome"),
            _entry("tremor", "D014202", "Tremor", "Outcome"),
            _entry("weight gain", "D015430", "Weight Gain", "Outcome"),
            _entry("hyperparathyroidism", "D006961", "Hyperparathyroidism", "Outcome"),
        ]
    )
    return next(ReportLoader(OpenVocabulary(Vocabulary.default(), recognizer)).load(REPORT))


def _names(doc) -> dict[str, str]:
    return {n.id: n.name for n in doc.all_nodes}


def test_every_stance_and_only_those(doc):
    names = _names(doc)
    stances = {
        (e.type.value, names[e.source], names[e.target])
        for e in doc.edges
        if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)
    }
    assert stances == {
        ("SUPPORTS", "Shine 2015", "Lithium → Hypothyroidism"),  # "diagnosed in 187/1200 patients"
        ("SUPPORTS", "Shine 2015", "Lithium → Renal Insufficiency"),
        ("CONTRADICTS", "Shine 2015", "Lithium → Hyperparathyroidism"),
        ("SUPPORTS", "Gitlin 2016", "Lithium → Tremor"),
        # "Weight gain was not more frequent than with valproate": no excess over the comparator
        ("CONTRADICTS", "Gitlin 2016", "Lithium → Weight Gain"),
        ("SUPPORTS", "Aiff 2015", "Lithium → Kidney Failure, Chronic"),
        ("SUPPORTS", "SmPC Priadel 2021", "Lithium → Tremor"),  # 4.8, "Very common (≥1/10): tremor."
        ("SUPPORTS", "SmPC Priadel 2021", "Lithium → Hypothyroidism"),
        ("SUPPORTS", "SmPC Priadel 2021", "Lithium → Weight Gain"),
    }


def test_studies_guideline_and_label(doc):
    nodes = {n.name: n.props for n in doc.nodes if n.kind in (NodeKind.STUDY, NodeKind.GUIDELINE)}
    assert {k: (v.get("design"), v.get("n"), v.get("met_pico")) for k, v in nodes.items() if "design" in v} == {
        "Shine 2015": ("retrospective study", 4678, True),
        "Gitlin 2016": ("review", 84, True),
        "Aiff 2015": ("cohort study", 630, False),
    }
    nice = nodes["National Institute for Health and Care Excellence 2023"]  # the name wraps over two lines
    assert (nice["issuer"], nice["strength"], nice["guideline_type"]) == (
        "National Institute for Health and Care Excellence",
        "Strong recommendation",
        "guideline",
    )
    label = nodes["SmPC Priadel 2021"]
    assert (label["issuer"], label["section"]) == ("MHRA", "4.2; 4.3; 4.4; 4.5; 4.6; 4.7; 4.8; 4.9")
    names = _names(doc)
    contra = sorted(
        names[e.target]
        for e in doc.edges
        if e.type is EdgeType.RECOMMENDS and e.props.get("note") == "contra-indication"
    )
    assert contra == ["Lithium → Severe renal impairment", "Lithium → Untreated hypothyroidism"]
    advice = [
        e.props["text"] for e in doc.edges if e.type is EdgeType.RECOMMENDS and names[e.source] == "SmPC Priadel 2021"
    ]
    assert any(t.startswith("4.2 dosing: Start at 400 mg daily") for t in advice)
    assert any("4.6 pregnancy: Lithium should be avoided in the first trimester." in t for t in advice)
    assert doc.source.props["advice"] == "monitor" and doc.source.props["review_period"] == "2005–2024"
    assert not doc.warnings


def test_figures_with_their_denominators(doc):
    figures = {
        (n.props.get("value"), n.props.get("numerator"), n.props.get("denominator"), n.props.get("population"))
        for n in doc.nodes
        if n.kind is NodeKind.FIGURE and n.props.get("category") is None
    }
    # "14% of 1200 patients (lithium) and 9% of 3478 patients (other mood stabilisers)": each group by its arm
    assert figures == {
        (None, 187, 1200, None),
        (14.0, None, 1200, "lithium (n=1200)"),
        (9.0, None, 3478, "other mood stabilisers (n=3478)"),
        (1.5, None, 630, "patients (n=630)"),
    }


@pytest.mark.parametrize(
    ("sentence", "term", "stance"),
    [
        ("Weight gain was not more frequent than with valproate.", "Weight gain", EdgeType.CONTRADICTS),
        ("Hypoglykemie kwam niet vaker voor dan zonder metformine.", "Hypoglykemie", EdgeType.CONTRADICTS),
        ("Hypoglycaemia was not more common than with placebo.", "Hypoglycaemia", EdgeType.CONTRADICTS),
        ("Hypothyroidism was diagnosed in 187/1200 patients.", "Hypothyroidism", EdgeType.SUPPORTS),
        ("Lithium toxicity causes confusion.", "confusion", EdgeType.SUPPORTS),
    ],
)
def test_report_cues(sentence, term, stance):
    assert stance_of(sentence, term) is stance
