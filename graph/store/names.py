"""Name → node: how a typed name is matched against a node's name, synonyms and title, on every backend.

Matching is accent- and case-blind (:func:`graph.ids.normalise`) and done in Python, not by the
engine: each store only brings the candidates (every concept's names, or what its engine's
``CONTAINS`` found) and the scoring and order are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.ids import normalise
from graph.model import NodeKind
from graph.store.base import SearchHit

__all__ = ["names_of", "ranked", "score_keys", "score_match", "split_synonyms", "text_hit"]


def score_match(needle: str, names: Iterable[str]) -> tuple[int, str] | None:
    """Best (score, name) of ``names`` for a normalised ``needle``; ``None`` when none match."""
    return score_keys(needle, ((name, normalise(name)) for name in names))


def score_keys(needle: str, names: Iterable[tuple[str, str]]) -> tuple[int, str] | None:
    """:func:`score_match` over (name, normalised name) pairs, for a store that keeps the normalised forms."""
    best: tuple[int, str] | None = None
    for name, key in names:
        if not key or needle not in key:
            continue
        score = 0 if key == needle else 1 if key.startswith(needle) else 2
        if best is None or score < best[0]:
            best = (score, name)
    return best


def split_synonyms(value: str | None) -> list[str]:
    return [s.strip() for s in (value or "").split(";") if s.strip()]


def names_of(name: str, synonyms: str | None, title: str | None = None) -> list[str]:
    """A node's name, its synonyms (stored ``;``-separated) and its title, if any: what a search matches."""
    return [name, *split_synonyms(synonyms), *([title] if title else [])]


def text_hit(needle: str, node_id: str, kind: NodeKind, name: str, names: list[str]) -> SearchHit:
    """A hit the engine found by its text (``CONTAINS``): scored here, "contained" when no name matches after
    normalising (the engine compared lower case, not accent-blind)."""
    score, matched = score_match(needle, names) or (2, name)
    return SearchHit(node_id, kind, name, matched, score)


def ranked(hits: list[SearchHit], limit: int) -> list[SearchHit]:
    """Best first (exact, prefix, contained), then by name and id; at most ``limit``."""
    hits.sort(key=lambda h: (h.score, h.name.casefold(), h.id))
    return hits[:limit]
