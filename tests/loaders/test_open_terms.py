"""Claims stated outright about names no vocabulary knows ("X-induced Y" by the shape of the words).

Sentences are from the BioCreative V CDR training set (real PubMed titles and abstracts), except
where a test says it changed one.
"""

from __future__ import annotations

import io

import pytest

from graph.model import EdgeType, NodeKind
from graph.vocabulary import Vocabulary
from loaders import literature
from loaders.pubmed import load_stream
from loaders.pubtator import PubtatorRecord, to_pubmed_xml
from loaders.text.open_terms import open_claims
from loaders.text.open_words import disease_head, is_chemical
from loaders.text.sentences import Span, sentences
from tests.loaders.literature_fixtures import recognizer


def _claims(title: str, abstract: str = "") -> set[tuple[str, str, str]]:
    """(stance, drug name, disease name) of every claim, read with the bundled vocabulary only."""
    text = f"{title} {abstract}" if abstract else title
    found = open_claims(
        text,
        sentences(text, len(title) + 1, len(text)) if abstract else [],
        list(Vocabulary.default().mentions(text)),
        title=Span(0, len(title), title),
    )
    return {(o.claim.stance.value, o.claim.drug.name, o.claim.disease.name) for o in found}


def test_word_shapes():
    for drug in ("lisinopril", "losartan", "atorvastatin", "propranolol", "ciprofloxacin", "5-fluorouracil", "MK-801"):
        assert is_chemical(drug), drug
    for word in ("baseline", "control", "rate", "side", "protein", "anti-cocaine", "patients", "migraine"):
        assert not is_chemical(word), word
    assert disease_head("seizures") == "seizure"
    assert disease_head("neuropathies") == "neuropathy"
    assert disease_head("thrombocytopenia") == "thrombocytopenia"
    for word in ("diagnosis", "analysis", "dialysis", "antihyperalgesia", "attention"):
        assert disease_head(word) is None, word


@pytest.mark.parametrize(
    ("title", "claim"),
    [
        ("Liver disease caused by propylthiouracil.", ("propylthiouracil", "liver disease")),
        ("Seizure resulting from a venlafaxine overdose.", ("venlafaxine", "seizures")),
        ("Hyperkalemia associated with sulindac therapy.", ("sulindac", "hyperkalemia")),
        ("Neonatal pyridoxine responsive convulsions due to isoniazid therapy.", ("isoniazid", None)),
        (
            "Clinical nephrotoxicity of tobramycin and gentamicin. A prospective study.",
            ("tobramycin", "nephrotoxicity"),
        ),
        ("Ifosfamide encephalopathy presenting with asterixis.", ("ifosfamide", "encephalopathy")),
        ("Components of lemon essential oil attenuate dementia induced by scopolamine.", ("scopolamine", "dementia")),
        (
            "Effect of increasing intraperitoneal infusion rates on bupropion hydrochloride-induced seizures in mice.",
            ("bupropion hydrochloride", "seizures"),
        ),
    ],
)
def test_case_report_titles_state_the_adverse_effect(title, claim):
    found = _claims(title)
    drug, disease = claim
    assert any(s == "SUPPORTS" and d == drug and (disease is None or y == disease) for s, d, y in found), found


def test_bundled_names_are_used_where_the_vocabulary_knows_them():
    # "seizures" is in the bundled vocabulary: the claim joins its concept, not a new "seizure"
    (claim,) = _claims("Seizure resulting from a venlafaxine overdose.")
    assert claim[2] == "seizures"


def test_every_disease_of_a_list_after_x_induced():
    title = "Paracetamol-associated coma, metabolic acidosis, renal and hepatic failure."
    found = {y for _, _, y in _claims(title)}
    assert {"coma", "metabolic acidosis"} <= found  # "renal and hepatic failure" shares its head: not read


def test_a_short_form_the_text_defines_names_its_long_form():
    abstract = (
        "The anticonvulsant activity of VPU was compared with its parent compound, valproic acid (VPA). "
        "VPA-induced hepatotoxicity limits its use."
    )
    assert ("SUPPORTS", "valproic acid", "hepatotoxicity") in _claims("Valproate and the liver.", abstract)


def test_denials_contradict():
    abstract = (
        "Thus, AE RBCs appear to have an increased sensitivity to oxidant stress both in vitro and in vivo, "
        "since dapsone does not cause hemolytic anemia at this dose in hematologically normal individuals."
    )
    assert ("CONTRADICTS", "dapsone", "hemolytic anemia") in _claims("Dapsone in hemoglobin E trait.", abstract)
    abstract = "However, unlike these latter, SSR103800 did not produce catalepsy (retention on the bar test)."
    assert ("CONTRADICTS", "SSR103800", "catalepsy") in _claims("A GlyT1 inhibitor.", abstract)
    # changed from a training sentence ("... hypotension was observed after labetalol ..."): a denial before it
    abstract = "No hypotension was observed after labetalol administration."
    assert _claims("Labetalol in pregnancy.", abstract) == {("CONTRADICTS", "labetalol", "hypotension")}


