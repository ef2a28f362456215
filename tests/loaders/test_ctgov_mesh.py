"""ClinicalTrials.gov records name what they study by the registry's own MeSH indexing (``derivedSection``)."""

from __future__ import annotations

import copy
import json

from graph.model import NodeKind
from loaders.ctgov import load_stream
from loaders.ctgov.study import study_document
from loaders.mesh_concepts import short_ui
from tests.shared_data import CTGOV, needs

DUPILUMAB = CTGOV / "NCT02210780.json"
REPAGLINIDE = CTGOV / "NCT00763412.json"


def _concepts(path, kind):
    with path.open("rb") as handle:
        document = next(load_stream(handle, path=str(path)))
    return {n.id: n.props.get("mesh") for n in document.nodes if n.kind is kind}, document


@needs(REPAGLINIDE)
def test_conditions_and_drugs_of_a_real_record_carry_their_mesh_ids():
    conditions, document = _concepts(REPAGLINIDE, NodeKind.CONDITION)
    # every MeSH condition of conditionBrowseModule, with NLM's UI (the registry pads D003550 to D000003550)
    assert conditions["condition:cystic-fibrosis"] == "D003550"
    assert conditions["condition:exocrine-pancreatic-insufficiency"] == "D010188"
    assert conditions["condition:diabetes-mellitus"] == "D003920"
    drugs = {n.id: n.props.get("mesh") for n in document.nodes if n.kind is NodeKind.DRUG}
    assert drugs == {"drug:repaglinide": "C072379"}  # the placebo arm's intervention is no drug
    studied = {e.target for e in document.edges if e.type.value == "STUDIED_IN"}
    assert {"condition:cystic-fibrosis", "condition:diabetes-mellitus"} <= studied


@needs(DUPILUMAB)
def test_a_curated_concept_keeps_its_name_and_takes_the_registrys_mesh_term():
    conditions, _ = _concepts(DUPILUMAB, NodeKind.CONDITION)
    # "Atopic Dermatitis" (the record) and "Dermatitis, Atopic" (its MeSH term) are one node, the curated one
    assert conditions == {"condition:atopic-dermatitis": "D003876"}


def _record(intervention_type: str, name: str) -> dict:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT01234567", "briefTitle": "A trial"},
            "conditionsModule": {"conditions": ["Obesity"]},
            "armsInterventionsModule": {"interventions": [{"type": intervention_type, "name": name}]},
        },
        "derivedSection": {
            "conditionBrowseModule": {"meshes": [{"id": "D000009765", "term": "Obesity"}]},
            "interventionBrowseModule": {"meshes": [{"id": "D000008687", "term": "Metformin"}]},
        },
    }


def test_an_intervention_that_is_not_a_drug_never_becomes_one():
    for kind, name in (("DEVICE", "Metformin"), ("BEHAVIORAL", "Diet"), ("DRUG", "Placebo")):
        document = study_document(_record(kind, name))
        assert not [n for n in document.nodes if n.kind is NodeKind.DRUG], (kind, name)
    drug = study_document(_record("DRUG", "metformin"))
    assert {n.id: n.props.get("mesh") for n in drug.nodes if n.kind is NodeKind.DRUG} == {"drug:metformin": "D008687"}
    assert {n.props.get("mesh") for n in drug.nodes if n.kind is NodeKind.CONDITION} == {"D009765"}


def test_broken_browse_modules_are_left_out_not_fatal():
    record = _record("DRUG", "metformin")
    for broken in (None, [], "x", {"meshes": "x"}, {"meshes": [None, {"id": "bogus"}, {"id": 3, "term": []}]}):
        hostile = copy.deepcopy(record)
        hostile["derivedSection"]["conditionBrowseModule"] = broken
        document = study_document(json.loads(json.dumps(hostile)))
        assert any(n.kind is NodeKind.CONDITION for n in document.nodes)  # the record's own condition stays


def test_padded_ui_is_nlms_ui_and_long_uis_stay():
    assert short_ui("D000003550") == "D003550"
    assert short_ui("C000072379") == "C072379"
    assert short_ui("D000068877") == "D000068877"  # a real 10-character descriptor UI
    assert short_ui("D003550") == "D003550"


@needs(REPAGLINIDE)
def test_with_the_store_vocabulary_the_registry_terms_are_its_concepts():
    from graph.vocab_store import Entry
    from loaders.ctgov import CtgovLoader
    from loaders.text.recognize import Recognizer

    recognizer = Recognizer(
        [
            Entry(term="repaglinide", mesh="C072379", name="Repaglinide", kind="Drug", cased=None, count=0),
            Entry(term="prandin", mesh="C072379", name="Repaglinide", kind="Drug", cased=None, count=0),
            Entry(term="fibrosis", mesh="D005355", name="Fibrosis", kind="Condition", cased=None, count=0),
        ]
    )
    document = next(CtgovLoader().with_recognizer(recognizer).load(REPAGLINIDE))
    nodes = {n.id: n.props.get("mesh") for n in document.nodes if n.kind in (NodeKind.DRUG, NodeKind.CONDITION)}
    assert nodes["drug:repaglinide"] == "C072379" and nodes["condition:fibrosis"] == "D005355"
    assert [n for n in document.nodes if n.kind is NodeKind.DRUG and "placebo" in n.id] == []
