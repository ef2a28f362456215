"""A link's view from one page of its evidence: the same rows and counts as the whole link, fewer read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.curation import Correction
from graph.link_page import link_page
from graph.overview import cached_overview
from graph.service import EvidenceService
from graph.settings import Settings
from graph.store import EvidenceStore, open_store

PAIR = ("drug:mecasermin", "outcome:hypoglycemia")


@pytest.fixture(scope="module")
def embedded(store_dir: Path) -> Iterator[EvidenceStore]:
    with open_store(Settings(store=store_dir, read_only=True)) as store:
        yield store


def _pairs(store: EvidenceStore) -> list[tuple[str, str]]:
    rows = store.query("MATCH (d:Drug)-[:LINKED_TO]->(t) RETURN d.id, t.id", {}, row_limit=1000).rows
    return [(str(d), str(t)) for d, t in rows]


@pytest.mark.parametrize("backend", ["embedded", "memory"])
def test_a_page_has_the_whole_links_counts_and_rows(backend: str, embedded: EvidenceStore, memory_store) -> None:
    store = embedded if backend == "embedded" else memory_store
    pairs = _pairs(embedded)
    assert PAIR in pairs
    for pair in pairs:
        page, whole = link_page(EvidenceService(store), *pair), EvidenceService(store).link(*pair)
        assert (page.supporting, page.contradicting) == (whole.supporting, whole.contradicting), pair
        assert sorted((r.name, r.stance, r.quotes) for r in page.rows) == sorted(
            (r.name, r.stance, r.quotes) for r in whole.rows
        ), pair
        assert (
            page.more_rows == 0 and page.report.synthesis.overall.certainty == whole.report.synthesis.overall.certainty
        )
        assert page.recommendations_total == len(whole.recommendations), pair
        assert set(page.recommendations) <= set(whole.recommendations), pair
        one = link_page(EvidenceService(store), *pair, recommendations=1)
        assert len(one.recommendations) == min(1, len(whole.recommendations))
        assert one.recommendations_total == len(whole.recommendations), pair


def test_a_short_page_counts_the_whole_link_and_shows_the_strongest(embedded: EvidenceStore) -> None:
    whole = EvidenceService(embedded).link(*PAIR)
    page = link_page(EvidenceService(embedded), *PAIR, rows=2)
    assert len(page.rows) <= 2 and page.more_rows == whole.supporting + whole.contradicting - len(page.rows)
    assert (page.supporting, page.contradicting) == (whole.supporting, whole.contradicting)
    more = link_page(EvidenceService(embedded), *PAIR, rows=4)
    assert {r.name for r in page.rows} <= {r.name for r in more.rows}  # "show more" keeps what was shown


def test_a_rejection_is_counted_on_a_page_too(embedded: EvidenceStore) -> None:
    whole = EvidenceService(embedded).link(*PAIR)
    khwaja = next(r for r in whole.rows if r.name == "Khwaja 2014")
    reject = Correction(
        action="reject", edge=khwaja.edge_ids[0], curator="A. Curator", date=dt.date(2026, 1, 5), reason="wrong"
    )
    service = EvidenceService(embedded, [reject])
    page, curated = link_page(service, *PAIR, rows=2), service.link(*PAIR)
    assert (page.supporting, page.contradicting) == (curated.supporting, curated.contradicting)
    assert page.contradicting == whole.contradicting - 1
    assert "Khwaja 2014" not in [r.name for r in link_page(service, *PAIR).rows]
    assert page.recommendations_total == len(curated.recommendations)
    assert link_page(service, *PAIR, recommendations=0).recommendations == ()


def test_the_overview_is_worked_out_once_per_store_version(embedded: EvidenceStore, monkeypatch) -> None:
    import graph.overview

    first = cached_overview(embedded)
    calls: list[object] = []
    monkeypatch.setattr(graph.overview, "store_overview", lambda store, limit=10: calls.append(store) or first)
    assert cached_overview(embedded) is first and calls == []
    monkeypatch.setattr(type(embedded), "version", lambda self: ("changed",))
    cached_overview(embedded)
    assert calls == [embedded]
