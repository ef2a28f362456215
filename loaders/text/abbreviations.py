"""Short forms a text defines: "levodopa-induced dyskinesias (LIDs)" (Schwartz & Hearst, 2003).

The algorithm: a parenthesised short form of 2–10 characters that starts with a letter
or digit and holds a letter; its long form is the shortest run of preceding words (at most
``min(len + 5, 2 * len)``) in which the short form's characters appear in order, the first
one starting a word.  Precise rather than exhaustive, which is what resolving names needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Definition", "definitions"]

_PAREN = re.compile(r"\(([^()\s;,][^();,]{0,9})\)")


@dataclass(frozen=True)
class Definition:
    short: str
    long_start: int
    long_end: int


def definitions(text: str) -> list[Definition]:
    """Every ``long form (SF)`` in ``text``, with the long form's span."""
    found: list[Definition] = []
    for m in _PAREN.finditer(text):
        short = m.group(1).strip()
        if not (2 <= len(short) <= 10) or not any(c.isalpha() for c in short) or not short[0].isalnum():
            continue
        if short.count(" ") > 1:
            continue
        before_end = m.start()
        while before_end > 0 and text[before_end - 1] == " ":
            before_end -= 1
        window = text[max(0, before_end - 200) : before_end]
        words = list(re.finditer(r"\S+", window))
        limit = min(len(short) + 5, 2 * len(short))
        words = words[-limit:]
        if not words:
            continue
        offset = max(0, before_end - 200)
        long_start = _best_long_form(short, window, words)
        if long_start is None:
            continue
        found.append(Definition(short, offset + long_start, before_end))
    return found


def _best_long_form(short: str, window: str, words: list[re.Match[str]]) -> int | None:
    """Start of the long form within ``window`` (Schwartz–Hearst backwards match), or ``None``."""
    s = [c.lower() for c in short if c.isalnum()]
    if not s:
        return None
    long_text = window[words[0].start() :]
    base = words[0].start()
    si = len(s) - 1
    li = len(long_text) - 1
    while si >= 0:
        c = s[si]
        while li >= 0 and (long_text[li].lower() != c or (si == 0 and li > 0 and long_text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        si -= 1
        li -= 1
    start = long_text.rfind(" ", 0, li + 1) + 1
    return base + start
