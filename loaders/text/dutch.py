"""Dutch compounds and inflections read as the names a vocabulary knows.

Dutch writes a medical term as one word ("melkzuuracidose", "nierfalen") or inflects it
("hypoglykemieën", "hypoglykemische"); MeSH and most curated vocabularies hold the English
name ("lactic acidosis", "kidney failure").  :func:`readings` gives a word's candidate names —
its uninflected Dutch forms, then its parts translated from the table in
``dutch_compounds.yaml`` ("melkzuur" + "acidose" → "lactic acidosis") — and the caller keeps
the first one its vocabulary knows, so nothing is read that the vocabulary cannot name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

import yaml

__all__ = ["WORD", "readings"]

#: A word a compound may be: letters (and inner hyphens), at least five of them.
WORD = re.compile(r"(?<![\w-])[^\W\d_](?:[^\W\d_]|-(?=[^\W\d_])){4,60}(?![\w-])")
#: Linking sounds between the parts of a compound ("gewicht-s-toename", "zenuw-en-pijn").
_LINKS = ("", "s", "en", "e")
#: Inflected endings and their dictionary form: plurals and the adjective's -e.  The first ones
#: give a Dutch name a vocabulary may hold ("hypoglykemieën", "hypoglykemische" → "hypoglykemie"); the plain plural
#: endings are only undone to find a word in the table ("nierstenen" is in it as it is).
_INFLECTIONS = (("ieen", "ie"), ("ses", "se"), ("ische", "isch"), ("ische", "ie"), ("isch", "ie"))
_PLURALS = (("'s", ""), ("en", ""), ("s", ""))


@cache
def _table() -> dict[str, dict[str, tuple[str, ...]]]:
    text = resources.files("loaders.text").joinpath("dutch_compounds.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text) or {}
    return {
        part: {_fold(k): tuple(str(x) for x in v) for k, v in (raw.get(part) or {}).items()}
        for part in ("modifiers", "heads", "words")
    }


def _fold(word: str) -> str:
    """Lower case, accents and diaeresis dropped ("insufficiëntie" → "insufficientie")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65_536)
def readings(word: str) -> tuple[str, ...]:
    """Candidate names of ``word``, most literal first; empty when the table has nothing to say."""
    table = _table()
    folded = _fold(word).replace("’", "'")
    dutch = [folded[: -len(end)] + base for end, base in _INFLECTIONS if folded.endswith(end)]
    plural = next((folded[: -len(end)] for end, _ in _PLURALS if folded.endswith(end)), None)
    out: list[str] = [b for b in dutch if len(b) >= 4]
    for base in (folded, *dutch, *([plural] if plural else [])):
        flat = base.replace("-", "")
        out.extend(table["words"].get(flat, ()))
        out.extend(_compound(flat, table))
    seen = {folded}
    return tuple(r for r in out if not (r in seen or seen.add(r)))


def _compound(word: str, table: dict[str, dict[str, tuple[str, ...]]]) -> list[str]:
    """Modifier + head readings of a compound, longest head first ("nier|insufficientie")."""
    out: list[str] = []
    for cut in range(3, len(word) - 2):
        head, front = word[cut:], word[:cut]
        english_heads = table["heads"].get(head) or table["words"].get(head)
        if not english_heads:
            continue
        for link in _LINKS:
            if link and not front.endswith(link):
                continue
            modifier = front[: len(front) - len(link)] if link else front
            for english in table["modifiers"].get(modifier, ()):
                out.extend(f"{english} {h}" for h in english_heads)
    return out
