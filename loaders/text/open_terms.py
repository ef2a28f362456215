"""Adverse-effect claims the text states outright, about drugs and diseases no vocabulary names.

Without an imported vocabulary a concept exists only if the bundled YAML names it, so real
abstracts about any other drug gave no claim at all.  This module reads the strongest
statements by their grammar alone — "X-induced Y" (and "Y2" in "X-induced Y, Y2 and Y3"),
"X-associated Y", "Y induced/caused by X", "Y due to / secondary to / resulting from X",
"cisplatin nephrotoxicity", "the nephrotoxicity of X", "Y after X administration", "Y
associated with X therapy", "X caused Y" and "X did not cause Y", and in a title "Y after /
following / associated with X" and "Ifosfamide encephalopathy" — where X has the shape of a
drug's name and Y of a disease's (:mod:`loaders.text.open_words`, lists in ``open_terms.yaml``).

A concept found so is named by the words of the text (lower-cased; a disease's head in the
singular; "severe", "transient" left out), so the same name is one node across documents; it
has no MeSH id.  Where a vocabulary names the words, its concept is used instead.  A claim
quotes its sentence.  A negation right before it ("no", "without", "absence of", filler words
only) or after it ("Y was not observed") makes it CONTRADICTS; "improvement of Y after X" and
"patients with Y after X" are not claims; "X for Y", "X improved Y" match no pattern.  A claim
about "toxicity" alone ("lithium toxicity") is left out: it names no particular harm and would
link every drug named so to one node.  Precision over recall: anything looser is the claim
model's job (:mod:`loaders.text.claims`), over an imported vocabulary.

Longer than our ~400-line habit on purpose: one grammar (the patterns and the guards that keep
each from over-reading) is clearer in one place; the word shapes are in :mod:`loaders.text.open_words`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from graph.model import EdgeType, NodeKind
from graph.vocabulary import Concept, Mention
from loaders.text.abbreviations import definitions
from loaders.text.claims import Claim
from loaders.text.open_words import concept_name, disease_head, is_chemical, lower, modifier, word_lists
from loaders.text.sentences import Span

__all__ = ["OpenClaim", "open_claims"]

_DISEASE = (NodeKind.CONDITION, NodeKind.OUTCOME)
_WORD = re.compile(r"[^\W_](?:[\w'’\u2010\u2011-]*[^\W_])?")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,7}s?")
#: How far back a negation or a treatment word can be from what it is about.
LOOK_BACK = 160


@dataclass(frozen=True)
class OpenClaim:
    """A claim read by its grammar, with the mentions that name its drug and its disease."""

    claim: Claim
    drug: Mention
    disease: Mention


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str
    low: str


class _Sentence:
    """One sentence's words, and what the text around them says."""

    def __init__(self, text: str, span: Span, known: Sequence[Mention], acronyms: dict[str, str]) -> None:
        self.text = text
        self.span = span
        low = lower(span.text)  # of the same length: each word's lower case is its slice
        self.toks = [
            _Tok(span.start + m.start(), span.start + m.end(), m.group(0), low[m.start() : m.end()])
            for m in _WORD.finditer(span.text)
        ]
        self.known = [m for m in known if span.start <= m.start and m.end <= span.end]
        self.acronyms = acronyms
        self.continuations = word_lists().continuations
        self.starts = [t.start for t in self.toks]

    def joined(self, i: int, j: int) -> bool:
        """Whether tokens i and j = i + 1 stand side by side with only spaces between."""
        return 0 <= i < j < len(self.toks) and not self.text[self.toks[i].end : self.toks[j].start].strip()

    def known_at(self, start: int, end: int) -> Mention | None:
        return next((m for m in self.known if m.start < end and start < m.end), None)

    # -- the drug ------------------------------------------------------------------------
    def drug(self, start: int, end: int) -> tuple[Mention, bool] | None:
        """The drug the text names at [start, end): the vocabulary's concept, else one by its shape."""
        lists = word_lists()
        known = self.known_at(start, end)
        if known is not None:
            if known.concept.kind is not NodeKind.DRUG:
                return None
            if known.start <= start and end <= known.end + 1:
                return known, True
        second = lists.second_words | lists.first_words
        words = self.text[start:end]
        if words.lower() in lists.second_words:
            return None  # a salt alone ("hydrochloride") names no drug
        if " " not in words and _ACRONYM.fullmatch(words) and words.rstrip("s") in self.acronyms:
            name = self.acronyms[words.rstrip("s")]
        elif all(is_chemical(w) or w.lower() in second for w in words.split()):
            if not any(is_chemical(w) for w in words.split()) and not words.lower().endswith(" acid"):
                return None
            name = words
        elif re.fullmatch(r"[^\W\d_]+ic acids?", words, re.IGNORECASE) or (
            len(words.split()) == 2 and words.split()[1].lower() in lists.second_words - lists.first_words
        ):
            name = words
        else:
            return None
        return Mention(Concept(NodeKind.DRUG, concept_name(name)), start, end, words), False

    def drug_before(self, k: int, end: int) -> tuple[int, int] | None:
        """The span of the drug's name ending at ``end`` inside token k (its first word may be token k - 1)."""
        start = self.toks[k].start
        lists = word_lists()
        part = self.text[start:end].lower()
        if self.joined(k - 1, k):
            prev = self.toks[k - 1].low
            salt = part in lists.second_words and part not in lists.first_words and not part.startswith("acid")
            if (
                (part in lists.second_words and (is_chemical(prev) or prev.endswith("ic") or prev in lists.first_words))
                or (prev in lists.first_words and is_chemical(part))
                or (salt and prev.isalpha() and len(prev) > 3 and prev not in lists.stops)
            ):
                start = self.toks[k - 1].start  # "lithium carbonate", "bupropion hydrochloride"
        return start, end

    def drug_after(self, i: int) -> tuple[int, int] | None:
        """The span of the drug's name starting at token i, after a lead-in ("high doses of", "the")."""
        lists = word_lists()
        steps = 0
        while i < len(self.toks) and self.toks[i].low in lists.lead_in and steps < 6:
            if i + 1 < len(self.toks) and not self.joined(i, i + 1):
                return None
            i, steps = i + 1, steps + 1
        if i >= len(self.toks):
            return None
        end = i
        if self.joined(i, i + 1):
            nxt = self.toks[i + 1].low
            first = self.toks[i].low
            if not is_chemical(self.toks[i].text) and is_chemical(self.toks[i + 1].text):
                return self.toks[i + 1].start, self.toks[i + 1].end  # "the antidepressant fluoxetine"
            if nxt in lists.roles:  # "the dopamine antagonist sulpiride", "the antiepileptic drug valproate"
                named = i + 2 < len(self.toks) and self.joined(i + 1, i + 2) and is_chemical(self.toks[i + 2].text)
                return (self.toks[i + 2].start, self.toks[i + 2].end) if named else None
            if nxt in lists.second_words or (first in lists.first_words and is_chemical(nxt)):
                end = i + 1
        return self.toks[i].start, self.toks[end].end

    # -- the disease ---------------------------------------------------------------------
    def disease(self, first: int, head: int) -> tuple[Mention, bool] | None:
        """The disease named by tokens first..head (and a continuation after the head)."""
        lists = word_lists()
        last = head
        if self.joined(head, head + 1) and self.toks[head + 1].low in lists.continuations:
            last = head + 1
        mods = self.toks[first:head]
        while mods and mods[0].low in lists.degree:
            mods = mods[1:]
        head_word = disease_head(self.toks[head].text)
        if head_word is None:
            return None
        if head_word in lists.generic and all(m.low in lists.vague for m in mods):
            return None  # "toxicity" alone names no particular harm
        if head_word.rsplit("-", 1)[-1] in lists.needs_modifier and (
            not mods or all(m.low in lists.not_modifiers for m in mods)
        ):
            return None
        if mods and mods[-1].low in lists.not_modifiers:
            return None
        start = mods[0].start if mods else self.toks[head].start
        end = self.toks[last].end
        known = self.known_at(self.toks[head].start, self.toks[head].end)
        if known is not None:
            if known.concept.kind not in _DISEASE:
                return None
            if start <= known.start and known.end == end:
                return known, True  # the vocabulary names the disease (or the words that end its name)
        words = [m.text for m in mods] + [head_word] + [t.text for t in self.toks[head + 1 : last + 1]]
        concept = Concept(NodeKind.OUTCOME, concept_name(" ".join(words)))
        return Mention(concept, start, end, self.text[start:end]), False

    def disease_after(self, i: int) -> tuple[int, int] | None:
        """(first, head) of a disease whose name starts at token i: up to three modifiers, then a head."""
        for j in range(i, min(i + 4, len(self.toks))):
            if j > i and not self.joined(j - 1, j):
                return None
            if disease_head(self.toks[j].text):
                return i, j
            if not modifier(self.toks[j].low) or is_chemical(self.toks[j].text):
                return None
        return None

    def coordinated(self, head: int) -> tuple[int, int] | None:
        """The next disease of a list after the one whose head is token ``head`` ("Y1, Y2 and Y3")."""
        n = head + 1
        if n < len(self.toks) and self.toks[n].low in self.continuations:
            head, n = n, n + 1
        if n >= len(self.toks):
            return None
        gap = self.text[self.toks[head].end : self.toks[n].start].strip()
        if gap not in ("", ",") or (gap == "" and self.toks[n].low not in ("and", "or")):
            return None
        if self.toks[n].low in ("and", "or"):
            n += 1
        return self.disease_after(n) if n < len(self.toks) else None

    def disease_before(self, k: int) -> tuple[int, int] | None:
        """(first, head) of a disease whose name ends at token k."""
        lists = word_lists()
        head = k
        if self.toks[k].low in lists.continuations and k > 0 and self.joined(k - 1, k):
            head = k - 1
        if head < 0 or not disease_head(self.toks[head].text):
            return None
        first = head
        while (
            first > 0
            and head - first < 3
            and self.joined(first - 1, first)
            and modifier(self.toks[first - 1].low)
            and not is_chemical(self.toks[first - 1].text)  # "triamterene nephrolithiasis complicating X"
        ):
            first -= 1
        return first, head


