"""The curation log: a YAML file of corrections apart from the extracted data, and where it lives.

For the embedded store the log is ``<store>/curation.yaml``; the application locates it per
backend (:func:`graph.service.curation_log`).  Writing is atomic: a reader never sees half a file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from graph.curation.corrections import Correction, latest, parse_corrections
from graph.errors import LoadError

__all__ = ["CURATION_FILE", "CurationLog", "curation_path", "read_corrections"]

#: File name of the curation log inside an embedded store's directory.
CURATION_FILE = "curation.yaml"


def curation_path(store_dir: Path) -> Path:
    """Where the embedded store in ``store_dir`` keeps its curation log."""
    return Path(store_dir) / CURATION_FILE


def read_corrections(path: Path, *, curator: str | None = None) -> list[Correction]:
    """Corrections from a curator's YAML file: a list, or ``{curator: …, corrections: [...]}``.

    A file-level ``curator`` (or the ``curator`` argument) fills entries that name none.
    Errors say ``file:line: field: problem``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror or exc}", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the corrections as UTF-8", path=str(path)
        ) from None
    return parse_corrections(text, where=str(path), curator=curator)


@dataclass
class CurationLog:
    """The corrections of one store, in a YAML file apart from the extracted data."""

    path: Path
    corrections: list[Correction] = field(default_factory=list)

    @classmethod
    def open(cls, path: Path) -> CurationLog:
        path = Path(path)
        return cls(path, read_corrections(path) if path.exists() else [])

    @classmethod
    def for_store(cls, store_dir: Path) -> CurationLog:
        return cls.open(curation_path(store_dir))

    def add(self, *corrections: Correction) -> None:
        """Append and save at once (atomically: a reader never sees half a file)."""
        self.corrections.extend(corrections)
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = yaml.safe_dump(
            {"corrections": [c.as_yaml() for c in self.corrections]}, allow_unicode=True, sort_keys=False
        )
        header = "# Curation log: corrections to extracted edges. Not extracted data; survives re-import.\n"
        tmp = self.path.with_name(f".{self.path.name}.partial")
        tmp.write_text(header + body, encoding="utf-8")
        os.replace(tmp, self.path)

    def latest(self) -> dict[str, Correction]:
        """The correction in force per edge id (the last one written)."""
        return latest(self.corrections)
