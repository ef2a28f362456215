"""Records built by the loaders' own code, checked in plain Python instead of by pydantic.

A trial record yields ~530 records, and validating each through pydantic (its schema and the
model's validators) was a quarter of the parse.  These constructors make exactly the checks the
model's validators make — id shape and kind, known properties of the right type, an allowed
triple, a span that fits its quote — and build the frozen record without a second pass.  Anything
they are not sure of (a value of an unexpected type, an unknown property, a NaN, a bad id) goes to
the model's own constructor, so a bad value gets the same :class:`pydantic.ValidationError`, with
the same message, as before; what they return equals what the model's constructor would.
"""

from __future__ import annotations

from typing import Any

from graph.ids import edge_id
from graph.model import (
    ALLOWED_TRIPLES,
    EDGE_PROPERTIES,
    NODE_PROPERTIES,
    STRUCTURAL_EDGES,
    Document,
    Edge,
    EdgeType,
    Node,
    NodeKind,
    Provenance,
    Scalar,
    check_document,
)

__all__ = ["document", "edge", "from_source", "node", "provenance"]

_KIND_BY_PREFIX = {kind.prefix: kind for kind in NodeKind}
_NODE_FIELDS = frozenset({"id", "kind", "name", "props", "provenance"})
_EDGE_FIELDS = frozenset({"type", "source", "target", "props", "provenance"})
_DOCUMENT_FIELDS = frozenset({"source", "nodes", "edges", "warnings"})
_new = object.__new__
_set = object.__setattr__


def _built(cls: type[Any], values: dict[str, Any], fields: frozenset[str]) -> Any:
    """An instance of the (frozen, extra-forbidding) model ``cls`` holding ``values``, as validation leaves it."""
    record = _new(cls)
    _set(record, "__dict__", values)
    _set(record, "__pydantic_fields_set__", set(fields))
    _set(record, "__pydantic_extra__", None)
    _set(record, "__pydantic_private__", None)
    return record


def _props_fit(props: Any, schema: dict[str, type]) -> bool:
    """True when every property is known and of its type (an int where a float goes is made a float)."""
    if type(props) is not dict:
        return False
    for name, value in props.items():
        expected = schema.get(name)
        if expected is None:
            return False
        kind = type(value)
        if kind is expected:
            if kind is float and value != value:  # NaN: the model refuses it, with its message
                return False
        elif value is None:
            continue
        elif expected is float and kind is int:
            props[name] = float(value)
        else:
            return False
    return True


def _kind(node_id: Any) -> NodeKind | None:
    if type(node_id) is not str:
        return None
    prefix, sep, _ = node_id.partition(":")
    return _KIND_BY_PREFIX.get(prefix) if sep else None


def provenance(source_doc: str, quote: str | None = None, span: tuple[int, int] | None = None) -> Provenance:
    """A :class:`Provenance`, as ``Provenance(source_doc=…, quote=…, span=…)`` would make it."""
    if (
        type(source_doc) is str
        and source_doc
        and (quote is None or type(quote) is str)
        and (
            span is None
            or (
                type(span) is tuple
                and len(span) == 2
                and type(span[0]) is int
                and type(span[1]) is int
                and 0 <= span[0] <= span[1]
                and quote is not None
                and span[1] - span[0] == len(quote)
            )
        )
    ):
        return _built(Provenance, {"source_doc": source_doc, "quote": quote, "span": span}, _PROVENANCE_FIELDS)
    return Provenance(source_doc=source_doc, quote=quote, span=span)


_PROVENANCE_FIELDS = frozenset({"source_doc", "quote", "span"})


def node(node_id: str, kind: NodeKind, name: str, props: dict[str, Scalar], prov: Provenance) -> Node:
    """A :class:`Node`; ``props`` becomes the node's own (pass a dict nobody else holds)."""
    if (
        type(kind) is NodeKind
        and type(name) is str
        and name
        and type(prov) is Provenance
        and _kind(node_id) is kind
        and len(node_id) >= 3
        and _props_fit(props, NODE_PROPERTIES[kind])
    ):
        values = {"id": node_id, "kind": kind, "name": name, "props": props, "provenance": prov}
        return _built(Node, values, _NODE_FIELDS)
    return Node(id=node_id, kind=kind, name=name, props=props, provenance=prov)


def edge(etype: EdgeType, source: str, target: str, props: dict[str, Scalar], prov: Provenance) -> Edge:
    """An :class:`Edge` with its content-derived id; ``props`` becomes the edge's own."""
    if (
        type(etype) is EdgeType
        and type(prov) is Provenance
        and (_kind(source), etype, _kind(target)) in ALLOWED_TRIPLES
        and ((type(props) is dict and not props) or _props_fit(props, EDGE_PROPERTIES))
    ):
        per_document = etype not in STRUCTURAL_EDGES
        eid = edge_id(etype, source, target, prov.source_doc, per_document=per_document)
        values = {"type": etype, "source": source, "target": target, "props": props, "provenance": prov, "id": eid}
        return _built(Edge, values, _EDGE_FIELDS)
    return Edge(type=etype, source=source, target=target, props=props, provenance=prov)


def from_source(nodes: tuple[Node, ...] | list[Node], source: str, prov: Provenance) -> list[Edge]:
    """The ``FROM_SOURCE`` edge of each node to the document's Source ``source`` (``prov``: the bare one).

    The nodes were checked as they were made, so their kinds are known: only a Source node's
    edge (a triple the model refuses) goes through :func:`edge`, and so gets the model's error.
    """
    if type(prov) is not Provenance or type(source) is not str or _kind(source) is not NodeKind.SOURCE:
        return [edge(EdgeType.FROM_SOURCE, n.id, source, {}, prov) for n in nodes]
    out = []
    etype = EdgeType.FROM_SOURCE
    for n in nodes:
        if type(n) is not Node or n.kind is NodeKind.SOURCE:
            out.append(edge(etype, n.id, source, {}, prov))
            continue
        eid = edge_id(etype, n.id, source, prov.source_doc)
        values = {"type": etype, "source": n.id, "target": source, "props": {}, "provenance": prov, "id": eid}
        out.append(_built(Edge, values, _EDGE_FIELDS))
    return out


def document(source: Node, nodes: tuple[Node, ...], edges: tuple[Edge, ...], warnings: tuple[str, ...]) -> Document:
    """A :class:`Document` of records already checked one by one: only the document's own checks run.

    (Validating a ``Document`` runs every node's and edge's validators again, ~10 µs a record.)
    """
    if (
        type(source) is Node
        and type(nodes) is tuple
        and type(edges) is tuple
        and type(warnings) is tuple
        and all(type(n) is Node for n in nodes)
        and all(type(e) is Edge for e in edges)
        and all(type(w) is str for w in warnings)
    ):
        try:
            check_document(source, nodes, edges)
        except ValueError:
            pass  # the model says it, in its words
        else:
            values = {"source": source, "nodes": nodes, "edges": edges, "warnings": warnings}
            return _built(Document, values, _DOCUMENT_FIELDS)
    return Document(source=source, nodes=nodes, edges=edges, warnings=warnings)
