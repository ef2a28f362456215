"""Typed read models: what a store hands back about a link, read by name instead of by dict key.

Every backend returns these (the memory, embedded and Neo4j stores, and an exported
bundle), so the views, the synthesis, curation and the report read ``item.evidence.year``
rather than ``item.evidence.get("year")`` and agree on what a missing value is.

Node views keep the store's columns as a read-only mapping as well (``item.evidence["n"]``),
because a node's properties are open-ended (a loader may add one) and the backend contract
reads them that way; the typed properties are the ones the read side relies on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.model import EdgeType
from graph.values import text_or_none, whole_number

__all__ = [
    "FACT_LABELS",
    "Citation",
    "Evidence",
    "EvidenceItem",
    "EvidenceNode",
    "FigureView",
    "FindingView",
    "NodeView",
    "Recommendation",
    "node_facts",
]


class NodeView(Mapping[str, Any]):
    """A stored node, read-only: typed ``id``, ``kind``, ``name``, and its columns by name."""

    __slots__ = ("_props",)

    def __init__(self, props: Mapping[str, Any] | None = None) -> None:
        self._props: dict[str, Any] = dict(props or {})

    def __getitem__(self, key: str) -> Any:
        return self._props[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._props)

    def __len__(self) -> int:
        return len(self._props)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._props!r})"

    @property
    def id(self) -> str:
        return str(self._props.get("id", ""))

    @property
    def kind(self) -> str | None:
        return text_or_none(self._props.get("kind"))

    @property
    def name(self) -> str | None:
        return text_or_none(self._props.get("name"))

    @property
    def label(self) -> str:
        """The name a reader sees: the node's name, else its id."""
        return self.name or self.id

    @property
    def population(self) -> str | None:
        return text_or_none(self._props.get("population"))

    def text(self, key: str) -> str | None:
        """Property ``key`` as stripped text, ``None`` when missing or blank."""
        return text_or_none(self._props.get(key))

    def number(self, key: str) -> int | None:
        """Property ``key`` as a whole number, ``None`` when it is not one."""
        return whole_number(self._props.get(key))


class FindingView(NodeView):
    """A claim "drug → outcome (in population)"."""

    __slots__ = ()


class EvidenceNode(NodeView):
    """A study or guideline: what takes a stance on a claim or recommends a drug."""

    __slots__ = ()

    @property
    def is_guideline(self) -> bool:
        return self.kind == "Guideline"

    @property
    def title(self) -> str | None:
        return self.text("title")

    @property
    def design(self) -> str | None:
        """The study design, or for a guideline its type."""
        return self.text("design") or (self.text("guideline_type") if self.is_guideline else None)

    @property
    def n(self) -> int | None:
        return self.number("n")

    @property
    def year(self) -> int | None:
        return self.number("year")

    @property
    def source_doc(self) -> str | None:
        return self.text("source_doc")


class FigureView(NodeView):
    """A number a study reported: value and unit, the group it counts, and how it was labelled."""

    __slots__ = ()

    @property
    def value(self) -> float | None:
        """The number, ``None`` when the figure holds no number (booleans are not numbers)."""
        value = self._props.get("value")
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    @property
    def unit(self) -> str:
        return self.text("unit") or ""

    @property
    def numerator(self) -> int | None:
        return self.number("numerator")

    @property
    def denominator(self) -> int | None:
        """The size of the figure's group: never the study's n, the group may be a subset of it."""
        return self.number("denominator")

    @property
    def figure_label(self) -> str | None:
        """As the source labelled the number (``label``)."""
        return self.text("label")


