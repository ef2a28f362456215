"""The evidence model: node kinds, edge types, the allowed triples, and immutable records.

A claim ("mecasermin causes hypoglycemia in Laron syndrome") is a ``Finding`` node,
because a property graph has no edges on edges: studies and guidelines point at the
claim with ``SUPPORTS`` / ``CONTRADICTS``, figures ``MEASURES`` it, and the claim is
``ABOUT`` its drug and outcome.  Loaders produce these records; every store consumes
them.  Every property a kind may carry is declared here, so that stores can create
typed tables and exports keep stable names.

Longer than our ~400-line habit on purpose: the property declarations, the allowed triples and
the records that check them are one contract every loader and store is written against, and
read best in one place; construction without re-validation lives in :mod:`graph.trusted`.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.errors import RecordError
from graph.ids import edge_id

__all__ = [
    "ALLOWED_TRIPLES",
    "COMMON_NODE_PROPERTIES",
    "EDGE_COLUMNS",
    "EDGE_PROPERTIES",
    "NODE_PROPERTIES",
    "STRUCTURAL_EDGES",
    "Document",
    "Edge",
    "EdgeType",
    "Node",
    "NodeKind",
    "Provenance",
    "Scalar",
    "check_document",
    "check_triple",
    "document_digest",
    "is_node_id",
    "kind_of",
    "node_columns",
    "unique_nodes",
]

Scalar = str | int | float | bool | None


class NodeKind(enum.StrEnum):
    DRUG = "Drug"
    CONDITION = "Condition"
    OUTCOME = "Outcome"
    STUDY = "Study"
    GUIDELINE = "Guideline"
    FINDING = "Finding"
    FIGURE = "Figure"
    SOURCE = "Source"

    @property
    def prefix(self) -> str:
        """Lower-case id prefix: ``drug:mecasermin``."""
        return self.value.lower()


class EdgeType(enum.StrEnum):
    SUPPORTS = "SUPPORTS"
    CONTRADICTS = "CONTRADICTS"
    RECOMMENDS = "RECOMMENDS"
    REPORTS = "REPORTS"
    ABOUT = "ABOUT"
    IN_POPULATION = "IN_POPULATION"
    STUDIED_IN = "STUDIED_IN"
    STUDIES = "STUDIES"
    MEASURES = "MEASURES"
    FROM_SOURCE = "FROM_SOURCE"
    CITES = "CITES"
    SAME_STUDY = "SAME_STUDY"
    LINKED_TO = "LINKED_TO"


_K = NodeKind
_E = EdgeType

#: Every (source kind, edge type, target kind) the model allows; validated in one place.
ALLOWED_TRIPLES: frozenset[tuple[NodeKind, EdgeType, NodeKind]] = frozenset(
    {
        # stances of evidence towards a claim
        *((s, e, _K.FINDING) for s in (_K.STUDY, _K.GUIDELINE) for e in (_E.SUPPORTS, _E.CONTRADICTS)),
        # recommendations: a guideline or label about a drug, or about a claim
        *((s, _E.RECOMMENDS, t) for s in (_K.GUIDELINE, _K.SOURCE) for t in (_K.DRUG, _K.FINDING)),
        # numbers and what they measure
        (_K.STUDY, _E.REPORTS, _K.FIGURE),
        (_K.GUIDELINE, _E.REPORTS, _K.FIGURE),
        (_K.FIGURE, _E.MEASURES, _K.FINDING),
        # what a claim is about, and in whom
        (_K.FINDING, _E.ABOUT, _K.DRUG),
        (_K.FINDING, _E.ABOUT, _K.OUTCOME),
        (_K.FINDING, _E.ABOUT, _K.CONDITION),
        (_K.FINDING, _E.IN_POPULATION, _K.CONDITION),
        (_K.FIGURE, _E.IN_POPULATION, _K.CONDITION),
        # what a study looked at
        (_K.STUDY, _E.STUDIED_IN, _K.CONDITION),
        (_K.STUDY, _E.STUDIES, _K.DRUG),
        (_K.GUIDELINE, _E.STUDIED_IN, _K.CONDITION),
        # documents citing studies, and one study known under several records
        (_K.SOURCE, _E.CITES, _K.STUDY),
        (_K.SOURCE, _E.CITES, _K.GUIDELINE),
        (_K.STUDY, _E.SAME_STUDY, _K.STUDY),
        # the derived drug -> outcome shortcut that makes the first hop instant
        (_K.DRUG, _E.LINKED_TO, _K.OUTCOME),
        (_K.DRUG, _E.LINKED_TO, _K.CONDITION),
        # provenance: anything read from a document points at it
        *((k, _E.FROM_SOURCE, _K.SOURCE) for k in _K if k is not _K.SOURCE),
    }
)

#: Edges that state structure, not evidence: one edge however many documents state it
#: (its provenance is the first document), so claims are not multiplied by repetition.
STRUCTURAL_EDGES: frozenset[EdgeType] = frozenset({_E.ABOUT, _E.IN_POPULATION, _E.MEASURES})

#: Properties every node has besides its kind-specific ones.
COMMON_NODE_PROPERTIES: dict[str, type] = {
    "id": str,
    "kind": str,
    "name": str,
    "source_doc": str,
    "quote": str,
    "span_start": int,
    "span_end": int,
}

_BIBLIO: dict[str, type] = {
    "title": str,
    "authors": str,
    "year": int,
    "journal": str,
    "volume": str,
    "pages": str,
    "doi": str,
    "pmid": str,
    "url": str,
}

#: The dose a claim or a number is about, when the text states it ("at or above 200 µg/kg/day").
#: A claim stated at a dose is its own Finding ("mecasermin → hypoglycemia at ≥ 200 µg/kg/day"),
#: ABOUT the same drug and outcome as the claim without one, so documents meet on it only when
#: they state the same dose; a figure carries the dose of its own group.
_DOSE: dict[str, type] = {"dose_value": float, "dose_unit": str, "dose_regimen": str}

#: Kind-specific properties (all scalar, so GraphML, GEXF and CSV can carry them).
NODE_PROPERTIES: dict[NodeKind, dict[str, type]] = {
    _K.DRUG: {"synonyms": str, "atc": str, "mesh": str},
    _K.CONDITION: {"synonyms": str, "mesh": str},
    _K.OUTCOME: {"synonyms": str, "meddra": str, "mesh": str},
    _K.STUDY: {
        **_BIBLIO,
        "nct_id": str,
        "design": str,
        "n": int,
        "status": str,
        "phase": str,
        "population": str,
        "met_pico": bool,
        "results": str,
        "author_remarks": str,
        "reviewer_remarks": str,
        "has_results": bool,
        "ended": str,
        "why_stopped": str,
        "extension": bool,
        "allocation": str,
        "interventions": str,
        "arms": str,
        "outcomes": str,
        "abstract": str,
        "language": str,
        "publication_types": str,
    },
    _K.GUIDELINE: {
        **_BIBLIO,
        "strength": str,
        "quality": str,
        "text": str,
        "section": str,
        "issuer": str,
        "guideline_type": str,
    },
    _K.FINDING: {"drug": str, "outcome": str, "population": str, "statement": str, **_DOSE},
    _K.FIGURE: {
        "value": float,
        "unit": str,
        "numerator": int,
        "denominator": int,
        "population": str,
        "label": str,
        "baseline": float,
        "p_value": str,
        "arm": str,
        # a registry result: which group, which measure, how it is summarised
        "result_group": str,
        "measure_type": str,
        "param_type": str,
        "dispersion": float,
        "dispersion_type": str,
        "lower_limit": float,
        "upper_limit": float,
        "time_frame": str,
        "category": str,
        # a between-group analysis: its estimate's confidence interval and method
        "ci_level": float,
        "ci_lower": float,
        "ci_upper": float,
        "method": str,
        **_DOSE,
    },
    _K.SOURCE: {
        "title": str,
        "source_type": str,
        "uri": str,
        "language": str,
        "text": str,
        "sha256": str,  # of the document's records as loaded (document_digest): tells an edit from a repeat
        "advice": str,
        "drug": str,
        "condition": str,
        "pico_population": str,
        "pico_intervention": str,
        "pico_comparison": str,
        "pico_outcome": str,
        "review_period": str,
        "retrieved": str,
        "conclusion": str,
        "search_terms": str,
        "abbreviations": str,
    },
}

#: Properties any edge may carry besides its provenance.
EDGE_PROPERTIES: dict[str, type] = {
    "strength": str,
    "text": str,
    "supporting": int,
    "contradicting": int,
    "note": str,
}

#: Columns every edge is stored with, in order.
EDGE_COLUMNS: dict[str, type] = {
    "id": str,
    "source_doc": str,
    "quote": str,
    "span_start": int,
    "span_end": int,
    **EDGE_PROPERTIES,
}


def node_columns(kind: NodeKind) -> dict[str, type]:
    """All columns a node of ``kind`` is stored with, common ones first."""
    return {**COMMON_NODE_PROPERTIES, **NODE_PROPERTIES[kind]}


#: A row of each kind with every column empty but ``kind`` (copied by :meth:`Node.row`, per record).
_EMPTY_NODE_ROWS: dict[NodeKind, dict[str, Scalar]] = {
    kind: {**dict.fromkeys(node_columns(kind)), "kind": kind.value} for kind in NodeKind
}
_EMPTY_EDGE_ROW: dict[str, Scalar] = dict.fromkeys(EDGE_COLUMNS)


_KIND_BY_PREFIX: dict[str, NodeKind] = {kind.prefix: kind for kind in NodeKind}


def kind_of(node_id: str) -> NodeKind:
    """The kind encoded in a node id (``"drug:mecasermin"`` → ``Drug``); a dict lookup: it runs per record."""
    prefix, sep, _ = node_id.partition(":")
    kind = _KIND_BY_PREFIX.get(prefix) if sep else None
    if kind is not None:
        return kind
    raise RecordError(f"{node_id!r} is not a node id: expected '<kind>:<key>', e.g. 'drug:mecasermin'")


def is_node_id(value: str) -> bool:
    """True when ``value`` has the shape of a node id (a known kind prefix, a colon, a key)."""
    try:
        kind_of(value)
    except RecordError:
        return False
    return True


def check_triple(source: NodeKind, edge: EdgeType, target: NodeKind) -> None:
    """Raise :class:`RecordError` unless the model allows ``source -edge-> target``."""
    if (source, edge, target) not in ALLOWED_TRIPLES:
        allowed = sorted(f"{s}->{t}" for s, e, t in ALLOWED_TRIPLES if e is edge)
        raise RecordError(f"{edge} is not allowed from {source} to {target}; allowed: {', '.join(allowed)}")


def _coerce(kind_name: str, prop: str, value: Any, expected: type) -> Scalar:
    if value is None:
        return None
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is bool and not isinstance(value, bool):
        raise RecordError(f"{kind_name}.{prop}: expected true/false, got {value!r}")
    if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise RecordError(f"{kind_name}.{prop}: expected a whole number, got {value!r}")
    if not isinstance(value, expected):
        raise RecordError(f"{kind_name}.{prop}: expected {expected.__name__}, got {value!r}")
    if isinstance(value, float) and value != value:  # NaN carries no evidence
        raise RecordError(f"{kind_name}.{prop}: NaN is not a value; leave it out")
    return value


class Provenance(BaseModel):
    """Where a record was read: the source document's id, the verbatim quote, its span."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_doc: str = Field(min_length=1)
    quote: str | None = None
    span: tuple[int, int] | None = None

    @model_validator(mode="after")
    def _span_fits_quote(self) -> Provenance:
        if self.span is not None:
            start, end = self.span
            if start < 0 or end < start:
                raise ValueError(f"span {self.span} is not a character range")
            if self.quote is None:
                raise ValueError("a span needs the quote it locates")
            if end - start != len(self.quote):
                raise ValueError(f"span {self.span} is {end - start} characters but the quote has {len(self.quote)}")
        return self


