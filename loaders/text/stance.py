"""Whether a sentence reports an outcome, denies it, or neither — and the cue that decided.

A negation counts only where it scopes over the outcome ("geen hypoglykemie", "did not
experience hypoglycemia", "hypoglykemie werd niet gezien"); one elsewhere in the sentence
("geen effect op GH") says nothing about it.  The cues are listed in ``words.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.model import EdgeType
from loaders.text.numbers import NUM
from loaders.text.sentences import clause_end, clause_start
from loaders.text.words import either

__all__ = ["Judgement", "judge", "stance"]


@dataclass(frozen=True)
class Judgement:
    """A sentence's stance towards an outcome, and the cue ("geen", "reported", ...) behind it."""

    stance: EdgeType | None
    reason: str | None = None  # negated | corrected | hedged | reported
    cue: str | None = None


def _cues(name: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{either('stance', name)})\b", re.IGNORECASE)


_NEG_BEFORE = _cues("negation_before")
_NEG_VERB_BEFORE = _cues("negation_verb_before")
_NEG_AFTER = _cues("negation_after")
_NEG_SUBJECT = _cues("negated_subject")
_CORRECTION = _cues("correction")
_HEDGE = _cues("hedge")
_SUPPORT = _cues("support")
_NUMERIC_UNITS = either("stance", "numeric_units", after=r"\b")
_NUMERIC_PEOPLE = either("stance", "numeric_people")
_NUMERIC_CUE = re.compile(
    rf"{NUM}\s*(?:%|{_NUMERIC_UNITS})|\b\d+\s*/\s*\d+\s+(?:{_NUMERIC_PEOPLE})\b",
    re.IGNORECASE,
)
_WORDS_ONLY = re.compile(r"(?:\s+[^\W\d]+){0,3}?\s+", re.UNICODE)


def _locate(sentence: str, outcome: str | None) -> tuple[int, int] | None:
    if not outcome:
        return None
    i = sentence.lower().find(outcome.lower())
    return (i, i + len(outcome)) if i >= 0 else None


def judge(sentence: str, outcome: str | None = None) -> Judgement:
    """The stance of ``sentence`` towards ``outcome`` (a term as written in it), with its cue.

    Negation must scope over the outcome ("geen hypoglykemie", "did not experience
    hypoglycemia", "hypoglykemie werd niet gezien"); a negation elsewhere in the sentence
    ("geen effect op GH") says nothing about it.  Without ``outcome`` the whole sentence counts.
    """
    where = _locate(sentence, outcome)
    a, b = where if where else (0, len(sentence))
    lo, hi = (clause_start(sentence, a), clause_end(sentence, b)) if where else (0, len(sentence))
    for m in _NEG_BEFORE.finditer(sentence, lo, a if where else hi):
        if not where or _WORDS_ONLY.fullmatch(sentence[m.end() : a]) or m.end() == a:
            return Judgement(EdgeType.CONTRADICTS, "negated", m.group(0))
    for m in _NEG_VERB_BEFORE.finditer(sentence, lo, a if where else hi):
        gap = sentence[m.end() : a]
        if not where or re.fullmatch(r"(?:\s+[^\W\d]+){0,4}?\s+", gap):
            return Judgement(EdgeType.CONTRADICTS, "negated", m.group(0))
    if where:
        m = _NEG_AFTER.search(sentence, b, hi)
        if m and re.fullmatch(r"(?:\s+[^\W\d]+){0,5}?\s+", sentence[b : m.start()] or " "):
            return Judgement(EdgeType.CONTRADICTS, "negated", m.group(0))
    m = _NEG_SUBJECT.search(sentence, 0, a if where else len(sentence))
    if m:
        return Judgement(EdgeType.CONTRADICTS, "negated", m.group(0))
    m = _CORRECTION.search(sentence, lo, hi)
    if m and (not where or abs(m.start() - b) <= 40 or abs(a - m.end()) <= 40):
        return Judgement(EdgeType.CONTRADICTS, "corrected", m.group(0))
    m = _HEDGE.search(sentence)
    if m:
        return Judgement(None, "hedged", m.group(0))
    if where and len(sentence[lo:a].split()) <= 1 and lo > 0:
        # "basale, milde hyperinsulinemie": an adjective list, the verb is in the clause before
        lo = clause_start(sentence, max(lo - 2, 0))
    m = _SUPPORT.search(sentence, lo, hi) or _NUMERIC_CUE.search(sentence, lo, hi)
    if m:
        return Judgement(EdgeType.SUPPORTS, "reported", m.group(0))
    return Judgement(None)


def stance(sentence: str, outcome: str | None = None) -> EdgeType | None:
    """SUPPORTS when the sentence reports the outcome, CONTRADICTS when it denies it, else None."""
    return judge(sentence, outcome).stance
