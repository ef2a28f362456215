"""Trial digests: a plain-text summary of one registered trial, ending in a ``Source:`` line.

The shape (see ``loaders/samples/trial_digest_NCT00330668.txt``)::

    <headline>
    <official title of the trial>
    Background …
    Study Design
    Population …  Intervention …  Outcome …
    Results …
    Source: clinicaltrials:NCT00330668 · Ingested 2026-05-04 · Digest: <model>

The digest names the same trial as its registry record, so the Study node is
``study:nct:NCT…`` and the two meet.  A digest that says no results were reported sets
``has_results = False``: an evidence gap a researcher can filter on, not a silent absence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from graph.dose import find_dose
from graph.errors import LoadError
from graph.ids import study_id
from graph.model import Document, EdgeType, NodeKind
from loaders import trials
from loaders.base import DocumentBuilder, decode, read_document_bytes

__all__ = ["TrialDigestLoader", "parse_trial_digest"]

_SOURCE_LINE = re.compile(
    r"^Source:\s*clinicaltrials:(?P<nct>NCT\d{8})(?:\s*·\s*Ingested\s+(?P<ingested>\d{4}-\d{2}-\d{2}))?"
    r"(?:\s*·\s*Digest:\s*(?P<digest>\S+))?",
    re.MULTILINE,
)
_HEADINGS = ("Background", "Study Design", "Population", "Intervention", "Outcome", "Results", "Why It Matters")
_HEADING = re.compile(r"^(" + "|".join(_HEADINGS) + r")[ \t]*$", re.MULTILINE)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_ENDED = re.compile(
    r"\b(?:terminated|completed|withdrawn|stopped|ended)\b[^.]{0,40}?\b(?:in|on)\s+"
    r"(?:(?P<month>" + "|".join(_MONTHS) + r")\s+)?(?P<year>(?:19|20)\d{2})",
    re.IGNORECASE,
)
_PHASE = re.compile(r"\bPhase\s+(?P<phase>[1-4](?:\s*/\s*[1-4])?|I{1,3}V?)\b", re.IGNORECASE)
_NO_RESULTS = re.compile(
    r"\b(?:no|not|without)\b[^.]{0,120}\bresults\b|\bresults\b[^.]{0,60}\bnot\s+(?:available|reported|posted)"
    r"|\bdata\b[^.]{0,60}\bnot\s+(?:available|reported)\b|\bnot\s+available\b",
    re.IGNORECASE,
)
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4"}
#: "terminated because of …", "stopped early due to …": what follows is the reason the trial stopped.
_STOPPED_FOR = re.compile(
    r"\b(?:terminated|stopped|halted|discontinued|ended)\b[^.]{0,80}?\b(?:because of|due to|owing to|for)\b",
    re.IGNORECASE,
)
_NOT = re.compile(r"\b(?:not|no|without|unrelated to)\b[^.;]{0,60}$", re.IGNORECASE)


class TrialDigestLoader:
    name = "trial_digest"
    description = "trial digest (text with Study Design sections and a `Source: clinicaltrials:NCT…` line)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return b"Source: clinicaltrials:NCT" in head or (
            b"Study Design" in head and b"Background" in head and re.search(rb"\bNCT\d{8}\b", head) is not None
        )

    def load(self, path: Path) -> Iterator[Document]:
        text, warnings = decode(read_document_bytes(path), path=str(path))
        yield parse_trial_digest(text, path=str(path), warnings=warnings)


def _sections(text: str) -> dict[str, tuple[int, str]]:
    """Heading → (offset of its body, body), in document order."""
    marks = list(_HEADING.finditer(text))
    out: dict[str, tuple[int, str]] = {}
    for i, mark in enumerate(marks):
        start = mark.end()
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        source = _SOURCE_LINE.search(text, start, end)
        body = text[start : source.start() if source else end]
        lead = len(body) - len(body.lstrip())
        out.setdefault(mark.group(1), (start + lead, body.strip()))
    return out


def _sentence_at(text: str, offset: int) -> tuple[int, str]:
    """The sentence around ``offset`` (start, text): the quote a property was read from."""
    start = max(text.rfind(". ", 0, offset) + 2, text.rfind("\n", 0, offset) + 1, 0)
    end_dot = text.find(". ", offset)
    end_line = text.find("\n", offset)
    ends = [e for e in (end_dot + 1 if end_dot >= 0 else -1, end_line) if e >= 0]
    end = min(ends) if ends else len(text)
    return start, text[start:end]


def parse_trial_digest(text: str, *, path: str = "<digest>", warnings: list[str] | None = None) -> Document:
    """One digest as a document: the Study, its Condition and Drug, and what was (not) reported."""
    source = _SOURCE_LINE.search(text)
    nct_match = source or re.search(r"\b(NCT\d{8})\b", text)
    if nct_match is None:
        raise LoadError("no NCT id: a trial digest must name its registration", path=path, field="Source")
    nct = nct_match.group("nct") if source else nct_match.group(1)
    sections = _sections(text)
    first_heading = _HEADING.search(text)
    preamble = text[: first_heading.start() if first_heading else 0]
    titles = [
        line.strip()
        for line in preamble.splitlines()
        if line.strip() and not line.strip().startswith("Back to") and not re.search(r"\b\d{4}-\d{2}\b", line)
    ]
    official = titles[-1] if titles else None
    headline = titles[-2] if len(titles) >= 2 else official
    builder = DocumentBuilder(
        text=text,
        source_type="trial_digest",
        title=headline or f"Digest of {nct}",
        path=path,
        source_props={
            "uri": trials.trial_url(nct),
            "language": "en",
            "retrieved": source.group("ingested") if source else None,
        },
    )
    builder.warnings.extend(warnings or [])
    for needed in ("Population", "Intervention", "Outcome", "Results"):
        if needed not in sections:
            builder.warn(f"{nct}: no {needed!r} section")

    results_start, results = sections.get("Results", (0, ""))
    phase_match = _PHASE.search(text)
    phase = None
    if phase_match:
        raw = phase_match.group("phase").replace(" ", "").upper()
        phase = "Phase " + "/".join(_ROMAN.get(p, p) for p in raw.split("/"))
    ended_match = _ENDED.search(results) or _ENDED.search(text)
    ended = None
    if ended_match:
        month = ended_match.group("month")
        ended = ended_match.group("year") + (f"-{_MONTHS[month.lower()]:02d}" if month else "")
    status = trials.status_from_text(ended_match.group(0)) if ended_match else trials.status_from_text(results)
    has_results = None
    results_note = None
    no_results = _NO_RESULTS.search(results)
    if no_results:
        # The gap itself, in the digest's words, so a researcher sees why the trial adds no numbers.
        has_results = False
        results_note = _sentence_at(text, results_start + no_results.start())[1].strip()
    elif results:
        has_results = True
        results_note = results
    pop_start, population = sections.get("Population", (0, ""))
    int_start, intervention = sections.get("Intervention", (0, ""))
    _, outcome = sections.get("Outcome", (0, ""))

    sid = study_id(nct_id=nct)
    nct_at = results.find(nct)
    if nct_at >= 0:
        quote_start, quote = _sentence_at(text, results_start + nct_at)
    elif source:
        quote_start, quote = source.start(), source.group(0)
    else:
        quote_start, quote = nct_match.start(), nct
    drugs = _mentioned(builder, intervention, int_start, NodeKind.DRUG)
    builder.add_node(
        sid,
        NodeKind.STUDY,
        official or nct,
        {
            "title": official,
            "nct_id": nct,
            "url": trials.trial_url(nct),
            "phase": phase,
            "design": "clinical trial" if phase else None,
            "extension": bool(re.search(r"\bextension\b", f"{official or ''} {results}", re.IGNORECASE)),
            "status": status,
            "ended": ended if status in trials.CLOSED_STATUSES else None,
            "has_results": has_results,
            "results": results_note,
            "population": population or None,
            "interventions": "; ".join(sorted({name for name, _ in drugs.values()})) or None,
            "outcomes": outcome or None,
        },
        quote=quote,
        start=quote_start,
    )
    for drug_id, (_, (start, mention)) in drugs.items():
        builder.add_edge(EdgeType.STUDIES, sid, drug_id, quote=mention, start=start)
    conditions = _mentioned(
        builder,
        population or (official or ""),
        pop_start if population else text.find(official or ""),
        NodeKind.CONDITION,
    )
    for condition_id, (_, (start, mention)) in conditions.items():
        builder.add_edge(EdgeType.STUDIED_IN, sid, condition_id, quote=mention, start=start)
    population = next(iter(conditions), None)
    _stop_reasons(builder, sid, sorted(drugs), population, results, results_start)
    return builder.build()


def _stop_reasons(
    builder: DocumentBuilder, sid: str, drugs: list[str], population: str | None, results: str, offset: int
) -> None:
    """ "terminated because of hypoglycemia at or above 200 µg/kg/day": the trial SUPPORTS that claim, at that dose.

    The same reading as a registry record's ``whyStopped``, so the digest and the record meet on
    one Finding; a reason the digest negates ("not for safety reasons") is no stance.
    """
    for match in _STOPPED_FOR.finditer(results):
        start, sentence = _sentence_at(builder.text, offset + match.start())
        reason_at = offset + match.end() - start
        dose = find_dose(sentence[reason_at:])
        for mention in builder.vocabulary.mentions(sentence[reason_at:], NodeKind.OUTCOME):
            if _NOT.search(sentence[: reason_at + mention.start]) or not drugs:
                continue
            at = start + reason_at + mention.start
            outcome = builder.add_concept(mention.concept, quote=mention.text, start=at)
            for drug in drugs:
                finding = builder.add_finding(drug, outcome, population, quote=sentence, start=start, dose=dose)
                note = "the trial was stopped for this reason (as the digest reports)"
                if dose is not None:
                    note += f"; dose: {dose.describe()}"
                builder.add_edge(EdgeType.SUPPORTS, sid, finding, quote=sentence, start=start, props={"note": note})


def _mentioned(
    builder: DocumentBuilder, section: str, offset: int, kind: NodeKind
) -> dict[str, tuple[str, tuple[int, str]]]:
    """Concepts of ``kind`` a section names: id → (name, (offset, text of the first mention))."""
    found: dict[str, tuple[str, tuple[int, str]]] = {}
    for mention in builder.vocabulary.mentions(section, kind):
        if mention.concept.id in found:
            continue
        start = offset + mention.start
        builder.add_concept(mention.concept, quote=mention.text, start=start)
        found[mention.concept.id] = (mention.concept.name, (start, mention.text))
    return found
