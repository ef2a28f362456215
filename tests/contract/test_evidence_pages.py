"""Paging what a researcher reads, on every store: evidence pages heaviest first, neighbourhood ids."""

from __future__ import annotations

import pytest

from graph.errors import NotFoundError
from graph.model import Document, EdgeType, NodeKind
from graph.store import EvidenceStore
from graph.store.base import RECOMMENDATIONS, evidence_weight, page_order, recommendation_order
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
    assert page.evidence.recommendations == tuple(sorted(whole.recommendations, key=recommendation_order))
    assert page.recommendations_total == len(whole.recommendations) and page.more_recommendations == 0


#: (guideline, its type, what it recommends): the guideline weighs 5, a label (SPC) 4, a narrative review 1.5 and a
#: type nobody recognises 1; Guide 03 recommends both the drug and the claim, so a page can end between its two.
RECOMMENDERS = (
    ("00", "expert panel", "drug"),
    ("01", "richtlijn", "claim"),
    ("02", "SPC", "drug"),
    ("03", "richtlijn", "both"),
    ("04", "SPC", "claim"),
    ("05", "narrative review", "drug"),
    ("06", "richtlijn", "drug"),
    ("07", "narrative review", "claim"),
    ("08", "expert panel", "claim"),
    ("09", "SPC", "drug"),
    ("10", "richtlijn", "claim"),
    ("11", "narrative review", "drug"),
)
#: Each "both" counts twice; the document's own source (a label read as a whole) recommends the drug too.
RECOMMENDATIONS_STORED = len(RECOMMENDERS) + sum(about == "both" for *_, about in RECOMMENDERS) + 1


def many_recommendations_document() -> Document:
    """A claim with one supporting study, recommended by guidelines of every weight, some twice (drug and claim)."""
    sentences = [f"Guide {i} recommends rhIGF-1 with a meal." for i, *_ in RECOMMENDERS]
    text = " ".join(["Study R saw hypoglycaemia in 12 children.", *sentences])
    b = DocumentBuilder(text=text, source_type="test", title="Recommendations of mecasermin")
    drug = b.concept("rhIGF-1", NodeKind.DRUG)
    outcome = b.concept("hypoglycaemia", NodeKind.OUTCOME)
    assert drug and outcome
    finding = b.add_finding(drug, outcome, population_id=None, quote="Study R saw hypoglycaemia in 12 children.")
    study = b.add_node("study:doi:10.9999/recs.r", NodeKind.STUDY, "Study R 2020", {"year": 2020, "n": 12})
    b.add_edge(EdgeType.SUPPORTS, study, finding, quote="Study R saw hypoglycaemia in 12 children.")
    for (i, kind, about), sentence in zip(RECOMMENDERS, sentences, strict=True):
        guide = b.add_node(f"guideline:recs-{i}", NodeKind.GUIDELINE, f"Guide {i}", {"guideline_type": kind})
        for target in (drug, finding) if about == "both" else (drug if about == "drug" else finding,):
            b.add_edge(EdgeType.RECOMMENDS, guide, target, quote=sentence, props={"strength": f"grade {i}"})
    b.add_edge(EdgeType.RECOMMENDS, b.source_doc, drug, quote=sentences[0])
    return b.build()


def test_a_page_carries_the_strongest_recommendations_and_counts_the_rest(store: EvidenceStore) -> None:
    store.ingest(build_evidence_document())
    store.ingest(many_recommendations_document())
    whole = store.evidence(DRUG, OUTCOME)
    ranked = tuple(sorted(whole.recommendations, key=recommendation_order))
    assert len(ranked) == RECOMMENDATIONS_STORED + 1  # and Grimberg 2016's, of the first document
    weights = [evidence_weight(r.evidence) for r in ranked]
    assert weights == sorted(weights, reverse=True) and weights[0] > weights[-1]
    first = store.evidence_page(DRUG, OUTCOME)
    assert first.evidence.recommendations == ranked[:RECOMMENDATIONS]
    assert first.recommendations_total == len(ranked) and first.more_recommendations == len(ranked) - RECOMMENDATIONS
    for most in (
        1,
        2,
        3,
        4,
        7,
    ):  # Guide 03's two recommendations are the 3rd and 4th: cuts before, between and after them
        page = store.evidence_page(DRUG, OUTCOME, limit=2, recommendations=most)
        assert page.evidence.recommendations == ranked[:most], most
        assert page.recommendations_total == len(ranked) and len(page.evidence.items) == 2
    assert [r.evidence["name"] for r in ranked[:3]] == ["Grimberg 2016", "Guide 01", "Guide 03"]
    every = store.evidence_page(DRUG, OUTCOME, limit=0, recommendations=1000)  # "show all" of the recommendations
    assert every.evidence.recommendations == ranked and every.more_recommendations == 0
    assert every.evidence.items == () and every.total == len(whole.items)
    none = store.evidence_page(DRUG, OUTCOME, recommendations=0)
    assert none.evidence.recommendations == () and none.recommendations_total == len(ranked)


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
