"""The in-memory store: a networkx graph, the reference every other backend is tested against."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from graph.errors import NotFoundError, QueryError
from graph.ids import normalise
from graph.model import STRUCTURAL_EDGES, Document, EdgeType, NodeKind, kind_of
from graph.store import assemble, derived
from graph.store.assemble import findings_about
from graph.store.base import (
    CONCEPT_KINDS,
    PATH_EDGE_TYPES,
    Evidence,
    EvidenceStore,
    GraphPath,
    IngestReport,
    QueryResult,
    SearchHit,
    StoreStats,
)
from graph.store.names import names_of, ranked, score_match
from graph.store.plan import missing_values

__all__ = ["MemoryStore"]


def _clean(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if v is not None}


class MemoryStore(EvidenceStore):
    """Evidence in a networkx ``MultiDiGraph``; nothing is written to disk."""

    backend = "memory"
    supports_cypher = False

    def __init__(self) -> None:
        self.graph = nx.MultiDiGraph()
        self._lock = threading.RLock()

    # -- writing -------------------------------------------------------------------
    def ingest(self, document: Document) -> IngestReport:
        with self._lock:
            if document.source.id in self.graph:
                return IngestReport(document.source.id, already_loaded=True, warnings=document.warnings)
            work = self.graph.copy()  # all or nothing: mutate a copy, swap at the end
            report = self._add(work, document)
            self.graph = work
            return report

    def replace(self, document: Document) -> IngestReport:
        with self._lock:
            work = self.graph.copy()
            for drug, target in _remove_document(work, document.source.id):
                if findings_about(work, drug, target):
                    self._relink(work, drug, target)
                elif work.has_edge(drug, target, key=derived.linked_edge_id(drug, target)):
                    work.remove_edge(drug, target, key=derived.linked_edge_id(drug, target))
            report = self._add(work, document)
            self.graph = work
            return report

    def _add(self, work: nx.MultiDiGraph, document: Document) -> IngestReport:
        """Add the document's records to ``work`` (a copy the caller swaps in)."""
        added = updated = 0
        for node in document.all_nodes:
            row = _clean(node.row())
            if node.id in work:
                attrs = work.nodes[node.id]
                fill = missing_values(row, attrs)
                if fill:
                    attrs.update(fill)
                    updated += 1
            else:
                work.add_node(node.id, **row)
                added += 1
        edges_added = 0
        for edge in document.edges:
            if work.has_edge(edge.source, edge.target, key=edge.id):
                continue  # a structural edge another document already stated
            work.add_edge(edge.source, edge.target, key=edge.id, type=edge.type.value, **_clean(edge.row()))
            edges_added += 1
        for drug, target in derived.linked_pairs(document):
            self._relink(work, drug, target)
        return IngestReport(
            document.source.id,
            nodes_added=added,
            nodes_updated=updated,
            edges_added=edges_added,
            warnings=document.warnings,
            counts=document.counts(),
        )

    @staticmethod
    def _relink(g: nx.MultiDiGraph, drug: str, target: str) -> None:
        counts = {EdgeType.SUPPORTS: set(), EdgeType.CONTRADICTS: set()}
        for finding in findings_about(g, drug, target):
            for src, _, data in g.in_edges(finding, data=True):
                stance = EdgeType(data["type"])
                if stance in counts:
                    counts[stance].add(src)
        edge_id = derived.linked_edge_id(drug, target)
        if g.has_edge(drug, target, key=edge_id):
            g.remove_edge(drug, target, key=edge_id)
        g.add_edge(
            drug,
            target,
            key=edge_id,
            **_clean(
                derived.linked_edge_row(drug, target, len(counts[EdgeType.SUPPORTS]), len(counts[EdgeType.CONTRADICTS]))
            ),
        )

    # -- reading -------------------------------------------------------------------
    def node(self, node_id: str) -> dict[str, Any] | None:
        attrs = self.graph.nodes.get(node_id)
        return dict(attrs) if attrs is not None else None

    def search(self, text: str, *, kinds: Iterable[NodeKind] = CONCEPT_KINDS, limit: int = 20) -> list[SearchHit]:
        needle = normalise(text)
        if not needle:
            return []
        wanted = {NodeKind(k).value for k in kinds}
        hits = []
        for node_id, attrs in self.graph.nodes(data=True):
            if attrs.get("kind") not in wanted:
                continue
            best = score_match(needle, names_of(attrs["name"], attrs.get("synonyms"), attrs.get("title")))
            if best is not None:
                hits.append(SearchHit(node_id, NodeKind(attrs["kind"]), attrs["name"], best[1], best[0]))
        return ranked(hits, limit)

    def _next_layer(self, frontier: list[str], seen: set[str], *, cap: int) -> tuple[list[str], int]:
        found = set()
        for current in frontier:
            found.update(self.graph.successors(current))
            found.update(self.graph.predecessors(current))
        found -= seen
        return sorted(found)[: max(cap, 0)], len(found)

    def evidence(self, drug_id: str, target_id: str) -> Evidence:
        for needed in (drug_id, target_id):
            if needed not in self.graph:
                raise NotFoundError(f"no node with id {needed!r}")
        return assemble.evidence_from_graph(self.graph, drug_id, target_id)

    def shortest_paths(self, source_id: str, target_id: str, *, max_hops: int = 6, limit: int = 10) -> list[GraphPath]:
        g = self.graph
        for needed in (source_id, target_id):
            if needed not in g:
                raise NotFoundError(f"no node with id {needed!r}")
        allowed = {e.value for e in PATH_EDGE_TYPES}
        undirected = nx.Graph()
        undirected.add_nodes_from(g)
        undirected.add_edges_from((u, v) for u, v, t in g.edges(data="type") if t in allowed)
        try:
            node_paths = nx.all_shortest_paths(undirected, source_id, target_id)
            out = []
            for nodes in node_paths:
                if len(nodes) - 1 > max_hops:
                    break
                out.append(_as_path(g, nodes))
                if len(out) >= limit:
                    break
        except nx.NetworkXNoPath:
            return []
        return sorted(out, key=lambda p: p.nodes)

    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        row_limit: int | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        raise QueryError(
            "the in-memory store does not run Cypher",
            query=cypher,
            hint="open an embedded store (`--store DIR`) or a Neo4j server (`--neo4j URI`) to query in Cypher",
        )

    def subgraph(self, node_ids: Iterable[str] | None = None) -> nx.MultiDiGraph:
        if node_ids is None:
            return self.graph.copy()
        return self.graph.subgraph([n for n in node_ids if n in self.graph]).copy()

    def source_ids(self) -> list[str]:
        return sorted(n for n, kind in self.graph.nodes(data="kind") if kind == NodeKind.SOURCE.value)

    def members(self, source_ids: Sequence[str]) -> dict[str, list[str]]:
        g = self.graph
        return {
            s: sorted(n for n, _, t in (g.in_edges(s, data="type") if s in g else ()) if t == EdgeType.FROM_SOURCE)
            for s in source_ids
        }

    def stats(self) -> StoreStats:
        nodes: dict[str, int] = {}
        for _, kind in self.graph.nodes(data="kind"):
            nodes[kind] = nodes.get(kind, 0) + 1
        edges: dict[str, int] = {}
        for *_, etype in self.graph.edges(data="type"):
            edges[etype] = edges.get(etype, 0) + 1
        return StoreStats(dict(sorted(nodes.items())), dict(sorted(edges.items())))


