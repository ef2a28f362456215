"""Shared reading rules for clinical text in Dutch and English: sentences, figures, stances.

PDF text layers wrap lines anywhere, mix bullets into sentences and write Dutch decimal
commas ("68,9%").  These rules read such text without losing positions: every offset is
absolute in the document text, so any span becomes a quote found verbatim in the source.
They never invent a number: a figure carries only the values the text states.

Public API::

    sentences(text, start=0, end=None) -> list[Span]        # sentence spans, bullets split
    clauses(text, start=0, end=None) -> list[Span]          # comma/semicolon parts of a span
    find_figures(text, start=0, end=None, *, context_start=None) -> list[FigureMention]
    find_n(text) -> int | None                              # "n = 7", "N=376"
    stance(sentence, outcome=None) -> EdgeType | None       # SUPPORTS / CONTRADICTS / None
    judge(sentence, outcome=None) -> Judgement              # stance with the cue that decided it
    parse_number("68,9") -> 68.9;  unwrap(text) -> one line;  language(text) -> "nl" | "en"
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from graph.model import EdgeType

__all__ = [
    "FigureMention",
    "Judgement",
    "Span",
    "clauses",
    "find_figures",
    "find_n",
    "judge",
    "language",
    "parse_number",
    "sentences",
    "stance",
    "unreadable_language",
    "unwrap",
]


@dataclass(frozen=True)
class Span:
    """A stretch of the document: ``text == document[start:end]``."""

    start: int
    end: int
    text: str


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


@dataclass(frozen=True)
class Judgement:
    """A sentence's stance towards an outcome, and the cue ("geen", "reported", ...) behind it."""

    stance: EdgeType | None
    reason: str | None = None  # negated | corrected | hedged | reported
    cue: str | None = None


# -- numbers -----------------------------------------------------------------------------
NUM = r"\d+(?:[.,]\d+)?"


def parse_number(token: str) -> float:
    """A number in Dutch or English notation: "68,9" and "68.9" → 68.9; "2,500" → 2500."""
    token = token.strip()
    m = re.fullmatch(r"(\d+)[.,](\d+)", token)
    if m:
        whole, frac = m.groups()
        if len(frac) == 3 and whole != "0" and len(whole) <= 3:  # thousands separator
            return float(whole + frac)
        return float(f"{whole}.{frac}")
    return float(token)


def _int(token: str | None) -> int | None:
    return int(token) if token else None


# -- sentences ---------------------------------------------------------------------------
_BULLET = re.compile(r"(?m)^[ \t]*(?:[•▪◦●‣∙·*]|[o\-–](?=[ \t]))[ \t]*")
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)")
_ABBREVIATIONS = frozenset(
    [
        "al",
        "e.g",
        "i.e",
        "eg",
        "ie",
        "vs",
        "resp",
        "bijv",
        "o.a",
        "ca",
        "dr",
        "fig",
        "ref",
        "nr",
        "no",
        "vol",
        "dhr",
        "mevr",
        "prof",
        "st",
        "inc",
        "etc",
        "cf",
        "zgn",
        "evt",
        "incl",
        "jr",
    ]
)


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


_CLAUSE_CUT = re.compile(r"[,;](?=\s)|\s[–—]\s")


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


