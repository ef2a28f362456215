"""The names a report is read with: any vocabulary that can look a term up and find mentions.

The bundled :class:`graph.vocabulary.Vocabulary` knows the concepts of the sample
documents; reports name many more ("melkzuuracidose", "depressie").  The parser only needs
``lookup(term, kind)`` and ``mentions(text, kind)``, so a richer vocabulary plugs in
unchanged; :class:`OpenVocabulary` puts a recogniser that finds mentions in any text (one
with ``mentions(text)``, kinds on its concepts) behind the bundled names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from graph.ids import normalise
from graph.model import NodeKind
from graph.vocabulary import Concept, Mention, Vocabulary

__all__ = ["OpenVocabulary", "Terms"]


class Terms(Protocol):
    """What the report parser asks of a vocabulary."""

    def lookup(self, term: str, kind: NodeKind | None = None) -> Concept | None: ...

    def mentions(self, text: str, kind: NodeKind | None = None) -> Iterator[Mention]: ...


class OpenVocabulary:
    """The bundled vocabulary first, then a recogniser's mentions where the bundled names find none."""

    def __init__(self, bundled: Vocabulary, recognizer: Any) -> None:
        self.bundled = bundled
        self.recognizer = recognizer
        self.concepts = bundled.concepts

    def lookup(self, term: str, kind: NodeKind | None = None) -> Concept | None:
        found = self.bundled.lookup(term, kind)
        if found is not None:
            return found
        key = normalise(term)
        for mention in self._recognised(term, kind):
            if mention.start == 0 and normalise(mention.text) == key:
                return mention.concept
        return None

    def mentions(self, text: str, kind: NodeKind | None = None) -> Iterator[Mention]:
        known = list(self.bundled.mentions(text, kind))
        taken = [(m.start, m.end) for m in known]
        extra = [m for m in self._recognised(text, kind) if all(m.end <= a or m.start >= b for a, b in taken)]
        yield from sorted((*known, *extra), key=lambda m: (m.start, -(m.end - m.start)))

    def _recognised(self, text: str, kind: NodeKind | None) -> Iterable[Mention]:
        try:
            found = self.recognizer.mentions(text, kind)
        except TypeError:  # a recogniser that finds every kind at once
            found = self.recognizer.mentions(text)
        return [m for m in found if kind is None or m.concept.kind is kind]
