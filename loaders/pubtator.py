"""PubTator annotation files: titles, abstracts, mentions with MeSH ids, and relations.

NCBI's PubTator serves annotations for all of PubMed in this format, and the BioCreative V
CDR corpus is distributed in it.  The project reads it for two things: learning which words
name which MeSH concept (``evx vocab import pubtator``) and evaluating recognition and
claims against annotated abstracts (``evx eval cdr``).  Blocks are separated by blank lines::

    PMID|t|title
    PMID|a|abstract
    PMID<TAB>start<TAB>end<TAB>mention<TAB>Chemical|Disease<TAB>MeSH id(s, '|'-separated; -1 = none)
    PMID<TAB>CID<TAB>chemical MeSH id<TAB>disease MeSH id

Offsets count characters from the start of the title (title, one space, abstract).
A malformed line is a :class:`LoadError` naming the file and line: a half-read
annotation file would teach the vocabulary the wrong names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from graph.errors import LoadError
from loaders.base import open_document

__all__ = ["Annotation", "PubtatorRecord", "read_pubtator", "to_pubmed_xml"]

_MESH_ID = re.compile(r"(?:MESH:)?([CD]\d{6,9})")
#: A line longer than this is not an annotation file (a title or abstract is never this long).
MAX_LINE = 200_000


@dataclass(frozen=True)
class Annotation:
    start: int
    end: int
    text: str
    type: str  # Chemical | Disease (other types are kept as given)
    ids: tuple[str, ...]  # MeSH ids; empty when the annotator found none (-1)


@dataclass
class PubtatorRecord:
    pmid: str
    title: str = ""
    abstract: str = ""
    annotations: list[Annotation] = field(default_factory=list)
    relations: set[tuple[str, str]] = field(default_factory=set)
    line: int = 0

    @property
    def text(self) -> str:
        """Title and abstract as the offsets count them."""
        return f"{self.title} {self.abstract}"


def read_pubtator(path: Path) -> Iterator[PubtatorRecord]:
    """Records of a PubTator file, streamed; :class:`LoadError` names the line that is wrong."""
    with open_document(path) as handle:
        record: PubtatorRecord | None = None
        seen_any = False
        for number, raw in enumerate(handle, start=1):
            if len(raw) > MAX_LINE:
                raise LoadError(f"line is {len(raw):,} bytes; not a PubTator file", path=str(path), line=number)
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                raise LoadError("not UTF-8 text", path=str(path), line=number) from None
            if not line.strip():
                if record is not None:
                    yield _finished(record, path)
                    record = None
                continue
            seen_any = True
            pipe = re.match(r"^(\d+)\|([ta])\|(.*)$", line)
            if pipe:
                pmid, part, text = pipe.groups()
                if record is not None and record.pmid != pmid:
                    yield _finished(record, path)
                    record = None
                record = record or PubtatorRecord(pmid=pmid, line=number)
                if part == "t":
                    record.title = text
                else:
                    record.abstract = text
                continue
            cells = line.split("\t")
            if record is None or cells[0] != record.pmid:
                raise LoadError(
                    "expected 'PMID|t|title' before annotations of a new record", path=str(path), line=number
                )
            if len(cells) >= 4 and cells[1] == "CID":
                record.relations.add((cells[2], cells[3]))
                continue
            if len(cells) < 6 or not cells[1].isdigit() or not cells[2].isdigit():
                raise LoadError(
                    "expected PMID<TAB>start<TAB>end<TAB>mention<TAB>type<TAB>MeSH id", path=str(path), line=number
                )
            start, end = int(cells[1]), int(cells[2])
            if end < start or end - start != len(cells[3]):
                raise LoadError(
                    f"offsets {start}-{end} do not fit the mention {cells[3][:40]!r}", path=str(path), line=number
                )
            ids = tuple(m.group(1) for part in re.split(r"[|;,]", cells[5]) if (m := _MESH_ID.fullmatch(part.strip())))
            record.annotations.append(Annotation(start, end, cells[3], cells[4], ids))
        if record is not None:
            yield _finished(record, path)
        if not seen_any:
            raise LoadError("the file is empty", path=str(path))


def _finished(record: PubtatorRecord, path: Path) -> PubtatorRecord:
    if not record.title:
        raise LoadError(f"PMID {record.pmid}: no title line ('PMID|t|…')", path=str(path), line=record.line)
    text = record.text
    for ann in record.annotations:
        if text[ann.start : ann.end] != ann.text:
            raise LoadError(
                f"PMID {record.pmid}: mention {ann.text[:40]!r} is not at {ann.start}-{ann.end} of the text",
                path=str(path),
                line=record.line,
            )
    return record


def to_pubmed_xml(records: list[PubtatorRecord]) -> str:
    """A ``PubmedArticleSet`` with the title and abstract of each record, and nothing else.

    This is what a user loading these abstracts from PubMed without their MeSH indexing
    would give the loader: everything must be read from the text.
    """
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<PubmedArticleSet>"]
    for rec in records:
        abstract = f"<Abstract><AbstractText>{escape(rec.abstract)}</AbstractText></Abstract>" if rec.abstract else ""
        parts.append(
            f'<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">{rec.pmid}</PMID>'
            f"<Article><ArticleTitle>{escape(rec.title)}</ArticleTitle>{abstract}"
            "<Language>eng</Language></Article></MedlineCitation></PubmedArticle>"
        )
    parts.append("</PubmedArticleSet>")
    return "\n".join(parts) + "\n"
