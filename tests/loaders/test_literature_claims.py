"""Claims from abstracts over an open vocabulary: stance, treatments, negation, quotes, figures.

Sentences are from the BioCreative V CDR training set (real PubMed abstracts).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from graph.model import EdgeType, NodeKind
from loaders.pubmed import load_stream
from loaders.pubtator import PubtatorRecord, to_pubmed_xml
from tests.loaders.literature_fixtures import recognizer


@pytest.fixture(scope="module")
def rec():
    return recognizer()


def _load(rec, title, abstract="", pmid="1"):
    xml = to_pubmed_xml([PubtatorRecord(pmid=pmid, title=title, abstract=abstract)])
    (doc,) = load_stream(io.BytesIO(xml.encode()), path="test.xml", recognizer=rec)
    return doc


def _claims(doc):
    """(stance, drug mesh, disease mesh) of every claim the document makes."""
    nodes = {n.id: n for n in doc.all_nodes}
    about = {}
    for e in doc.edges:
        if e.type is EdgeType.ABOUT:
            about.setdefault(e.source, []).append(nodes[e.target])
    out = set()
    for e in doc.edges:
        if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS):
            ends = about[e.target]
            drug = next(n for n in ends if n.kind is NodeKind.DRUG)
            disease = next(n for n in ends if n.kind is not NodeKind.DRUG)
            out.add((e.type.value, drug.props.get("mesh"), disease.props.get("mesh")))
    return out


def test_case_report_title_states_the_adverse_effect(rec):
    doc = _load(
        rec,
        "Phenobarbital-induced dyskinesia in a neurologically-impaired child.",
        "A 2-year-old child with known neurologic impairment developed a dyskinesia soon after starting "
        "phenobarbital therapy for seizures. On repeat challenge with phenobarbital, the dyskinesia recurred.",
    )
    claims = _claims(doc)
    assert ("SUPPORTS", "D010634", "D004409") in claims
    # "phenobarbital therapy for seizures": the drug treats the seizures, it does not cause them
    assert ("SUPPORTS", "D010634", "D012640") not in claims


def test_a_treatment_is_not_an_adverse_effect(rec):
    doc = _load(rec, "Treatment of Crohn's disease with fusidic acid: an antibiotic with immunosuppressive properties.")
    assert not any(stance == "SUPPORTS" for stance, *_ in _claims(doc))


def test_negated_statement_does_not_support(rec):
    doc = _load(
        rec,
        "Hepatitis and benzodiazepines.",
        "The administration of several benzodiazepines did not interfere with recovery and did not induce any "
        "relapse of hepatitis.",
    )
    assert ("SUPPORTS", "D001569", "D006505") not in _claims(doc) or any(
        e.type is EdgeType.CONTRADICTS for e in doc.edges
    )


def test_abbreviation_defined_in_text_carries_the_claim(rec):
    doc = _load(
        rec,
        "Levodopa-induced dyskinesias in Parkinson's disease.",
        "Levodopa-induced dyskinesias (LID) are a motor complication of long-term therapy. LID occurred in "
        "12 of 40 patients (30%) after levodopa.",
    )
    assert ("SUPPORTS", "D007980", "D004409") in _claims(doc)


def test_every_claim_quotes_its_sentence_verbatim_at_its_span(rec):
    doc = _load(
        rec,
        "Crescentic glomerulonephritis associated with intermittent rifampin therapy for pulmonary tuberculosis.",
        "Rifampin-induced glomerulonephritis developed in a 45-year-old man. Hypotension was not observed.",
    )
    text = doc.source.props["text"]
    stances = [e for e in doc.edges if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)]
    assert stances
    for edge in stances:
        start, end = edge.provenance.span
        assert text[start:end] == edge.provenance.quote
    assert ("SUPPORTS", "D012293", "D005921") in _claims(doc)
    assert ("SUPPORTS", "D012293", "D014397") not in _claims(doc)  # "therapy for pulmonary tuberculosis"


def test_figures_come_from_the_claim_sentence_with_their_denominator(rec):
    doc = _load(
        rec,
        "Labetalol-induced hypotension.",
        "Of 80 patients, 10% had nausea. Hypotension occurred in 12 of 40 patients (30%) after labetalol.",
    )
    figures = [n for n in doc.nodes if n.kind is NodeKind.FIGURE]
    assert [(f.props["value"], f.props.get("numerator"), f.props.get("denominator")) for f in figures] == [
        (30.0, 12, 40)
    ]
    text = doc.source.props["text"]
    for f in figures:  # no figure that is not in its sentence
        assert f.provenance.quote in text and "nausea" not in f.provenance.quote


def test_concepts_carry_their_mesh_id_and_one_id_is_one_node(rec):
    doc = _load(rec, "Levodopa and L-DOPA-induced dyskinesia.", "L-DOPA and levodopa were given.")
    drugs = [n for n in doc.nodes if n.kind is NodeKind.DRUG]
    assert [(n.name, n.props.get("mesh")) for n in drugs] == [("Levodopa", "D007980")]


def test_record_mesh_headings_become_concepts_by_descriptor_ui(rec):
    xml = to_pubmed_xml([PubtatorRecord(pmid="7", title="A study.", abstract="Nothing named here.")])
    root = ET.fromstring(xml.split("\n", 1)[1])
    citation = root.find("PubmedArticle/MedlineCitation")
    heads = ET.SubElement(citation, "MeshHeadingList")
    head = ET.SubElement(ET.SubElement(heads, "MeshHeading"), "DescriptorName", UI="D012293")
    head.text = "Rifampin"
    (doc,) = load_stream(io.BytesIO(ET.tostring(root)), path="t.xml", recognizer=rec)
    assert any(n.props.get("mesh") == "D012293" for n in doc.nodes if n.kind is NodeKind.DRUG)


def test_negation_reaches_across_the_clause_but_not_past_but(rec):
    doc = _load(
        rec,
        "Labetalol in the elderly.",
        "Labetalol was not associated with an increased incidence of hypotension in the elderly. "
        "Carbamazepine was not stopped, but seizures followed carbamazepine in two children.",
    )
    claims = _claims(doc)
    assert ("CONTRADICTS", "D007741", "D007022") in claims
    assert ("CONTRADICTS", "D002220", "D012640") not in claims


def test_dutch_statement_over_the_bundled_names(rec):
    doc = _load(rec, "Ernstige hypoglykemie na gebruik van mecasermine bij kinderen.")
    stances = [e for e in doc.edges if e.type is EdgeType.SUPPORTS]
    assert stances and all(e.provenance.quote.startswith("Ernstige hypoglykemie") for e in stances)


def test_a_claim_across_sentences_quotes_from_the_drug_to_the_disease(rec):
    """The study drug named in one sentence and its effect in the next: the quote holds both, verbatim."""
    from loaders.text.claims import adverse_claims
    from loaders.text.sentences import Span
    from loaders.text.sentences import sentences as split_sentences

    title = "A study in rats."
    abstract = (
        "Rats received carbamazepine daily for two weeks. Carbamazepine was stopped on day 15. "
        "Within days, 4 of 10 animals (40%) showed hypotension."
    )
    text = f"{title} {abstract}"
    sentences = split_sentences(text, len(title) + 1, len(text))
    claims = adverse_claims(
        text, sentences, rec.mentions(text), title=Span(0, len(title), title), trees={}, threshold=0.0
    )
    (claim,) = [c for c in claims if c.disease.codes["mesh"] == "D007022"]
    assert claim.sentence.text == text[claim.sentence.start : claim.sentence.end]
    assert (
        claim.sentence.text
        == "Carbamazepine was stopped on day 15. Within days, 4 of 10 animals (40%) showed hypotension."
    )
    assert [s.text for s in claim.sentences] == ["Within days, 4 of 10 animals (40%) showed hypotension."]


def test_a_drug_far_from_the_disease_is_not_quoted_with_it(rec):
    from loaders.text.claims import adverse_claims
    from loaders.text.sentences import Span
    from loaders.text.sentences import sentences as split_sentences

    title = "A study in rats."
    abstract = (
        "Rats received carbamazepine. Carbamazepine was given daily. Weights were recorded. Food was weighed. "
        "Cages were cleaned. Some animals showed hypotension."
    )
    text = f"{title} {abstract}"
    sentences = split_sentences(text, len(title) + 1, len(text))
    claims = adverse_claims(
        text, sentences, rec.mentions(text), title=Span(0, len(title), title), trees={}, threshold=0.0
    )
    (claim,) = [c for c in claims if c.disease.codes["mesh"] == "D007022"]
    assert claim.sentence.text == "Some animals showed hypotension."


def test_a_disease_another_drug_induces_is_marked_on_the_other_pairs():
    """Training set style: "Catalepsy was induced by haloperidol ... thioperamide increased the catalepsy times"."""
    from loaders.text.claims import candidates
    from loaders.text.sentences import sentences
    from tests.loaders.literature_fixtures import recognizer

    text = "Labetalol-induced hypotension. Carbamazepine was given and hypotension persisted."
    spans = sentences(text, 0, len(text))
    found = {(c.drug.name, c.disease.name): c.features for c in candidates(text, spans, recognizer().mentions(text))}
    assert found[("Carbamazepine", "Hypotension")]["other_drug_hyphen"] == 1.0
    assert found[("Labetalol", "Hypotension")]["other_drug_hyphen"] == 0.0


def test_the_disease_an_induced_effect_happened_in_is_marked_as_context():
    """Development-set title style: "Valproate-induced chorea and encephalopathy in atypical nonketotic
    hyperglycinemia": the last disease is the patient's, not another effect of the drug."""
    from loaders.text.claims import candidates
    from loaders.text.sentences import sentences
    from tests.loaders.literature_fixtures import recognizer

    text = "Labetalol-induced hypotension in Parkinson's disease. Hypotension resolved."
    spans = sentences(text, 0, len(text))
    found = {(c.drug.name, c.disease.name): c.features for c in candidates(text, spans, recognizer().mentions(text))}
    assert found[("Labetalol", "Parkinson Disease")]["induced_in_context"] == 1.0
    assert found[("Labetalol", "Hypotension")]["induced_in_context"] == 0.0