_PROVENANCE = ("quote", "span_start", "span_end")


def _remove_document(g: nx.MultiDiGraph, source_id: str) -> set[tuple[str, str]]:
    """Take out of ``g`` what only this document states; the (drug, target) pairs whose shortcut may change.

    Nodes and structural edges other documents also state stay, attributed to one of those
    documents (the first by id) when they were this document's.
    """
    if source_id not in g:
        return set()
    others: dict[str, set[str]] = {}  # node → the other documents that state it
    for node, _, data in g.in_edges(source_id, data=True):
        if data["type"] == EdgeType.FROM_SOURCE:
            others[node] = {
                s for _, s, d in g.out_edges(node, data=True) if d["type"] == EdgeType.FROM_SOURCE and s != source_id
            }
    owned = {node for node, rest in others.items() if not rest}
    findings = {n for n in owned if kind_of(n) is NodeKind.FINDING}
    doomed: list[tuple[str, str, str]] = []
    for u, v, key, data in g.edges(keys=True, data=True):
        if data.get("source_doc") != source_id:
            continue
        if data["type"] in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS):
            findings.add(v)
        if data["type"] in STRUCTURAL_EDGES and u not in owned and v not in owned and others.get(u):
            data["source_doc"] = min(others[u])  # the other document states it too
            for name in _PROVENANCE:
                data.pop(name, None)
        else:
            doomed.append((u, v, key))
    pairs = set()
    for finding in findings:
        about = [t for _, t, d in g.out_edges(finding, data=True) if d["type"] == EdgeType.ABOUT]
        drugs = [t for t in about if kind_of(t) is NodeKind.DRUG]
        pairs.update((d, t) for d in drugs for t in about if kind_of(t) in derived.TARGET_KINDS)
    g.remove_edges_from(doomed)
    for node, rest in others.items():
        attrs = g.nodes[node]
        if rest and attrs.get("source_doc") == source_id:
            attrs["source_doc"] = min(rest)
            for name in _PROVENANCE:
                attrs.pop(name, None)
    g.remove_nodes_from([*owned, source_id])
    return {(d, t) for d, t in pairs if d in g and t in g}


def _as_path(g: nx.MultiDiGraph, nodes: list[str]) -> GraphPath:
    allowed = {e.value for e in PATH_EDGE_TYPES}
    steps = []
    for a, b in itertools.pairwise(nodes):
        options = [(key, a, b, d) for key, d in g.get_edge_data(a, b, default={}).items() if d["type"] in allowed]
        options += [(key, b, a, d) for key, d in g.get_edge_data(b, a, default={}).items() if d["type"] in allowed]
        key, u, v, data = min(options, key=lambda o: o[0])
        steps.append((u, data["type"], v, key))
    return GraphPath(tuple(nodes), tuple(steps))
