"""Finding concepts in text over tens of thousands of names: Aho–Corasick, longest match.

One automaton (``pyahocorasick``) holds every name of the open vocabulary (MeSH names and
entry terms, names learned from annotated abstracts) and of the bundled YAML (Dutch names,
brands, codes), in the spelling variants :func:`loaders.text.normal.variants` gives.  It runs
over a folded copy of the text of the same length, so every hit is a verbatim span.
Overlapping hits resolve to the longest, leftmost; a hit must start and end at a word
boundary; short names with capitals ("NO", "MS") match only as written.

Deliberate choices, each measured on the CDR training set:

- A name that annotators leave unmarked in most of the places it occurs ("drug",
  "patients", a class named in passing) is not looked for (learned counts, ``term_use``).
- A short form the text defines ("levodopa-induced dyskinesias (LIDs)") names what its
  long form names, everywhere in that text; a short form defined as something unknown
  hides the vocabulary's meaning of it in that text.
- Where the bundled YAML names a concept with a MeSH id, its name, kind and codes win.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from graph.model import NodeKind
from graph.vocab_store import Entry, VocabularyStore
from graph.vocabulary import Concept, Mention, Vocabulary
from loaders.text.abbreviations import definitions
from loaders.text.normal import (
    disease_forms,
    dutch_forms,
    fold,
    is_abbreviation,
    key,
    singular_forms,
    variants,
)
from loaders.text.words import word_map

__all__ = ["Recognizer", "store_recognizer"]

#: A name seen this often in annotated text and annotated less often than this share is left out.
MIN_SEEN = 3
MIN_ANNOTATED_SHARE = 0.3
_KIND = {"Drug": NodeKind.DRUG, "Condition": NodeKind.CONDITION, "Outcome": NodeKind.OUTCOME}


@dataclass(frozen=True)
class _Name:
    concept: Concept
    cased: str | None
    weight: int


class Recognizer:
    """Concept mentions in text, from the open vocabulary and the bundled one."""

    def __init__(
        self,
        entries: Iterable[Entry] = (),
        *,
        vocabulary: Vocabulary | None = None,
        term_use: dict[str, tuple[int, int]] | None = None,
        trees: dict[str, tuple[str, ...]] | None = None,
        known_relations: frozenset[tuple[str, str]] = frozenset(),
        concept_roles: dict[str, tuple[int, int, int]] | None = None,
    ) -> None:
        self.vocabulary = vocabulary or Vocabulary.default()
        self.trees = trees or {}
        self.known_relations = known_relations
        self._as_chemical = Counter(c for c, _ in known_relations)
        self._as_disease = Counter(d for _, d in known_relations)
        self.concept_roles = concept_roles or {}
        # the same counts summed over each MeSH tree parent: what an unseen or rarely seen concept backs off to
        self._parent_roles: dict[str, list[int]] = {}
        for mesh, counts in self.concept_roles.items():
            for parent in {t.rsplit(".", 1)[0] for t in self.trees.get(mesh, ()) if "." in t}:
                summed = self._parent_roles.setdefault(parent, [0, 0, 0])
                for i, n in enumerate(counts):
                    summed[i] += n
        term_use = term_use or {}
        entries = list(entries)
        mesh_names = {key(e.name): e.mesh for e in entries}  # MeSH preferred names only
        preferred = dict(mesh_names)
        preferred.update({e.term: e.mesh for e in entries if e.term not in preferred})
        by_mesh: dict[str, Concept] = {}
        for concept in self.vocabulary.concepts:
            # the curated concept is the MeSH concept its name, else one of its synonyms, is the preferred name of
            mesh = concept.codes.get("mesh") or preferred.get(key(concept.name))
            mesh = mesh or next((mesh_names[key(t)] for t in concept.synonyms if key(t) in mesh_names), None)
            if mesh and mesh not in by_mesh:
                if "mesh" not in concept.codes:  # the curated name is a MeSH name: one concept, the code joins it
                    concept = Concept(concept.kind, concept.name, concept.synonyms, {**concept.codes, "mesh": mesh})
                by_mesh[mesh] = concept
        self.by_mesh = by_mesh
        names: dict[str, _Name] = {}
        # Dutch spellings of English names, singular disease names: only where no name is written so
        dutch: dict[str, _Name] = {}
        learned = {e.mesh for e in entries if e.count > 0}
        parents = {t.rsplit(".", 1)[0] for ts in self.trees.values() for t in ts if "." in t}
        for entry in entries:
            if (
                entry.kind == "Drug"
                and entry.mesh not in learned
                and _not_a_drug(self.trees.get(entry.mesh, ()), parents)
            ):
                continue  # enzymes, proteins, drug classes: not the drug a claim is about, unless annotators say so
            concept = by_mesh.get(entry.mesh)
            if concept is None:
                concept = Concept(_KIND[entry.kind], entry.name, (), {"mesh": entry.mesh})
                by_mesh[entry.mesh] = concept
            seen, annotated = term_use.get(entry.term, (0, 0))
            if seen >= MIN_SEEN and annotated < MIN_ANNOTATED_SHARE * seen:
                continue
            weight = entry.count + (1 if entry.term == key(entry.name) else 0)
            for form in variants(entry.term) if len(entry.term) > 1 else ():
                current = names.get(form)
                if current is None or weight > current.weight:
                    names[form] = _Name(concept, _cased_form(entry.cased, form) if entry.cased else None, weight)
                if entry.cased is None or not is_abbreviation(entry.cased):
                    if entry.kind != "Drug":  # "Diabetic Nephropathies": diabetic nephropathy
                        for other in singular_forms(form) | disease_forms(form):
                            if other not in dutch or weight > dutch[other].weight:
                                dutch[other] = _Name(concept, None, weight)
                    for other in dutch_forms(form, entry.kind):
                        if other not in dutch or weight > dutch[other].weight:
                            dutch[other] = _Name(concept, None, weight)
            if entry.kind == "Drug" and entry.term == key(entry.name):
                # the international or British name of a drug MeSH names by its US one: rifampin, rifampicin
                for other in _INTERNATIONAL.get(entry.term, ()):
                    seen, annotated = term_use.get(other, (0, 0))
                    if seen < MIN_SEEN or annotated >= MIN_ANNOTATED_SHARE * seen:
                        for form in variants(other):
                            if form not in dutch or weight > dutch[form].weight:
                                dutch[form] = _Name(concept, None, weight)
        linked = {c.name: c for c in by_mesh.values()}
        for concept in self.vocabulary.concepts:
            # a curated concept that is a MeSH concept takes all its names; one that is not only fills gaps
            mine = linked.get(concept.name)
            for term in (concept.name, *concept.synonyms):
                for form in variants(term):
                    current = names.get(form)
                    learned_elsewhere = (
                        current is not None and current.concept is not mine and current.weight > 1
                    )  # annotators read this name as another concept: their reading wins
                    if mine is not None and not learned_elsewhere:
                        names[form] = _Name(mine, _cased_form(term, form), 1_000_000)
                    elif form not in names:
                        names[form] = _Name(concept, _cased_form(term, form), 0)
                    if not is_abbreviation(term):
                        for other in dutch_forms(form, concept.kind.value):
                            dutch.setdefault(other, _Name(mine or concept, None, 0))
        # a drug MeSH names with its salt ("Tiapride Hydrochloride", "Dizocilpine Maleate") as its base name alone,
        # where no name is written so
        terms = {e.term for e in entries}
        for entry in entries:
            base = _SALT.sub("", entry.term) if entry.kind == "Drug" else entry.term
            if base != entry.term and base.isalpha() and len(base) >= 6 and base not in terms:
                concept = by_mesh.get(entry.mesh)
                if concept is not None:
                    for form in variants(base):
                        dutch.setdefault(form, _Name(concept, None, 0))
        for form, name in dutch.items():
            names.setdefault(form, name)
        self._last: tuple[str, tuple[Mention, ...]] | None = None
        self._automaton = ahocorasick.Automaton()
        for form, name in names.items():
            self._automaton.add_word(form, (form, name))
        self.size = len(names)
        if names:
            self._automaton.make_automaton()

    def known(self, chemical: str, disease: str) -> bool:
        """Whether annotated abstracts imported into the vocabulary state this chemical-induced disease."""
        return (chemical, disease) in self.known_relations

    def roles(self, chemical: str, disease: str) -> tuple[int, int]:
        """In how many curated pairs the chemical causes something, and the disease is caused by something."""
        return self._as_chemical[chemical], self._as_disease[disease]

    def rates(self, chemical: str, disease: str) -> tuple[float, float]:
        """How often, of the annotated abstracts naming each, the chemical causes and the disease is caused.

        Smoothed towards an even prior, so a concept seen once says little and an unseen one nothing.
        """
        named_c, cause, _ = self.concept_roles.get(chemical, (0, 0, 0))
        named_d, _, effect = self.concept_roles.get(disease, (0, 0, 0))
        prior_c, prior_d = self._parent_rate(chemical, 1), self._parent_rate(disease, 2)
        return (cause + 2 * prior_c) / (named_c + 2), (effect + 2 * prior_d) / (named_d + 2)

    def _parent_rate(self, mesh: str, role: int) -> float:
        named = hit = 0
        for parent in {t.rsplit(".", 1)[0] for t in self.trees.get(mesh, ()) if "." in t}:
            counts = self._parent_roles.get(parent, (0, 0, 0))
            named, hit = named + counts[0], hit + counts[role]
        return (hit + 0.5) / (named + 2)

    def concept_of(self, mesh: str) -> Concept | None:
        return self.by_mesh.get(mesh)

    def mentions(self, text: str) -> list[Mention]:
        """Concepts named in ``text``, non-overlapping, left to right (short forms resolved).

        The last text's mentions are kept: the PubMed loader asks twice about each abstract.
        """
        last = self._last
        if last is not None and last[0] == text:
            return list(last[1])
        found = self._mentions(text)
        self._last = (text, tuple(found))
        return found

    def _mentions(self, text: str) -> list[Mention]:
        if not self.size:
            return []
        folded = fold(text)
        hits: list[tuple[int, int, _Name]] = []
        for end, (form, name) in self._automaton.iter(folded):
            start = end + 1 - len(form)
            if (start > 0 and folded[start - 1].isalnum()) or (end + 1 < len(folded) and folded[end + 1].isalnum()):
                continue
            if name.cased is not None and text[start : end + 1] != name.cased:
                continue
            hits.append((start, end + 1, name))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        chosen: list[tuple[int, int, Concept]] = []
        reach = -1
        for start, end, name in hits:
            if start >= reach:
                chosen.append((start, end, name.concept))
                reach = end
        return self._with_short_forms(text, chosen)

    def _with_short_forms(self, text: str, chosen: list[tuple[int, int, Concept]]) -> list[Mention]:
        defined = definitions(text)
        if not defined:
            return [Mention(c, s, e, text[s:e]) for s, e, c in chosen]
        meaning: dict[str, Concept | None] = {}
        for d in defined:
            inside = [c for s, e, c in chosen if s >= d.long_start and e <= d.long_end and e >= d.long_end - 1]
            meaning.setdefault(d.short, inside[-1] if inside else None)
        kept = [(s, e, c) for s, e, c in chosen if text[s:e] not in meaning]
        taken = [(s, e) for s, e, _ in kept]
        for short, concept in meaning.items():
            if concept is None:
                continue
            for m in re.finditer(r"(?<![\w-])" + re.escape(short) + r"s?(?![\w])", text):
                if not any(s < m.end() and m.start() < e for s, e in taken):
                    kept.append((m.start(), m.end(), concept))
        kept.sort(key=lambda h: h[0])
        return [Mention(c, s, e, text[s:e]) for s, e, c in kept]


#: Drugs MeSH names by their US name and abstracts also by the international or British one (``words.yaml``).
_INTERNATIONAL = {
    key(name): tuple(key(o) for o in others.split(";") if o.strip())
    for name, others in word_map("drugs", "international_names").items()
}

#: Counter-ions MeSH names a drug's salt with; the word before them alone is the drug as abstracts name it.
_SALT = re.compile(
    r" (?:hydrochloride|dihydrochloride|hydrobromide|mesylate|maleate|fumarate|tartrate|besylate|succinate|acetate|sodium)$"
)


#: MeSH branches of macromolecules, biological factors (enzymes, proteins, nucleic acids, antigens) and
#: pharmacological classes (D27: "antidepressants"): a class named in passing is not the drug a claim is about.
_NOT_A_DRUG = ("D08.", "D12.776", "D12.644", "D13.", "D23.", "D05.", "D09.", "D10.", "D24.", "D27.")


#: Of those, the branches whose single compounds (a descriptor with nothing under it) are drugs: bleomycin,
#: heparin, amikacin, lisinopril, zidovudine; their inner descriptors are classes ("Aminoglycosides").
_COMPOUND_BRANCHES = ("D09.", "D12.644", "D13.", "D10.")


def _not_a_drug(trees: tuple[str, ...], parents: frozenset[str] | set[str] = frozenset()) -> bool:
    """A class or a macromolecule: every D tree number in a branch of those, and not a single compound there."""
    mine = [t for t in trees if t.startswith("D")]
    if not mine or not all(t.startswith(_NOT_A_DRUG) for t in mine):
        return False
    return not all(t.startswith(_COMPOUND_BRANCHES) and t not in parents for t in mine)


def _cased_form(term: str, form: str) -> str | None:
    """The spelling a short abbreviation must have in the text ("NO", "MS"), or ``None``."""
    if not is_abbreviation(term):
        return None
    base = key(term)
    if form == base:
        return term
    return term + form[len(base) :] if form.startswith(base) else None


_CACHE: dict[tuple[str, float, int], Recognizer] = {}


def store_recognizer(store: VocabularyStore) -> Recognizer | None:
    """The recogniser over a store's imported vocabulary (``None`` when none was imported).

    Built once per process and vocabulary version: building it from 30,000 names takes a
    fraction of a second, matching with it microseconds per sentence.
    """
    if not store.exists:
        return None
    stat = store.path.stat()
    cache_key = (str(store.path), stat.st_mtime, stat.st_size)
    if cache_key not in _CACHE:
        _CACHE.clear()
        _CACHE[cache_key] = Recognizer(
            store.entries(),
            term_use=store.term_use(),
            trees=store.trees(),
            known_relations=store.known_relations(),
            concept_roles=store.concept_roles(),
        )
    return _CACHE[cache_key]
