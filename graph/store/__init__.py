"""Stores: one interface (:class:`EvidenceStore`), one name per backend.

``open_store(settings)`` picks Neo4j when a URI is set, else the embedded store in the
settings' directory; ``open_store(backend="memory")`` gives the networkx reference store.
"""

from __future__ import annotations

from collections.abc import Callable

from graph.errors import StoreError
from graph.settings import Settings
from graph.store.base import (
    CONCEPT_KINDS,
    BatchResult,
    Evidence,
    EvidenceItem,
    EvidenceStore,
    GraphPath,
    IngestReport,
    QueryResult,
    SearchHit,
    StoreStats,
)

__all__ = [
    "BACKENDS",
    "CONCEPT_KINDS",
    "BatchResult",
    "Evidence",
    "EvidenceItem",
    "EvidenceStore",
    "GraphPath",
    "IngestReport",
    "QueryResult",
    "SearchHit",
    "StoreStats",
    "open_store",
]


def _memory(settings: Settings) -> EvidenceStore:
    from graph.store.memory import MemoryStore

    return MemoryStore()


def _ladybug(settings: Settings) -> EvidenceStore:
    from graph.store.ladybug.store import LadybugStore

    return LadybugStore(
        settings.store,
        read_only=settings.read_only,
        row_limit=settings.row_limit,
        timeout_s=settings.timeout_s,
        buffer_pool_mb=settings.buffer_pool_mb,
    )


def _neo4j(settings: Settings) -> EvidenceStore:
    try:
        from graph.store.neo4j.store import Neo4jStore
    except ImportError as exc:  # the driver is an optional extra
        raise StoreError("the Neo4j backend needs the driver: pip install 'evidence-explorer[neo4j]'") from exc
    return Neo4jStore.from_settings(settings)


#: Backend name → factory.  One name per backend, no aliases.
BACKENDS: dict[str, Callable[[Settings], EvidenceStore]] = {
    "memory": _memory,
    "ladybug": _ladybug,
    "neo4j": _neo4j,
}


def open_store(settings: Settings | None = None, *, backend: str | None = None) -> EvidenceStore:
    """Open the store the settings describe (Neo4j if a URI is set, else the embedded store)."""
    settings = settings or Settings.from_env()
    name = backend or ("neo4j" if settings.neo4j_uri else "ladybug")
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise StoreError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}") from None
    return factory(settings)