def test_a_disease_named_by_an_adjective_and_the_abstracts_main_disease_are_marked():
    """Training-set errors: "hemorrhagic", "depressed" read as a disease; CDR relations name the abstract's main effect."""
    from graph.vocab_store import Entry
    from loaders.text.claims import candidates
    from loaders.text.normal import key
    from loaders.text.recognize import Recognizer
    from loaders.text.sentences import sentences
    from tests.loaders.literature_fixtures import TREES, entries

    rec = Recognizer(
        [*entries(), Entry(key("hypotensive"), "D007022", "Hypotension", "Condition", None, 5)], trees=TREES
    )
    text = "Labetalol-induced hypotension and seizures. Rats given carbamazepine became hypotensive."
    spans = sentences(text, 0, len(text))
    found = {(c.drug.name, c.disease.name): c.features for c in candidates(text, spans, rec.mentions(text))}
    assert found[("Labetalol", "Hypotension")]["disease_adjective"] == 0.5
    assert found[("Labetalol", "seizures")]["disease_adjective"] == 0.0
    assert found[("Labetalol", "Hypotension")]["top_disease"] == 1.0
    assert found[("Labetalol", "seizures")]["top_disease"] == 0.0


def test_the_fitted_weights_do_not_depend_on_the_order_of_a_candidates_features():
    """The word features of a pair come from a set: the held-out scores must not move with Python's hash seed."""
    import random

    from loaders.text.claims import fit

    rng = random.Random(3)
    words = [f"w>word{i}" for i in range(40)]
    rows = []
    for _ in range(300):
        chosen = rng.sample(words, 6)
        label = "w>word1" in chosen or rng.random() < 0.2
        rows.append(
            ({"bias": 1.0, "hyphen_cue": float(label and rng.random() < 0.7), **dict.fromkeys(chosen, 1.0)}, label)
        )
    shuffled = [(dict(rng.sample(sorted(f.items()), len(f))), y) for f, y in rows]
    assert fit(rows, l2=3.0) == fit(shuffled, l2=3.0)
    assert fit(rows, l2=3.0)["w>word1"] > 1.0
