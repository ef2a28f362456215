"""The evidence model refuses what it does not allow, and derives stable ids."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from graph.errors import RecordError
from graph.ids import concept_id, finding_id, normalise, source_id, study_id
from graph.model import ALLOWED_TRIPLES, Document, Edge, EdgeType, Node, NodeKind, Provenance, check_triple, kind_of

PROV = Provenance(source_doc="source:abc")


def test_every_kind_and_edge_type_takes_part_in_some_triple() -> None:
    assert {s for s, _, _ in ALLOWED_TRIPLES} | {t for _, _, t in ALLOWED_TRIPLES} == set(NodeKind)
    assert {e for _, e, _ in ALLOWED_TRIPLES} == set(EdgeType)


def test_check_triple_names_the_allowed_alternatives() -> None:
    check_triple(NodeKind.STUDY, EdgeType.SUPPORTS, NodeKind.FINDING)
    with pytest.raises(RecordError, match=r"SUPPORTS is not allowed from Drug to Outcome; allowed: .*Study->Finding"):
        check_triple(NodeKind.DRUG, EdgeType.SUPPORTS, NodeKind.OUTCOME)


def test_edge_validates_its_triple_and_derives_a_stable_id() -> None:
    edge = Edge(type=EdgeType.SUPPORTS, source="study:doi:1", target="finding:x", provenance=PROV)
    same = Edge(type=EdgeType.SUPPORTS, source="study:doi:1", target="finding:x", provenance=PROV)
    assert edge.id == same.id and edge.id.startswith("edge:")
    with pytest.raises(ValidationError, match="not allowed"):
        Edge(type=EdgeType.SUPPORTS, source="drug:a", target="outcome:b", provenance=PROV)


def test_node_checks_kind_prefix_and_property_types() -> None:
    node = Node(
        id="study:doi:1", kind=NodeKind.STUDY, name="Bang 2021", props={"n": 242, "year": 2021}, provenance=PROV
    )
    assert node.row()["n"] == 242 and node.row()["doi"] is None
    with pytest.raises(ValidationError, match="does not start with 'study:'"):
        Node(id="drug:x", kind=NodeKind.STUDY, name="x", provenance=PROV)
    with pytest.raises(ValidationError, match="expected a whole number"):
        Node(id="study:x", kind=NodeKind.STUDY, name="x", props={"n": "242"}, provenance=PROV)
    with pytest.raises(ValidationError, match="has no property 'colour'"):
        Node(id="study:x", kind=NodeKind.STUDY, name="x", props={"colour": "red"}, provenance=PROV)
    with pytest.raises(ValidationError, match="NaN"):
        Node(id="figure:x", kind=NodeKind.FIGURE, name="x", props={"value": float("nan")}, provenance=PROV)
    fig = Node(id="figure:x", kind=NodeKind.FIGURE, name="x", props={"value": 51}, provenance=PROV)
    assert isinstance(fig.props["value"], float)


def test_nodes_and_edges_are_immutable() -> None:
    node = Node(id="drug:a", kind=NodeKind.DRUG, name="a", provenance=PROV)
    with pytest.raises(ValidationError):
        node.name = "b"  # type: ignore[misc]


def test_provenance_span_must_match_quote() -> None:
    Provenance(source_doc="s", quote="abc", span=(3, 6))
    with pytest.raises(ValidationError, match="3 characters"):
        Provenance(source_doc="s", quote="abcd", span=(3, 6))
    with pytest.raises(ValidationError, match="needs the quote"):
        Provenance(source_doc="s", span=(3, 6))


def test_document_requires_endpoints_and_verbatim_quotes() -> None:
    text = "Bang 2021 saw hypoglycaemia."
    sid = source_id(text)
    source = Node(id=sid, kind=NodeKind.SOURCE, name="t", props={"text": text}, provenance=Provenance(source_doc=sid))
    study = Node(id="study:x", kind=NodeKind.STUDY, name="Bang", provenance=Provenance(source_doc=sid))
    edge = Edge(type=EdgeType.FROM_SOURCE, source="study:x", target=sid, provenance=Provenance(source_doc=sid))
    Document(source=source, nodes=(study,), edges=(edge,))
    with pytest.raises(ValidationError, match="is not in the document"):
        Document(source=source, nodes=(), edges=(edge,))
    bad = Node(
        id="study:y", kind=NodeKind.STUDY, name="y", provenance=Provenance(source_doc=sid, quote="no such words")
    )
    with pytest.raises(ValidationError, match="does not appear verbatim"):
        Document(source=source, nodes=(bad,))
    misplaced = Node(
        id="study:z", kind=NodeKind.STUDY, name="z", provenance=Provenance(source_doc=sid, quote="Bang", span=(1, 5))
    )
    with pytest.raises(ValidationError, match="is not at"):
        Document(source=source, nodes=(misplaced,))
    with pytest.raises(ValidationError, match="appears twice"):
        Document(source=source, nodes=(study, study))


def test_ids_are_content_derived_and_stable() -> None:
    assert study_id(doi="10.1530/EJE-20-0325") == "study:doi:10.1530/eje-20-0325"
    assert study_id(pmid=" 123 ") == "study:pmid:123"
    assert study_id(nct_id="nct00330668") == "study:nct:NCT00330668"
    assert study_id(first_author="Martín-Rivada", year=2021, title="Adult height") == study_id(
        first_author="Martin-Rivada", year=2021, title="adult height"
    )
    assert study_id(doi="10.1/x", pmid="1") == study_id(doi="10.1/X")  # DOI wins and is case-blind
    with pytest.raises(ValueError, match="needs a DOI"):
        study_id()
    assert concept_id(NodeKind.CONDITION, "Laron syndrome") == "condition:laron-syndrome"
    assert finding_id("drug:a", "outcome:b") == finding_id("drug:a", "outcome:b", None)
    assert finding_id("drug:a", "outcome:b") != finding_id("drug:a", "outcome:b", "condition:c")
    assert source_id("x") == source_id("x") != source_id("y")
    assert normalise("  Hypoglykemieën! ") == "hypoglykemieen"


def test_kind_of() -> None:
    assert kind_of("drug:mecasermin") is NodeKind.DRUG
    assert kind_of("study:doi:10.1/x") is NodeKind.STUDY
    for bad in ("mecasermin", "planet:x", ""):
        with pytest.raises(RecordError):
            kind_of(bad)
