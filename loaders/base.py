"""What every loader shares: reading bytes safely, and building a valid :class:`Document`.

Loaders parse; they never fetch and never write.  A loader turns one file into one or
more documents with :class:`DocumentBuilder`, which locates every quote in the source
text (so spans are always right), resolves names through the vocabulary, and merges
repeated nodes.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from pydantic import ValidationError

from graph import trusted
from graph.dose import Dose
from graph.errors import LoadError, RecordError
from graph.ids import content_id, figure_id, finding_id, source_id
from graph.model import (
    Document,
    Edge,
    EdgeType,
    Node,
    NodeKind,
    Provenance,
    Scalar,
    document_digest,
    unique_nodes,
)
from graph.vocabulary import Concept, Vocabulary

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_RECORDS",
    "DocumentBuilder",
    "Loader",
    "decode",
    "open_document",
    "read_document_bytes",
    "skipped_record",
    "with_warnings",
]

#: Larger files are refused before parsing (a document, not a database dump).
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
#: A document that yields more records than this is stopped: no real report has that many.
MAX_RECORDS = 200_000


class Loader(Protocol):
    """A document format: recognise a file, turn it into documents."""

    name: str
    description: str

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the file looks like this format (``head`` is its first 64 KiB)."""

    def load(self, path: Path) -> Iterator[Document]:
        """The documents the file holds; raise :class:`LoadError` for what cannot be read."""


