"""Layout of a report's text layer: lines, sections, and where a table row's citation starts and ends.

A study table comes from a PDF text layer, so the columns (citation, design, results) are
interleaved line by line; rows are found by their citations ("Surname AB, ..." with a year),
and everything else is read relative to them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from loaders.report.format import Format
from loaders.text.sentences import Span

__all__ = [
    "AUTHOR_START",
    "LOCATE_MAX",
    "SECTION_NO",
    "YEAR",
    "Line",
    "Row",
    "Section",
    "citation_end",
    "is_citation_start",
    "is_evidence_line",
    "is_heading",
    "lines_of",
    "sections_of",
    "trim",
]


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def lines_of(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    end = len(text) if end is None else end
    out, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append(Line(pos, stop, text[pos:stop]))
        pos = stop + 1
    return out


@dataclass
class Section:
    kind: str
    heading: Line
    start: int  # first character after the heading line
    end: int


AUTHOR_START = re.compile(
    r"^\s*[A-ZÀ-ÖØ-Þ][\w'’\-]*(?:[ -](?:[a-z]{1,3} )?[A-ZÀ-ÖØ-Þ][\w'’\-]*)*,?\s+"
    r"(?:[A-ZÀ-ÖØ-Þ]{1,3}|(?:[A-ZÀ-ÖØ-Þ]\.\s?){1,3})(?=[,;\s]|$)"  # "Hasslacher C; … Study Group."
)
YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
SECTION_NO = re.compile(r"^\s*(\d+\.\d+)\.?\s+(\S.*)$")
#: Longer "titles" are not located: compiling a pattern per character of a 400 kB line takes minutes.
LOCATE_MAX = 2_000


def sections_of(text: str, fmt: Format) -> list[Section]:
    found: list[tuple[str, Line]] = []
    for line in lines_of(text):
        stripped = line.text.strip()
        if not stripped or len(stripped) > 80:
            continue
        if fmt.table_header.match(line.text):
            found.append(("table", line))
            continue
        for kind, pattern in fmt.sections:
            if pattern.match(line.text):
                found.append((kind, line))
                break
    sections: list[Section] = []
    for kind, line in found:
        if kind == "table" and sections and sections[-1].kind in {"other", "guidelines", "labels", "studies"}:
            continue  # the header row of a table that already has its section
        sections.append(Section("studies" if kind == "table" else kind, line, min(line.end + 1, len(text)), len(text)))
    for a, b in itertools.pairwise(sections):
        a.end = b.heading.start
    return sections


@dataclass
class Row:
    start: int
    end: int
    citation: tuple[int, int] | None  # span of the citation lines
    lines: list[Line] = field(default_factory=list)


def is_citation_start(lines: list[Line], i: int, fmt: Format, kind: str) -> bool:
    line = lines[i].text
    if kind == "labels" and fmt.label_citation.match(line.strip()):
        return True
    if any(p.match(line) for _, p in fmt.subblocks):
        return False
    block = []
    for nxt in lines[i : i + 16]:
        if nxt.blank:
            break
        block.append(nxt.text)
    if not AUTHOR_START.match(line):
        # an organisation as author ("Nederlandse Federatie voor Nefrologie."), its name possibly
        # wrapped ("National Institute for Health and Care / Excellence."): only where a row can start
        after_break = i == 0 or lines[i - 1].blank
        named = " ".join(t.strip() for t in block[:3])
        if not (kind == "guidelines" and after_break and fmt.organisation.match(named)):
            return False
    return bool(YEAR.search(" ".join(block)))


def citation_end(lines: list[Line], i: int, fmt: Format) -> int:
    """Index after the citation's last line: it ends at a blank line, a bullet or a sub-block."""
    j = i + 1
    while j < len(lines):
        t = lines[j].text.strip()
        if not t or t.startswith(("•", "o ")) or any(p.match(lines[j].text) for _, p in fmt.subblocks):
            break
        if re.match(r"\d+(?:\.\d+)+\.?\s", t):  # "4.2 dosering", "7.5. We recommend": the row's body
            break
        if is_evidence_line(t, lines[j - 1].text.strip(), fmt):
            break
        j += 1
    return j


def is_evidence_line(line: str, previous: str, fmt: Format) -> bool:
    """A design or status line right after a finished citation (text layers without blank lines)."""
    finished = previous.endswith(".") or " " not in previous or bool(re.search(r"doi:\s*10\.\S+$", previous, re.I))
    if not finished or len(line) > 40 or YEAR.search(line):
        return False
    rest = fmt.status.sub("", re.sub(r"\b[nN]\s*=\s*\d+", "", line)).strip()
    return not rest or any(p.search(rest) for p, _ in fmt.designs)


def trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None


def is_heading(sentence: str) -> bool:
    words = sentence.split()
    return len(words) <= 3 and not re.search(r"[.!?\d%]", sentence)
