"""ClinicalTrials.gov API v2 JSON: one study, or a page of ``studies`` (with ``nextPageToken``).

Modules: :mod:`~loaders.ctgov.stream` (reading a file one study at a time),
:mod:`~loaders.ctgov.fields` (typed field access), :mod:`~loaders.ctgov.study` (the protocol),
:mod:`~loaders.ctgov.arms` (results groups → arms and roles), :mod:`~loaders.ctgov.results`
(posted results as Figures).  Records of the retired API v1 (``FullStudiesResponse``) and
the legacy XML (``<clinical_study>``) are recognised, and refused with what to download instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from graph.errors import LoadError, RecordError
from graph.model import Document
from graph.vocabulary import Vocabulary
from loaders.base import open_document, skipped_record, with_warnings
from loaders.ctgov.stream import dumps, iter_study_records
from loaders.ctgov.study import study_document
from loaders.text.recognize import Recognizer

__all__ = ["CtgovLoader", "dumps", "iter_study_records", "legacy_kind", "load_stream", "study_document"]

_START = re.compile(rb'^\s*\{\s*"(studies|nextPageToken|totalCount|protocolSection)"')
_V1 = re.compile(rb'^\s*\{\s*"(FullStudiesResponse|StudyFieldsResponse|FullStudy|Study)"\s*:')
_XML = re.compile(rb"<clinical_study[\s>]|clinicaltrials\.gov/ct2/html/images/info/public\.xsd")
_NCT = re.compile(rb"NCT\d{8}")
_V2_URL = "https://clinicaltrials.gov/api/v2/studies/"


def legacy_kind(head: bytes) -> str | None:
    """Which retired ClinicalTrials.gov format ``head`` starts, if any."""
    if _V1.match(head):
        return "a ClinicalTrials.gov API v1 record (`FullStudiesResponse`)"
    if head.lstrip()[:1] == b"<" and _XML.search(head[:8192]):
        return "a ClinicalTrials.gov legacy XML record (`<clinical_study>`)"
    return None


class CtgovLoader:
    name = "ctgov"
    description = "ClinicalTrials.gov API v2 JSON (one study, or a page of `studies`)"

    def __init__(self, recognizer: Recognizer | None = None) -> None:
        self.recognizer = recognizer

    def with_recognizer(self, recognizer: Recognizer | None) -> CtgovLoader:
        """The loader naming the registry's MeSH terms over the store's open vocabulary (``evx load`` passes it)."""
        return CtgovLoader(recognizer)

    def sniff(self, path: Path, head: bytes) -> bool:
        return (
            bool(_START.match(head))
            or (head.lstrip()[:1] == b"{" and b'"protocolSection"' in head)
            or legacy_kind(head) is not None
        )

    def load(self, path: Path) -> Iterator[Document]:
        with open_document(path) as handle:
            head = handle.read(65536)
            kind = legacy_kind(head)
            if kind is not None:
                nct = _NCT.search(head)
                target = _V2_URL + (nct.group().decode() if nct else "NCT…")
                raise LoadError(
                    f"this is {kind}; this tool reads API v2 JSON: download the v2 JSON from {target}",
                    path=str(path),
                )
            handle.seek(0)
            yield from load_stream(handle, path=str(path), recognizer=self.recognizer)


def load_stream(
    handle: IO[bytes], *, path: str, vocabulary: Vocabulary | None = None, recognizer: Recognizer | None = None
) -> Iterator[Document]:
    """Documents of every readable study; a broken study is a warning on a neighbour document."""
    vocabulary = vocabulary or Vocabulary.default()
    pending: Document | None = None
    problems: list[str] = []
    single_error: LoadError | None = None
    count = 0
    try:
        for label, record in iter_study_records(handle, path=path):
            count += 1
            try:
                document = study_document(record, path=path, label=label, vocabulary=vocabulary, recognizer=recognizer)
            except (LoadError, TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
                # a field of the wrong JSON type (a list where the API gives an object…): the record is broken
                if isinstance(exc, LoadError | RecordError):
                    error = exc
                else:
                    error = LoadError(f"{label}: a field has an unexpected type or shape ({exc})", path=path)
                single_error = error if isinstance(error, LoadError) else LoadError(str(error), path=path)
                problems.append(skipped_record(label, error))
                continue
            if pending is not None:
                yield pending
            pending = with_warnings(document, problems)
            problems = []
    except LoadError as exc:
        if pending is None and count == 0:
            raise
        problems.append(f"{exc.reason} (after {count} studies; the studies before it were loaded)")
    if pending is not None:
        yield with_warnings(pending, problems)
    elif problems:
        if count == 1 and single_error is not None:
            raise single_error
        raise LoadError("no study could be read: " + "; ".join(problems), path=path)
