"""Driver and server errors as the project's errors, naming the server and what to do.

The one translation: the store, its console worker's reports and the tests all go through
:func:`translate_error`.  Positions of syntax errors are read from what Neo4j and ArcadeDB
each say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from neo4j import exceptions as nx4j

from graph.errors import QueryError, QueryTimeoutError, StoreError, StoreUnavailableError, WriteRefusedError

__all__ = ["SCHEMES", "translate_error"]

#: URI schemes the driver understands (``+s`` verifies TLS, ``+ssc`` accepts self-signed).
SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")

_TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.TransientError.Transaction.LockClientStopped",
)
_WRITE_CODES = (
    "Neo.ClientError.Statement.AccessMode",
    "Neo.ClientError.Transaction.ForbiddenDueToTransactionType",
    "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
    "Neo.ClientError.Security.Forbidden",
)
# Embedded-dialect forms and what to write on Neo4j instead.
_LADYBUG_HINTS = (
    (re.compile(r"\*\s*(ALL\s+)?SHORTEST\b", re.I), "on Neo4j write shortestPath((a)-[*..6]-(b))"),
    (re.compile(r"\blabel\s*\(", re.I), "on Neo4j use type(r) or labels(n) instead of label(x)"),
    (re.compile(r"\brels\s*\(", re.I), "on Neo4j use relationships(p) instead of rels(p)"),
    (re.compile(r"\bLOAD\s+FROM\b|\bCOPY\b", re.I), "LOAD FROM and COPY exist only in the embedded store"),
)


def translate_error(exc: Exception, *, uri: str, user: str | None = None, query: str | None = None) -> StoreError:
    """A driver or server error as the project's error, naming the server and what to do."""
    if isinstance(exc, nx4j.AuthError):
        return StoreUnavailableError(
            f"Neo4j at {uri} refused the user {user!r}: check EVX_NEO4J_USER and EVX_NEO4J_PASSWORD"
        )
    if isinstance(exc, nx4j.ServiceUnavailable | nx4j.SessionExpired | nx4j.IncompleteCommit):
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return StoreUnavailableError(
            f"cannot reach Neo4j at {uri} ({reason}); is the server running? Check --neo4j or EVX_NEO4J_URI"
        )
    if isinstance(exc, nx4j.ConfigurationError):
        return StoreUnavailableError(f"cannot use Neo4j URI {uri!r}: {exc}; schemes: {', '.join(SCHEMES)}")
    if not isinstance(exc, nx4j.Neo4jError):
        return StoreError(f"Neo4j at {uri}: {exc}")
    code = exc.code or ""
    message = (exc.message or str(exc)).strip()
    first = message.splitlines()[0] if message else code
    if code in _TIMEOUT_CODES:
        return QueryTimeoutError(
            "the query ran past its time limit and was stopped",
            query=query,
            hint="add a LIMIT, narrow the MATCH, or raise the timeout",
        )
    if code in _WRITE_CODES or isinstance(exc, nx4j.ForbiddenOnReadOnlyDatabase):
        return WriteRefusedError(first, query=query, hint="pass --write to change the store")
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return StoreUnavailableError(f"Neo4j at {uri} has no such database ({first}); check EVX_NEO4J_DATABASE")
    position = _position(exc, query)
    hint = next((h for pattern, h in _LADYBUG_HINTS if query and pattern.search(query)), None)
    where = f" (at column {position})" if position else ""
    return QueryError(f"{first}{where}", query=query, position=position, hint=hint)


def _position(exc: nx4j.Neo4jError, query: str | None) -> int | None:
    """The 1-based offset of a syntax error in the query text, from whatever the server gave."""
    record = getattr(exc, "diagnostic_record", None) or {}
    pos = record.get("_position") if isinstance(record, Mapping) else None
    if isinstance(pos, Mapping) and isinstance(pos.get("offset"), int) and pos["offset"] >= 0:
        return pos["offset"] + 1
    text = exc.message or str(exc)
    if m := re.search(r"offset: (\d+)", text):  # Neo4j: "(line 1, column 15 (offset: 14))"
        return int(m.group(1)) + 1
    # ArcadeDB: "at line 1:14" or "at line 1, column 13", columns counted from 0
    if m := re.search(r"line (\d+)(?::|, column )(\d+)", text):
        line, column = int(m.group(1)), int(m.group(2))
        lines = (query or "").split("\n")
        before = sum(len(x) + 1 for x in lines[: max(line - 1, 0)])
        return before + column + 1
    return None