def test_a_negated_verb_is_not_a_negated_effect():
    abstract = "Pretreatment with MK-801 did not prevent pilocarpine-induced seizures in these rats."
    assert ("SUPPORTS", "pilocarpine", "seizures") in _claims("Pilocarpine seizures.", abstract)
    abstract = "No changes in haloperidol-induced catalepsy or MK-801-induced locomotion were seen following PD."
    assert ("SUPPORTS", "haloperidol", "catalepsy") in _claims("Catalepsy.", abstract)


def test_two_groups_compared_deny_nothing():
    abstract = (
        "A mouse inflammatory cytokine and receptor RT2 profiler array was used to determine regulated transcripts "
        "in the urinary bladder of wild type (WT) and VIP(-/-) mice with or without CYP-induced cystitis."
    )
    found = _claims("VIP and bladder inflammation.", abstract)
    assert not any(stance == "CONTRADICTS" for stance, _, _ in found)


def test_treatments_are_not_adverse_effects():
    assert not _claims(
        "Lamivudine for the prevention of hepatitis B virus reactivation in hepatitis-B surface antigen (HBSAG) "
        "seropositive cancer patients undergoing cytotoxic chemotherapy."
    )
    assert not _claims(
        "A dyskinesia.",
        "A 2-year-old child with known neurologic impairment developed a dyskinesia soon after starting "
        "phenobarbital therapy for seizures.",
    ) & {("SUPPORTS", "phenobarbital", "seizures")}
    # changed from training sentences: the two ways a treatment is written
    assert not _claims("Carbamazepine improved seizures in these patients.")
    assert not _claims("Trial.", "Improvement of psychosis after clozapine treatment was seen in 30 patients.")
    assert not _claims("Sodium bicarbonate alleviates penile pain induced by intracavernous injections.")


def test_toxicity_alone_names_no_harm():
    assert not _claims("Tricuspid valve regurgitation and lithium carbonate toxicity in a newborn infant.") & {
        ("SUPPORTS", "lithium carbonate", "toxicity")
    }


@pytest.mark.parametrize(
    "text",
    [
        "cocaine-induced seizures " * 5_000,  # one sentence of 125 kB, a claim in every three words
        "Coca\u0301ine-induced seizu\u200bres \u202eand İİİ-induced ﬁbrosis \U0001f600 after",
        "<i>Cocaine</i>-induced <b>seizures</b> &amp; <sup>2</sup>",
        "\x00\x01-induced \ufeff",
        "",
        "after after by by due to -induced induced by",
    ],
)
def test_hostile_text_gives_an_answer(text):
    found = open_claims(text, sentences(text), [], title=None)
    for o in found:
        assert text[o.drug.start : o.drug.end] == o.drug.text
        assert text[o.disease.start : o.disease.end] == o.disease.text


def test_unicode_hyphen_reads_as_a_hyphen():
    assert ("SUPPORTS", "cocaine", "seizures") in _claims("Cocaine\u2010induced seizures in mice.")


def test_without_a_vocabulary_a_pubmed_record_gets_its_stated_claim():
    title = "Liver disease caused by propylthiouracil."
    sentence = "Severe hepatitis developed after propylthiouracil administration."
    xml = to_pubmed_xml([PubtatorRecord(pmid="1", title=title, abstract=f"It is rarely toxic. {sentence}")])
    (doc,) = load_stream(io.BytesIO(xml.encode()), path="test.xml", recognizer=None)
    quotes = {e.provenance.quote: e.provenance.span for e in doc.edges if e.type is EdgeType.SUPPORTS}
    assert set(quotes) == {title, sentence}  # each claim quotes its sentence, verbatim, at its place
    for quote, (start, end) in quotes.items():
        assert doc.source.props["text"][start:end] == quote
    drug = next(n for n in doc.all_nodes if n.kind is NodeKind.DRUG)
    assert drug.name == "propylthiouracil"
    assert "mesh" not in drug.props  # named by the text, not by MeSH
    assert {n.name for n in doc.all_nodes if n.kind is NodeKind.OUTCOME} == {"liver disease", "hepatitis"}


@pytest.mark.parametrize("fallback", [False, True])
def test_with_a_vocabulary_names_it_does_not_know_are_read_by_shape_only_if_asked(monkeypatch, fallback):
    monkeypatch.setattr(literature, "OPEN_TERMS_WITH_VOCABULARY", fallback)
    title = "Phenobarbital-induced dyskinesia in a neurologically-impaired child."
    xml = to_pubmed_xml([PubtatorRecord(pmid="1", title=title, abstract="Lisinopril-induced angioedema was seen.")])
    # the recogniser knows phenobarbital and dyskinesia (MeSH), not lisinopril or angioedema
    (doc,) = load_stream(io.BytesIO(xml.encode()), path="test.xml", recognizer=recognizer())
    nodes = {n.id: n for n in doc.all_nodes}
    pairs = set()
    for e in doc.edges:
        if e.type is EdgeType.SUPPORTS:
            ends = sorted(nodes[x.target].name for x in doc.edges if x.type is EdgeType.ABOUT and x.source == e.target)
            pairs.add(tuple(ends))
    # the claim model's claim, and never a second one by shape between two names the vocabulary knows
    assert ("Dyskinesia, Drug-Induced", "Phenobarbital") in pairs
    assert (("angioedema", "lisinopril") in pairs) is fallback
    assert len(pairs) == 1 + fallback
