"""The loaders' fast construction gives exactly what pydantic validation gives, and refuses what it refuses."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from graph import trusted
from graph.model import Document, Edge, EdgeType, Node, NodeKind, Provenance, document_digest
from loaders import load_path
from loaders.ctgov import stream
from tests.shared_data import CTGOV, needs

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "loaders" / "samples").glob("*"))
REAL = sorted(CTGOV.glob("NCT*.json")) if CTGOV.exists() else []


def _validated(document: Document) -> Document:
    """The same document with every record rebuilt through the model's validators."""

    def prov(p: Provenance) -> Provenance:
        return Provenance(source_doc=p.source_doc, quote=p.quote, span=p.span)

    nodes = tuple(
        Node(id=n.id, kind=n.kind, name=n.name, props=dict(n.props), provenance=prov(n.provenance))
        for n in document.nodes
    )
    edges = tuple(
        Edge(type=e.type, source=e.source, target=e.target, props=dict(e.props), provenance=prov(e.provenance))
        for e in document.edges
    )
    return Document(source=document.source, nodes=nodes, edges=edges, warnings=document.warnings)


@needs(CTGOV)
@pytest.mark.parametrize("path", [*REAL, *SAMPLES], ids=lambda p: p.name)
def test_loaded_records_equal_validated_ones(path: Path) -> None:
    for document in load_path(path):
        again = _validated(document)
        assert again.nodes == document.nodes
        assert [n.props for n in again.nodes] == [n.props for n in document.nodes]
        assert [type(v) for n in again.nodes for v in n.props.values()] == [
            type(v) for n in document.nodes for v in n.props.values()
        ]
        assert again.edges == document.edges
        assert [e.id for e in again.edges] == [e.id for e in document.edges]
        assert document_digest(again) == document_digest(document)


@needs(CTGOV)
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_whole_parse_reads_what_the_stream_reads(path: Path) -> None:
    data = path.read_bytes()
    page = json.dumps({"nextPageToken": "x", "studies": [json.loads(data), json.loads(data)]}).encode()
    for raw in (data, page):
        whole = list(stream.iter_study_records(io.BytesIO(raw), path="x.json"))
        streamed = list(stream._streamed(io.BytesIO(raw), "x.json"))
        assert whole == streamed and whole


def test_a_file_larger_than_the_whole_parse_bound_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "WHOLE_BYTES", 16)
    raw = json.dumps({"studies": [{"protocolSection": {"a": 1}}, {"protocolSection": {"b": [1.5, "x"]}}]}).encode()
    records = [r for _, r in stream.iter_study_records(io.BytesIO(raw), path="x.json")]
    assert records == json.loads(raw)["studies"]


def test_nan_and_nesting_past_the_bound_are_left_to_the_stream() -> None:
    assert stream._parsed_whole(b'{"studies": [NaN]}') is None
    deep = stream.MAX_DEPTH
    assert stream._parsed_whole(b"[" * deep + b"]" * deep) is not None
    assert stream._parsed_whole(b"[" * (deep + 1) + b"]" * (deep + 1)) is None
    assert stream._parsed_whole(b"[" * 50_000 + b"]" * 50_000) is None  # past the C parser's own limit


P = Provenance(source_doc="source:abc")


@pytest.mark.parametrize(
    ("node_id", "kind", "name", "props"),
    [
        ("figure:1", NodeKind.DRUG, "x", {}),  # id of another kind
        ("drug:x", NodeKind.DRUG, "", {}),  # empty name
        ("drug:x", NodeKind.DRUG, "x", {"value": 1.0}),  # a property the kind does not have
        ("figure:1", NodeKind.FIGURE, "x", {"value": "1"}),  # wrong type
        ("figure:1", NodeKind.FIGURE, "x", {"value": float("nan")}),
        ("figure:1", NodeKind.FIGURE, "x", {"numerator": True}),
        ("figure:1", NodeKind.FIGURE, "x", {"label": ["a"]}),
        ("nokind", NodeKind.DRUG, "x", {}),
    ],
)
def test_a_bad_node_gets_the_models_own_error(node_id: str, kind: NodeKind, name: str, props: dict) -> None:
    with pytest.raises(ValidationError) as expected:
        Node(id=node_id, kind=kind, name=name, props=dict(props), provenance=P)
    with pytest.raises(ValidationError) as got:
        trusted.node(node_id, kind, name, dict(props), P)
    assert _said(got.value) == _said(expected.value)


def _said(exc: ValidationError) -> list[tuple[object, ...]]:
    return [(e["type"], e["loc"], e["msg"]) for e in exc.errors()]


def test_a_bad_edge_or_provenance_gets_the_models_own_error() -> None:
    with pytest.raises(ValidationError, match="is not allowed from"):
        trusted.edge(EdgeType.ABOUT, "drug:x", "outcome:y", {}, P)
    with pytest.raises(ValidationError, match="edges have no property"):
        trusted.edge(EdgeType.ABOUT, "finding:x", "drug:y", {"value": 1}, P)
    with pytest.raises(ValidationError, match="characters but the quote has"):
        trusted.provenance("source:abc", "abc", (0, 2))
    with pytest.raises(ValidationError, match="needs the quote"):
        trusted.provenance("source:abc", None, (0, 2))


def test_an_int_where_a_float_goes_is_a_float_as_the_model_makes_it() -> None:
    fast = trusted.node("figure:1", NodeKind.FIGURE, "3", {"value": 3, "numerator": 3}, P)
    slow = Node(id="figure:1", kind=NodeKind.FIGURE, name="3", props={"value": 3, "numerator": 3}, provenance=P)
    assert fast == slow and type(fast.props["value"]) is float and type(fast.props["numerator"]) is int


def test_a_document_with_a_dangling_edge_gets_the_models_own_error() -> None:
    source = Node(id="source:abc", kind=NodeKind.SOURCE, name="s", provenance=P)
    edge = trusted.edge(EdgeType.FROM_SOURCE, "drug:x", "source:abc", {}, P)
    with pytest.raises(ValidationError, match="is not in the document"):
        trusted.document(source, (), (edge,), ())


def test_the_digest_tells_a_changed_property_and_ignores_record_order() -> None:
    source = Node(id="source:abc", kind=NodeKind.SOURCE, name="s", provenance=P)
    a = trusted.node("drug:a", NodeKind.DRUG, "a", {"mesh": "D1"}, P)
    b = trusted.node("drug:b", NodeKind.DRUG, "b", {}, P)
    one = trusted.document(source, (a, b), (), ())
    assert document_digest(one) == document_digest(trusted.document(source, (b, a), (), ()))
    changed = trusted.node("drug:a", NodeKind.DRUG, "a", {"mesh": "D2"}, P)
    assert document_digest(one) != document_digest(trusted.document(source, (changed, b), (), ()))
    as_int = trusted.node("drug:a", NodeKind.DRUG, "a", {"mesh": "D1", "synonyms": "1"}, P)
    assert document_digest(one) != document_digest(trusted.document(source, (as_int, b), (), ()))
