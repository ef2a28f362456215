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
from loaders.curated import CuratedLoader

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
LOADERS: list[Loader] = [CuratedLoader()]

#: Formats the bundled samples are in that have no loader in this version (name → what they are).
PENDING_FORMATS: dict[str, str] = {}


def detect(path: Path) -> Loader:
    """The loader for ``path``; :class:`UnsupportedFormatError` names the formats it knows."""
    head = read_document_bytes(path)[:65536]
    for loader in LOADERS:
        if loader.sniff(path, head):
            return loader
    known = "; ".join(f"{loader.name}: {loader.description}" for loader in LOADERS)
    raise UnsupportedFormatError(f"no loader recognises this file. Known formats — {known}", path=str(path))


def load_path(path: Path) -> list[Document]:
    """Every document in the file at ``path``."""
    return list(detect(path).load(path))


def sample_paths() -> list[Path]:
    """The sample documents bundled with the package (no network, no ``../shared`` needed)."""
    root = resources.files("loaders").joinpath("samples")
    return sorted(Path(str(p)) for p in root.iterdir() if p.is_file() and not p.name.startswith(("README", ".")))
