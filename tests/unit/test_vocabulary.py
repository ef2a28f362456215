"""The vocabulary maps Dutch and English names to one concept, and is data a curator can extend."""

from __future__ import annotations

import pytest

from graph.errors import LoadError
from graph.model import NodeKind
from graph.vocabulary import Vocabulary


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.default()


@pytest.mark.parametrize("term", ["mecasermine", "mecasermin", "rhIGF-1", "IGF-I", "Increlex", "INCRELEX"])
def test_mecasermin_synonyms(vocab: Vocabulary, term: str) -> None:
    concept = vocab.lookup(term)
    assert concept is not None
    assert concept.id == "drug:mecasermin"
    assert concept.codes["atc"] == "H01AC03"


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("hypoglykemie", "outcome:hypoglycemia"),
        ("hypoglycaemia", "outcome:hypoglycemia"),
        ("DM1", "condition:type-1-diabetes"),
        ("Laronsyndroom", "condition:laron-syndrome"),
        ("Rett-syndroom", "condition:rett-syndrome"),
        ("PAPP-A2-deficiëntie", "condition:papp-a2-deficiency"),
    ],
)
def test_dutch_terms(vocab: Vocabulary, term: str, expected: str) -> None:
    concept = vocab.lookup(term)
    assert concept is not None and concept.id == expected


def test_lookup_by_kind_and_unknown(vocab: Vocabulary) -> None:
    assert vocab.lookup("hypoglykemie", NodeKind.DRUG) is None
    assert vocab.lookup("paracetamolx") is None


def test_mentions_give_exact_spans(vocab: Vocabulary) -> None:
    text = "Bij 9 patiënten met het Rett-syndroom werd geen hypoglykemie gezien na mecasermine."
    found = [(m.concept.id, text[m.start : m.end]) for m in vocab.mentions(text)]
    assert found == [
        ("condition:rett-syndrome", "Rett-syndroom"),
        ("outcome:hypoglycemia", "hypoglykemie"),
        ("drug:mecasermin", "mecasermine"),
    ]


def test_search(vocab: Vocabulary) -> None:
    assert vocab.search("hypoglyk")[0].id == "outcome:hypoglycemia"
    assert vocab.search("") == []


def test_vocabulary_file_errors_name_the_problem() -> None:
    with pytest.raises(LoadError, match="unknown section 'planets'"):
        Vocabulary.from_yaml("planets: []")
    with pytest.raises(LoadError, match="needs a 'name'"):
        Vocabulary.from_yaml("drugs:\n  - atc: X\n")
    with pytest.raises(LoadError, match="not valid YAML"):
        Vocabulary.from_yaml("drugs: [")
    extended = Vocabulary.from_yaml("drugs:\n  - name: paracetamol\n    atc: N02BE01\n    synonyms: [acetaminophen]\n")
    assert extended.lookup("acetaminophen").id == "drug:paracetamol"


def test_mentions_are_what_a_scan_of_every_position_finds():
    """Names are tried only at word starts their first letters begin: the same matches as the pattern over all text."""
    from graph.vocabulary import Concept, Vocabulary

    vocab = Vocabulary(
        [
            Concept(NodeKind.OUTCOME, "hypo glycemia", ("hypoglykemie",)),
            Concept(NodeKind.DRUG, "Ca2+ blocker", ("GH",)),
            Concept(NodeKind.CONDITION, "X syndrome", ()),
        ]
    )
    text = "Hypoglycemia, hypo-glycemia and HYPOGLYKEMIE; a Ca2+ blocker, GH, x syndrome, xsyndrome, pre-hypo glycemia."
    everywhere = [(m.start(1), m.end(1)) for m in vocab._pattern.finditer(text) if vocab.lookup(m.group(1))]
    assert [(m.start, m.end) for m in vocab.mentions(text)] == everywhere
    assert len(everywhere) >= 5
