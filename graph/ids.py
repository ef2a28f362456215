"""Stable, content-derived node ids, so that loading a document twice changes nothing.

A study is known by the strongest identifier its record gives (DOI, then PMID, then
NCT id, then first author + year + title); records of the same study from different
sources therefore meet at one node.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model derives its edge ids here, so this module needs no model at run time
    from graph.model import NodeKind

__all__ = [
    "concept_id",
    "content_id",
    "edge_id",
    "figure_id",
    "finding_id",
    "normalise",
    "slug",
    "source_id",
    "study_id",
]


def normalise(text: str) -> str:
    """Lower case, accents folded, punctuation to single spaces: for matching names."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", folded).strip()


def slug(text: str) -> str:
    """A readable id key: ``"Laron syndrome"`` → ``"laron-syndrome"``."""
    return normalise(text).replace(" ", "-") or "x"


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()[:16]


def _prefix(kind: NodeKind | str) -> str:
    return str(kind).lower()  # NodeKind.prefix, for a kind given by its name too


def concept_id(kind: NodeKind, name: str) -> str:
    """Id of a Drug, Condition or Outcome from its preferred English name."""
    return f"{_prefix(kind)}:{slug(name)}"


def source_id(text: str) -> str:
    """Id of a Source document from its full text (the same text gives the same id)."""
    return "source:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def content_id(kind: NodeKind, *parts: object) -> str:
    """Id of a Finding, Figure or Guideline from the content that defines it."""
    return f"{_prefix(kind)}:{_digest(*parts)}"


def study_id(
    *,
    doi: str | None = None,
    pmid: str | None = None,
    nct_id: str | None = None,
    first_author: str | None = None,
    year: int | None = None,
    title: str | None = None,
    kind: NodeKind | str = "Study",
) -> str:
    """Id of a Study (or Guideline) from its strongest identifier."""
    prefix = _prefix(kind)
    if doi:
        return f"{prefix}:doi:{doi.strip().lower()}"
    if pmid:
        return f"{prefix}:pmid:{pmid.strip()}"
    if nct_id:
        return f"{prefix}:nct:{nct_id.strip().upper()}"
    if first_author or title:
        return f"{prefix}:{slug(first_author or '')}-{year or 'nd'}-{_digest(normalise(title or ''))[:8]}"
    raise ValueError("a study needs a DOI, PMID, NCT id, or an author or title to be identified")


def finding_id(drug_id: str, target_id: str, population_id: str | None = None) -> str:
    """Id of the claim "drug → outcome (in population)": the same claim from any loader meets here."""
    return content_id("Finding", drug_id, target_id, population_id or "")


def figure_id(reporter_id: str, finding_or_label: str, value: object, population: str | None = None) -> str:
    """Id of a number a study reported about a claim, in a population."""
    return content_id("Figure", reporter_id, finding_or_label, value, population or "")


def edge_id(
    type_: str,
    source: str,
    target: str,
    source_doc: str | None = None,
    *,
    per_document: bool = True,
    namespace: str = "edge",
) -> str:
    """Id of an edge from its content: type, endpoints and, for evidence edges, the document it was read in.

    The one formula behind :class:`graph.model.Edge` ids, evidence items and curation, so a
    correction addresses an edge that gets the same id again when its document is re-imported.
    Structural edges (``per_document=False``) are one edge however many documents state them;
    a curator's added edge lives in its own ``namespace`` (``edge:curated``).
    """
    parts = [str(type_), source, target]
    if per_document:
        parts.append(source_doc or "")
    key = "\x1f".join(parts)
    return f"{namespace}:" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:20]
