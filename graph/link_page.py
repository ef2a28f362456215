"""One page of a link's evidence: what the explorer shows before "show more".

A hub link holds thousands of studies (mecasermin → hypoglycemia: 3,083 at 1M edges).
Building the whole curated link for every click — every item, every row, the weighing —
took seconds; a researcher reads the strongest fifty.  So the explorer's view of a link is
built from one page of the store's evidence (:meth:`graph.store.base.EvidenceStore.evidence_page`,
heaviest first), the counts per stance come from the link's ``LINKED_TO`` edge (which counts
the distinct studies and guidelines per stance, as the table does), and the synthesis
(certainty, pooling, conflicts), which needs every item, is built from the whole link only
when it is shown.  Recommendations are paged the same way: a hub drug is recommended by over
a thousand guidelines and labels, and the page carries the strongest few and how many there are.

The curator's corrections still apply everywhere: with a rejection, relabel or addition in
force, the counts and the page come from the whole curated link (exact, slower), because a
correction can move a study between stances or out of the link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from graph.curation import Correction, curate_evidence, latest
from graph.errors import EvidenceError, RecordError
from graph.evidence_view import (
    EvidenceRow,
    ForestPoint,
    RecommendationRow,
    evidence_rows,
    points_of_rows,
    recommendation_rows,
    row_key,
)
from graph.model import NodeKind, kind_of
from graph.report import EvidenceReport
from graph.service import EvidenceService, LinkEvidence
from graph.store.base import RECOMMENDATIONS, EvidenceStore, evidence_weight, page_order, recommendation_order
from graph.views import Evidence, EvidenceItem

__all__ = ["ROWS", "LinkPage", "link_page", "warm"]

#: Rows of a link shown at first (strongest first); "show more" asks for more.
ROWS = 50
#: Items read per row wanted: a study stating several claims about the pair is one row of several items.
_ITEMS_PER_ROW = 2
_ANY_LINK = "MATCH (d:Drug)-[:LINKED_TO]->(t) RETURN d.id, t.id LIMIT 1"
_COUNTS = "MATCH (d:Drug {id: $drug})-[l:LINKED_TO]->(t:%s {id: $target}) RETURN l.supporting, l.contradicting LIMIT 1"


@dataclass(frozen=True)
class LinkPage:
    """The strongest rows of one drug → outcome link, and how many rows the whole link has per stance.

    Shaped like :class:`graph.service.LinkEvidence` (``rows``, ``evidence``, ``supporting``, ...)
    so the graph and the panels take either; ``evidence`` holds the page's items only.
    """

    drug: dict[str, Any]
    target: dict[str, Any]
    evidence: Evidence
    rows: tuple[EvidenceRow, ...]
    recommendations: tuple[RecommendationRow, ...]
    supporting: int
    contradicting: int
    service: EvidenceService = field(repr=False, compare=False)
    #: Recommendations of the whole link; ``recommendations`` holds the strongest of them.
    recommendations_total: int = 0

    @property
    def total_rows(self) -> int:
        """Rows of the whole link (one per study or guideline and stance)."""
        return self.supporting + self.contradicting

    @property
    def more_rows(self) -> int:
        """Rows of the link not on this page."""
        return max(self.total_rows - len(self.rows), 0)

    def points_for(self, rows: Sequence[EvidenceRow]) -> tuple[ForestPoint, ...]:
        """The numbers of ``rows`` (rows of this page) for the chart."""
        return tuple(points_of_rows(self.evidence, rows))

    @cached_property
    def whole(self) -> LinkEvidence:
        """The whole curated link (every item): what the synthesis and the report weigh."""
        return self.service.link(str(self.drug.get("id")), str(self.target.get("id")))

    @property
    def report(self) -> EvidenceReport:
        return self.whole.report


def link_page(
    service: EvidenceService,
    drug_id: str,
    target_id: str,
    *,
    rows: int = ROWS,
    recommendations: int = RECOMMENDATIONS,
) -> LinkPage:
    """The ``rows`` strongest rows of a link (supporting first, each stance heaviest first), its ``recommendations``
    strongest recommendations, and its counts."""
    rows = max(rows, 1)
    store = service.store
    counts = None if _moves_stances(service.corrections) else _linked_counts(store, drug_id, target_id)
    if counts is None:
        curated = service.evidence(drug_id, target_id)
        ranked = sorted(curated.evidence.items, key=page_order)
        keys = _keys(ranked)
        counts = (sum(s == "supports" for _, s in keys), sum(s == "contradicts" for _, s in keys))
        shown = set(list(keys)[:rows])
        items = tuple(i for i in ranked if row_key(i) in shown)
        recs = curated.evidence.recommendations
        recs_total = len(recs)
        recs = tuple(sorted(recs, key=recommendation_order)[: max(recommendations, 0)])
        evidence = replace(curated.evidence, items=items, recommendations=recs)
    else:
        page = store.evidence_page(drug_id, target_id, limit=rows * _ITEMS_PER_ROW, recommendations=recommendations)
        recs_total = page.recommendations_total
        ranked = list(page.evidence.items)  # heaviest first (page_order)
        keys = list(_keys(ranked))
        if page.more and len(keys) > 1:
            keys = keys[:-1]  # the page may end inside a study's items: that row is left for "show more"
        shown = set(keys[:rows])
        items = tuple(i for i in ranked if row_key(i) in shown)
        evidence = curate_evidence(replace(page.evidence, items=items), service.corrections).evidence
    weight = {i.evidence.id: i.evidence for i in evidence.items}
    weight = {eid: evidence_weight(node) for eid, node in weight.items()}
    table = sorted(
        evidence_rows(evidence),
        key=lambda r: (r.stance != "supports", -weight.get(r.evidence_id, 0.0), r.name),
    )
    return LinkPage(
        drug=evidence.drug,
        target=evidence.target,
        evidence=evidence,
        rows=tuple(table),
        recommendations=tuple(recommendation_rows(evidence)),
        supporting=counts[0],
        contradicting=counts[1],
        service=service,
        recommendations_total=recs_total,
    )


def warm(store: EvidenceStore) -> None:
    """Read one page of one link, so that the first link a researcher opens does not pay for what every
    link's page needs first (an embedded store builds its evidence index then: seconds at 1M edges)."""
    if not store.supports_cypher:
        return
    try:
        found = store.query(_ANY_LINK, {}, row_limit=1).rows
        if found:
            store.evidence_page(str(found[0][0]), str(found[0][1]), limit=1)
    except (EvidenceError, RecordError):
        pass  # nothing to warm: the first link opened reads as it would have


def _keys(items: Sequence[EvidenceItem]) -> dict[tuple[str, str], None]:
    """(study or guideline, stance) per row, in the order of ``items``."""
    return dict.fromkeys(row_key(i) for i in items)


def _moves_stances(corrections: Sequence[Correction]) -> bool:
    """Whether a correction in force can change which rows a link has (a confirmation only adds a badge)."""
    return any(c.action != "confirm" for c in latest(corrections).values())


def _linked_counts(store: EvidenceStore, drug_id: str, target_id: str) -> tuple[int, int] | None:
    """Supporting and contradicting rows of a link from its ``LINKED_TO`` edge (one indexed hop), if it has one."""
    if not store.supports_cypher:
        return None
    try:
        kind = kind_of(target_id)
        if kind not in (NodeKind.OUTCOME, NodeKind.CONDITION) or kind_of(drug_id) is not NodeKind.DRUG:
            return None
        found = store.query(_COUNTS % kind.value, {"drug": drug_id, "target": target_id}, row_limit=1).rows
    except (EvidenceError, RecordError):
        return None
    if not found or found[0][0] is None:
        return None
    return int(found[0][0] or 0), int(found[0][1] or 0)
