"""Copy evidence from one store into another, one document at a time.

The source is read back as :class:`~graph.model.Document` records (each Source node, the
nodes that point ``FROM_SOURCE`` to it, and the edges carrying its id) and ingested into
the target.  So a copy keeps the stores' own guarantees: each document arrives all or
nothing, a copy interrupted half-way can simply be run again, and documents the target
already holds are skipped.  The derived ``LINKED_TO`` shortcut is not copied: the target
recomputes it as it ingests.  The source is read through the stores' storage primitives
(:meth:`~graph.store.base.EvidenceStore.source_ids`, ``members`` a batch of documents at a
time, ``subgraph``), never through the user-facing Cypher ``query``, so every backend, the
in-memory one included, is copied the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

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

#: Documents whose members are read in one go.
_BATCH = 200


@dataclass(frozen=True)
class SyncReport:
    documents: int
    copied: int
    already_there: int


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


def read_documents(store: EvidenceStore, ids: Sequence[str] | None = None) -> Iterator[Document]:
    """Every document in ``store`` (or those of ``ids``), rebuilt as the records it was loaded from."""
    ids = store.source_ids() if ids is None else list(ids)
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        members = store.members(batch)
        for source_id in batch:
            yield read_document(store, source_id, members[source_id])


def read_document(store: EvidenceStore, source_id: str, members: Sequence[str] | None = None) -> Document:
    """One document rebuilt from ``store``: its Source node, the nodes read from it (``members``, read
    here when not given) and the edges among them that it stated."""
    if members is None:
        members = store.members([source_id])[source_id]
    graph = store.subgraph([source_id, *members])
    nodes = {n: {**attrs, "id": n} for n, attrs in graph.nodes(data=True)}
    edges = [
        _edge(u, v, {**attrs, "id": key})
        for u, v, key, attrs in graph.edges(keys=True, data=True)
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
    ids = source.source_ids()
    copied = skipped = 0
    for done, document in enumerate(read_documents(source, ids), start=1):
        report = target.ingest(document)
        if report.already_loaded:
            skipped += 1
        else:
            copied += 1
        if progress is not None:
            progress(done, len(ids), document.source.id)
    return SyncReport(documents=len(ids), copied=copied, already_there=skipped)
