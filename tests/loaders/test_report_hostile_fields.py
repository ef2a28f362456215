"""Broken, huge and hostile input for what reports now read: organisations, 4.3, arms, case counts, bands."""

from __future__ import annotations

import itertools
from pathlib import Path

from graph.model import EdgeType, NodeKind
from graph.vocabulary import Vocabulary
from loaders.report import OpenVocabulary, parse_report

DATA = Path(__file__).resolve().parents[1] / "data" / "reports"
BASE = (DATA / "insulin_glargine_english.txt").read_text(encoding="utf-8")


def _with(section: str, replacement: str) -> str:
    assert section in BASE
    return BASE.replace(section, replacement)


def test_thousands_of_organisation_like_lines():
    names = ["".join(letters) for letters in itertools.product("abcdefghijklmnopqrstuvwxyz", repeat=3)][:3000]
    rows = "".join(f"Society of {name.title()}. Guideline on {name}. 2020.\n\n" for name in names)
    doc = parse_report(_with("American Diabetes Association. \n", rows + "American Diabetes Association. \n"))
    guidelines = [n for n in doc.nodes if n.kind is NodeKind.GUIDELINE and n.props.get("guideline_type") == "guideline"]
    assert len(guidelines) == 3001
    assert sum("no recommendation sentence found" in w for w in doc.warnings) == 3000


def test_an_organisation_word_inside_a_sentence_is_not_a_citation():
    text = _with(
        "• Both had recurrent hypoglycaemia during the first month.  \n",
        "• Both had recurrent hypoglycaemia during the first month.  \n\nThe Diabetes Society. Was consulted in 2019.\n",
    )
    text = text.replace(
        "American Diabetes Association. \n",
        "The Diabetes Society. was consulted in 2019.\n\nAmerican Diabetes Association. \n",
    )
    doc = parse_report(text)
    assert not [n for n in doc.all_nodes if "Society" in n.name]


def test_a_huge_contraindication_section():
    lines = "".join(f"Condition number {i} (severe).\n" for i in range(4000))
    doc = parse_report(_with("Hypersensitivity to the active substance. \n", lines))
    contra = [e for e in doc.edges if e.type is EdgeType.RECOMMENDS and e.props.get("note") == "contra-indication"]
    assert len(contra) == 4000
    assert all(e.provenance.quote.startswith("Condition number") for e in contra)


def test_an_empty_or_punctuation_only_contraindication_section():
    doc = parse_report(_with("Hypersensitivity to the active substance. \n", ". \n-- \n( \n"))
    assert not [e for e in doc.edges if e.props.get("note") == "contra-indication"]


def test_unclosed_or_numeric_arm_parentheses_give_no_population():
    text = _with(
        "• Severe hypoglycaemia occurred in 12/150 (reduced dose) and 19/148 \n(full dose).  \n",
        "• Severe hypoglycaemia occurred in 12/150 (reduced dose and 19/148 (35%) of patients.  \n",
    )
    doc = parse_report(text)
    figures = {
        (n.props.get("numerator"), n.props.get("denominator")): n.props for n in doc.nodes if n.kind is NodeKind.FIGURE
    }
    assert figures[(12, 150)].get("population") is None
    assert figures[(19, 148)].get("population") is None


def test_case_words_outside_a_case_report_do_not_set_n():
    text = _with("• 298 adults aged 70 years or older", "• A woman and 297 adults aged 70 years or older")
    doc = parse_report(text.replace("n = 298", ""))
    pratley = next(n for n in doc.nodes if n.name == "Pratley 2019")
    assert pratley.props.get("n") != 1


def test_a_run_away_sentence_with_risk_factor_words():
    sentence = "Patients with " + "HbA1c and hypoglycaemia " * 4000 + "had more hypoglycaemia"
    doc = parse_report(_with("• Both had recurrent hypoglycaemia during the first month.  \n", f"• {sentence}.  \n"))
    assert doc.source.props["text"].count("HbA1c and") == 4000


def test_frequency_bands_with_broken_numbers():
    doc = parse_report(
        _with("Very common (≥1/10): hypoglycaemia. \n", "Very common (≥1/0): hypoglycaemia. Rare (<1/): headache. \n")
    )
    bands = [n.props for n in doc.nodes if n.kind is NodeKind.FIGURE and n.props.get("category")]
    assert all(b.get("numerator") is None and b.get("denominator") is None for b in bands)


class _Recogniser:
    """A recogniser of the open-vocabulary kind: ``mentions(text)`` only, every kind at once."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary

    def mentions(self, text):
        return list(self.vocabulary.mentions(text))


def test_an_open_vocabulary_without_kinds_and_with_nothing_to_say():
    empty = OpenVocabulary(Vocabulary.default(), _Recogniser(Vocabulary([])))
    plain = parse_report(BASE)
    doc = parse_report(BASE, vocabulary=empty)
    assert [e.id for e in doc.edges] == [e.id for e in plain.edges]
