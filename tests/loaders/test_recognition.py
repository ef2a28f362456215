"""Recognising concepts in text: folding, variants, longest match, boundaries, short forms."""

from __future__ import annotations

import pytest

from loaders.text.abbreviations import definitions
from loaders.text.normal import disease_forms, fold, key, variants
from tests.loaders.literature_fixtures import recognizer


@pytest.fixture(scope="module")
def rec():
    return recognizer()


def _found(rec, text):
    return [(m.text, m.concept.codes.get("mesh")) for m in rec.mentions(text)]


def test_fold_keeps_every_character_in_place():
    text = "L-DOPA–induced\nİstanbul dyskinesia/PD"
    assert len(fold(text)) == len(text)
    assert fold("L-DOPA") == "l dopa"
    assert key("  Arthritis,  Rheumatoid ") == "arthritis, rheumatoid"


def test_variants_undo_inversion_and_add_plurals_and_british_spelling():
    assert "rheumatoid arthritis" in variants("Arthritis, Rheumatoid")
    assert "type 2 diabetes mellitus" in variants("Diabetes Mellitus, Type 2")
    assert {"seizures", "arteries", "anaemia"} <= variants("seizure") | variants("artery") | variants("anemia")


def test_variants_eponyms_organ_adjectives_and_british_endings():
    assert "wernicke's encephalopathy" in variants("Wernicke Encephalopathy")
    assert "non hodgkin's lymphoma" in variants("Lymphoma, Non-Hodgkin")
    assert "hemolytic's syndrome" not in variants("Hemolytic Syndrome")  # an adjective is not a person
    assert "sudden cardiac death" in variants("Death, Sudden, Cardiac")
    assert {"cerebral ischemia", "muscle atrophy", "ocular pain", "bladder neoplasms"} <= (
        variants("Brain Ischemia")
        | variants("Muscular Atrophy")
        | variants("Eye Pain")
        | variants("Urinary Bladder Neoplasms")
    )
    assert {"diarrhoea", "paraesthesia", "haemolytic uraemic syndrome"} <= (
        variants("Diarrhea") | variants("Paresthesia") | variants("Hemolytic-Uremic Syndrome")
    )


def test_disease_forms_abstracts_use_for_mesh_names():
    assert {"liver tumors", "liver tumour", "liver cancer"} <= disease_forms("liver neoplasms")
    assert {"hematologic toxicity", "cerebellar dysfunction"} <= (
        disease_forms("hematologic diseases") | disease_forms("cerebellar diseases")
    )
    assert disease_forms("hyperkinesis") == {"hyperkinesia"}
    assert disease_forms("psychosis") == disease_forms("neoplasms") == set()  # no -sia; no head to name


def test_longest_match_and_word_boundaries(rec):
    text = "Phenobarbital-induced dyskinesias; carbamazepinex is not a drug."
    assert _found(rec, text) == [("Phenobarbital", "D010634"), ("dyskinesias", "D004409")]


def test_inverted_mesh_name_matches_natural_order(rec):
    assert _found(rec, "pulmonary tuberculosis") == [("pulmonary tuberculosis", "D014397")]


def test_short_names_with_capitals_match_only_as_written(rec):
    assert _found(rec, "NO synthase was measured") == [("NO", "D009569")]
    assert _found(rec, "there was no change") == []


def test_schwartz_hearst_definitions():
    text = "L-DOPA-induced dyskinesia (LID) is among the motor complications"
    (d,) = definitions(text)
    assert d.short == "LID"
    assert text[d.long_start : d.long_end] == "L-DOPA-induced dyskinesia"


def test_defined_short_form_names_its_long_form_everywhere(rec):
    text = "Patients with paroxysmal dystonia (PD) were seen. PD was not Parkinson's disease."
    found = _found(rec, text)
    # the text defines PD as something the vocabulary does not know: its PDs are not Parkinson disease
    assert ("PD", "D010300") not in found
    assert ("Parkinson's disease", "D010300") in found
    text = "levodopa-induced dyskinesias (LID) were rated; LID improved"
    assert [f for f in _found(rec, text) if f[0] == "LID"] == [("LID", "D004409"), ("LID", "D004409")]


