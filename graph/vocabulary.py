"""The controlled vocabulary: Dutch and English names of drugs, conditions and outcomes.

The vocabulary is data (``graph/data/vocabulary.yaml``), so a curator can extend it
without touching code.  Loaders use it to map "hypoglykemie" and "hypoglycaemia" to the
one Outcome node *hypoglycemia*; stores use the synonyms for search.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from graph.errors import LoadError
from graph.ids import concept_id, normalise
from graph.model import Node, NodeKind, Provenance

__all__ = ["Concept", "Mention", "Vocabulary"]

_SECTIONS = {"drugs": NodeKind.DRUG, "conditions": NodeKind.CONDITION, "outcomes": NodeKind.OUTCOME}
_CODE_FIELDS = {NodeKind.DRUG: ("atc",), NodeKind.CONDITION: ("mesh",), NodeKind.OUTCOME: ("meddra", "mesh")}


@dataclass(frozen=True)
class Concept:
    """One normalised concept: preferred English name, kind, codes and synonyms."""

    kind: NodeKind
    name: str
    synonyms: tuple[str, ...] = ()
    codes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @functools.cached_property
    def id(self) -> str:  # cached: recognition asks for it per mention, tens of thousands of times
        return concept_id(self.kind, self.name)

    def node(self, provenance: Provenance) -> Node:
        """The concept as a node, with provenance of the place it was read."""
        props: dict[str, str | None] = {"synonyms": "; ".join(self.synonyms) or None, **self.codes}
        return Node(id=self.id, kind=self.kind, name=self.name, props=props, provenance=provenance)


@dataclass(frozen=True)
class Mention:
    """A concept found in a text, with the exact characters that named it."""

    concept: Concept
    start: int
    end: int
    text: str


class Vocabulary:
    """Lookup of concepts by any of their names, and scanning of free text for them."""

    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = concepts
        self._by_term: dict[tuple[NodeKind | None, str], Concept] = {}
        for concept in concepts:
            for term in (concept.name, *concept.synonyms):
                key = normalise(term)
                self._by_term.setdefault((concept.kind, key), concept)
                self._by_term.setdefault((None, key), concept)
        terms = sorted({t for c in concepts for t in (c.name, *c.synonyms)}, key=len, reverse=True)
        self._pattern = re.compile(r"(?<![\w-])(" + "|".join(_flexible(t) for t in terms) + r")(?!\w)", re.IGNORECASE)
        # A name starts at a word start with its first word's letters (the joins between words may be empty), so
        # the alternation of every name is tried only where the first letters (up to five) of one begin a word:
        # scanning the whole text with it costs about a millisecond per abstract.
        firsts = [re.match(r"\w*", re.split(r"[\s\-]+", t.strip())[0].lower()).group() for t in terms]
        self._prefixes = frozenset(f[:5] for f in firsts)
        self._prefix_lengths = tuple(sorted({len(p) for p in self._prefixes}))
        # most words fail on their first two letters (not a check at all when a name starts with a one-letter word)
        one_letter = any(len(p) < 2 for p in self._prefixes)
        self._heads = None if one_letter else frozenset(p[:2] for p in self._prefixes)
        self._all_words = not all(firsts)  # a name not starting with a letter or digit: the whole text is scanned

    @classmethod
    @functools.cache
    def default(cls) -> Vocabulary:
        """The vocabulary shipped with the package (read once per process)."""
        text = resources.files("graph").joinpath("data/vocabulary.yaml").read_text(encoding="utf-8")
        return cls.from_yaml(text, origin="graph/data/vocabulary.yaml")

    @classmethod
    def from_file(cls, path: Path) -> Vocabulary:
        return cls.from_yaml(path.read_text(encoding="utf-8"), origin=str(path))

    @classmethod
    def from_yaml(cls, text: str, *, origin: str = "<vocabulary>") -> Vocabulary:
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise LoadError(f"not valid YAML: {exc}", path=origin) from exc
        if not isinstance(data, dict):
            raise LoadError("expected sections drugs:, conditions:, outcomes:", path=origin)
        concepts = []
        for section, entries in data.items():
            kind = _SECTIONS.get(section)
            if kind is None:
                raise LoadError(f"unknown section {section!r}; expected one of {', '.join(_SECTIONS)}", path=origin)
            for i, entry in enumerate(entries or []):
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    raise LoadError(f"entry {i + 1} needs a 'name'", path=origin, field=section)
                codes = {f: str(entry[f]) for f in _CODE_FIELDS[kind] if entry.get(f)}
                synonyms = tuple(str(s) for s in entry.get("synonyms") or ())
                concepts.append(Concept(kind, entry["name"], synonyms, codes))
        return cls(concepts)

    def lookup(self, term: str, kind: NodeKind | None = None) -> Concept | None:
        """The concept a term names exactly (ignoring case, accents and punctuation)."""
        return self._by_term.get((kind, normalise(term)))

    def mentions(self, text: str, kind: NodeKind | None = None) -> Iterator[Mention]:
        """Every concept named in ``text``, longest names first, left to right."""
        for match in self._matches(text):
            concept = self.lookup(match.group(1), kind)
            if concept is not None:
                yield Mention(concept, match.start(1), match.end(1), match.group(1))

    def _matches(self, text: str) -> Iterator[re.Match[str]]:
        """What ``self._pattern.finditer(text)`` finds, trying the pattern only where a name can start."""
        if self._all_words:
            yield from self._pattern.finditer(text)
            return
        prefixes, lengths, heads, end = self._prefixes, self._prefix_lengths, self._heads, 0
        for word in _WORD_START.finditer(text):
            at, letters = word.start(), word.group().lower()
            if at < end or (heads is not None and letters[:2] not in heads):
                continue
            if not any(letters[:n] in prefixes for n in lengths):
                continue
            match = self._pattern.match(text, at)
            if match is not None:
                end = match.end()
                yield match

    def search(self, text: str, *, limit: int = 20) -> list[Concept]:
        """Concepts whose name or a synonym starts with or contains ``text``."""
        needle = normalise(text)
        if not needle:
            return []
        scored: dict[str, tuple[int, Concept]] = {}
        for (kind, key), concept in self._by_term.items():
            if kind is None or needle not in key:
                continue
            score = 0 if key == needle else 1 if key.startswith(needle) else 2
            best = scored.get(concept.id)
            if best is None or score < best[0]:
                scored[concept.id] = (score, concept)
        ranked = sorted(scored.values(), key=lambda sc: (sc[0], sc[1].name))
        return [c for _, c in ranked[:limit]]


_WORD_START = re.compile(r"(?<![\w-])\w{1,5}")


def _flexible(term: str) -> str:
    """A regex for a term that tolerates hyphen/space variation and line breaks."""
    parts = re.split(r"[\s\-]+", term.strip())
    return r"[\s\-]*".join(re.escape(p) for p in parts if p)
