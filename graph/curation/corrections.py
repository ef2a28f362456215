"""A curator's decisions about edges (:class:`Correction`) and their YAML form; no file I/O here.

A curator can *confirm*, *reject* or *relabel* an edge, or *add* one, always with their
name, the date and a reason.  Edge ids are derived from content (type, source, target,
source document), so re-importing a document gives its edges the same ids and a
correction still applies.  The latest correction of an edge wins (:func:`latest`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from graph import ids
from graph.errors import LoadError, RecordError
from graph.model import EdgeType, check_triple, kind_of

__all__ = ["Action", "Correction", "added_edge_id", "correction_of", "latest", "parse_corrections"]

Action = Literal["confirm", "reject", "relabel", "add"]


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
    #: a person's name, not a document: longer is a paste gone wrong
    curator: str = Field(min_length=1, max_length=200)
    date: dt.date
    reason: str | None = Field(default=None, max_length=5000)

    @field_validator("curator", "reason", "edge", "source", "target", "quote", mode="before")
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


def correction_of(fields: Mapping[str, Any]) -> Correction:
    """One correction from a form's or a command line's fields; a bad one is a :class:`RecordError` naming the field."""
    try:
        return Correction.model_validate(dict(fields))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RecordError(f"{'.'.join(map(str, first['loc'])) or 'correction'}: {first['msg']}") from None


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


def latest(corrections: Iterable[Correction]) -> dict[str, Correction]:
    """The correction in force per edge id (the last one written)."""
    out: dict[str, Correction] = {}
    for c in corrections:
        out[c.edge_id] = c
    return out