def test_names_annotators_leave_unmarked_are_not_looked_for():
    from graph.vocab_store import Entry
    from loaders.text.recognize import Recognizer

    rec = Recognizer(
        [Entry("drug", "D004364", "Pharmaceutical Preparations", "Drug", None, 0)], term_use={"drug": (40, 1)}
    )
    assert rec.mentions("the drug was stopped") == []


def test_the_bundled_vocabulary_still_names_dutch_terms(rec):
    found = [m.concept.name for m in rec.mentions("ernstige hypoglykemie na mecasermine")]
    assert found == ["severe hypoglycemia", "mecasermin"]


def test_trial_browse_modules_map_mesh_ids_to_concepts(rec):
    from graph.model import NodeKind
    from loaders.mesh_concepts import browse_concepts

    derived = {
        "conditionBrowseModule": {"meshes": [{"id": "D007022", "term": "Hypotension"}, {"id": "bad", "term": "x"}]},
        "interventionBrowseModule": {
            "meshes": [{"id": "D007741", "term": "Labetalol"}, {"id": "C999999", "term": "Newdrug"}, "junk"]
        },
    }
    found = browse_concepts(derived, rec)
    assert [(c.name, c.codes["mesh"]) for c in found["conditions"]] == [("Hypotension", "D007022")]
    assert [(c.name, c.kind) for c in found["interventions"]] == [
        ("Labetalol", NodeKind.DRUG),
        ("Newdrug", NodeKind.DRUG),
    ]
    assert browse_concepts(None, rec) == {"conditions": [], "interventions": []}


def test_mesh_names_read_as_abstracts_write_them():
    """Training-set spellings: three-part inversions, British sulph-, singular disease names, single compounds."""
    from graph.vocab_store import Entry
    from loaders.text.recognize import Recognizer

    names = [
        ("D000744", "Anemia, Hemolytic, Autoimmune", "Condition"),
        ("D012460", "Sulfasalazine", "Drug"),
        ("D003928", "Diabetic Nephropathies", "Condition"),
        ("D001761", "Bleomycin", "Drug"),
        ("D009362", "Aminoglycosides", "Drug"),
    ]
    trees = {
        "D001761": ("D09.400.420.110", "D12.644.233.110"),  # a glycopeptide: a compound under a class
        "D009362": ("D09.408.051",),  # the class itself, with compounds under it
        "D000583": ("D09.408.051.060",),  # a compound under it (the tree as MeSH gives it, every level)
    }
    rec = Recognizer([Entry(key(n), m, n, k, None, 0) for m, n, k in names], trees=trees)
    text = (
        "Autoimmune hemolytic anemia and diabetic nephropathy after sulphasalazine; bleomycin and other aminoglycosides"
    )
    assert [(m.text, m.concept.codes["mesh"]) for m in rec.mentions(text)] == [
        ("Autoimmune hemolytic anemia", "D000744"),
        ("diabetic nephropathy", "D003928"),
        ("sulphasalazine", "D012460"),
        ("bleomycin", "D001761"),
    ]


def test_a_drug_mesh_names_with_its_salt_is_found_by_its_base_name():
    """Training/development spelling: MeSH "Tiapride Hydrochloride", abstracts "tiapride"; a base that is a name
    of its own ("Sodium" of "Sodium Acetate") keeps its own meaning."""
    from graph.vocab_store import Entry
    from loaders.text.recognize import Recognizer

    names = [
        ("D063325", "Tiapride Hydrochloride", "Drug"),
        ("D017673", "Sodium Acetate", "Drug"),
        ("D012964", "Sodium", "Drug"),
    ]
    rec = Recognizer([Entry(key(n), m, n, k, None, 0) for m, n, k in names])
    found = [(m.text, m.concept.codes["mesh"]) for m in rec.mentions("Tiapride and sodium; tiapride hydrochloride")]
    assert found == [("Tiapride", "D063325"), ("sodium", "D012964"), ("tiapride hydrochloride", "D063325")]


