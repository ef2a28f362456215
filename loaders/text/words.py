"""The word lists of the text rules, read once from ``words.yaml`` beside this module.

Kept out of the code so that a reader can see (and extend) what the rules look for without
reading regular expressions.  The file ships with the package; a broken copy fails at import
naming the list it could not read, never silently with fewer cues.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

__all__ = ["alternatives", "either", "word_map", "word_set", "word_sets", "words"]

WORDS_FILE = "words.yaml"


@functools.cache
def words() -> dict[str, Any]:
    """The whole file, parsed once per process."""
    text = resources.files("loaders.text").joinpath(WORDS_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"loaders/text/{WORDS_FILE}: expected sections of word lists, got {type(data).__name__}")
    return data


def _entry(section: str, name: str) -> Any:
    try:
        return words()[section][name]
    except (KeyError, TypeError):
        raise ValueError(f"loaders/text/{WORDS_FILE}: no list {section}.{name}") from None


def _texts(where: str, entry: Any) -> tuple[str, ...]:
    if not isinstance(entry, list) or not entry or not all(isinstance(w, str) and w for w in entry):
        raise ValueError(
            f"loaders/text/{WORDS_FILE}: {where} must be a non-empty list of text "
            f"(quote entries such as 'no' that YAML reads as true/false)"
        )
    return tuple(entry)


def alternatives(section: str, name: str) -> tuple[str, ...]:
    """A list in the order written (cue lists are regular-expression alternatives, tried in order)."""
    return _texts(f"{section}.{name}", _entry(section, name))


def either(section: str, name: str, *, before: str = "", after: str = "") -> str:
    """A cue list as one regular-expression alternation ``a|b|c``, each entry between ``before`` and ``after``."""
    return "|".join(f"{before}{w}{after}" for w in alternatives(section, name))


def word_set(section: str, name: str) -> frozenset[str]:
    """A list as a set of whole words."""
    return frozenset(alternatives(section, name))


def word_sets(section: str, name: str) -> dict[str, frozenset[str]]:
    """A mapping of names to word sets (one set per language), in the order written."""
    entry = _entry(section, name)
    if not isinstance(entry, dict) or not entry:
        raise ValueError(f"loaders/text/{WORDS_FILE}: {section}.{name} must map names to word lists")
    return {str(key): frozenset(_texts(f"{section}.{name}.{key}", value)) for key, value in entry.items()}


def word_map(section: str, name: str) -> dict[str, str]:
    """A mapping of text to text (a word to the name it is given)."""
    entry = _entry(section, name)
    if not isinstance(entry, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in entry.items()):
        raise ValueError(f"loaders/text/{WORDS_FILE}: {section}.{name} must map text to text")
    return dict(entry)