def unwrap(text: str) -> str:
    """One line from wrapped text: a line ending in a hyphen joins the next without a space."""
    text = re.sub(r"([\-–])[ \t]*\n\s*(?=\w)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


# -- figures -----------------------------------------------------------------------------
_UNIT = r"%|[µμnm]?(?:mol|g|IU|U)/(?:[dm]?[lL]|kg|mol)|mmol/mol|kg|cm|mmHg|mg|µg|μg"
_PEOPLE = (
    r"patiënten|patienten|patients?|proefpersonen|deelnemers|participants|subjects|kinderen|children|"
    r"meisjes|jongens|girls|boys|volwassenen|adults|vrouwen|women|mannen|men|cases|gevallen"
)
_RATE_UNITS = {
    "behandeljaar": "treatment-year",
    "behandeljaren": "treatment-year",
    "patiëntjaar": "patient-year",
    "patiëntjaren": "patient-year",
    "patiënt-jaar": "patient-year",
    "persoonsjaar": "person-year",
    "persoonsjaren": "person-year",
    "jaar": "year",
    "year": "year",
}
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "proportion",
        re.compile(
            rf"(?<![\w.,/])(?P<num>\d+)\s*(?:/|\bof\b|\bout of\b|\bvan de\b|\bvan\b|\buit\b)\s*(?P<den>\d+)(?!\d|[\w/.,]\d)"
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
            rf"(?:\bvan\b|\bfrom\b)\s+(?P<base>{NUM})\s*(?P<bunit>{_UNIT})?\s*(?:\bnaar\b|\btot\b|\bto\b)\s+"
            rf"(?P<val>{NUM})\s*(?P<unit>{_UNIT})"
            rf"|(?P<base2>{NUM})\s*(?P<bunit2>{_UNIT})?\s*(?:→|->|=>)\s*(?P<val2>{NUM})\s*(?P<unit2>{_UNIT})",
            re.IGNORECASE,
        ),
    ),
    (
        "change_to",
        re.compile(
            r"(?P<verb>\bsteeg\b|\bstegen\b|\bdaalde\b|\bdaalden\b|\bnam\w*\s+(?:toe|af)\b|\bincreased\b|\bdecreased\b"
            r"|\brose\b|\bfell\b|\bdropped\b|\bdeclined\b)(?P<mid>(?:(?!\b\d)[^.;]){0,40}?)(?:\bnaar\b|\btot\b|\bto\b)\s+"
            rf"(?P<val>{NUM})\s*(?P<unit>{_UNIT})",
            re.IGNORECASE,
        ),
    ),
    (
        "rate",
        re.compile(
            rf"(?<![\w.,])(?P<val>{NUM})\s*(?P<what>events?|episodes?|gebeurtenissen|voorvallen)?\s*(?:\bper\b|/)\s*"
            r"(?P<per>(?:100\s+)?(?:behandeljaar|behandeljaren|patiëntjaar|patiëntjaren|patiënt-jaar|persoonsjaar"
            r"|persoonsjaren|treatment[- ]years?|patient[- ]years?|person[- ]years?|jaar|year))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "fold",
        re.compile(
            rf"(?<![\w.,])(?P<val>{NUM})\s*(?:-\s*)?(?:keer|maal|fold|times|×)(?!\w)"
            r"(?!\s+(?:per|daags|daily|a day|a week|weekly|dag|week|daagse))",
            re.IGNORECASE,
        ),
    ),
    ("percentage", re.compile(rf"(?<![\w.,])(?P<val>{NUM})\s*%")),
    ("count", re.compile(rf"(?<![\w.,/-])(?P<val>\d+)\s+(?P<noun>{_PEOPLE})\b", re.IGNORECASE)),
]
_N = re.compile(r"(?<![\w])[nN]\s*=\s*(\d+)")
#: A percentage's own group right after it: "0.27% in 1,100 patients", "51% van 21 patiënten".
_OF_GROUP = re.compile(
    rf"\s*(?:in|of|among|bij|van|onder)\s+(?:the\s+|de\s+)?(?P<n>\d{{1,3}}(?:[.,]\d{{3}})+|\d+)\s+(?:{_PEOPLE})\b",
    re.I,
)
#: Figures read from one passage at most; a passage with more is not prose (a run-away line), and
#: reading them all would take minutes.
MAX_FIGURES = 1_000
_P_VALUE = re.compile(rf"\b[pP]\s*(?P<op>[<>=≤≥])\s*(?P<p>{NUM})")
_LEVEL_WORDS = re.compile(
    r"\b(?:HbA1c|A1c|hematocrie?t|haematocrit|hematocrit|ejection fraction|ejectiefractie)\b", re.I
)
_ARTICLES = frozenset(["de", "het", "een", "the", "a", "an", "haar", "zijn", "hun", "his", "her", "its", "their"])


def find_n(text: str) -> int | None:
    """The sample size a text states as "n = 7" or "N=376" (the first one), else ``None``."""
    m = _N.search(text)
    return int(m.group(1)) if m else None


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
    matches, sentence_clauses = parts or (list(_N.finditer(text, sentence.start, sentence.end)), None)
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
                            list(_N.finditer(text, *key)),
                            clauses(text, *key) if _N.search(text, *key) else [],
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


