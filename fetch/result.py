"""What a fetch returns: the files to load, and how many came from the network or the cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FetchResult", "Progress"]

#: Called with (records or requests done, total when known).
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class FetchResult:
    files: list[Path]
    downloaded: int = 0
    cached: int = 0
    saved: list[Path] = field(default_factory=list)
