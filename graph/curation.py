"""Curation: a person's corrections to extracted edges, kept apart from the extracted data.

A curator can *confirm*, *reject* or *relabel* an edge, or *add* one, always with their
name, the date and a reason.  Corrections live in a log of their own — for the embedded
store ``<store>/curation.yaml`` — never in the store's tables, and are applied as an
overlay when reading (:func:`curate_evidence`, :func:`curate_graph`: take evidence or a
graph, return a new one).  Edge ids are derived from content (type, source, target,
source document), so re-importing a document gives its edges the same ids and the
overlay still applies.

Overlay rules, the same everywhere:

* confirm — the edge stays; it gets ``curation_status = "confirmed"``.
* reject  — in a graph the edge stays, marked ``curation_status = "rejected"`` (so an
  export shows what was rejected); in evidence and synthesis it no longer counts.
* relabel — the edge's ``type`` becomes ``new_type`` (``original_type`` keeps the old).
* add     — a new edge ``edge:curated:…`` with ``curation_status = "added"``.

The latest correction of an edge wins; every correction stays in the log.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from graph import ids
from graph.errors import LoadError, RecordError
from graph.model import EdgeType, check_triple, kind_of
from graph.views import Citation, Evidence, EvidenceItem, EvidenceNode, FindingView

__all__ = [
    "CURATION_FILE",
    "Correction",
    "CuratedEvidence",
    "CurationLog",
    "added_edge_id",
    "curate_evidence",
    "curate_graph",
    "curation_path",
    "read_corrections",
]

#: File name of the curation log inside an embedded store's directory.
CURATION_FILE = "curation.yaml"

Action = Literal["confirm", "reject", "relabel", "add"]
_STANCE_TYPES = (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)


class Correction(BaseModel):
    """One curator's decision about one edge."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Action
    edge: str | None = None
    source: str | None = None
    type: EdgeType | None = None
    target: str | None = None
    new_type: EdgeType | None = None
    quote: str | None = None
    curator: str = Field(min_length=1)
    date: dt.date
    reason: str | None = None

    @field_validator("curator", "reason", "edge", "source", "target", "quote")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> Correction:
        if self.action != "confirm" and not self.reason:
            raise ValueError(f"a {self.action} needs a reason")
        if self.action == "add":
            if not (self.source and self.type and self.target):
                raise ValueError("add needs source, type and target")
            try:
                check_triple(kind_of(self.source), self.type, kind_of(self.target))
            except RecordError as exc:
                raise ValueError(str(exc)) from None
        elif not (self.edge and self.edge.startswith("edge:")):
            raise ValueError(f"{self.action} needs the edge id ('edge:…'), e.g. from `evx curate list`")
        if self.action == "relabel" and self.new_type is None:
            raise ValueError("relabel needs new_type, e.g. CONTRADICTS")
        if self.action != "relabel" and self.new_type is not None:
            raise ValueError("new_type is only for relabel")
        return self

    @property
    def edge_id(self) -> str:
        if self.action == "add":
            return added_edge_id(self.source or "", self.type or EdgeType.SUPPORTS, self.target or "")
        return self.edge or ""

    def record(self) -> dict[str, Any]:
        """The attributes an edge carries once this correction applies (for exports)."""
        status = {"confirm": "confirmed", "reject": "rejected", "relabel": "relabelled", "add": "added"}[self.action]
        return {
            "curation_status": status,
            "curated_by": self.curator,
            "curated_at": self.date.isoformat(),
            "curation_reason": self.reason or "",
        }

    def as_yaml(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude_none=True)
        return {
            k: data[k]
            for k in ("action", "edge", "source", "type", "target", "new_type", "quote", "curator", "date", "reason")
            if k in data
        }


def added_edge_id(source: str, type_: EdgeType | str, target: str) -> str:
    """The id of an edge a curator added: one per (source, type, target), apart from the loaded edges."""
    return ids.edge_id(EdgeType(type_), source, target, per_document=False, namespace="edge:curated")


def curation_path(store_dir: Path) -> Path:
    """Where the embedded store in ``store_dir`` keeps its curation log."""
    return Path(store_dir) / CURATION_FILE


# -- reading a curator's YAML file, with file:line:field errors --------------------------


