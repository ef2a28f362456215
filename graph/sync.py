"""Copy evidence from one store into another, one document at a time.

The source is read back as :class:`~graph.model.Document` records (each Source node, the
nodes that point ``FROM_SOURCE`` to it, and the edges carrying its id) and ingested into
the target.  So a copy keeps the stores' own guarantees: each document arrives all or
nothing, a copy interrupted half-way can simply be run again, and documents the target
already holds are skipped.  The derived ``LINKED_TO`` shortcut is not copied: the target
recomputes it as it ingests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.model import (
    EDGE_PROPERTIES,
    NODE_PROPERTIES,
    STRUCTURAL_EDGES,
    Document,
    Edge,
    EdgeType,
    Node,
    NodeKind,
    Provenance,
)
from graph.store.base import EvidenceStore
from graph.store.derived import DERIVED

__all__ = ["SyncReport", "copy_store", "read_documents"]

#: Called after each document with (documents done, documents in all, the document's id).
Progress = Callable[[int, int, str], None]

_NO_LIMIT = 1_000_000_000
_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class SyncReport:
    documents: int
    copied: int
    already_there: int


def source_ids(store: EvidenceStore) -> list[str]:
    """Ids of every document in ``store``, sorted."""
    if not store.supports_cypher:
        graph = store.subgraph()
        return sorted(n for n, kind in graph.nodes(data="kind") if kind == NodeKind.SOURCE.value)
    result = store.query("MATCH (s:Source) RETURN s.id AS id", row_limit=_NO_LIMIT, timeout_s=_TIMEOUT_S)
    return sorted(row[0] for row in result.rows)


def _members(store: EvidenceStore, source_id: str, whole: nx.MultiDiGraph | None) -> nx.MultiDiGraph:
    """The document's Source node, the nodes read from it, and every edge among them."""
    if whole is not None:
        ids = [source_id, *(n for n, _, t in whole.in_edges(source_id, data="type") if t == EdgeType.FROM_SOURCE)]
        return whole.subgraph(ids)
    result = store.query(
        "MATCH (n)-[:FROM_SOURCE]->(s:Source) WHERE s.id = $id RETURN n.id AS id",
        {"id": source_id},
        row_limit=_NO_LIMIT,
        timeout_s=_TIMEOUT_S,
    )
    return store.subgraph([source_id, *(row[0] for row in result.rows)])


def _node(attrs: dict[str, Any], source_id: str, text: str | None) -> Node:
    kind = NodeKind(attrs["kind"])
    span = (attrs["span_start"], attrs["span_end"]) if attrs.get("span_start") is not None else None
    quote = attrs.get("quote")
    located = not quote or ((text or "")[span[0] : span[1]] == quote if span else quote in (text or ""))
    if attrs.get("source_doc") == source_id and not located:
        # Filled in from a later document (stores fill only missing properties, source_doc
        # included), so it does not locate in this one: that later document brings it again.
        quote = span = None
    return Node(
        id=attrs["id"],
        kind=kind,
        name=attrs["name"],
        props={k: v for k, v in attrs.items() if k in NODE_PROPERTIES[kind] and v is not None},
        provenance=Provenance(source_doc=attrs.get("source_doc") or attrs["id"], quote=quote, span=span),
    )


def _edge(source: str, target: str, attrs: dict[str, Any]) -> Edge:
    span = (attrs["span_start"], attrs["span_end"]) if attrs.get("span_start") is not None else None
    return Edge(
        id=attrs["id"],
        type=EdgeType(attrs["type"]),
        source=source,
        target=target,
        props={k: v for k, v in attrs.items() if k in EDGE_PROPERTIES and v is not None},
        provenance=Provenance(source_doc=attrs["source_doc"], quote=attrs.get("quote"), span=span),
    )


def read_documents(store: EvidenceStore) -> Iterator[Document]:
    """Every document in ``store``, rebuilt as the records it was loaded from."""
    whole = None if store.supports_cypher else store.subgraph()
    for source_id in source_ids(store):
        yield read_document(store, source_id, whole)


def read_document(store: EvidenceStore, source_id: str, whole: nx.MultiDiGraph | None = None) -> Document:
    members = _members(store, source_id, whole)
    nodes = {n: {**attrs, "id": n} for n, attrs in members.nodes(data=True)}
    edges = [
        _edge(u, v, {**attrs, "id": key})
        for u, v, key, attrs in members.edges(keys=True, data=True)
        # the document's own edges, and the structural ones among its nodes that an earlier
        # document stated first (stored once; the target skips them if it has them already)
        if attrs.get("source_doc") != DERIVED
        and (attrs.get("source_doc") == source_id or attrs.get("type") in {e.value for e in STRUCTURAL_EDGES})
    ]
    text = nodes[source_id].get("text")
    return Document(
        source=_node(nodes[source_id], source_id, text),
        nodes=tuple(_node(attrs, source_id, text) for n, attrs in sorted(nodes.items()) if n != source_id),
        edges=tuple(sorted(edges, key=lambda e: e.id)),
    )


def copy_store(source: EvidenceStore, target: EvidenceStore, *, progress: Progress | None = None) -> SyncReport:
    """Copy every document of ``source`` into ``target``; documents already there are skipped."""
    whole = None if source.supports_cypher else source.subgraph()
    ids = source_ids(source)
    copied = skipped = 0
    for done, source_id in enumerate(ids, start=1):
        report = target.ingest(read_document(source, source_id, whole))
        if report.already_loaded:
            skipped += 1
        else:
            copied += 1
        if progress is not None:
            progress(done, len(ids), source_id)
    return SyncReport(documents=len(ids), copied=copied, already_there=skipped)
