"""Which language a clinical text is in: Dutch, English, or one the text rules cannot read.

Counting common function words is good enough for a paragraph; the word lists are in
``words.yaml``.
"""

from __future__ import annotations

import re

from loaders.text.words import word_set, word_sets

__all__ = ["language", "unreadable_language"]

_NL = word_set("language", "dutch")
_EN = word_set("language", "english")
#: Function words of languages the text rules do not read; if they outnumber English and
#: Dutch ones, figures and stances are not read from the text.
_OTHER_WORDS = word_sets("language", "unreadable")


def language(text: str) -> str:
    """ "nl" or "en", by counting common function words (good enough for a paragraph)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    nl = sum(w in _NL for w in words)
    en = sum(w in _EN for w in words)
    return "nl" if nl >= en else "en"


def unreadable_language(text: str) -> str | None:
    """The language of text these rules cannot read (German, French, Spanish), else ``None``.

    Figures and stances are not read from such text rather than misread.
    """
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 8:
        return None
    ours = sum(w in _NL or w in _EN for w in words)
    best = max(_OTHER_WORDS, key=lambda lang: sum(w in _OTHER_WORDS[lang] for w in words))
    theirs = sum(w in _OTHER_WORDS[best] for w in words)
    return best if theirs > ours else None
