"""Paging what a researcher reads, on every store: evidence pages heaviest first, neighbourhood ids."""

from __future__ import annotations

import pytest

from graph.errors import NotFoundError
from graph.model import Document, EdgeType, NodeKind
from graph.store import EvidenceStore
from graph.store.base import evidence_weight, page_order
from loaders.base import DocumentBuilder
from tests.conftest import build_evidence_document

DRUG, OUTCOME = "drug:mecasermin", "outcome:hypoglycemia"
DESIGNS = ("RCT", "cohort study", "case report", "meta-analysis", None)
STUDIES = 23


def many_studies_document() -> Document:
    """One claim with 23 studies of mixed designs and sizes for and against it (ties included)."""
    sentences = [f"Study {i} saw hypoglycaemia in {5 + (i * 37) % 400} children." for i in range(STUDIES)]
    b = DocumentBuilder(text=" ".join(sentences), source_type="test", title="Many studies of mecasermin")
    drug = b.concept("rhIGF-1", NodeKind.DRUG)
    outcome = b.concept("hypoglycaemia", NodeKind.OUTCOME)
    assert drug and outcome
    finding = b.add_finding(drug, outcome, quote=sentences[0])
    for i, sentence in enumerate(sentences):
        props: dict[str, object] = {"year": 2000 + i, "n": 5 + (i * 37) % 400}
        if DESIGNS[i % len(DESIGNS)]:
            props["design"] = DESIGNS[i % len(DESIGNS)]
        study = b.add_node(f"study:doi:10.9999/page.{i:03d}", NodeKind.STUDY, f"Page {i} {2000 + i}", props)
        stance = EdgeType.CONTRADICTS if i % 4 == 3 else EdgeType.SUPPORTS
        b.add_edge(stance, study, finding, quote=sentence)
    return b.build()


@pytest.fixture
def crowded(store: EvidenceStore) -> EvidenceStore:
    store.ingest(build_evidence_document())
    store.ingest(many_studies_document())
    return store


def test_first_page_is_the_heaviest_evidence(crowded: EvidenceStore) -> None:
    whole = crowded.evidence(DRUG, OUTCOME)
    page = crowded.evidence_page(DRUG, OUTCOME, limit=5)
    assert page.total == len(whole.items) == STUDIES + 2
    assert page.evidence.items == tuple(sorted(whole.items, key=page_order)[:5])
    weights = [evidence_weight(i.evidence) for i in page.evidence.items]
    assert weights == sorted(weights, reverse=True)
    heaviest = max(evidence_weight(i.evidence) for i in whole.items)
    assert weights[0] == heaviest
    assert page.more == len(whole.items) - 5 and page.next_offset == 5
    assert page.evidence.drug == whole.drug and page.evidence.target == whole.target
    assert page.evidence.recommendations == whole.recommendations


def test_show_more_pages_through_everything_once(crowded: EvidenceStore) -> None:
    whole = crowded.evidence(DRUG, OUTCOME)
    seen = []
    offset: int | None = 0
    while offset is not None:
        page = crowded.evidence_page(DRUG, OUTCOME, limit=4, offset=offset)
        assert len(page.evidence.items) <= 4
        seen.extend(page.evidence.items)
        offset = page.next_offset
    assert seen == sorted(whole.items, key=page_order)
    # items keep their figures and quotes on a page
    bang = next(i for i in seen if i.evidence["name"] == "Bang 2021")
    assert len(bang.figures) == 2 and bang.quote == "51% had hypoglycaemia"


def test_pages_past_the_end_and_of_unlinked_pairs_are_empty(crowded: EvidenceStore) -> None:
    past = crowded.evidence_page(DRUG, OUTCOME, limit=10, offset=1000)
    assert past.evidence.items == () and past.total == STUDIES + 2 and past.more == 0 and past.next_offset is None
    unlinked = crowded.evidence_page(DRUG, "condition:rett-syndrome")
    assert unlinked.evidence.items == () and unlinked.total == 0
    assert crowded.evidence_page(DRUG, OUTCOME, limit=0).evidence.items == ()
    with pytest.raises(NotFoundError):
        crowded.evidence_page(DRUG, "outcome:nothing")


def test_neighbourhood_ids_are_what_the_neighbourhood_draws(crowded: EvidenceStore) -> None:
    for node_id, hops, limit, offset in ((DRUG, 1, 100, 0), (DRUG, 1, 3, 2), (OUTCOME, 2, 10, 0), (OUTCOME, 2, 500, 0)):
        ids, more = crowded.neighbourhood_ids(node_id, hops=hops, limit=limit, offset=offset)
        drawn = crowded.neighbourhood(node_id, hops=hops, limit=limit, offset=offset)
        assert set(drawn) == {node_id, *ids}
        assert more == drawn.graph["more"]
        assert len(ids) == len(set(ids)) <= limit
    first, _ = crowded.neighbourhood_ids(DRUG, limit=3)
    assert first == sorted(first)  # one hop: by id
    with pytest.raises(NotFoundError):
        crowded.neighbourhood_ids("drug:nothing")
