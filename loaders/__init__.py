"""Loaders turn documents into evidence records; they never touch a database.

``load_path(path)`` finds the loader for a file (by content, then by extension) and
returns the documents it holds.  ``LOADERS`` lists the formats, in the order they are tried.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from graph.errors import UnsupportedFormatError
from graph.model import Document
from loaders.base import MAX_DOCUMENT_BYTES, DocumentBuilder, Loader, decode, read_document_bytes
from loaders.ctgov import CtgovLoader
from loaders.curated import CuratedLoader
from loaders.pubmed import PubmedLoader
from loaders.report import ReportLoader
from loaders.trial_digest import TrialDigestLoader

__all__ = [
    "LOADERS",
    "MAX_DOCUMENT_BYTES",
    "DocumentBuilder",
    "Loader",
    "decode",
    "detect",
    "load_path",
    "read_document_bytes",
    "sample_paths",
]

#: Every format the project reads, tried in this order.
LOADERS: list[Loader] = [
    CuratedLoader(),
    CtgovLoader(),
    PubmedLoader(),
    TrialDigestLoader(),
    ReportLoader(),  # drug–disease reports (text, or PDF with a text layer)
]


def detect(path: Path) -> Loader:
    """The loader for ``path``; :class:`UnsupportedFormatError` names the formats it knows."""
    head = read_document_bytes(path, head=65536)  # sniff the start; big files are streamed by their loader
    for loader in LOADERS:
        if loader.sniff(path, head):
            return loader
    if b"\x00" in head and not head.startswith(b"%PDF"):
        raise UnsupportedFormatError("binary data, not a document this tool reads", path=str(path))
    known = "; ".join(f"{loader.name}: {loader.description}" for loader in LOADERS)
    raise UnsupportedFormatError(f"no loader recognises this file. Known formats — {known}", path=str(path))


def load_path(path: Path) -> list[Document]:
    """Every document in the file at ``path``."""
    return list(detect(path).load(path))


def sample_paths() -> list[Path]:
    """The sample documents bundled with the package (no network, no ``../shared`` needed)."""
    root = resources.files("loaders").joinpath("samples")
    return sorted(Path(str(p)) for p in root.iterdir() if p.is_file() and not p.name.startswith(("README", ".")))