class Node(BaseModel):
    """An immutable node: id, kind, display name, typed properties and provenance."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=3)
    kind: NodeKind
    name: str = Field(min_length=1)
    props: dict[str, Scalar] = Field(default_factory=dict)
    provenance: Provenance

    @model_validator(mode="after")
    def _check(self) -> Node:
        if kind_of(self.id) is not self.kind:
            raise ValueError(f"id {self.id!r} does not start with '{self.kind.prefix}:'")
        schema = NODE_PROPERTIES[self.kind]
        for prop, value in self.props.items():
            if prop not in schema:
                known = ", ".join(sorted(schema))
                raise ValueError(f"{self.kind} has no property {prop!r}; known: {known}")
            coerced = _coerce(self.kind.value, prop, value, schema[prop])
            if coerced is not value:
                self.props[prop] = coerced
        return self

    def row(self) -> dict[str, Scalar]:
        """A flat dict with every column of the kind (``None`` where unknown)."""
        prov = self.provenance
        row = _EMPTY_NODE_ROWS[self.kind].copy()  # every column, in order, the kind already set
        row["id"] = self.id
        row["name"] = self.name
        row["source_doc"] = prov.source_doc
        row["quote"] = prov.quote
        if prov.span:
            row["span_start"], row["span_end"] = prov.span
        row.update(self.props)
        return row


class Edge(BaseModel):
    """An immutable, typed edge with provenance; its id is derived from its content."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: EdgeType
    source: str
    target: str
    props: dict[str, Scalar] = Field(default_factory=dict)
    provenance: Provenance
    id: str = ""

    @field_validator("props")
    @classmethod
    def _known_props(cls, props: dict[str, Scalar]) -> dict[str, Scalar]:
        for prop, value in props.items():
            if prop not in EDGE_PROPERTIES:
                raise ValueError(f"edges have no property {prop!r}; known: {', '.join(sorted(EDGE_PROPERTIES))}")
            props[prop] = _coerce("edge", prop, value, EDGE_PROPERTIES[prop])
        return props

    @model_validator(mode="after")
    def _check(self) -> Edge:
        try:
            check_triple(kind_of(self.source), self.type, kind_of(self.target))
        except RecordError as exc:
            raise ValueError(str(exc)) from None
        if not self.id:  # evidence edges are per document, each with its quote
            per_document = self.type not in STRUCTURAL_EDGES
            eid = edge_id(self.type, self.source, self.target, self.provenance.source_doc, per_document=per_document)
            object.__setattr__(self, "id", eid)
        return self

    def row(self) -> dict[str, Scalar]:
        """A flat dict of the stored columns (without endpoints and type)."""
        prov = self.provenance
        row = _EMPTY_EDGE_ROW.copy()
        row["id"] = self.id
        row["source_doc"] = prov.source_doc
        row["quote"] = prov.quote
        if prov.span:
            row["span_start"], row["span_end"] = prov.span
        row.update(self.props)
        return row


