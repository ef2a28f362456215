"""The one store interface every backend implements, and the results it returns.

Results are plain frozen dataclasses and networkx graphs, so the UI, the CLI and the
exports never see a database type.  Subgraphs are ``nx.MultiDiGraph`` whose nodes
carry ``kind``, ``name`` and their properties, and whose edges are keyed by edge id and
carry ``type`` (upper case) and their properties.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar, Self

import networkx as nx

from graph.errors import NotFoundError, StoreError, StoreLockedError, WriteRefusedError
from graph.model import Document, EdgeType, NodeKind
from graph.views import Evidence, EvidenceItem, Recommendation
from graph.vocabulary import Vocabulary

__all__ = [
    "CONCEPT_KINDS",
    "PATH_EDGE_TYPES",
    "RECOMMENDATIONS",
    "BatchResult",
    "Evidence",
    "EvidenceItem",
    "EvidencePage",
    "EvidenceStore",
    "GraphPath",
    "IngestReport",
    "QueryResult",
    "SearchHit",
    "StoreStats",
    "batch_or_each",
    "evidence_weight",
    "page_order",
    "recommendation_order",
]

#: Kinds a researcher looks up by name.
CONCEPT_KINDS: tuple[NodeKind, ...] = (NodeKind.DRUG, NodeKind.CONDITION, NodeKind.OUTCOME)

#: Kinds whose nodes can support or contradict a claim.
EVIDENCE_KINDS: tuple[NodeKind, ...] = (NodeKind.STUDY, NodeKind.GUIDELINE)

STANCES: tuple[EdgeType, ...] = (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)

#: Recommendations an evidence page carries unless asked for more: a hub drug is recommended
#: by over a thousand guidelines and labels, of which the explorer lists the strongest ten.
RECOMMENDATIONS = 10

#: Edges a path may walk: provenance and the derived shortcut are left out, so paths
#: go through the claims and studies that connect two things.
PATH_EDGE_TYPES: tuple[EdgeType, ...] = tuple(
    e for e in EdgeType if e not in (EdgeType.FROM_SOURCE, EdgeType.LINKED_TO)
)


@dataclass(frozen=True)
class SearchHit:
    id: str
    kind: NodeKind
    name: str
    matched: str
    score: int  # 0 exact name or synonym, 1 prefix, 2 contained


@dataclass(frozen=True)
class EvidencePage:
    """One page of the evidence behind a link, heaviest first: what a researcher reads before "show more".

    ``evidence.items`` holds this page (by :func:`evidence_weight`, then the usual order);
    ``total`` how many items there are.  ``evidence.recommendations`` holds the strongest
    recommendations (:func:`recommendation_order`, as many as asked for), and
    ``recommendations_total`` how many the link has: ask for more to read the rest.
    """

    evidence: Evidence
    total: int
    offset: int = 0
    recommendations_total: int = 0

    @property
    def more_recommendations(self) -> int:
        """Recommendations not on this page."""
        return max(self.recommendations_total - len(self.evidence.recommendations), 0)

    @property
    def more(self) -> int:
        """Items after this page."""
        return max(self.total - self.offset - len(self.evidence.items), 0)

    @property
    def next_offset(self) -> int | None:
        """The ``offset`` that asks for the next page, or ``None`` on the last one."""
        return self.offset + len(self.evidence.items) if self.more else None


def evidence_weight(evidence: Mapping[str, Any]) -> float:
    """How much one study or guideline counts (its design's weight, scaled by its size when it is primary).

    The rules are the synthesis's (``graph/data/evidence_weights.yaml``), so the first page
    of a hub link shows what its synthesis leans on most.
    """
    get = evidence.get
    facts = (get("kind"), get("design"), get("guideline_type"), get("n"))
    try:
        return _weight_of(*facts)
    except TypeError:  # a value that cannot be a cache key
        return _weight_of.__wrapped__(*facts)


@functools.lru_cache(maxsize=4096)
def _weight_of(kind: Any, design: Any, guideline_type: Any, n: Any) -> float:
    """:func:`evidence_weight` from the only properties it reads: a page sorts by it, ~40 µs a call uncached."""
    from graph.synthesis.weights import design_of, load_weights  # the synthesis imports this module
    from graph.values import whole_number

    weights = load_weights()
    rule = design_of(weights, {"kind": kind, "design": design, "guideline_type": guideline_type})
    return rule.weight * (weights.size_factor(whole_number(n)) if rule.primary else 1.0)


def page_order(item: EvidenceItem) -> tuple[Any, ...]:
    """Heaviest first; ties in the order :meth:`EvidenceStore.evidence` lists items."""
    return (
        -evidence_weight(item.evidence),
        item.stance.value,
        item.evidence.id,
        item.finding.id,
        item.quote or "",
    )


def recommendation_order(rec: Recommendation) -> tuple[Any, ...]:
    """Strongest first (the recommending guideline's or label's :func:`evidence_weight`); ties by guideline, then
    edge (the order :meth:`EvidenceStore.evidence` lists them in)."""
    return (-evidence_weight(rec.evidence), rec.evidence.id, rec.edge_id or "")


@dataclass(frozen=True)
class GraphPath:
    """A path as node ids and (source, type, target, edge id) steps, in walking order."""

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str, str, str], ...]

    def __len__(self) -> int:
        return len(self.edges)


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False
    graph: nx.MultiDiGraph | None = None


@dataclass(frozen=True)
class StoreStats:
    nodes: dict[str, int]
    edges: dict[str, int]

    @property
    def documents(self) -> int:
        return self.nodes.get(NodeKind.SOURCE.value, 0)

    @property
    def total_nodes(self) -> int:
        return sum(self.nodes.values())

    @property
    def total_edges(self) -> int:
        return sum(self.edges.values())


@dataclass(frozen=True)
class IngestReport:
    source_id: str
    already_loaded: bool = False
    nodes_added: int = 0
    nodes_updated: int = 0
    edges_added: int = 0
    warnings: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResult:
    """What a batch of documents did: a report per stored (or already stored) document, and the refused ones."""

    reports: tuple[IngestReport, ...] = ()
    failures: tuple[tuple[str, StoreError], ...] = ()  # (source id, why)


def batch_or_each(batch: Sequence[Document], write: Callable[[list[Document]], list[IngestReport]]) -> BatchResult:
    """``write`` the batch in one transaction; if the store refuses it, each document in its own.

    A refused batch has rolled back, so writing its documents one by one stores every good one
    and reports the bad (``failures``); a store that is locked or read-only refuses them all.
    """
    documents = list(batch)
    try:
        return BatchResult(tuple(write(documents)))
    except (StoreLockedError, WriteRefusedError):
        raise
    except StoreError as exc:
        if len(documents) == 1:
            return BatchResult((), ((documents[0].source.id, exc),))
    reports: list[IngestReport] = []
    failures: list[tuple[str, StoreError]] = []
    for document in documents:
        try:
            reports.extend(write([document]))
        except (StoreLockedError, WriteRefusedError):
            raise
        except StoreError as exc:
            failures.append((document.source.id, exc))
    return BatchResult(tuple(reports), tuple(failures))


class EvidenceStore(abc.ABC):
    """A place evidence lives: ingest documents, then ask it questions.

    Implementations: :class:`~graph.store.memory.MemoryStore` (networkx, the reference),
    :class:`~graph.store.ladybug.store.LadybugStore` (embedded, the default) and the Neo4j store.
    """

    backend: ClassVar[str]
    supports_cypher: ClassVar[bool] = True
    #: What opening the store recovered from (a write interrupted by a kill), in words for the user who
    #: opened it: the CLI logs them, the explorer shows them once per session.
    recovered: tuple[str, ...] = ()

    # -- writing -------------------------------------------------------------------
    @abc.abstractmethod
    def ingest(self, document: Document) -> IngestReport:
        """Store one document's records, all or nothing; loading it again changes nothing."""

    def ingest_many(self, documents: Iterable[Document]) -> BatchResult:
        """Store several documents, each all or nothing; one the store refuses is reported, not fatal.

        Stores that can write a batch in one transaction (the embedded store) override this.
        """
        reports: list[IngestReport] = []
        failures: list[tuple[str, StoreError]] = []
        for document in documents:
            try:
                reports.append(self.ingest(document))
            except (StoreLockedError, WriteRefusedError):
                raise
            except StoreError as exc:
                failures.append((document.source.id, exc))
        return BatchResult(tuple(reports), tuple(failures))

    @abc.abstractmethod
    def replace(self, document: Document) -> IngestReport:
        """Swap the stored records of this document (same Source id) for these, in one transaction.

        Everything the document stated that no other document states goes (its Source, its own
        nodes, its edges); nodes and structural edges other documents also state stay, and their
        provenance passes to one of those documents; then the document is stored as if new, and
        the drug → outcome shortcut is recounted.  A failure leaves the old records exactly as
        they were.  A document not yet stored is simply ingested.
        """

    def unapplied_changes(self, document: Document) -> bool:
        """True when the store holds this document's Source but read other records from it (an edit).

        Told by the digest of the records stored with the Source (``sha256``); a document stored
        before digests were kept answers False.
        """
        stored = self.node(document.source.id)
        if stored is None:
            return False
        have, want = stored.get("sha256"), document.source.props.get("sha256")
        return bool(have and want and have != want)

    # -- reading -------------------------------------------------------------------
    @abc.abstractmethod
    def node(self, node_id: str) -> dict[str, Any] | None:
        """The node's properties (with ``id``, ``kind``, ``name``), or ``None``."""

    @abc.abstractmethod
    def search(self, text: str, *, kinds: Iterable[NodeKind] = CONCEPT_KINDS, limit: int = 20) -> list[SearchHit]:
        """Nodes whose name or synonym matches ``text`` (accent- and case-blind), best first."""

    def neighbourhood(self, node_id: str, *, hops: int = 1, limit: int = 100, offset: int = 0) -> nx.MultiDiGraph:
        """The node and up to ``limit`` neighbours within ``hops``, skipping the first ``offset``.

        Neighbours are ordered by hop, then id, so ``offset`` pages through them ("show more");
        the result holds every edge among the nodes it returns, and ``graph["more"]`` says how
        many further neighbours there are.
        """
        window, more = self.neighbourhood_ids(node_id, hops=hops, limit=limit, offset=offset)
        graph = self.subgraph([node_id, *window])
        graph.graph["more"] = more
        return graph

    def neighbourhood_ids(
        self, node_id: str, *, hops: int = 1, limit: int = 100, offset: int = 0
    ) -> tuple[list[str], int]:
        """The neighbours :meth:`neighbourhood` draws (by hop, then id) and how many more there are.

        Ids only, no properties: a view that combines several neighbourhoods asks for these and
        then fetches one :meth:`subgraph` of them all.
        """
        if self.node(node_id) is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        need = max(offset, 0) + max(limit, 0)
        seen = {node_id}
        frontier = [node_id]
        ordered: list[str] = []
        total = 0
        for _ in range(max(hops, 0)):
            ids, count = self._next_layer(frontier, seen, cap=need - len(ordered))
            total += count
            seen.update(ids)
            ordered.extend(ids)
            if not ids or count > len(ids) or len(ordered) >= need:
                break
            frontier = ids
        return ordered[max(offset, 0) : need], max(total - need, 0)

    @abc.abstractmethod
    def _next_layer(self, frontier: list[str], seen: set[str], *, cap: int) -> tuple[list[str], int]:
        """The first ``cap`` neighbours of ``frontier`` not in ``seen``, by id, and how many there are."""

    @abc.abstractmethod
    def evidence(self, drug_id: str, target_id: str) -> Evidence:
        """Studies and guidelines for and against the claims linking a drug to an outcome."""

    def evidence_page(
        self,
        drug_id: str,
        target_id: str,
        *,
        limit: int = 100,
        offset: int = 0,
        recommendations: int = RECOMMENDATIONS,
    ) -> EvidencePage:
        """The ``limit`` heaviest evidence items behind a link after the first ``offset`` ("show more"), and its
        ``recommendations`` strongest recommendations (a larger number reads more of them).

        A link studied thousands of times is read a page at a time; stores that can rank in
        the engine override this (the embedded store builds only the page's items).
        """
        whole = self.evidence(drug_id, target_id)
        ranked = sorted(whole.items, key=page_order)
        start = max(offset, 0)
        items = tuple(ranked[start : start + max(limit, 0)])
        recs = tuple(sorted(whole.recommendations, key=recommendation_order)[: max(recommendations, 0)])
        page = Evidence(drug=whole.drug, target=whole.target, items=items, recommendations=recs)
        return EvidencePage(page, total=len(ranked), offset=start, recommendations_total=len(whole.recommendations))

    @abc.abstractmethod
    def shortest_paths(self, source_id: str, target_id: str, *, max_hops: int = 6, limit: int = 10) -> list[GraphPath]:
        """Shortest undirected paths between two nodes (all of the shortest length, up to ``limit``)."""

    @abc.abstractmethod
    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        row_limit: int | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        """Run Cypher; read-only unless ``write`` is true, rows capped, time-limited."""

    def console_query(
        self,
        cypher: str,
        *,
        row_limit: int | None = None,
        timeout_s: float | None = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> QueryResult:
        """Run Cypher a person typed (the explorer's console, ``evx query`` without ``--write``).

        Untrusted text: stores run it where it cannot write and cannot stall other callers
        (the embedded store: a read-only worker process; Neo4j: a READ session).
        ``on_wait(elapsed_s)`` is called while it runs; what it raises cancels the query.
        """
        return self.query(cypher, write=False, row_limit=row_limit, timeout_s=timeout_s)

    @abc.abstractmethod
    def subgraph(self, node_ids: Iterable[str] | None = None) -> nx.MultiDiGraph:
        """The given nodes and the edges among them; the whole store when ``None``."""

    @abc.abstractmethod
    def source_ids(self) -> list[str]:
        """Ids of every document (Source node) in the store, sorted."""

    @abc.abstractmethod
    def members(self, source_ids: Sequence[str]) -> dict[str, list[str]]:
        """For each of these documents, the ids of the nodes read from it (``FROM_SOURCE``), sorted."""

    @abc.abstractmethod
    def stats(self) -> StoreStats:
        """Node counts by kind and edge counts by type."""

    def version(self) -> object | None:
        """A value that changes whenever the stored data changes (what a view derived from it may be cached on).

        ``None`` when the store cannot tell (another process may write to it unseen): derive afresh.
        """
        return None

    def close(self) -> None:  # noqa: B027 - optional for stores without resources
        """Release the store's resources."""

    # -- shared conveniences -------------------------------------------------------
    def resolve(self, name_or_id: str, *, kinds: Iterable[NodeKind] = CONCEPT_KINDS) -> dict[str, Any]:
        """The node a person means by an id, a name or a synonym ("Increlex" → mecasermin)."""
        text = name_or_id.strip()
        found = self.node(text)  # every store answers None for what is not an id
        if found is not None:
            return found
        concept = Vocabulary.default().lookup(text)
        if concept is not None and (hit := self.node(concept.id)) is not None:
            return hit
        hits = self.search(text, kinds=kinds, limit=5)
        exact = [h for h in hits if h.score == 0]
        if len(exact) == 1 or (hits and not exact and len(hits) == 1):
            found = self.node((exact or hits)[0].id)
            if found is not None:
                return found
        if hits:
            options = ", ".join(f"{h.name} ({h.id})" for h in hits)
            raise NotFoundError(f"{text!r} matches several nodes: {options}; give the id")
        raise NotFoundError(f"no node called {text!r}; try `evx query` or a shorter part of the name")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
