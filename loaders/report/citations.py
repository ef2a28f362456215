"""Citations in a report's table: authors, title, journal, year, volume, pages and DOI.

Both AMA ("Surname AB, ... Journal. 2021;60:101419.") and APA ("Surname, A. B. (2002).
Title. Journal, 1(6), 399–410.") styles, re-joined across the PDF's line breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.model import Scalar
from loaders.report.layout import YEAR, Line
from loaders.text.sentences import unwrap

__all__ = ["Citation", "parse_citation"]


@dataclass
class Citation:
    raw: str
    quote: str
    start: int
    authors: list[str] = field(default_factory=list)
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    pages: str | None = None
    doi: str | None = None
    organisation: str | None = None

    @property
    def first_author(self) -> str | None:
        if self.organisation:
            return self.organisation
        return self.authors[0].split()[0].rstrip(",") if self.authors else None

    @property
    def name(self) -> str:
        who = self.first_author or (self.title or self.raw)[:40]
        return f"{who} {self.year}" if self.year else who

    def props(self) -> dict[str, Scalar]:
        return {
            "title": self.title,
            "authors": "; ".join(self.authors) or None,
            "year": self.year,
            "journal": self.journal,
            "volume": self.volume,
            "pages": self.pages,
            "doi": self.doi,
        }


_AUTHORS = re.compile(r"^[^.]*?\b[A-ZÀ-Þ]{1,3}(?:[,;]|\.\s)")
#: "Hasslacher C; Multinational Repaglinide Renal Study Group. Safety and …": authors ending in a group.
_GROUP_AUTHOR = re.compile(
    r"^(?P<authors>[^.]+?\b[A-ZÀ-Þ]{1,3}\s*;\s*[^.;]*?\b(?:Group|Investigators|Consortium|Collaboration|Committee))"
    r"\.\s+(?P<rest>.*)$"
)
_DOI = re.compile(r"(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(10\.\S+)", re.I)
_AMA_TAIL = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*(?:[A-Z][a-z]{2}[^;]*)?;\s*(?P<vol>[\w\-–]+)?\s*(?:\((?P<issue>[^)]*)\))?\s*:\s*"
    r"(?P<pages>[\w\-–]+)"
)
_APA = re.compile(
    r"^(?P<authors>.+?)\s*\((?P<year>(?:19|20)\d{2})[a-z]?\)\.\s*(?P<title>.+?[.?!])\s+(?P<journal>[^,]+),\s*"
    r"(?P<vol>\d+)(?:\((?P<issue>[^)]*)\))?(?:,\s*(?P<pages>[\w\-–]+))?"
)


def parse_citation(text: str, lines: list[Line], organisation: re.Pattern[str] | None = None) -> Citation:
    """Authors, title, journal, year, volume, pages and a DOI re-joined across line breaks."""
    quote = text[lines[0].start : lines[-1].end].strip()
    start = lines[0].start + (
        len(text[lines[0].start : lines[-1].end]) - len(text[lines[0].start : lines[-1].end].lstrip())
    )
    parts: list[str] = []
    in_doi = False
    for ln in lines:
        t = ln.text.strip()
        if in_doi and re.fullmatch(r"[\w./\-()]+", t):
            parts[-1] += t  # a DOI wrapped by the PDF: "doi:10.1073/pnas.1311141" + "111"
            continue
        in_doi = bool(_DOI.search(t)) and bool(re.search(r"10\.\S+$", t))
        parts.append(ln.text)
    raw = unwrap("\n".join(parts))
    cit = Citation(raw=raw, quote=quote, start=start)
    doi = _DOI.search(raw)
    if doi:
        cit.doi = doi.group(1).rstrip(".,;")
        raw_wo_doi = raw[: doi.start()].strip()
    else:
        raw_wo_doi = raw
    org = organisation.match(raw_wo_doi) if organisation is not None else None
    if org and not _AUTHORS.match(raw_wo_doi):
        cit.organisation = org.group("org").strip()
        cit.authors = [cit.organisation]
        _read_tail(cit, raw_wo_doi[org.end() :].strip())
        return cit
    apa = _APA.match(raw_wo_doi)
    if apa:
        cit.authors = [
            f"{s.strip()} {i.replace('.', '').replace(' ', '')}"
            for s, i in re.findall(r"([^,&]+),\s*((?:[A-ZÀ-Þ]\.\s?-?)+)", apa["authors"])
        ]
        cit.year = int(apa["year"])
        cit.title = apa["title"].rstrip(".")
        cit.journal = apa["journal"].strip()
        cit.volume = apa["vol"] + (f"({apa['issue']})" if apa["issue"] else "")
        cit.pages = apa["pages"]
        return cit
    m = re.match(r"^(?P<authors>.+?(?:et al|\b[A-ZÀ-Þ]{1,3}))\.\s+(?P<rest>.*)$", raw_wo_doi)
    group = _GROUP_AUTHOR.match(raw_wo_doi)
    if group and (m is None or len(group["authors"]) < len(m["authors"])):
        m = group
    rest = raw_wo_doi
    if m:
        cit.authors = [a.strip() for a in re.split(r"[,;]", m["authors"]) if a.strip()]
        if cit.authors and cit.authors[-1] == "et al":
            cit.authors[-1] = "et al."
        rest = m["rest"]
    _read_tail(cit, rest)
    return cit


def _read_tail(cit: Citation, rest: str) -> None:
    """Title, journal, year, volume and pages from what follows the authors."""
    tail = _AMA_TAIL.search(rest)
    if tail:
        cit.year = int(tail["year"])
        cit.volume = (tail["vol"] or "") + (f"({tail['issue']})" if tail["issue"] else "") or None
        cit.pages = tail["pages"]
        head = rest[: tail.start()].strip().rstrip(".").strip()
        split = list(re.finditer(r"[.?!]\s+", head))
        if split:
            cut = split[-1]
            cit.title = head[: cut.start() + (1 if head[cut.start()] in "?!" else 0)].strip()
            cit.journal = head[cut.end() :].strip() or None
        else:
            cit.title = head or None
    else:
        year = YEAR.search(rest)
        cit.year = int(year.group(0)) if year else None
        cit.title = re.split(r"[.?!]\s", rest, maxsplit=1)[0].strip() or None
