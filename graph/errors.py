"""The project's exceptions: one root, a short tree, messages that say what to do.

::

    EvidenceError
    ├── RecordError            a record breaks the evidence model (field, value, why)
    ├── LoadError              a document cannot be read (file, line, what was expected)
    │   └── UnsupportedFormatError
    ├── StoreError             the store cannot do what was asked
    │   ├── StoreLockedError   another process holds the store for writing
    │   ├── StoreCorruptError  the directory is not a readable store
    │   ├── StoreUnavailableError  a server cannot be reached or refused the login
    │   ├── NotFoundError      no node with that id or name
    │   └── QueryError         a Cypher query failed (message, position, hint)
    │       ├── WriteRefusedError   a write without explicit permission
    │       └── QueryTimeoutError
    ├── ExportError            an export cannot be written (path exists, unknown format)
    └── FetchError             a public API cannot be reached or gave no usable answer

Engine and driver errors are translated into these at the store boundary
(``raise ... from exc``), so callers never see a bare ``RuntimeError``.
"""

from __future__ import annotations

__all__ = [
    "EvidenceError",
    "ExportError",
    "FetchError",
    "LoadError",
    "NotFoundError",
    "QueryError",
    "QueryTimeoutError",
    "RecordError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreUnavailableError",
    "UnsupportedFormatError",
    "WriteRefusedError",
]


class EvidenceError(Exception):
    """Root of every error the project raises on purpose."""


class RecordError(EvidenceError, ValueError):
    """A node or edge record breaks the evidence model."""


class LoadError(EvidenceError):
    """A document could not be read; ``path`` and ``line`` say where."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = message
        where = ":".join(str(p) for p in (path, line, field) if p is not None)
        super().__init__(f"{where}: {message}" if where else message)


class UnsupportedFormatError(LoadError):
    """No loader recognises the document."""


class StoreError(EvidenceError):
    """The store could not do what was asked."""


class StoreLockedError(StoreError):
    """Another process holds the store directory for writing."""


class StoreCorruptError(StoreError):
    """The store directory exists but cannot be opened as a store."""


class StoreUnavailableError(StoreError):
    """A database server could not be reached, or refused the credentials."""


class NotFoundError(StoreError, LookupError):
    """No node matches the id or name given."""


class QueryError(StoreError):
    """A query failed; ``position`` is the 1-based column when the engine gave one."""

    def __init__(
        self, message: str, *, query: str | None = None, position: int | None = None, hint: str | None = None
    ) -> None:
        self.query = query
        self.position = position
        self.hint = hint
        text = message
        if hint:
            text += f"\nHint: {hint}"
        super().__init__(text)


class WriteRefusedError(QueryError):
    """A query would change the store and writes were not allowed."""


class QueryTimeoutError(QueryError):
    """A query ran longer than its time limit and was stopped."""


class ExportError(EvidenceError):
    """An export could not be written."""


class FetchError(EvidenceError):
    """A download failed (offline, refused, rate-limited past the retries, broken answer); nothing was stored."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(message)