# -- stance ------------------------------------------------------------------------------
_NEG_BEFORE = re.compile(
    r"\b(?:geen|no|without|zonder|noch|nor|absence of|afwezigheid van|free of|not any)\b", re.IGNORECASE
)
_NEG_VERB_BEFORE = re.compile(
    r"\b(?:did not|didn't|do not|does not|has not|have not|had not|never|nooit|not)\b", re.IGNORECASE
)
_NEG_AFTER = re.compile(
    r"\b(?:niet(?!-)|not|never|nooit|absent|afwezig|uitgebleven|bleef uit|ontbrak)\b", re.IGNORECASE
)
_NEG_SUBJECT = re.compile(
    r"\b(?:geen van de|geen enkele|none of the|no patients?|no participants?|no subjects?|no children|niemand|"
    r"not a single)\b",
    re.IGNORECASE,
)
_CORRECTION = re.compile(
    r"\b(?:corrected|gecorrigeerd|corrigeerde|normalised|normalized|genormaliseerd|resolved|verdween|verdwenen|"
    r"reversed|opgeheven|disappeared)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:kan|kunnen|zou|zouden|mogelijk|misschien|wellicht|onbekend|onduidelijk|vermoedelijk|may|might|could|can|"
    r"possibly|potential|potentially|unknown|unclear|whether|suspected|vermeden|voorkomen|avoided|prevented|"
    r"mitigated)\b",
    re.IGNORECASE,
)
_SUPPORT = re.compile(
    r"\b(?:gemeld|gerapporteerd|gezien|waargenomen|geobserveerd|ontstond|ontstonden|ontstaan|opgetreden|optrad|"
    r"trad(?:en)? op|had|hadden|kreeg|kregen|ervaren|ervoeren|ontwikkelde\w*|verbeterde|verbeterd|verbetert|verbetering|"
    r"nam\w*\b[^.,;]{0,40}?\btoe\b|toename|toegenomen|steeg|stegen|gestegen|verhoogde?|daalde|afname|toonde\w* aan|liet\w* zien|"
    r"vertoonde\w*|veroorzaakt\w*|leidde\w* tot|zorgt\w* voor|incidentie|frequentie|kwam\w* voor|"
    r"(?:komt|komen)\b[^.,;]{0,30}?\bvoor\b|"
    r"reported|observed|occurred|seen|experienced|developed|showed|shown|demonstrated|improved|improvement|"
    r"increased|decreased|reduced|elevated|caused|induced|associated with|attributed|incidence|frequency|"
    r"recognized|recognised|noted|documented|exhibited|diagnosed|gediagnosticeerd|vastgesteld|causes|"
    r"leads to|results in)\b",
    re.IGNORECASE,
)
_NUMERIC_CUE = re.compile(
    rf"{NUM}\s*(?:%|per\b|keer\b|fold\b|times\b)"
    r"|\b\d+\s*/\s*\d+\s+(?:patients|patiënten|participants|deelnemers|subjects|children|kinderen)\b",
    re.IGNORECASE,
)
_WORDS_ONLY = re.compile(r"(?:\s+[^\W\d]+){0,3}?\s+", re.UNICODE)


def _locate(sentence: str, outcome: str | None) -> tuple[int, int] | None:
    if not outcome:
        return None
    i = sentence.lower().find(outcome.lower())
    return (i, i + len(outcome)) if i >= 0 else None


def _clause_bounds(sentence: str, a: int, b: int) -> tuple[int, int]:
    left = max((m.end() for m in _CLAUSE_CUT.finditer(sentence, 0, a)), default=0)
    right = next((m.start() for m in _CLAUSE_CUT.finditer(sentence, b)), len(sentence))
    return left, right


def judge(sentence: str, outcome: str | None = None) -> Judgement:
    """The stance of ``sentence`` towards ``outcome`` (a term as written in it), with its cue.

    Negation must scope over the outcome ("geen hypoglykemie", "did not experience
    hypoglycemia", "hypoglykemie werd niet gezien"); a negation elsewhere in the sentence
    ("geen effect op GH") says nothing about it.  Without ``outcome`` the whole sentence counts.
    """
    where = _locate(sentence, outcome)
    a, b = where if where else (0, len(sentence))
    lo, hi = _clause_bounds(sentence, a, b) if where else (0, len(sentence))
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
        lo = max((m.end() for m in _CLAUSE_CUT.finditer(sentence, 0, max(lo - 2, 0))), default=0)
    m = _SUPPORT.search(sentence, lo, hi) or _NUMERIC_CUE.search(sentence, lo, hi)
    if m:
        return Judgement(EdgeType.SUPPORTS, "reported", m.group(0))
    return Judgement(None)


def stance(sentence: str, outcome: str | None = None) -> EdgeType | None:
    """SUPPORTS when the sentence reports the outcome, CONTRADICTS when it denies it, else None."""
    return judge(sentence, outcome).stance


# -- language ----------------------------------------------------------------------------
_NL = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "van",
        "bij",
        "werd",
        "niet",
        "geen",
        "zijn",
        "met",
        "voor",
        "naar",
        "ook",
        "dat",
        "die",
        "er",
        "wordt",
        "patiënten",
    ]
)
_EN = frozenset(
    [
        "the",
        "a",
        "and",
        "of",
        "with",
        "was",
        "were",
        "not",
        "no",
        "in",
        "for",
        "to",
        "also",
        "that",
        "this",
        "is",
        "patients",
    ]
)


def language(text: str) -> str:
    """ "nl" or "en", by counting common function words (good enough for a paragraph)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    nl = sum(w in _NL for w in words)
    en = sum(w in _EN for w in words)
    return "nl" if nl >= en else "en"


#: Function words of languages the text rules do not read; if they outnumber English and
#: Dutch ones, figures and stances are not read from the abstract.
_OTHER_WORDS = {
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "mit",
            "bei",
            "nicht",
            "eine",
            "ein",
            "wurde",
            "wurden",
            "von",
            "zu",
            "im",
            "den",
            "dem",
            "des",
            "ist",
            "sind",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "et",
            "des",
            "du",
            "une",
            "un",
            "est",
            "sont",
            "avec",
            "dans",
            "pour",
            "chez",
            "ont",
            "été",
            "au",
            "aux",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "y",
            "con",
            "en",
            "del",
            "una",
            "un",
            "es",
            "son",
            "para",
            "por",
            "fue",
            "fueron",
            "se",
        ]
    ),
}


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
