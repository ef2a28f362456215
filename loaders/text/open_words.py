"""The word shapes drugs and diseases are recognised by without a dictionary, and their word lists.

A drug's name has an INN stem (-pril, -olol, -mab …) or a chemical ending (-ine, -ide, -ate …, with the
English words that end so listed as exceptions); a disease's name ends in a head such as -itis, -emia,
-opathy, failure or seizure.  The lists are ``open_terms.yaml`` beside this module, read once per
process; a broken list fails naming it, never silently with fewer words.  Used by
:mod:`loaders.text.open_terms`.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import yaml

__all__ = ["WordLists", "concept_name", "disease_head", "is_chemical", "lower", "modifier", "word_lists"]

LISTS_FILE = "open_terms.yaml"
#: Hyphens other than "-" ("cocaine‐induced" with U+2010), read as "-" (one character for one: offsets hold).
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})
#: A drug's code: "MK-801", "FK506", "SSR103800".
CODE = re.compile(r"[A-Z]{1,5}[- ]?\d{2,6}[A-Za-z]?")


class WordLists:
    """The word lists, checked once: a broken file fails naming the list, never with fewer words."""

    def __init__(self, data: object) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"loaders/text/{LISTS_FILE}: expected sections chemical, disease, claims")
        self._data = data
        c, d, k = "chemical", "disease", "claims"
        self.chem_endings = tuple(self._list(c, "endings"))
        self.chem_words = self._set(c, "words")
        self.not_chemical = self._set(c, "not_chemical")
        self.prefixes = self._set(c, "prefixes")
        self.not_prefixes = self._set(c, "not_prefixes")
        self.second_words = self._set(c, "second_words")
        self.first_words = self._set(c, "first_words")
        self.dis_endings = tuple(self._list(d, "endings"))
        self.dis_words = self._set(d, "words")
        self.needs_modifier = self._set(d, "needs_modifier")
        self.continuations = self._set(d, "continuations")
        self.not_disease = self._set(d, "not_disease")
        self.not_modifiers = self._set(d, "not_modifiers")
        self.degree = self._set(d, "degree")
        self.generic = self._set(d, "generic")
        self.vague = self._set(d, "vague_modifiers")
        self.roles = self._set(k, "roles")
        self.stops = self._set(d, "stops")
        self.ed_modifiers = self._set(d, "ed_modifiers")
        self.hyphen_cues = self._set(k, "hyphen_cues")
        self.by_cues = self._set(k, "by_cues")
        self.to_cues = self._set(k, "to_cues")
        self.after_cues = self._set(k, "after_cues")
        self.exposures = self._set(k, "exposures")
        self.active_verbs = self._set(k, "active_verbs")
        self.base_verbs = self._set(k, "base_verbs")
        self.toxicities = self._set(k, "toxicities")
        self.lead_in = self._set(k, "lead_in")
        self.occurrence = self._set(k, "occurrence")
        self.negation_fillers = self._set(k, "negation_fillers")
        self.treatments = self._set(k, "treatments")
        self.treatment_verbs = self._set(k, "treatment_verbs")
        self.denials = _phrases(self._list(k, "denials"))
        self.negations = _phrases(self._list(k, "negations"))
        self.negated_after = _phrases(self._list(k, "negated_after"))
        self.scope_end = re.compile(r"[,;:]|\b(?:" + "|".join(map(re.escape, self._list(k, "scope_ends"))) + r")\b")
        self.hyphen = re.compile(r"(.+)-(" + "|".join(map(re.escape, sorted(self.hyphen_cues))) + ")")

    def _list(self, section: str, name: str) -> list[str]:
        entry = self._data.get(section, {}).get(name) if isinstance(self._data.get(section), dict) else None
        if not isinstance(entry, list) or not entry or not all(isinstance(w, str) and w for w in entry):
            raise ValueError(f"loaders/text/{LISTS_FILE}: {section}.{name} must be a non-empty list of text")
        return [w.lower() for w in entry]

    def _set(self, section: str, name: str) -> frozenset[str]:
        return frozenset(self._list(section, name))


def _phrases(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b")


@functools.cache
def word_lists() -> WordLists:
    """The word lists, read and checked once per process."""
    text = resources.files("loaders.text").joinpath(LISTS_FILE).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader when built: 30x faster
    return WordLists(yaml.load(text, Loader=loader))  # noqa: S506 - a safe loader, C or Python


def _chemical_word(low: str) -> bool:
    lists = word_lists()
    if low in lists.chem_words:
        return True
    if low in lists.not_chemical or not low.isalpha() or len(low) < 6:
        return False
    return low.endswith(lists.chem_endings)


@functools.lru_cache(maxsize=1 << 16)
def is_chemical(word: str) -> bool:
    """Whether a word has the shape of a drug's or chemical's name ("lisinopril", "5-fluorouracil", "MK-801")."""
    if CODE.fullmatch(word):
        return True
    low = word.lower()
    if "-" not in low:
        return _chemical_word(low)
    parts = low.split("-")
    lists = word_lists()
    if parts[0] in lists.not_prefixes or not _chemical_word(parts[-1]):
        return False
    return all(
        p in lists.prefixes or _chemical_word(p) or re.fullmatch(r"\d+(?:,\d+)*[a-z]?|[a-z]\d*", p) for p in parts[:-1]
    )


def _singulars(low: str) -> tuple[str, ...]:
    if low.endswith("ies"):
        return (low[:-3] + "y",)
    if low.endswith("oses"):
        return (low[:-2] + "is",)
    if low.endswith("s") and not low.endswith(("ss", "is", "us")):
        return (low[:-1],)
    return ()


@functools.lru_cache(maxsize=1 << 16)
def disease_head(word: str) -> str | None:
    """The word as the head of a disease's name, in the singular ("seizures" → "seizure"), or ``None``."""
    lists = word_lists()
    low = word.lower()
    last = low.rsplit("-", 1)[-1]
    if last.startswith("anti"):
        return None  # "antihyperalgesia" is a drug's effect against one
    for form in (last, *_singulars(last)):
        if form in lists.dis_words:
            return low[: len(low) - len(last)] + form
        if form in lists.not_disease or not form.isalpha() or len(form) < 6:
            continue
        if form.endswith(lists.dis_endings):
            return low[: len(low) - len(last)] + form
    return None


def lower(word: str) -> str:
    """Lower case of the same length ("İ" lowers to two characters: kept as it is), "‐" read as "-"."""
    low = word.lower()
    if len(low) != len(word):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in word)
    return low.translate(_HYPHENS)


def modifier(low: str) -> bool:
    """Whether a (lower-cased) word may stand before a disease's head ("acute", "renal", "Parkinson's")."""
    lists = word_lists()
    if low in lists.stops or low in lists.treatments or low in lists.treatment_verbs:
        return False
    if low.endswith("ly") or any(c.isdigit() for c in low):
        return False
    if low.endswith("ed") and low not in lists.ed_modifiers and low not in lists.degree:
        return False
    return not low.endswith("ing") or "-" in low


def concept_name(words: str) -> str:
    """A concept's name from the words that name it: lower-cased, except short forms and codes ("MK-801")."""
    out = []
    for word in words.split():
        out.append(word if any(c.isupper() for c in word[1:]) or CODE.fullmatch(word) else word.lower())
    return " ".join(out)