class Document(BaseModel):
    """Everything one document yields: its Source node, nodes, edges and reader warnings.

    Stores ingest a ``Document`` all or nothing.  Validation checks that every edge
    ends at a node of the document (concept nodes included), and that every quote
    with a span appears verbatim at that span in the source text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: Node
    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()
    warnings: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Document:
        check_document(self.source, self.nodes, self.edges)
        return self

    @property
    def all_nodes(self) -> tuple[Node, ...]:
        return (self.source, *self.nodes)

    def counts(self) -> dict[str, int]:
        """Nodes by kind and edges by type, e.g. for a load summary."""
        out: dict[str, int] = {}
        for item in (*(n.kind.value for n in self.all_nodes), *(e.type.value for e in self.edges)):
            out[item] = out.get(item, 0) + 1
        return out


def check_document(source: Node, nodes: tuple[Node, ...], edges: tuple[Edge, ...]) -> None:
    """Raise ``ValueError`` unless the records make a document (see :class:`Document`)."""
    if source.kind is not NodeKind.SOURCE:
        raise ValueError(f"a document's source must be a Source node, not {source.kind}")
    ids = {source.id}
    for node in nodes:
        if node.id in ids:
            raise ValueError(f"node {node.id!r} appears twice in the document")
        ids.add(node.id)
    text = source.props.get("text")
    for edge in edges:
        for end in (edge.source, edge.target):
            if end not in ids:
                raise ValueError(
                    f"edge {edge.type} {edge.source} -> {edge.target}: node {end!r} is not in the document"
                )
    if not isinstance(text, str):
        return
    checked: set[int] = set()  # a figure's node and edges share one provenance: look at it once
    for record in (*nodes, *edges):
        prov = record.provenance
        if not prov.quote or prov.source_doc != source.id or id(prov) in checked:
            continue
        checked.add(id(prov))
        if prov.span:
            start, end = prov.span
            if text[start:end] != prov.quote:
                raise ValueError(f"quote {prov.quote[:80]!r} is not at {prov.span} in the source text")
        elif prov.quote not in text:
            raise ValueError(f"quote {prov.quote[:80]!r} does not appear verbatim in the source text")


def document_digest(document: Document) -> str:
    """SHA-256 of everything a document states (its records, not its warnings), in a stable order.

    Two readings of the same text give the same Source id; this tells whether they also give
    the same records, so a re-import of an edited file (or a re-read by an improved loader) is
    reported rather than silently dropped.  The Source's own ``sha256`` is left out.
    """
    source = document.source
    places: dict[Any, str] = {}  # a figure's node and edges share one provenance: its repr is made once
    rows = [_digest_row(source.id, source.kind, source.name, source.provenance, source.props, places, "sha256")]
    rows += sorted([_digest_row(n.id, n.kind, n.name, n.provenance, n.props, places) for n in document.nodes])
    rows += sorted(
        [_digest_row(e.id, e.type, f"{e.source}\x1f{e.target}", e.provenance, e.props, places) for e in document.edges]
    )
    return hashlib.sha256("\n".join(rows).encode("utf-8", "surrogatepass")).hexdigest()


def _digest_row(
    ident: str, kind: str, name: str, prov: Provenance, props: dict[str, Scalar], places: dict[Any, str], skip: str = ""
) -> str:
    """One record as a line of the digest: the repr of its fields and properties (set ones, by name).

    ``repr`` of str, int, float, bool and ``None`` is stable across runs and platforms, and a
    line is a few microseconds, not the ~40 of a JSON row with every column of the kind.  The line
    is ``repr((ident, kind, name, source_doc, quote, span, items))``, written out part by part so
    that the provenance's part (a registry cell's quote, shared by its figure's records) is made once.
    """
    place = places.get(id(prov))
    if place is None:
        place = places[id(prov)] = f"{prov.source_doc!r}, {prov.quote!r}, {prov.span!r}"
    if not props:
        return f"({ident!r}, {str(kind)!r}, {name!r}, {place}, [])"
    # ``repr`` of the sorted (name, value) list, with the repr of a text property (a measure's label,
    # unit and time frame recur on each of its figures) looked up once made; other values are short
    items = []
    for k in sorted(props):
        v = props[k]
        if v is None or k == skip:
            continue
        if type(v) is str:
            item = places.get((k, v))
            if item is None:
                item = places[(k, v)] = f"({k!r}, {v!r})"
            items.append(item)
        else:
            items.append(f"({k!r}, {v!r})")
    return f"({ident!r}, {str(kind)!r}, {name!r}, {place}, [{', '.join(items)}])"


def unique_nodes(nodes: Iterable[Node]) -> list[Node]:
    """Keep the first node per id, filling properties it lacks from later duplicates."""
    merged: dict[str, Node] = {}
    for node in nodes:
        first = merged.get(node.id)
        if first is None:
            merged[node.id] = node
            continue
        extra = {k: v for k, v in node.props.items() if first.props.get(k) is None and v is not None}
        if extra:
            merged[node.id] = first.model_copy(update={"props": {**first.props, **extra}})
    return list(merged.values())