def read_corrections(path: Path, *, curator: str | None = None) -> list[Correction]:
    """Corrections from a curator's YAML file: a list, or ``{curator: …, corrections: [...]}``.

    A file-level ``curator`` (or the ``curator`` argument) fills entries that name none.
    Errors say ``file:line: field: problem``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror or exc}", path=str(path)) from exc
    return parse_corrections(text, where=str(path), curator=curator)


def parse_corrections(text: str, *, where: str = "<text>", curator: str | None = None) -> list[Correction]:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise LoadError(f"{where}{line}: not valid YAML: {getattr(exc, 'problem', exc)}", path=where) from exc
    if data is None:
        return []
    entries, nodes = data, root
    if isinstance(data, dict):
        curator = curator or data.get("curator")
        entries = data.get("corrections")
        nodes = next((v for k, v in root.value if k.value == "corrections"), None)  # type: ignore[union-attr]
    if not isinstance(entries, list) or nodes is None:
        raise LoadError(f"{where}:1: expected a list of corrections (or a 'corrections:' list)", path=where)
    out = []
    for entry, node in zip(entries, nodes.value, strict=True):
        line = node.start_mark.line + 1
        if not isinstance(entry, dict):
            raise LoadError(
                f"{where}:{line}: each correction is a mapping (action, edge, curator, date, reason)",
                path=where,
                line=line,
            )
        if curator and "curator" not in entry:
            entry = {**entry, "curator": curator}
        try:
            out.append(Correction.model_validate(entry))
        except ValidationError as exc:
            first = exc.errors()[0]
            fld = ".".join(str(p) for p in first["loc"]) or "correction"
            fline = next((k.start_mark.line + 1 for k, _ in node.value if k.value == fld), line)
            raise LoadError(f"{where}:{fline}: {fld}: {first['msg']}", path=where, line=fline) from None
    return out


# -- the log next to the store -------------------------------------------------------------


@dataclass
class CurationLog:
    """The corrections of one store, in a YAML file apart from the extracted data."""

    path: Path
    corrections: list[Correction] = field(default_factory=list)

    @classmethod
    def open(cls, path: Path) -> CurationLog:
        path = Path(path)
        return cls(path, read_corrections(path) if path.exists() else [])

    @classmethod
    def for_store(cls, store_dir: Path) -> CurationLog:
        return cls.open(curation_path(store_dir))

    def add(self, *corrections: Correction) -> None:
        """Append and save at once (atomically: a reader never sees half a file)."""
        self.corrections.extend(corrections)
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = yaml.safe_dump(
            {"corrections": [c.as_yaml() for c in self.corrections]}, allow_unicode=True, sort_keys=False
        )
        header = "# Curation log: corrections to extracted edges. Not extracted data; survives re-import.\n"
        tmp = self.path.with_name(f".{self.path.name}.partial")
        tmp.write_text(header + body, encoding="utf-8")
        os.replace(tmp, self.path)

    def latest(self) -> dict[str, Correction]:
        """The correction in force per edge id (the last one written)."""
        return latest(self.corrections)


def latest(corrections: Iterable[Correction]) -> dict[str, Correction]:
    out: dict[str, Correction] = {}
    for c in corrections:
        out[c.edge_id] = c
    return out


# -- overlays ------------------------------------------------------------------------------


def curate_graph(graph: nx.MultiDiGraph, corrections: Sequence[Correction]) -> nx.MultiDiGraph:
    """A copy of ``graph`` with corrections applied as edge attributes (see module docs)."""
    out = graph.copy()
    edges = {data.get("id") or key: data for _, _, key, data in out.edges(keys=True, data=True)}
    for edge_id, c in latest(corrections).items():
        if c.action == "add":
            if c.source in out and c.target in out:
                out.add_edge(
                    c.source,
                    c.target,
                    key=edge_id,
                    id=edge_id,
                    type=c.type.value,  # type: ignore[union-attr]
                    source_doc="curation",
                    quote=c.quote,
                    **c.record(),
                )
            continue
        data = edges.get(edge_id)
        if data is None:
            continue
        data.update(c.record())
        if c.action == "relabel" and c.new_type is not None:
            data.setdefault("original_type", data.get("type"))
            data["type"] = c.new_type.value
    return out


@dataclass(frozen=True)
class CuratedEvidence:
    """Evidence after the overlay, what the overlay removed, and corrections that found no edge."""

    evidence: Evidence
    rejected: tuple[EvidenceItem, ...]
    unmatched: tuple[Correction, ...]


def curate_evidence(
    evidence: Evidence,
    corrections: Sequence[Correction],
    *,
    node: Callable[[str], dict[str, Any] | None] | None = None,
) -> CuratedEvidence:
    """Evidence with corrections applied: rejected stances removed, relabels and additions in.

    ``node`` looks up a node's properties (``store.node``); it is needed to add an
    edge from a study that is not yet part of this evidence.
    """
    in_force = latest(corrections)
    used: set[str] = set()
    items: list[EvidenceItem] = []
    rejected: list[EvidenceItem] = []
    for item in evidence.items:
        c = in_force.get(item.edge_id)
        if c is None:
            items.append(item)
            continue
        used.add(item.edge_id)
        curated = replace(item, curation=(_badge(c),))
        if c.action == "reject":
            rejected.append(curated)
        elif c.action == "relabel" and c.new_type in _STANCE_TYPES:
            items.append(replace(curated, stance=c.new_type))
        else:
            items.append(curated)
    findings: dict[str, Mapping[str, Any]] = {i.finding.id: i.finding for i in evidence.items}
    for edge_id, c in in_force.items():
        if c.action != "add" or c.type not in _STANCE_TYPES:
            continue
        finding = findings.get(c.target or "") or (node(c.target) if node and c.target else None)
        source = _source_node(evidence, c.source or "", node)
        if finding is None or source is None or not _about(finding, evidence):
            continue
        used.add(edge_id)
        items.append(
            EvidenceItem(
                edge_id=edge_id,
                stance=c.type,
                finding=FindingView(finding),
                evidence=EvidenceNode(source),
                provenance=Citation(c.quote, "curation", None),
                curation=(_badge(c),),
            )
        )
    unmatched = tuple(c for eid, c in in_force.items() if eid not in used)
    # an edge outside this drug → outcome link is not "unmatched" in the log, only here
    return CuratedEvidence(replace(evidence, items=tuple(items)), tuple(rejected), unmatched)


def _badge(c: Correction) -> dict[str, Any]:
    out = c.record()
    if c.action == "relabel" and c.new_type is not None:
        out["new_type"] = c.new_type.value
    return out


def _source_node(
    evidence: Evidence, node_id: str, node: Callable[[str], dict[str, Any] | None] | None
) -> Mapping[str, Any] | None:
    for item in evidence.items:
        if item.evidence.id == node_id:
            return item.evidence
    return node(node_id) if node else None


def _about(finding: Mapping[str, Any], evidence: Evidence) -> bool:
    if any(i.finding.id == finding.get("id") for i in evidence.items):
        return True
    names = {str(evidence.drug.get("name", "")).casefold(), str(evidence.target.get("name", "")).casefold()}
    return {str(finding.get("drug", "")).casefold(), str(finding.get("outcome", "")).casefold()} <= names