def _acronyms(text: str) -> dict[str, str]:
    """Short forms the text defines as a chemical: "valproic acid (VPA)" → {"VPA": "valproic acid"}."""
    found: dict[str, str] = {}
    for d in definitions(text):
        if not _ACRONYM.fullmatch(d.short):
            continue
        words = text[d.long_start : d.long_end].split()
        for n in (2, 1):
            tail = " ".join(words[-n:]) if len(words) >= n else ""
            if tail and (
                (n == 1 and is_chemical(tail))
                or (
                    n == 2
                    and (re.fullmatch(r"[^\W\d_]+ic acid", tail, re.I) or tail.split()[1] in word_lists().second_words)
                )
            ):
                found.setdefault(d.short, tail)
                break
    return found


def _negated_before(s: _Sentence, at: int) -> bool:
    """A negation right before ``at`` in its scope ("no", "without", "absence of" and filler words only)."""
    lists = word_lists()
    before = s.text[max(s.span.start, at - LOOK_BACK) : at].lower()
    ends = list(lists.scope_end.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    cues = list(lists.negations.finditer(before))
    if not cues or re.search(r"\b(?:and|or)\s+$", before[: cues[-1].start()]):
        return False  # "patients with or without X-induced Y" compares two groups, it denies nothing
    rest = _WORD.findall(before[cues[-1].end() :])
    return all(w in lists.negation_fillers for w in rest)


def _treatment_before(s: _Sentence, at: int) -> bool:
    """A treatment, prevention or recovery word just before the disease ("improvement of Y after X"), or
    the disease as the patients' condition ("patients with Y after exposure to X")."""
    words = _WORD.findall(s.text[max(s.span.start, at - 40) : at].lower())
    if len(words) >= 2 and words[-1] == "with" and words[-2] in word_lists().stops:
        return True
    while words and words[-1] in ("of", "in", "the", "a", "an", "with", "from"):
        words.pop()
    return bool(words) and words[-1] in word_lists().treatments


def open_claims(
    text: str,
    sentences: Sequence[Span],
    mentions: Sequence[Mention] = (),
    *,
    title: Span | None = None,
    only_unknown: bool = False,
) -> list[OpenClaim]:
    """The drug → disease claims a title and abstract state outright, found by the shape of their words.

    ``mentions`` are what a vocabulary found (their concepts win over names made here);
    with ``only_unknown`` a claim between two such concepts is left to the claim model.
    """
    acronyms = _acronyms(text) if "(" in text else {}
    spans = ([title] if title is not None else []) + [s for s in sentences if not (title and s.start < title.end)]
    found: dict[tuple[str, str], OpenClaim] = {}
    for span in spans:
        s = _Sentence(text, span, mentions, acronyms)
        for drug, disease, stance, cue in _read(s, is_title=span is title):
            (d, d_known), (y, y_known) = drug, disease
            if only_unknown and d_known and y_known:
                continue
            pair = (d.concept.id, y.concept.id)
            if pair in found and not (stance is EdgeType.SUPPORTS and found[pair].claim.stance is not stance):
                continue
            claim = Claim(d.concept, y.concept, stance, span, cue, (span,))
            found[pair] = OpenClaim(claim, d, y)
    return list(found.values())


def _read(s: _Sentence, *, is_title: bool):
    """Every (drug, disease, stance, cue) the sentence states, pattern by pattern."""
    lists = word_lists()
    toks = s.toks
    for i, tok in enumerate(toks):
        low = tok.low
        # "X-induced Y" (and "X induced Y", "X-associated Y")
        m = lists.hyphen.fullmatch(low)
        x_span, cue = None, None
        if m and m.group(1):
            x_span, cue = s.drug_before(i, tok.start + len(m.group(1))), m.group(2)
        elif (
            (low in lists.active_verbs or low in lists.hyphen_cues)
            and s.joined(i - 1, i)
            and not (i + 1 < len(toks) and toks[i + 1].low in ("by", "with", "to"))
        ):
            x_span, cue = s.drug_before(i - 1, toks[i - 1].end), low
        if x_span is not None:
            y = s.disease_after(i + 1)
            while y and s.joined(i, i + 1):  # "X-induced Y", and "Y2" in "X-induced Y, Y2 and Y3"
                yield from _claim(s, x_span, y, cue, start=x_span[0], after=toks[y[1]].end)
                y = s.coordinated(y[1])
            continue
        # "Y induced by X", "Y caused by X", "Y due to X", "Y secondary to X"
        if (
            i > 0
            and i + 1 < len(toks)
            and (
                (low in lists.by_cues and toks[i + 1].low == "by")
                or (low in lists.to_cues and toks[i + 1].low == "to")
                or (low in ("resulting", "arising") and toks[i + 1].low == "from")
            )
        ):
            y = s.disease_before(i - 1) if s.joined(i - 1, i) else None
            if y is not None and _treatment_before(s, toks[y[0]].start):
                y = None
            x_span = s.drug_after(i + 2) if y else None
            if x_span:
                yield from _claim(s, x_span, y, low, start=toks[y[0]].start)
            continue
        # "Y after X administration", "Y following the administration of X"; in a title "Y after X"
        if low in lists.after_cues or (is_title and low in ("during", "complicating")):
            yield from _after(s, i, is_title=is_title)
            continue
        if low in ("associated", "related") and i + 1 < len(toks) and toks[i + 1].low in ("with", "to"):
            yield from _after(s, i, is_title=is_title, cue_words=2)  # "Y associated with X (therapy)"
            continue
        # "X toxicity", "cisplatin nephrotoxicity"; "the nephrotoxicity of X"
        head = disease_head(tok.text)
        if head and (head in lists.toxicities or head.endswith("toxicity")):
            modifier = any(lists.hyphen.fullmatch(t.low) for t in toks[max(0, i - 4) : i - 1])
            if s.joined(i - 1, i) and not modifier:  # not "X-induced dopamine neurotoxicity"
                x_span = s.drug_before(i - 1, toks[i - 1].end)
                yield from _claim(s, x_span, (i, i), "toxicity", start=x_span[0])
            if i + 2 < len(toks) and toks[i + 1].low == "of" and s.joined(i, i + 1):
                yield from _claim(s, s.drug_after(i + 2), (i, i), "toxicity", start=tok.start)
            continue
        # "X did not cause Y"; in a title also "Ifosfamide encephalopathy"
        if is_chemical(tok.text) or s.known_at(tok.start, tok.end):
            if is_title and s.joined(i, i + 1) and not s.joined(i - 1, i):
                y = s.disease_after(i + 1)
                if y is not None and y[1] - y[0] <= 1:
                    yield from _claim(s, (tok.start, tok.end), y, "title", start=tok.start)
            after = s.text[tok.end : tok.end + 40].lower()
            denial = lists.denials.match(after.lstrip())
            if denial:
                rest = after.lstrip()[denial.end() :].split()
                if rest and rest[0] in lists.base_verbs:
                    j = next((n for n in range(i + 1, min(i + 8, len(toks))) if toks[n].low == rest[0]), None)
                    y = (
                        s.disease_after(j + 1 + (toks[j + 1].low == "any"))
                        if j is not None and j + 1 < len(toks)
                        else None
                    )
                    if y:
                        for drug, disease, _, c in _claim(s, (tok.start, tok.end), y, rest[0], start=tok.start):
                            yield drug, disease, EdgeType.CONTRADICTS, c


def _after(s: _Sentence, i: int, *, is_title: bool, cue_words: int = 1):
    lists = word_lists()
    toks = s.toks
    k = i - 1
    while k >= 0 and toks[k].low in lists.occurrence and i - k < 5:
        k -= 1
    if k < 0 or any(not s.joined(n, n + 1) for n in range(k, i)):
        return
    between = {t.low for t in toks[k + 1 : i]}
    if between & lists.treatment_verbs:
        return
    y = s.disease_before(k)
    if y is None or _treatment_before(s, toks[y[0]].start):
        return
    j = i + cue_words
    while j < len(toks) and toks[j].low in ("the", "a", "an", "repeated", "chronic", "acute", "intravenous", "oral"):
        j += 1
    if j + 1 < len(toks) and toks[j].low in lists.exposures and toks[j + 1].low in ("of", "with", "to"):
        x_span = s.drug_after(j + 2)  # "after (the) administration of X"
    elif j < len(toks):
        x_span = s.drug_after(j)
        if x_span is not None:
            nxt = bisect.bisect_left(s.starts, x_span[1])
            exposed = nxt < len(toks) and toks[nxt].low in lists.exposures and s.joined(nxt - 1, nxt)
            if not exposed and not is_title:
                return  # in an abstract "after X" alone is too often when, not why
    else:
        return
    negated = bool(between & {"not", "never"})
    for drug, disease, stance, cue in _claim(s, x_span, y, toks[i].low, start=toks[y[0]].start):
        yield drug, disease, EdgeType.CONTRADICTS if negated else stance, cue


def _claim(
    s: _Sentence, x_span: tuple[int, int] | None, y: tuple[int, int], cue: str, *, start: int, after: int | None = None
):
    """The (drug, disease, stance, cue) of one match, when both ends name what they should."""
    if x_span is None:
        return
    drug = s.drug(*x_span)
    disease = s.disease(*y)
    if drug is None or disease is None or drug[0].concept.id == disease[0].concept.id:
        return
    stance = EdgeType.SUPPORTS
    end = after if after is not None else disease[0].end
    if _negated_before(s, start) or word_lists().negated_after.match(s.text[end : end + 30].lower().lstrip()):
        stance = EdgeType.CONTRADICTS
    yield drug, disease, stance, cue
