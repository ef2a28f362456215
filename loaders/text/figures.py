"""Figures stated in clinical text: percentages, proportions, rates, folds, changes, counts.

A figure carries only the values the text states (others are ``None``); nothing is
computed that the text does not give, except a percentage's denominator read from an
"n = 21" or "of 21 patients" beside it, whose span is kept so it can be quoted too.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from loaders.text.numbers import N_EQUALS, NUM, parse_number
from loaders.text.sentences import Span, clauses, sentences
from loaders.text.words import either, word_map, word_set

__all__ = ["MAX_FIGURES", "FigureMention", "find_figures"]


@dataclass(frozen=True)
class FigureMention:
    """A number the text states, with only the parts the text gives (others are ``None``).

    ``kind`` is one of ``percentage``, ``count_percentage``, ``proportion``, ``rate``,
    ``fold``, ``change``, ``level``, ``count``.  ``subject`` names the measured quantity of a
    change ("HbA1c"); ``denominator_from`` is the span of the "n=21" a denominator was read from.
    """

    start: int
    end: int
    text: str
    kind: str
    value: float | None
    unit: str | None = None
    numerator: int | None = None
    denominator: int | None = None
    baseline: float | None = None
    p_value: str | None = None
    subject: str | None = None
    denominator_from: tuple[int, int] | None = None


_UNIT = r"%|[µμnm]?(?:mol|g|IU|U)/(?:[dm]?[lL]|kg|mol)|mmol/mol|kg|cm|mmHg|mg|µg|μg"
_PEOPLE = either("figures", "people")
_OF = either("figures", "proportion_of", before=r"\b", after=r"\b")
_FROM = either("figures", "change_from", before=r"\b", after=r"\b")
_TO = either("figures", "change_to", before=r"\b", after=r"\b")
_VERBS = either("figures", "change_verbs", before=r"\b", after=r"\b")
_EVENTS = either("figures", "rate_events")
_PERIODS = either("figures", "rate_periods")
_FOLD = either("figures", "fold")
_NOT_FOLD_AFTER = either("figures", "not_fold_after")
_GROUP_OF = either("figures", "group_of")
_GROUP_ARTICLES = either("figures", "group_articles", after=r"\s+")
_RATE_UNITS = word_map("figures", "rate_units")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "proportion",
        re.compile(
            rf"(?<![\w.,/])(?P<num>\d+)\s*(?:/|{_OF})\s*(?P<den>\d+)(?!\d|[\w/.,]\d)"
            rf"(?:(?:\s+[^\W\d]+){{0,2}}\s*\(\s*(?P<pct>{NUM})\s*%\s*\))?",
            re.IGNORECASE,
        ),
    ),
    (
        "count_percentage",
        re.compile(
            rf"(?<![\w.,/])(?:n\s*=\s*)?(?P<num>\d+)\s+(?:[^\W\d]+[\s-]+){{0,2}}?\(\s*(?P<pct>{NUM})\s*%\s*\)"
            rf"|(?<![\w.,/])(?P<num2>\d+)\s*\(\s*(?P<pct2>{NUM})\s*%\s*\)",
            re.IGNORECASE,
        ),
    ),
    (
        "change",
        re.compile(
            rf"(?:{_FROM})\s+(?P<base>{NUM})\s*(?P<bunit>{_UNIT})?\s*(?:{_TO})\s+"
            rf"(?P<val>{NUM})\s*(?P<unit>{_UNIT})"
            rf"|(?P<base2>{NUM})\s*(?P<bunit2>{_UNIT})?\s*(?:→|->|=>)\s*(?P<val2>{NUM})\s*(?P<unit2>{_UNIT})",
            re.IGNORECASE,
        ),
    ),
    (
        "change_to",
        re.compile(
            rf"(?P<verb>{_VERBS})(?P<mid>(?:(?!\b\d)[^.;]){{0,40}}?)(?:{_TO})\s+"
            rf"(?P<val>{NUM})\s*(?P<unit>{_UNIT})",
            re.IGNORECASE,
        ),
    ),
    (
        "rate",
        re.compile(
            rf"(?<![\w.,])(?P<val>{NUM})\s*(?P<what>{_EVENTS})?\s*(?:\bper\b|/)\s*"
            rf"(?P<per>(?:100\s+)?(?:{_PERIODS}))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "fold",
        re.compile(
            rf"(?<![\w.,])(?P<val>{NUM})\s*(?:-\s*)?(?:{_FOLD})(?!\w)"
            rf"(?!\s+(?:{_NOT_FOLD_AFTER}))",
            re.IGNORECASE,
        ),
    ),
    ("percentage", re.compile(rf"(?<![\w.,])(?P<val>{NUM})\s*%")),
    ("count", re.compile(rf"(?<![\w.,/-])(?P<val>\d+)\s+(?P<noun>{_PEOPLE})\b", re.IGNORECASE)),
]
#: A percentage's own group right after it: "0.27% in 1,100 patients", "51% van 21 patiënten".
_OF_GROUP = re.compile(
    rf"\s*(?:{_GROUP_OF})\s+(?:{_GROUP_ARTICLES})?"
    rf"(?P<n>\d{{1,3}}(?:[.,]\d{{3}})+|\d+)\s+(?:{_PEOPLE})\b",
    re.I,
)
#: Figures read from one passage at most; a passage with more is not prose (a run-away line), and
#: reading them all would take minutes.
MAX_FIGURES = 1_000
_P_VALUE = re.compile(rf"\b[pP]\s*(?P<op>[<>=≤≥])\s*(?P<p>{NUM})")
_LEVEL_WORDS = re.compile(rf"\b(?:{either('figures', 'level_words')})\b", re.I)
_ARTICLES = word_set("figures", "articles")


def _subject(mid: str, before: str) -> str | None:
    words = [w for w in re.findall(r"[\w-]+", mid) if w.lower() not in _ARTICLES]
    if words:
        return words[-1]
    words = [w for w in re.findall(r"[\w-]+", before[-60:]) if w.lower() not in _ARTICLES]
    return words[-1] if words else None


def _baseline(text: str, start: int, before: int, subject: str | None, unit: str) -> float | None:
    if not subject:
        return None
    pattern = re.compile(rf"\b{re.escape(subject)}\b[^.\d]{{0,40}}?(?P<v>{NUM})\s*{re.escape(unit)}", re.IGNORECASE)
    found = None
    for m in pattern.finditer(text, start, before):
        found = m
    return parse_number(found.group("v")) if found else None


def _nearest_n(
    text: str, sentence: Span, position: int, parts: tuple[list[re.Match[str]], list[Span]] | None = None
) -> re.Match[str] | None:
    """The n= closest to ``position``, preferring one in the same clause (``parts``: the sentence's n= and clauses)."""
    matches, sentence_clauses = parts or (list(N_EQUALS.finditer(text, sentence.start, sentence.end)), None)
    if not matches:
        return None
    for part in sentence_clauses if sentence_clauses is not None else clauses(text, sentence.start, sentence.end):
        if part.start <= position < part.end:
            inside = [m for m in matches if part.start <= m.start() < part.end]
            if inside:
                matches = inside
            break
    return min(matches, key=lambda m: abs(m.start() - position))


def find_figures(
    text: str, start: int = 0, end: int | None = None, *, context_start: int | None = None
) -> list[FigureMention]:
    """Numbers stated in ``text[start:end]``, left to right, each read by the first rule that fits.

    Percentages take their denominator from an "n=" in the same clause or sentence; a change
    stated only as "rose to 5.7%" takes its baseline from an earlier "HbA1c was 5.4%" between
    ``context_start`` (default ``start``) and the change.
    """
    end = len(text) if end is None else end
    context_start = start if context_start is None else context_start
    taken: list[tuple[int, int]] = []
    found: list[FigureMention] = []
    spans = sentences(text, start, end)
    starts = [span.start for span in spans]
    sentence_parts: dict[tuple[int, int], tuple[list[re.Match[str]], list[Span]]] = {}

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def sentence_at(position: int) -> Span:
        i = bisect.bisect_right(starts, position) - 1
        if i >= 0 and spans[i].start <= position < spans[i].end:
            return spans[i]
        return Span(start, end, text[start:end])

    for kind, pattern in _PATTERNS:
        if len(found) >= MAX_FIGURES:
            break
        for m in pattern.finditer(text, start, end):
            if len(found) >= MAX_FIGURES:
                break
            a, b = m.start(), m.end()
            quote = m.group(0)
            stripped = quote.rstrip()
            b = a + len(stripped)
            if not free(a, b):
                continue
            g = m.groupdict()
            fig: FigureMention | None = None
            if kind == "count_percentage":
                num = g.get("num") or g.get("num2")
                pct = g.get("pct") or g.get("pct2")
                fig = FigureMention(a, b, stripped, kind, parse_number(pct), "%", numerator=int(num))
            elif kind == "proportion":
                num, den = int(g["num"]), int(g["den"])
                if den < num or den == 0:
                    continue
                pct = parse_number(g["pct"]) if g.get("pct") else None
                fig = FigureMention(a, b, stripped, kind, pct, "%" if pct is not None else None, num, den)
            elif kind == "change":
                base = g.get("base") or g.get("base2")
                val = g.get("val") or g.get("val2")
                unit = g.get("unit") or g.get("unit2")
                level = list(_LEVEL_WORDS.finditer(text, max(context_start, a - 60), a))
                subject = level[-1].group(0) if level else None
                fig = FigureMention(
                    a, b, stripped, kind, parse_number(val), unit, baseline=parse_number(base), subject=subject
                )
            elif kind == "change_to":
                subject = _subject(g["mid"], text[context_start : m.start("verb")])
                base = _baseline(text, context_start, a, subject, g["unit"])
                fig = FigureMention(
                    a, b, stripped, "change", parse_number(g["val"]), g["unit"], baseline=base, subject=subject
                )
            elif kind == "rate":
                per = g["per"].lower().replace(" ", "-")
                per_unit = _RATE_UNITS.get(per, per.removesuffix("s"))
                fig = FigureMention(a, b, stripped, kind, parse_number(g["val"]), f"events per {per_unit}")
            elif kind == "fold":
                fig = FigureMention(a, b, stripped, kind, parse_number(g["val"]), "fold")
            elif kind == "percentage":
                sentence = sentence_at(a)
                lead = text[max(sentence.start, a - 40) : a]
                if _LEVEL_WORDS.search(lead):
                    fig = FigureMention(a, b, stripped, "level", parse_number(g["val"]), "%")
                else:
                    key = (sentence.start, sentence.end)
                    if key not in sentence_parts:
                        sentence_parts[key] = (
                            list(N_EQUALS.finditer(text, *key)),
                            clauses(text, *key) if N_EQUALS.search(text, *key) else [],
                        )
                    n = _nearest_n(text, sentence, a, sentence_parts[key])
                    denominator, denominator_from = (int(n.group(1)), (n.start(), n.end())) if n else (None, None)
                    group = None if n else _OF_GROUP.match(text, b, sentence.end)
                    if group is not None and parse_number(group["n"]).is_integer():
                        denominator, denominator_from = int(parse_number(group["n"])), group.span("n")
                    fig = FigureMention(
                        a,
                        b,
                        stripped,
                        kind,
                        parse_number(g["val"]),
                        "%",
                        denominator=denominator,
                        denominator_from=denominator_from,
                    )
            elif kind == "count":
                fig = FigureMention(a, b, stripped, kind, float(g["val"]), "patients", numerator=int(g["val"]))
            if fig is not None:
                taken.append((a, b))
                found.append(fig)
    found.sort(key=lambda f: f.start)
    return _with_p_values(text, found, spans)


def _with_p_values(text: str, figures: list[FigureMention], spans: list[Span]) -> list[FigureMention]:
    out = []
    starts = [s.start for s in spans]
    # per sentence, the last search: (searched from, first match); it answers any later figure
    # up to that match, so a sentence is not searched again for each of its figures
    last: dict[int, tuple[int, re.Match[str] | None]] = {}
    for fig in figures:
        i = bisect.bisect_right(starts, fig.start) - 1
        sentence = spans[i] if i >= 0 and fig.start < spans[i].end else None
        p_value = None
        if sentence is not None:
            searched = last.get(i)
            if searched is None or searched[0] > fig.end or (searched[1] is not None and searched[1].start() < fig.end):
                searched = (fig.end, _P_VALUE.search(text, fig.end, sentence.end))
                last[i] = searched
            if (m := searched[1]) is not None:
                p_value = f"{m.group('op')}{m.group('p').replace(',', '.')}"
        out.append(fig if p_value is None else _replace(fig, p_value=p_value))
    return out


def _replace(fig: FigureMention, **changes: object) -> FigureMention:
    return FigureMention(**{**fig.__dict__, **changes})
