"""Reading clinical text (loaders/text): sentences with absolute offsets, numbers, figures, stances, language."""

from __future__ import annotations

import pytest

from graph.model import EdgeType
from loaders.text import words
from loaders.text.figures import find_figures
from loaders.text.language import language
from loaders.text.numbers import find_n, parse_number
from loaders.text.sentences import clauses, sentences, unwrap
from loaders.text.stance import judge, stance


def test_sentences_keep_offsets_and_split_bullets():
    text = (
        "Resultaten\n• Er werd geen hypoglykemie\n\ngezien. Ook 7.5. niets\no In de groep (n=21) had 51% hypoglykemie"
    )
    spans = sentences(text)
    assert [s.text for s in spans] == [
        "Resultaten",
        "Er werd geen hypoglykemie\n\ngezien.",
        "Ook 7.5. niets",
        "In de groep (n=21) had 51% hypoglykemie",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_sentences_do_not_split_abbreviations_or_numbering():
    text = "7.5. We recommend IGF-I, resp. 6 en 10,5 jaar. Smith et al. found it. Next one."
    assert [s.text for s in sentences(text)] == [
        "7.5. We recommend IGF-I, resp. 6 en 10,5 jaar.",
        "Smith et al. found it.",
        "Next one.",
    ]


def test_sentences_with_start_and_end_are_absolute():
    text = "XXXX Eerste zin. Tweede zin. YYYY"
    spans = sentences(text, 5, 28)
    assert [(s.start, s.text) for s in spans] == [(5, "Eerste zin."), (17, "Tweede zin.")]


def test_clauses_leave_decimal_commas_alone():
    assert [c.text for c in clauses("steeg 2,5 keer (p<0,0001), daarna niet")] == [
        "steeg 2,5 keer (p<0,0001)",
        "daarna niet",
    ]


@pytest.mark.parametrize(
    ("token", "value"), [("68,9", 68.9), ("0,01", 0.01), ("2.5", 2.5), ("2,500", 2500.0), ("7", 7.0)]
)
def test_parse_number(token, value):
    assert parse_number(token) == value


def _one(text, kind=None):
    figs = [f for f in find_figures(text) if kind is None or f.kind == kind]
    assert len(figs) == 1, figs
    return figs[0]


def test_count_with_percentage():
    fig = _one("Er werd in totaal bij 93 patiënten (68,9%) hypoglykemie gemeld")
    assert (fig.kind, fig.value, fig.unit, fig.numerator, fig.denominator) == ("count_percentage", 68.9, "%", 93, None)
    fig = _one("Van de 115 (28%) proefpersonen")
    assert (fig.value, fig.numerator, fig.text) == (28.0, 115, "115 (28%)")


def test_percentage_takes_denominator_from_n_in_same_clause():
    text = "Bij de groep (n=21) had 51% hypoglykemie, bij de andere groep (n=114) had 16% hypoglykemie."
    figs = find_figures(text)
    assert [(f.value, f.denominator) for f in figs] == [(51.0, 21), (16.0, 114)]
    assert text[figs[1].denominator_from[0] : figs[1].denominator_from[1]] == "n=114"


def test_percentage_without_denominator_stays_without_one():
    fig = _one("citing an occurrence rate of 42% of patients")
    assert (fig.kind, fig.value, fig.numerator, fig.denominator) == ("percentage", 42.0, None, None)


def test_proportions_in_dutch_and_english():
    fig = _one("Bij 140 van de 400 patiënten (35%) ontstond hyperglykemie.")
    assert (fig.numerator, fig.denominator, fig.value) == (140, 400, 35.0)
    fig = _one("in 12 of 40 treated patients (30%)")
    assert (fig.numerator, fig.denominator, fig.value) == (12, 40, 30.0)
    assert find_figures("EMA 16/07/2017") == []


def test_rates_folds_and_p_values():
    figs = find_figures(
        "Hypoglykemie had een incidentie van 0,1 event per behandeljaar, ernstig 0,01 per behandeljaar."
    )
    assert [(f.kind, f.value, f.unit) for f in figs] == [
        ("rate", 0.1, "events per treatment-year"),
        ("rate", 0.01, "events per treatment-year"),
    ]
    fig = _one("de glucose infusiesnelheid steeg 2,5 keer na IGF-1 (p<0,0001).")
    assert (fig.kind, fig.value, fig.unit, fig.p_value) == ("fold", 2.5, "fold", "<0.0001")
    assert find_figures("2 keer per dag behandeld") == []


def test_changes_with_baseline_from_earlier_sentence():
    text = "Het HbA1c was 5,4%. Na mecasermine steeg het HbA1c naar 5,7%, haar glucoseprofiel normaliseerde."
    change = [f for f in find_figures(text) if f.kind == "change"]
    assert [(f.value, f.baseline, f.subject, f.unit) for f in change] == [(5.7, 5.4, "HbA1c", "%")]
    fig = _one("HbA1c rose from 7.4% to 7.9%.")
    assert (fig.kind, fig.value, fig.baseline) == ("change", 7.9, 7.4)


def test_find_n():
    assert find_n("RCT (cross-over)\n\n n  = 7") == 7
    assert find_n("N=376 Resultaten") == 376
    assert find_n("no sample size here") is None


@pytest.mark.parametrize(
    ("sentence", "outcome", "expected"),
    [
        ("Er werd geen hypoglykemie gezien.", "hypoglykemie", EdgeType.CONTRADICTS),
        ("Beide patiënten hebben geen hypoglykemie ervaren.", "hypoglykemie", EdgeType.CONTRADICTS),
        ("Patients did not experience any hypoglycemia.", "hypoglycemia", EdgeType.CONTRADICTS),
        ("Hypoglycemia was not observed.", "Hypoglycemia", EdgeType.CONTRADICTS),
        ("No patients developed hypoglycaemia.", "hypoglycaemia", EdgeType.CONTRADICTS),
        ("Er werd in totaal bij 93 patiënten (68,9%) hypoglykemie gemeld", "hypoglykemie", EdgeType.SUPPORTS),
        ("Bij de groep zonder Laronsyndroom (n=114) had 16% hypoglykemie.", "hypoglykemie", EdgeType.SUPPORTS),
        ("Hypoglycemia has been reported as a side effect of IGF-I treatment.", "Hypoglycemia", EdgeType.SUPPORTS),
        ("Er werd geen effect op GH gezien, wel werd hypoglykemie gemeld.", "hypoglykemie", EdgeType.SUPPORTS),
        ("Dit zou kunnen leiden tot hypoglykemieën.", "hypoglykemieën", None),
        ("Hypoglykemie kan ook spontaan ontstaan.", "Hypoglykemie", None),
        ("Postprandial hyperglycemia corrected by IGF-I", "hyperglycemia", EdgeType.CONTRADICTS),
        ("Een zin over hypoglykemie.", "hypoglykemie", None),
    ],
)
def test_stance(sentence, outcome, expected):
    assert stance(sentence, outcome) is expected


def test_judge_names_the_cue():
    j = judge("Er werd geen hypoglykemie gezien.", "hypoglykemie")
    assert (j.reason, j.cue) == ("negated", "geen")


def test_unwrap_and_language():
    assert unwrap("Martín-\nRivada  en\n glucose-\nintolerantie") == "Martín-Rivada en glucose-intolerantie"
    assert language("Er werd geen hypoglykemie gezien bij de patiënten.") == "nl"
    assert language("No hypoglycaemia was seen in the patients.") == "en"


@pytest.mark.parametrize(
    ("sentence", "denominator"),
    [
        ("The incidence of lactic acidosis was 0.27% in 1,100 patients.", 1100),
        ("Melkzuuracidose bij 0,5% van 1.200 patiënten.", 1200),
        ("Hypoglycemia occurred in 16% of 114 patients.", 114),
        ("42% in de studie had klachten.", None),  # no group named: no denominator
        ("30% in 2 weeks", None),  # a time, not a group
        ("5% (n=40) in 1,000 patients", 40),  # an n= in the clause comes first
    ],
)
def test_a_percentage_takes_the_group_named_right_after_it(sentence, denominator):
    (percentage,) = [f for f in find_figures(sentence) if f.kind == "percentage"]
    assert percentage.denominator == denominator
    if denominator is not None:
        start, end = percentage.denominator_from
        assert sentence[start:end].replace(",", "").replace(".", "").endswith(str(denominator))


def test_word_lists_ship_with_the_package():
    """The cue lists are package data: an installed copy reads them without the source tree."""
    assert "geen" in words.alternatives("stance", "negation_before")
    assert words.word_map("figures", "rate_units")["behandeljaar"] == "treatment-year"
    assert list(words.word_sets("language", "unreadable")) == ["de", "fr", "es"]


def test_a_word_list_yaml_misreads_is_refused(monkeypatch):
    """An unquoted 'no' is read by YAML as false: refused with the list's name, not dropped silently."""
    monkeypatch.setattr(words, "words", lambda: {"stance": {"negation_before": ["geen", False]}})
    with pytest.raises(ValueError, match=r"stance\.negation_before.*quote"):
        words.alternatives("stance", "negation_before")
    with pytest.raises(ValueError, match=r"no list stance\.hedge"):
        words.alternatives("stance", "hedge")
