"""Loading uploaded documents into the store, with progress and a summary (no Streamlit here)."""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import EvidenceError
from graph.model import NodeKind
from graph.store.base import EvidenceStore
from loaders import MAX_DOCUMENT_BYTES
from loaders.bounded import load_bounded

__all__ = ["MAX_UPLOAD_MB", "UploadSummary", "ingest_uploads"]

_NODE_KINDS = frozenset(k.value for k in NodeKind)
#: Largest file the explorer takes: a document, as `evx load` reads it (also Streamlit's
#: ``server.maxUploadSize`` in `evx app`, so the browser refuses bigger files before sending them).
MAX_UPLOAD_MB = MAX_DOCUMENT_BYTES // (1024 * 1024)


@dataclass
class UploadSummary:
    """What a batch of uploads added: nodes by kind, edges by type, warnings and failures."""

    documents: int = 0
    already_loaded: int = 0
    replaced: int = 0
    #: "file: title" of documents already stored in another version whose changes were not applied
    unapplied: list[str] = field(default_factory=list)
    nodes: Counter[str] = field(default_factory=Counter)
    edges: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _safe_name(name: str) -> str:
    """The uploaded file's name without directories or odd characters (its suffix picks the loader)."""
    base = Path(name.replace("\\", "/")).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)[:120] or "upload"


def ingest_uploads(
    store: EvidenceStore,
    files: Sequence[tuple[str, bytes]],
    progress: Callable[[int, int, str], None] | None = None,
    *,
    max_bytes: int = MAX_UPLOAD_MB * 1024 * 1024,
    replace: bool = False,
) -> UploadSummary:
    """Load each ``(name, content)`` through the loader that recognises it; one bad file spoils only itself.

    A file over ``max_bytes`` is refused unread, with a message saying what to do instead; every
    other file is read in a child process that is stopped after ``LOAD_DEADLINE_S`` (10 s).  A
    document already stored in another version (same text, other records) is listed in
    ``unapplied``, or, with ``replace``, has its records swapped for the uploaded ones.
    """
    summary = UploadSummary()
    with tempfile.TemporaryDirectory(prefix="evx-upload-") as tmp:
        for done, (name, content) in enumerate(files):
            if progress is not None:
                progress(done, len(files), name)
            if len(content) > max_bytes:
                summary.errors.append(
                    f"{name}: {len(content):,} bytes; the explorer takes files up to {max_bytes:,} bytes "
                    "(load bigger ones with `evx load`)"
                )
                continue
            path = Path(tmp) / f"{done:03d}-{_safe_name(name)}"
            path.write_bytes(content)
            try:
                documents = load_bounded(path)  # a child process with a deadline and a memory limit
                reports = []
                for doc in documents:
                    report = store.ingest(doc)
                    if report.already_loaded and store.unapplied_changes(doc):
                        if replace:
                            report = store.replace(doc)
                            summary.replaced += 1
                        else:
                            summary.unapplied.append(f"{name}: {doc.source.name}")
                    reports.append(report)
            except EvidenceError as exc:
                message = str(exc).replace(str(path), name)
                summary.errors.append(message if message.startswith(name) else f"{name}: {message}")
                continue
            for report in reports:
                summary.documents += 1
                if report.already_loaded:
                    summary.already_loaded += 1
                for item, count in report.counts.items():
                    (summary.nodes if item in _NODE_KINDS else summary.edges)[item] += count
                summary.warnings.extend(f"{name}: {w}" for w in report.warnings)
        if progress is not None:
            progress(len(files), len(files), "")
    return summary
