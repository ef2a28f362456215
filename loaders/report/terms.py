"""The names a report is read with: any vocabulary that can look a term up and find mentions.

The bundled :class:`graph.vocabulary.Vocabulary` knows the concepts of the sample
documents; reports name many more ("melkzuuracidose", "depressie").  The parser only needs
``lookup(term, kind)`` and ``mentions(text, kind)``, so a richer vocabulary plugs in
unchanged; :class:`OpenVocabulary` puts a recogniser that finds mentions in any text (one
with ``mentions(text)``, kinds on its concepts) behind the bundled names, and reads Dutch
compounds and inflections through :mod:`loaders.text.dutch` ("nierfalen" as "kidney failure")
where neither finds a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from graph.ids import normalise
from graph.model import NodeKind
from graph.vocabulary import Concept, Mention, Vocabulary
from loaders.text import dutch

__all__ = ["OpenVocabulary", "Terms"]

#: Compounds are looked for in the first this many characters of a text (the parser hands it sentences).
MAX_COMPOUND_TEXT = 20_000


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
        found = self._known(term, kind)
        if found is None and dutch.WORD.fullmatch(term.strip()):
            found = next(filter(None, (self._known(r, kind) for r in dutch.readings(term.strip()))), None)
        return found

    def mentions(self, text: str, kind: NodeKind | None = None) -> Iterator[Mention]:
        known = list(self.bundled.mentions(text, kind))
        taken = [(m.start, m.end) for m in known]
        extra = [m for m in self._recognised(text, kind) if all(m.end <= a or m.start >= b for a, b in taken)]
        taken += [(m.start, m.end) for m in extra]
        compounds = [m for m in self._compounds(text, kind) if all(m.end <= a or m.start >= b for a, b in taken)]
        yield from sorted((*known, *extra, *compounds), key=lambda m: (m.start, -(m.end - m.start)))

    def _compounds(self, text: str, kind: NodeKind | None) -> Iterator[Mention]:
        """Words no name matched, read as their Dutch parts' English name when the vocabulary knows it."""
        for match in dutch.WORD.finditer(text[:MAX_COMPOUND_TEXT]):
            for reading in dutch.readings(match.group()):
                concept = self._known(reading, kind)
                if concept is not None:
                    yield Mention(concept, match.start(), match.end(), match.group())
                    break

    def _known(self, name: str, kind: NodeKind | None) -> Concept | None:
        """The concept ``name`` names in full, bundled names first (no compound reading of a reading)."""
        found = self.bundled.lookup(name, kind)
        if found is not None:
            return found
        key = normalise(name)
        return next(
            (m.concept for m in self._recognised(name, kind) if m.start == 0 and normalise(m.text) == key), None
        )

    def _recognised(self, text: str, kind: NodeKind | None) -> Iterable[Mention]:
        try:
            found = self.recognizer.mentions(text, kind)
        except TypeError:  # a recogniser that finds every kind at once
            found = self.recognizer.mentions(text)
        return [m for m in found if kind is None or m.concept.kind is kind]
