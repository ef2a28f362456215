"""Sentences and clauses of wrapped PDF text, as spans with absolute offsets.

PDF text layers wrap lines anywhere and mix bullets into sentences.  Every span keeps its
position in the document text, so any span becomes a quote found verbatim in the source.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from loaders.text.words import word_set

__all__ = ["Span", "clause_end", "clause_start", "clauses", "sentences", "unwrap"]


@dataclass(frozen=True)
class Span:
    """A stretch of the document: ``text == document[start:end]``."""

    start: int
    end: int
    text: str


_BULLET = re.compile(r"(?m)^[ \t]*(?:[•▪◦●‣∙·*]|[o\-–](?=[ \t]))[ \t]*")
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)")
_ABBREVIATIONS = word_set("sentences", "abbreviations")
_CLAUSE_CUT = re.compile(r"[,;](?=\s)|\s[–—]\s")


def _is_abbreviation(text: str, dot: int) -> bool:
    m = re.search(r"([\w.]+)$", text[max(0, dot - 12) : dot])
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of ``text[start:end]``: split at end punctuation, bullets and sub-bullets.

    A line break alone never ends a sentence (PDF text wraps mid-sentence); abbreviations
    ("et al.", "resp."), initials and section numbers ("7.5.") do not end one either.
    """
    end = len(text) if end is None else end
    cuts: list[tuple[int, int]] = []  # (end of previous sentence, start of next)
    for m in _BULLET.finditer(text, start, end):
        cuts.append((m.start(), m.end()))
    bullet_ends = sorted(c[1] for c in cuts)
    sentence_start = start
    for m in _END.finditer(text, start, end):
        dot = m.start()
        nxt = m.end()
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt < end and not (text[nxt].isupper() or text[nxt].isdigit() or text[nxt] in "([•\"'“‘"):
            continue
        if text[dot] == "." and _is_abbreviation(text, dot):
            continue
        below = bisect.bisect_right(bullet_ends, dot)  # sentence ends are cut in order: only bullets need a search
        previous = max(bullet_ends[below - 1], sentence_start) if below else sentence_start
        if re.fullmatch(r"[\d.\s]*", text[previous:dot]):  # "7.5." numbering, not a sentence
            continue
        cuts.append((m.end(), m.end()))
        sentence_start = m.end()
    cuts.sort()
    spans: list[Span] = []
    position = start
    for cut_end, cut_start in cuts:
        span = _trimmed(text, position, cut_end)
        if span:
            spans.append(span)
        position = max(position, cut_start)
    span = _trimmed(text, position, end)
    if span:
        spans.append(span)
    return spans


def clauses(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Parts of ``text[start:end]`` between commas and semicolons (decimal commas stay)."""
    end = len(text) if end is None else end
    spans, position = [], start
    for m in _CLAUSE_CUT.finditer(text, start, end):
        span = _trimmed(text, position, m.start())
        if span:
            spans.append(span)
        position = m.end()
    span = _trimmed(text, position, end)
    if span:
        spans.append(span)
    return spans


def clause_start(text: str, position: int) -> int:
    """Where the clause holding ``text[position]`` begins: after the last comma, semicolon or dash before it."""
    return max((m.end() for m in _CLAUSE_CUT.finditer(text, 0, position)), default=0)


def clause_end(text: str, position: int) -> int:
    """Where the clause holding ``text[position]`` ends: at the next comma, semicolon or dash."""
    return next((m.start() for m in _CLAUSE_CUT.finditer(text, position)), len(text))


def unwrap(text: str) -> str:
    """One line from wrapped text: a line ending in a hyphen joins the next without a space."""
    text = re.sub(r"([\-–])[ \t]*\n\s*(?=\w)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()
