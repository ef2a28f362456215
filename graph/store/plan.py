"""Document → row batches: what a batch of documents adds, merged by id, before any store writes it.

One plan for every database backend.  The embedded store writes it by ``CREATE`` from Arrow
tables (:mod:`graph.store.ladybug.write`), Neo4j by ``UNWIND … MERGE`` batches
(:mod:`graph.store.neo4j.store`).  Pure: nothing here reads a store.  What the store already
holds is read by each backend inside its own transaction; :func:`missing_values` then says which
properties a stored node lacks (stores fill those and never overwrite), and :func:`reports` turns
the counts into one :class:`IngestReport` per document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graph.model import Document, EdgeType, NodeKind, kind_of
from graph.store import derived
from graph.store.base import IngestReport

__all__ = ["BatchPlan", "batch_reports", "chunks", "fresh_positions", "missing_values", "plan_batch", "reports"]

#: (edge type, source kind, target kind): one relationship table of the schema.
EdgeKey = tuple[EdgeType, NodeKind, NodeKind]
_Key = TypeVar("_Key", NodeKind, EdgeKey)


@dataclass
class BatchPlan:
    """What a batch of documents adds, merged across its documents, before anything is written."""

    documents: list[Document]
    #: kind → id → row (the first document's values, filled from later ones)
    nodes: dict[NodeKind, dict[str, dict[str, Any]]] = field(default_factory=dict)
    #: id → index of the document that first named the node
    node_owner: dict[str, int] = field(default_factory=dict)
    #: (edge type, source kind, target kind) → id → row (``from``, ``to`` and the edge's columns)
    edges: dict[EdgeKey, dict[str, dict[str, Any]]] = field(default_factory=dict)
    edge_owner: dict[str, int] = field(default_factory=dict)
    #: (drug, outcome or condition) pairs whose derived shortcut must be recounted
    pairs: set[tuple[str, str]] = field(default_factory=set)
    #: kind → the kind's own properties some node of the batch has (the other columns are all empty)
    node_props: dict[NodeKind, set[str]] = field(default_factory=dict)
    #: relationship table → the edge properties some edge of the batch has
    edge_props: dict[EdgeKey, set[str]] = field(default_factory=dict)


def _table(
    tables: dict[_Key, dict[str, dict[str, Any]]], used: dict[_Key, set[str]], key: _Key, props: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The plan's rows of one table (made on first use), noting which of its properties ``props`` fills."""
    table = tables.get(key)
    if table is None:
        table = tables[key] = {}
        used[key] = set()
    if props:
        used[key].update(props)
    return table


def plan_batch(documents: Sequence[Document]) -> BatchPlan:
    """Merge the nodes and edges of ``documents`` (assumed not yet stored) by id.

    Also notes which properties the batch uses per table, so a backend can leave the all-empty
    columns out of what it sends (an edge has 12 columns; most edges of a trial record fill 7).
    """
    plan = BatchPlan(list(documents))
    kinds: dict[str, NodeKind] = {}  # id → kind of the batch's nodes: an edge's ends without parsing ids
    for index, document in enumerate(documents):
        for node in document.all_nodes:
            kind = node.kind
            kinds[node.id] = kind
            table = _table(plan.nodes, plan.node_props, kind, node.props)
            first = table.get(node.id)
            if first is None:
                table[node.id] = node.row()
                plan.node_owner[node.id] = index
            else:
                for key, value in node.row().items():
                    if value is not None and first.get(key) is None:
                        first[key] = value
        for edge in document.edges:
            if edge.id in plan.edge_owner:
                continue  # one edge per id, as every store keeps it
            skind = kinds.get(edge.source) or kind_of(edge.source)
            tkind = kinds.get(edge.target) or kind_of(edge.target)
            key = (edge.type, skind, tkind)
            table = _table(plan.edges, plan.edge_props, key, edge.props)
            row = edge.row()  # a new dict: the ends go into it rather than into a copy
            row["from"], row["to"] = edge.source, edge.target
            table[edge.id] = row
            plan.edge_owner[edge.id] = index
        plan.pairs.update(derived.linked_pairs(document))
    return plan


def missing_values(row: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``row`` that the stored node lacks (what a store fills in; the id aside)."""
    return {k: v for k, v in row.items() if v is not None and stored.get(k) is None and k != "id"}


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in runs of at most ``size`` (one statement's parameter list each)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def reports(
    plan: BatchPlan, added: Sequence[int], updated: Sequence[int], edges_added: Sequence[int]
) -> list[IngestReport]:
    """One report per document of the plan, from per-document counts (indexed like ``plan.documents``)."""
    return [
        IngestReport(
            document.source.id,
            nodes_added=added[i],
            nodes_updated=updated[i],
            edges_added=edges_added[i],
            warnings=document.warnings,
            counts=document.counts(),
        )
        for i, document in enumerate(plan.documents)
    ]


def fresh_positions(batch: Sequence[Document], stored: set[str]) -> list[int]:
    """Positions in ``batch`` of the documents to write: not stored yet, and the first of any repeats."""
    seen = set(stored)
    fresh: list[int] = []
    for i, document in enumerate(batch):
        if document.source.id not in seen:
            seen.add(document.source.id)  # a second copy within the batch is "already loaded" too
            fresh.append(i)
    return fresh


def batch_reports(batch: Sequence[Document], written: Mapping[int, IngestReport]) -> list[IngestReport]:
    """A report for every document of ``batch``: its write's, or "already loaded"."""
    return [
        written.get(i) or IngestReport(d.source.id, already_loaded=True, warnings=d.warnings)
        for i, d in enumerate(batch)
    ]
