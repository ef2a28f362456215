"""Drug–disease evidence reports (Dutch "SHB"-style): conclusion, PICO, study tables, guidelines, SPC.

A report answers "is drug X a problem for patients with condition Y?".  Modules:
:mod:`~loaders.report.format` (the format's words, as data), :mod:`~loaders.report.layout`
(lines, sections, table rows), :mod:`~loaders.report.citations`, :mod:`~loaders.report.parser`
(the report as a whole) with the rows read by :mod:`~loaders.report.studies` and
:mod:`~loaders.report.guidelines`, and what their sentences say by :mod:`~loaders.report.findings`.
PDF text extraction is :mod:`loaders.pdf_text`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.model import Document
from graph.vocabulary import Vocabulary
from loaders.base import decode, read_document_bytes
from loaders.pdf_text import pdf_text
from loaders.report.format import report_format
from loaders.report.parser import SOURCE_TYPE, ReportParser
from loaders.report.terms import OpenVocabulary, Terms

__all__ = ["SOURCE_TYPE", "OpenVocabulary", "ReportLoader", "Terms", "parse_report", "pdf_text"]


class ReportLoader:
    """Drug–disease reports as plain text (UTF-8 or Windows-1252) or as PDF with a text layer."""

    name = "drug-disease-report"
    description = "drug–disease evidence report (CONCLUSIE, PICO, 'Bron' study table), text or PDF"

    def __init__(self, vocabulary: Terms | None = None) -> None:
        self.vocabulary = vocabulary

    def with_recognizer(self, recognizer: Any) -> ReportLoader:
        """The loader reading over the store's open vocabulary too (``evx load`` passes it in).

        The bundled names stay first: they know the Dutch, brand and coded names a report uses.
        """
        if recognizer is None:
            return self
        return ReportLoader(OpenVocabulary(self.vocabulary or Vocabulary.default(), recognizer))

    def sniff(self, path: Path, head: bytes) -> bool:
        if head.startswith(b"%PDF"):
            return True
        if b"Source: clinicaltrials:" in head or b"\x00" in head[:4096]:
            return False
        text = head.decode("utf-8", errors="replace")
        fmt = report_format()
        wanted = {k: p for k, p in fmt.sections if k in {"conclusion", "pico"}}
        hits = {
            k
            for line in text.splitlines()
            for k, p in (*wanted.items(), ("table", fmt.table_header))
            if len(line) < 120 and p.match(line)
        }
        return len(hits) >= 2

    def load(self, path: Path) -> Iterator[Document]:
        data = read_document_bytes(path)
        if data.startswith(b"%PDF"):
            text, warnings = pdf_text(data, path=str(path)), []
        else:
            text, warnings = decode(data, path=str(path))
        yield parse_report(text, path=str(path), warnings=warnings, vocabulary=self.vocabulary)


def parse_report(
    text: str, *, path: str = "<report>", warnings: list[str] | None = None, vocabulary: Terms | None = None
) -> Document:
    """One report as a validated Document (LoadError when it is not a report at all).

    ``vocabulary`` is any :class:`~loaders.report.terms.Terms` (default: the bundled one).
    """
    return ReportParser(text, path, vocabulary or Vocabulary.default(), list(warnings or [])).parse()
