"""What a store holds, for the explorer's first page: documents by type, the drugs with most evidence.

Database stores answer with two small aggregate queries (no document text travels); the
in-memory store, which has no Cypher, is read as a graph (it is small by nature).
:func:`cached_overview` keeps the answer per store version (about 0.7 s at 1M edges, the
counts included), so the first page does not ask again on every rerun.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from graph.errors import EvidenceError
from graph.model import EdgeType, NodeKind
from graph.store.base import EvidenceStore, StoreStats

__all__ = ["DocumentEntry", "DrugEntry", "StoreOverview", "cached_overview", "store_overview"]

_DOCUMENTS = (
    "MATCH (s:Source) RETURN s.id AS id, s.name AS name, s.source_type AS type, s.retrieved AS retrieved "
    "ORDER BY s.retrieved DESC, s.name LIMIT $limit"
)
_DRUGS = (
    "MATCH (d:Drug)-[l:LINKED_TO]->(t) "
    "RETURN d.id AS id, d.name AS name, count(t) AS targets, "
    "sum(l.supporting) AS supporting, sum(l.contradicting) AS contradicting "
    "ORDER BY supporting + contradicting DESC, name LIMIT $limit"
)


@dataclass(frozen=True)
class DocumentEntry:
    id: str
    name: str
    type: str
    retrieved: str | None


@dataclass(frozen=True)
class DrugEntry:
    """A drug, how many outcomes and conditions it is linked to, and the stances behind them."""

    id: str
    name: str
    targets: int
    supporting: int
    contradicting: int


@dataclass(frozen=True)
class StoreOverview:
    stats: StoreStats
    documents: tuple[DocumentEntry, ...]
    drugs: tuple[DrugEntry, ...]

    def documents_by_type(self) -> dict[str, list[DocumentEntry]]:
        out: dict[str, list[DocumentEntry]] = {}
        for doc in self.documents:
            out.setdefault(doc.type or "other", []).append(doc)
        return dict(sorted(out.items()))


def store_overview(store: EvidenceStore, *, limit: int = 10) -> StoreOverview:
    """The documents (newest retrieved first, at most ``10 × limit``) and the ``limit`` drugs with most evidence."""
    stats = store.stats()
    if store.supports_cypher:
        try:
            docs = store.query(_DOCUMENTS, {"limit": 10 * limit}, row_limit=10 * limit).rows
            drugs = store.query(_DRUGS, {"limit": limit}, row_limit=limit).rows
        except EvidenceError:
            docs, drugs = [], []
        documents = tuple(DocumentEntry(str(r[0]), str(r[1] or r[0]), str(r[2] or ""), r[3]) for r in docs)
        ranked = tuple(
            DrugEntry(str(r[0]), str(r[1] or r[0]), int(r[2]), int(r[3] or 0), int(r[4] or 0)) for r in drugs
        )
        return StoreOverview(stats, documents[: 10 * limit], ranked[:limit])
    graph = store.subgraph()
    documents = sorted(
        (
            DocumentEntry(str(n), str(d.get("name") or n), str(d.get("source_type") or ""), d.get("retrieved"))
            for n, d in graph.nodes(data=True)
            if d.get("kind") == NodeKind.SOURCE.value
        ),
        key=lambda e: (-_sortable(e.retrieved), e.name),
    )
    found: dict[str, list[int]] = {}
    for drug, _, data in graph.edges(data=True):
        if data.get("type") == EdgeType.LINKED_TO.value:
            entry = found.setdefault(str(drug), [0, 0, 0])
            entry[0] += 1
            entry[1] += int(data.get("supporting") or 0)
            entry[2] += int(data.get("contradicting") or 0)
    drugs_list = sorted(
        (DrugEntry(d, str(graph.nodes[d].get("name") or d), *v) for d, v in found.items()),
        key=lambda e: (-(e.supporting + e.contradicting), e.name),
    )
    return StoreOverview(stats, tuple(documents[: 10 * limit]), tuple(drugs_list[:limit]))


_CACHE: weakref.WeakKeyDictionary[EvidenceStore, tuple[object, StoreOverview]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def cached_overview(store: EvidenceStore, *, limit: int = 10) -> StoreOverview:
    """:func:`store_overview`, worked out once per :meth:`~graph.store.base.EvidenceStore.version` of the store.

    A store that cannot tell its version (``None``) is asked every time.
    """
    version = store.version()
    if version is None:
        return store_overview(store, limit=limit)
    key = (version, limit)
    with _CACHE_LOCK:
        hit = _CACHE.get(store)
    if hit is not None and hit[0] == key:
        return hit[1]
    overview = store_overview(store, limit=limit)
    if store.version() == version:  # not changed while it was read
        with _CACHE_LOCK:
            _CACHE[store] = (key, overview)
    return overview


def _sortable(retrieved: str | None) -> float:
    digits = "".join(c for c in str(retrieved or "") if c.isdigit())[:14]
    return float(digits) if digits else 0.0
