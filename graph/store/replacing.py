"""Taking one document's records out of a database store, inside the caller's transaction.

``remove_document`` is the first half of ``replace`` on the embedded and the Neo4j store (the
second is the ordinary write path): what only this document states goes, what other documents
also state stays and passes to one of them (the first by id), and every drug → outcome pair the
document touched is returned for recounting, or, when no claim links it any more, has its
shortcut removed.  The same rules as the reference store's ``_remove_document``
(graph/store/memory.py); each backend brings its query builders (``ladybug.replace_queries``,
``neo4j.queries``: the same names and parameters).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from graph.model import ALLOWED_TRIPLES, STRUCTURAL_EDGES, EdgeType, NodeKind, kind_of
from graph.store import derived

__all__ = ["remove_document"]

Rows = Callable[[str, Mapping[str, Any] | None], list[list[Any]]]
Run = Callable[[str, Mapping[str, Any] | None], Any]

#: Not deleted edge by edge: the shortcut is recounted, FROM_SOURCE edges go with the Source node.
_KEPT = (EdgeType.LINKED_TO, EdgeType.FROM_SOURCE)
#: Kinds a structural edge leaves from (ABOUT, IN_POPULATION from claims; IN_POPULATION, MEASURES from figures).
_STRUCTURAL_SOURCES = (NodeKind.FINDING, NodeKind.FIGURE)


def remove_document(source_id: str, rows: Rows, run: Run, q: ModuleType) -> list[tuple[str, str]]:
    """Remove what only ``source_id`` states; the (drug, target) pairs still in the store whose
    shortcut must be recounted (a pair left without any claim has its shortcut deleted here)."""
    x = {"x": source_id}
    owned: dict[NodeKind, list[str]] = {}
    handed: dict[NodeKind, list[dict[str, str]]] = {}  # shared nodes: id → the document that takes over
    for node_id, provenance, others in rows(q.stated_nodes(), x):
        others = sorted(o for o in others if o)
        kind = kind_of(node_id)
        if not others:
            owned.setdefault(kind, []).append(node_id)
        else:
            handed.setdefault(kind, []).append({"id": node_id, "doc": others[0], "was": provenance})
    stated: dict[NodeKind, list[str]] = {kind: list(ids) for kind, ids in owned.items()}
    for kind, shared in handed.items():
        stated.setdefault(kind, []).extend(r["id"] for r in shared)
    stated.setdefault(NodeKind.SOURCE, []).append(source_id)
    findings = set(owned.get(NodeKind.FINDING, ()))
    for kind in (NodeKind.STUDY, NodeKind.GUIDELINE):
        if stated.get(kind):
            findings.update(f for (f,) in rows(q.stances_from(kind), {**x, "ids": stated[kind]}))
    pairs: set[tuple[str, str]] = set()
    if findings:
        for tkind in derived.TARGET_KINDS:
            pairs.update((d, t) for d, t in rows(q.pairs_of_findings(tkind), {"ids": sorted(findings)}))
    for kind in _STRUCTURAL_SOURCES:
        shared = [{"id": r["id"], "doc": r["doc"]} for r in handed.get(kind, ())]
        if shared:
            for edge in sorted(STRUCTURAL_EDGES):
                if any(s is kind and e is edge for s, e, _ in ALLOWED_TRIPLES):
                    run(q.reattribute_edges(edge, kind), {**x, "rows": shared})
    # every edge the document states leaves one of its nodes: delete from there, never by a scan
    for kind, edge in sorted({(s, e) for s, e, _ in ALLOWED_TRIPLES if e not in _KEPT}):
        if stated.get(kind):
            run(q.delete_edges_from(edge, kind), {**x, "ids": stated[kind]})
    for kind, shared in handed.items():
        moved = [{"id": r["id"], "doc": r["doc"]} for r in shared if r["was"] == source_id]
        if moved:
            run(q.reattribute_nodes(kind), {**x, "rows": moved})
    owned.setdefault(NodeKind.SOURCE, []).append(source_id)
    gone = {node_id for ids in owned.values() for node_id in ids}
    for kind, ids in owned.items():
        run(q.delete_nodes(kind), {"ids": ids})
    recount = []
    for drug, target in sorted(pairs):
        if drug in gone or target in gone:
            continue
        params = {"drug": drug, "target": target}
        if rows(q.count_claims(kind_of(target)), params)[0][0]:
            recount.append((drug, target))
        else:
            run(q.delete_linked(kind_of(target)), params)
    return recount