def test_paraphrases_name_a_disease_in_the_word_orders_abstracts_use():
    from loaders.text.normal import paraphrases

    assert {"qt prolongation", "prolonged qt"} <= paraphrases("q t prolongation")
    assert "qt interval prolongation" in paraphrases("prolongation of the qt interval")
    assert "memory impairment" in paraphrases("impairment of memory")
    assert "impaired memory" in paraphrases("memory impairment")
    assert "bladder cancer" in paraphrases("cancer of the bladder")
    assert paraphrases("seizures") == paraphrases("tetralogy of fallot") == set()  # one word; no head to move


def test_disease_forms_read_an_organs_and_a_functions_disorders_as_abstracts_name_them():
    assert {"optic neuropathy", "retinopathy", "renal damage", "nephropathy"} <= (
        disease_forms("optic nerve diseases") | disease_forms("retinal diseases") | disease_forms("renal diseases")
    )
    assert {"cognitive impairment", "memory deficits", "impaired memory", "sleep disturbance"} <= (
        disease_forms("cognition disorders") | disease_forms("memory disorders") | disease_forms("sleep disorders")
    )
    assert "cystitis pathy" not in disease_forms("cystitis")


def test_mesh_disorders_found_under_the_names_abstracts_give_them():
    """Training sentences (CDR 7802851, 16403073, and the cognitive-impairment abstract): MeSH preferred names only."""
    from graph.vocab_store import Entry
    from loaders.text.recognize import Recognizer

    names = [
        ("D008569", "Memory Disorders", "Condition"),
        ("D003072", "Cognition Disorders", "Condition"),
        ("D008133", "Long QT Syndrome", "Condition"),
        ("D009901", "Optic Nerve Diseases", "Condition"),
    ]
    entries = [Entry(key(n), m, n, k, None, 0) for m, n, k in names]
    entries.append(Entry(key("Q-T prolongation"), "D008133", "Long QT Syndrome", "Condition", None, 1))  # learned
    rec = Recognizer(entries)
    text = (
        "more side-effects, particularly sedation, irritability, impaired memory, weight loss and ataxia. "
        "Carbamazepine is well known to cause cognitive impairment on chronic use. "
        "She developed QT prolongation and a toxic optic neuropathy."
    )
    assert [(m.text, m.concept.codes["mesh"]) for m in rec.mentions(text)] == [
        ("impaired memory", "D008569"),
        ("cognitive impairment", "D003072"),
        ("QT prolongation", "D008133"),
        ("optic neuropathy", "D009901"),
    ]


def test_a_drug_mesh_names_by_its_us_name_is_found_by_its_international_one():
    """Training sentence (CDR 2234245): MeSH "Deferoxamine", the abstract "desferrioxamine"; "oestradiol" too."""
    from graph.vocab_store import Entry
    from loaders.text.recognize import Recognizer

    names = [("D003676", "Deferoxamine", "Drug"), ("D004958", "Estradiol", "Drug"), ("D008614", "Meperidine", "Drug")]
    rec = Recognizer([Entry(key(n), m, n, k, None, 0) for m, n, k in names])
    text = "Ocular toxicity in hemodialyzed patients receiving desferrioxamine, oestradiol and pethidine."
    assert [(m.text, m.concept.codes["mesh"]) for m in rec.mentions(text)] == [
        ("desferrioxamine", "D003676"),
        ("oestradiol", "D004958"),
        ("pethidine", "D008614"),
    ]
    # a name annotators leave unmarked where it occurs is not looked for, whichever name it is
    unmarked = Recognizer([Entry(key(n), m, n, k, None, 0) for m, n, k in names], term_use={"pethidine": (9, 0)})
    assert [m.text for m in unmarked.mentions(text)] == ["desferrioxamine", "oestradiol"]