@dataclass(frozen=True)
class Citation:
    """Where an evidence item was read: the document, the verbatim sentence, its character span."""

    quote: str | None = None
    source_doc: str | None = None
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class EvidenceItem:
    """One study or guideline taking a stance on one claim, with what it reported.

    ``edge_id`` is the stance edge's id (:func:`graph.ids.edge_id`), so curation and the
    explorer address the same edge; ``curation`` holds the corrections applied to it.
    """

    edge_id: str
    stance: EdgeType
    finding: FindingView
    evidence: EvidenceNode
    provenance: Citation = field(default_factory=Citation)
    figures: tuple[FigureView, ...] = ()
    curation: tuple[dict[str, Any], ...] = ()

    def __post_init__(self) -> None:
        # properties given as plain mappings (``dataclasses.replace(item, figures=(row,))``) are read typed too
        if not isinstance(self.finding, FindingView):
            object.__setattr__(self, "finding", FindingView(self.finding))
        if not isinstance(self.evidence, EvidenceNode):
            object.__setattr__(self, "evidence", EvidenceNode(self.evidence))
        if not all(isinstance(f, FigureView) for f in self.figures):
            object.__setattr__(
                self, "figures", tuple(f if isinstance(f, FigureView) else FigureView(f) for f in self.figures)
            )

    @property
    def quote(self) -> str | None:
        return self.provenance.quote

    @property
    def source_doc(self) -> str | None:
        return self.provenance.source_doc

    @property
    def span(self) -> tuple[int, int] | None:
        return self.provenance.span

    @property
    def supports(self) -> bool:
        return self.stance is EdgeType.SUPPORTS


_RECOMMENDATION_KEYS = ("evidence", "about", "edge_id", "quote", "source_doc", "strength", "text")


@dataclass(frozen=True)
class Recommendation:
    """A guideline or label recommending a drug, or a claim about it (``about`` is the node it is about).

    Reads by key as well (``rec["strength"]``), absent values raising ``KeyError`` as the
    stored edge lacks them: the backend contract reads recommendations that way.
    """

    evidence: EvidenceNode
    about: str | None = None
    edge_id: str | None = None
    quote: str | None = None
    source_doc: str | None = None
    strength: str | None = None
    text: str | None = None

    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key) if key in _RECOMMENDATION_KEYS else None
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


@dataclass(frozen=True)
class Evidence:
    """Everything behind a drug → outcome (or condition) link."""

    drug: dict[str, Any]
    target: dict[str, Any]
    items: tuple[EvidenceItem, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()

    @property
    def supporting(self) -> tuple[EvidenceItem, ...]:
        return tuple(i for i in self.items if i.stance is EdgeType.SUPPORTS)

    @property
    def contradicting(self) -> tuple[EvidenceItem, ...]:
        return tuple(i for i in self.items if i.stance is EdgeType.CONTRADICTS)


#: What a node's properties are called in a researcher's words, in the order they are read.
#: Properties not listed (spans, source ids, flags of the loaders) are how the evidence is
#: stored, not what it says, and are not shown.
FACT_LABELS: dict[str, str] = {
    "title": "Title",
    "authors": "Authors",
    "journal": "Journal",
    "year": "Year",
    "volume": "Volume",
    "pages": "Pages",
    "design": "Design",
    "guideline_type": "Type",
    "issuer": "Issued by",
    "n": "Patients",
    "population": "Population",
    "interventions": "Interventions",
    "outcomes": "Outcomes measured",
    "status": "Trial status",
    "phase": "Phase",
    "results": "Results (as the report summarises them)",
    "author_remarks": "Authors' remarks",
    "reviewer_remarks": "Reviewer's remarks",
    "met_pico": "Matches the review question (PICO)",
    "strength": "Strength of recommendation",
    "quality": "Quality of evidence",
    "statement": "Statement",
    "drug": "Drug",
    "outcome": "Outcome",
    "value": "Value",
    "unit": "Unit",
    "numerator": "Patients with the outcome",
    "denominator": "Patients in the group",
    "label": "As reported",
    "p_value": "p-value",
    "baseline": "Baseline",
    "atc": "ATC code",
    "mesh": "MeSH",
    "meddra": "MedDRA preferred term",
    "source_type": "Document type",
    "review_period": "Literature searched",
    "conclusion": "Conclusion",
    "advice": "Advice",
    "retrieved": "Retrieved",
    "doi": "DOI",
    "pmid": "PubMed id",
    "nct_id": "Trial registration",
}


def node_facts(props: dict[str, Any]) -> list[tuple[str, str]]:
    """A node's properties as (what it is called, what it says), for a details table."""
    facts: list[tuple[str, str]] = []
    for key, label in FACT_LABELS.items():
        value = props.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, float) and value.is_integer():
            text = f"{value:g}"
        else:
            text = " ".join(str(value).split())
        facts.append((label, text))
    synonyms = props.get("synonyms")
    if synonyms:
        names = synonyms if isinstance(synonyms, list | tuple) else str(synonyms).split(";")
        facts.append(("Also called", ", ".join(s.strip() for s in names if str(s).strip())))
    return facts
