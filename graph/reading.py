"""How a load reads its files: files a user chose, and uploads anyone may have sent.

:func:`graph.pipeline.load_files` takes a ``parse`` (path → documents) so that it never depends
on what the loaders extract; these are the two the application passes it.
:class:`DocumentParser` reads a file the user chose (``evx load``, ``evx fetch``, the samples):
the format is detected and literature is read over the store's imported vocabulary.
:class:`UploadParser` reads a file from the explorer's upload page, which anyone who can open
the page may send: a file over the size limit is refused unread, any other is parsed in a child
process with a deadline and a memory limit (:mod:`loaders.bounded`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import EvidenceError, LoadError
from graph.model import Document, NodeKind
from graph.pipeline import LoadSummary
from loaders import MAX_DOCUMENT_BYTES

__all__ = ["MAX_UPLOAD_BYTES", "DocumentParser", "UploadParser", "UploadSummary", "safe_name"]

_NODE_KINDS = frozenset(k.value for k in NodeKind)

#: Largest file the explorer takes: a document, as `evx load` reads it (also Streamlit's
#: ``server.maxUploadSize`` in `evx app`, so the browser refuses bigger files before sending them).
MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES


@dataclass(frozen=True)
class DocumentParser:
    """Parse one file as `evx load` does: detect the format, read over the store's open vocabulary.

    ``store`` is the store directory whose imported vocabulary literature is read over (``None``:
    the bundled vocabulary only).  A small picklable value, so worker processes can run it; each
    process builds (and caches) the recogniser once.
    """

    store: Path | None = None

    @classmethod
    def over(cls, store: Path | None) -> DocumentParser:
        """A parser over the vocabulary imported into ``store``, or over the bundled one when none is usable.

        Decided once, here: a broken vocabulary is not tried again for every file.
        """
        parser = cls(store)
        return parser if parser._recognizer() is not None else cls(None)

    def __call__(self, path: Path) -> list[Document]:
        from loaders import detect

        loader = detect(path)
        recognizer = self._recognizer()
        if recognizer is not None and hasattr(loader, "with_recognizer"):
            loader = loader.with_recognizer(recognizer)
        return list(loader.load(path))

    def _recognizer(self) -> object | None:
        if self.store is None:
            return None
        from graph.vocab_store import VocabularyStore
        from loaders.text.recognize import store_recognizer

        try:
            return store_recognizer(VocabularyStore.for_store(self.store))
        except EvidenceError:
            return None  # the front end has said so once (a broken vocabulary must not stop a load)


@dataclass(frozen=True)
class UploadParser:
    """Parse one uploaded file within bounds: refused unread above ``max_bytes``, else in a bounded child."""

    max_bytes: int = MAX_UPLOAD_BYTES

    def __call__(self, path: Path) -> list[Document]:
        from loaders.bounded import load_bounded

        size = path.stat().st_size
        if size > self.max_bytes:
            raise LoadError(
                f"{size:,} bytes; the explorer takes files up to {self.max_bytes:,} bytes "
                "(load bigger ones with `evx load`)",
                path=str(path),
            )
        return load_bounded(path)  # a child process with a deadline and a memory limit


def safe_name(name: str) -> str:
    """An uploaded file's name without directories or odd characters (its suffix picks the loader)."""
    base = Path(name.replace("\\", "/")).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)[:120] or "upload"


@dataclass
class UploadSummary:
    """What a batch of uploads added: nodes by kind, edges by type, warnings and failures, by file name."""

    documents: int = 0
    already_loaded: int = 0
    replaced: int = 0
    #: "file: title" of documents already stored in another version whose changes were not applied
    unapplied: list[str] = field(default_factory=list)
    nodes: Counter[str] = field(default_factory=Counter)
    edges: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, summary: LoadSummary, names: Mapping[Path, str]) -> UploadSummary:
        """The load's summary in the uploader's words: the names they sent, not the staged files' paths."""
        out = cls()
        for f in summary.files:
            name = names.get(f.path, f.path.name)
            if f.error is not None:
                message = f.error.replace(str(f.path), name)
                out.errors.append(message if message.startswith(name) else f"{name}: {message}")
                continue
            out.documents += f.new + f.already + f.replaced
            out.already_loaded += f.already
            out.replaced += f.replaced
            out.unapplied.extend(f"{name}: {title}" for title in f.unapplied)
            for item, count in f.counts.items():
                (out.nodes if item in _NODE_KINDS else out.edges)[item] += count
            out.warnings.extend(f"{name}: {w}" for w in f.warnings)
            out.errors.extend(f"{name}: {r}" for r in f.refused)
        return out