@contextmanager
def open_document(path: Path) -> Iterator[IO[bytes]]:
    """The file opened for reading, with the project's errors for missing or unreadable files."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise LoadError("no such file", path=str(path)) from None
    except IsADirectoryError:
        raise LoadError("is a directory; give the files inside it", path=str(path)) from None
    except PermissionError:
        raise LoadError("permission denied", path=str(path)) from None
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    with handle:
        yield handle


def read_document_bytes(path: Path, *, limit: int = MAX_DOCUMENT_BYTES, head: int | None = None) -> bytes:
    """The file's bytes (only the first ``head`` bytes when given), with clear errors for
    missing, unreadable, empty or oversized files."""
    with open_document(path) as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            if size > limit and head is None:
                raise LoadError(f"file is {size:,} bytes; the limit is {limit:,}", path=str(path))
            data = handle.read(head if head is not None else -1)
        except OSError as exc:
            raise LoadError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    if not data.strip():
        raise LoadError("the file is empty", path=str(path))
    return data


def decode(data: bytes, *, path: str | None = None) -> tuple[str, list[str]]:
    """Text from bytes: UTF-8 (with or without BOM, or UTF-16 with BOM), else Windows-1252.

    Returns the text (newlines normalised to ``\\n``) and warnings about the encoding.
    Binary data is refused rather than decoded into noise.
    """
    warnings: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data[:65536]:
            raise LoadError("binary data (NUL bytes), not a text document", path=path)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            text = data.decode("cp1252", errors="replace")
            warnings.append(f"line {line}: not UTF-8; read as Windows-1252")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\n\t\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise LoadError("mostly control characters: not a text document", path=path)
    return text, warnings


def skipped_record(label: str, exc: Exception) -> str:
    """The warning for one unreadable record in a file of many (the others still load)."""
    reason = str(getattr(exc, "reason", exc))
    return f"{reason if reason.startswith(label) else f'{label}: {reason}'} (record skipped; the others were loaded)"


def with_warnings(document: Document, extra: list[str]) -> Document:
    """The document with reader warnings added (e.g. about records skipped next to it)."""
    if not extra:
        return document
    return document.model_copy(update={"warnings": (*document.warnings, *extra)})


@dataclass
class DocumentBuilder:
    """Collects one document's records; ``build()`` validates them as a :class:`Document`."""

    text: str
    source_type: str
    title: str
    path: str | None = None
    vocabulary: Vocabulary = field(default_factory=Vocabulary.default)
    source_props: dict[str, Scalar] = field(default_factory=dict)
    source_key: str | None = None

    def __post_init__(self) -> None:
        self.source_doc = "source:" + self.source_key if self.source_key else source_id(self.text)
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.warnings: list[str] = []
        self._name_index: dict[str, str] = {}
        self._name_indexed = 0
        self._bare = trusted.provenance(self.source_doc)
        self._placed: dict[tuple[str, int | None], Provenance] = {}  # a figure's node and edges share one

    # -- provenance ----------------------------------------------------------------
    def provenance(self, quote: str | None = None, *, start: int | None = None) -> Provenance:
        """Provenance for ``quote``: located in the text (at ``start`` if given), else quote only.

        A quote that is not verbatim in the text is dropped with a warning rather than
        stored: a quote must be something a researcher can find in the source.
        """
        if not quote:
            return self._bare
        placed = self._placed.get((quote, start))
        if placed is not None:
            return placed
        if start is not None and self.text[start : start + len(quote)] == quote:
            placed = trusted.provenance(self.source_doc, quote, (start, start + len(quote)))
        else:
            found = self.text.find(quote)
            if found < 0:
                self.warn(f"quote not found verbatim in the source, left out: {quote[:60]!r}")
                return self._bare
            placed = trusted.provenance(self.source_doc, quote, (found, found + len(quote)))
        self._placed[(quote, start)] = placed
        return placed

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, max(offset, 0)) + 1

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    # -- records -------------------------------------------------------------------
    def add_node(
        self,
        node_id: str,
        kind: NodeKind,
        name: str,
        props: dict[str, Scalar] | None = None,
        *,
        quote: str | None = None,
        start: int | None = None,
    ) -> str:
        clean = {k: v for k, v in (props or {}).items() if v is not None and v != ""}
        try:
            self.nodes.append(trusted.node(node_id, kind, name, clean, self.provenance(quote, start=start)))
        except ValidationError as exc:
            raise RecordError(f"{kind} {name!r}: {_first_error(exc)}") from None
        self._check_size()
        return node_id

    def add_concept(self, concept: Concept, *, quote: str | None = None, start: int | None = None) -> str:
        self.nodes.append(concept.node(self.provenance(quote, start=start)))
        return concept.id

    def concept(
        self,
        term: str,
        kind: NodeKind | None = None,
        *,
        quote: str | None = None,
        start: int | None = None,
    ) -> str | None:
        """Add the vocabulary concept ``term`` names; ``None`` (and a warning) when it names none."""
        concept = self.vocabulary.lookup(term, kind)
        if concept is None:
            self.warn(f"{term!r} is not in the vocabulary" + (f" as a {kind}" if kind else ""))
            return None
        return self.add_concept(
            concept,
            quote=quote or term if (quote or term) in self.text else None,
            start=start,
        )

    def add_edge(
        self,
        etype: EdgeType,
        source: str,
        target: str,
        *,
        quote: str | None = None,
        start: int | None = None,
        props: dict[str, Scalar] | None = None,
    ) -> None:
        clean = {k: v for k, v in (props or {}).items() if v is not None}
        try:
            self.edges.append(trusted.edge(etype, source, target, clean, self.provenance(quote, start=start)))
        except ValidationError as exc:
            raise RecordError(f"{etype} {source} -> {target}: {_first_error(exc)}") from None
        self._check_size()

    def add_finding(
        self,
        drug_id: str,
        target_id: str,
        population_id: str | None = None,
        *,
        statement: str | None = None,
        quote: str | None = None,
        start: int | None = None,
        dose: Dose | None = None,
    ) -> str:
        """The claim "drug → outcome (in population) (at dose)", with its ABOUT and IN_POPULATION edges.

        A claim the text states at a dose ("hypoglycemia at or above 200 µg/kg/day") is a claim
        of its own, ABOUT the same drug and outcome: its id and name include the dose.
        """
        names = self._names()
        fid = finding_id(drug_id, target_id, population_id)
        if dose is not None:
            fid = content_id(NodeKind.FINDING, drug_id, target_id, population_id or "", "dose", dose.key())
        drug, target = names.get(drug_id, drug_id), names.get(target_id, target_id)
        population = names.get(population_id) if population_id else None
        label = f"{drug} → {target}" + (f" in {population}" if population else "")
        if dose is not None:
            label += f" at {dose.describe()}"
        self.add_node(
            fid,
            NodeKind.FINDING,
            label,
            {
                "drug": drug,
                "outcome": target,
                "population": population,
                "statement": statement,
                **(dose.props() if dose is not None else {}),
            },
            quote=quote,
            start=start,
        )
        self.add_edge(EdgeType.ABOUT, fid, drug_id, quote=quote, start=start)
        self.add_edge(EdgeType.ABOUT, fid, target_id, quote=quote, start=start)
        if population_id:
            self.add_edge(EdgeType.IN_POPULATION, fid, population_id, quote=quote, start=start)
        return fid

    def add_figure(
        self,
        reporter_id: str,
        finding: str | None,
        *,
        label: str,
        value: float | None,
        unit: str | None = None,
        numerator: int | None = None,
        denominator: int | None = None,
        population: str | None = None,
        population_id: str | None = None,
        baseline: float | None = None,
        quote: str | None = None,
        start: int | None = None,
        key: str | None = None,
        **extra: Scalar,
    ) -> str:
        """A number ``reporter`` REPORTS, which MEASURES ``finding`` when given.

        ``key`` names the number's place in its document (a registry cell) when value and
        population alone would not tell two numbers apart.
        """
        fig = figure_id(reporter_id, key or finding or label, value, population)
        props = {
            "value": value,
            "unit": unit,
            "numerator": numerator,
            "denominator": denominator,
            "population": population,
            "label": label,
            "baseline": baseline,
            **extra,
        }
        name = (
            label
            if value is None
            else f"{value:g}{'' if unit in (None, '%') else ' '}{unit or ''}".strip()
            + (f" ({population})" if population else "")
        )
        # the node and its edges share one provenance, placed once (a trial record has ~100 figures)
        prov = self.provenance(quote, start=start)
        clean = {k: v for k, v in props.items() if v is not None and v != ""}
        try:
            self.nodes.append(trusted.node(fig, NodeKind.FIGURE, name, clean, prov))
        except ValidationError as exc:
            raise RecordError(f"{NodeKind.FIGURE} {name!r}: {_first_error(exc)}") from None
        self._edge(EdgeType.REPORTS, reporter_id, fig, prov)
        if finding:
            self._edge(EdgeType.MEASURES, fig, finding, prov)
        if population_id:
            self._edge(EdgeType.IN_POPULATION, fig, population_id, prov)
        self._check_size()
        return fig

    def _edge(self, etype: EdgeType, source: str, target: str, prov: Provenance) -> None:
        """:meth:`add_edge` of an edge without properties whose provenance is placed already."""
        try:
            self.edges.append(trusted.edge(etype, source, target, {}, prov))
        except ValidationError as exc:
            raise RecordError(f"{etype} {source} -> {target}: {_first_error(exc)}") from None

    def _names(self) -> dict[str, str]:
        """Node id → name (the last node added with the id), indexed as nodes are added, not per call."""
        for node in self.nodes[self._name_indexed :]:
            self._name_index[node.id] = node.name
        self._name_indexed = len(self.nodes)
        return self._name_index

    def _check_size(self) -> None:
        if len(self.nodes) + len(self.edges) > MAX_RECORDS:
            raise LoadError(
                f"the document yields more than {MAX_RECORDS:,} records; refusing to load it",
                path=self.path,
            )

    def build(self) -> Document:
        """The validated document; every node gets a FROM_SOURCE edge to the source."""
        props = {
            "text": self.text,
            "source_type": self.source_type,
            **self.source_props,
        }
        source = Node(
            id=self.source_doc,
            kind=NodeKind.SOURCE,
            name=self.title,
            props={k: v for k, v in props.items() if v is not None},
            provenance=Provenance(source_doc=self.source_doc),
        )
        nodes = [n for n in unique_nodes(self.nodes) if n.id != source.id]
        provenance = trusted.provenance(self.source_doc)
        linked = {(e.source, e.target) for e in self.edges if e.type is EdgeType.FROM_SOURCE}
        from_source = trusted.from_source([n for n in nodes if (n.id, source.id) not in linked], source.id, provenance)
        edges = list({e.id: e for e in (*self.edges, *from_source)}.values())
        try:
            document = trusted.document(source, tuple(nodes), tuple(edges), tuple(self.warnings))
        except ValidationError as exc:
            raise LoadError(_first_error(exc), path=self.path) from None
        # the digest of its records travels with the Source: a re-import of an edited file is told apart
        signed = source.model_copy(update={"props": {**source.props, "sha256": document_digest(document)}})
        return document.model_copy(update={"source": signed})


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    message = str(err.get("msg", exc)).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
