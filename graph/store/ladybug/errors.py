"""The embedded engine's errors as the project's errors, with a hint where one helps.

LadybugDB raises bare ``RuntimeError``; the store, its console worker and the bulk path all
turn them into :mod:`graph.errors` here, and nowhere else.
"""

from __future__ import annotations

import re

from graph.errors import QueryError, QueryTimeoutError, StoreError, StoreLockedError, WriteRefusedError
from graph.model import EdgeType, NodeKind

__all__ = ["translate_error"]

# Neo4j-only forms and what to write instead in this dialect.
_NEO4J_HINTS = (
    (re.compile(r"shortestPath|allShortestPaths", re.I), "write shortest paths as (a)-[* SHORTEST 1..6]-(b)"),
    (re.compile(r"\btype\s*\(", re.I), "use label(r) instead of type(r)"),
    (re.compile(r"\bexists\s*\{|\bexists\s*\(", re.I), "use EXISTS { MATCH ... } with a full pattern"),
    (re.compile(r"\bapoc\.|\bgds\.", re.I), "APOC and GDS procedures exist only on Neo4j"),
)


def translate_error(exc: Exception, query: str | None = None) -> StoreError:
    """A LadybugDB ``RuntimeError`` as the project's error, with a hint where one helps."""
    text = str(exc)
    if "Interrupted" in text or "timeout" in text.lower():
        return QueryTimeoutError(
            "the query ran past its time limit and was stopped",
            query=query,
            hint="add a LIMIT, narrow the MATCH, or raise the timeout",
        )
    if "read-only" in text:
        return WriteRefusedError(text, query=query, hint="pass --write to change the store")
    if "lock" in text.lower() and "held" in text.lower():
        return StoreLockedError(text)
    position = None
    if m := re.search(r"offset: (\d+)", text):
        position = int(m.group(1)) + 1
    hint = None
    if query:
        hint = next((h for pattern, h in _NEO4J_HINTS if pattern.search(query)), None)
    if hint is None and "does not exist" in text:
        hint = (
            "node kinds are "
            + ", ".join(k.value for k in NodeKind)
            + "; edge types "
            + ", ".join(e.value for e in EdgeType)
        )
    first = text.splitlines()[0] if text else type(exc).__name__
    where = f" (at column {position})" if position else ""
    return QueryError(f"{first}{where}", query=query, position=position, hint=hint)
