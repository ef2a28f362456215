"""The application layer the explorer and the CLI share: curated evidence, fetched once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.curation import Correction, CurationLog
from graph.model import EdgeType
from graph.service import EvidenceService, curation_log
from graph.settings import Settings
from graph.store import EvidenceStore, open_store
from loaders import load_path, sample_paths
from ui.web.evidence_html import evidence_html

PAIR = ("drug:mecasermin", "outcome:hypoglycemia")


@pytest.fixture
def samples() -> EvidenceStore:
    store = open_store(backend="memory")
    for path in sample_paths():
        for document in load_path(path):
            store.ingest(document)
    return store


class CountingStore:
    """A store wrapper that counts evidence fetches (the service must fetch once per link)."""

    def __init__(self, store: EvidenceStore) -> None:
        self._store, self.calls = store, 0

    def evidence(self, drug: str, target: str):
        self.calls += 1
        return self._store.evidence(drug, target)

    def __getattr__(self, name: str):
        return getattr(self._store, name)


def _reject(edge: str) -> Correction:
    return Correction(action="reject", edge=edge, curator="A. Curator", date=dt.date(2026, 1, 5), reason="wrong")


def test_a_rejected_edge_leaves_the_table_the_counts_and_the_chart(samples: EvidenceStore) -> None:
    before = EvidenceService(samples).link(*PAIR)
    khwaja = next(r for r in before.rows if r.name == "Khwaja 2014")
    bang = next(r for r in before.rows if r.name == "Bang 2021")
    assert before.contradicting == 2
    service = EvidenceService(samples, [_reject(khwaja.edge_ids[0]), _reject(bang.edge_ids[0])])
    after = service.link(*PAIR)
    names = [r.name for r in after.rows]
    assert "Khwaja 2014" not in names and "Bang 2021" not in names
    assert after.contradicting == 1 and after.supporting == before.supporting - 1
    assert not any(p.study == "Bang 2021" for p in after.points)  # the chart's numbers
    assert {r.name for r in after.report.rejected} == {"Khwaja 2014", "Bang 2021"}  # shown as rejected, apart
    assert all(t.name not in ("Khwaja 2014", "Bang 2021") for t in after.report.synthesis.overall.contradicting)


def test_a_relabelled_edge_changes_sides(samples: EvidenceStore) -> None:
    khwaja = next(r for r in EvidenceService(samples).link(*PAIR).rows if r.name == "Khwaja 2014")
    relabel = Correction(
        action="relabel",
        edge=khwaja.edge_ids[0],
        new_type=EdgeType.SUPPORTS,
        curator="A. Curator",
        date=dt.date(2026, 1, 5),
        reason="misread",
    )
    row = next(r for r in EvidenceService(samples, [relabel]).link(*PAIR).rows if r.name == "Khwaja 2014")
    assert row.stance == "supports" and row.curation and "relabelled" in row.curation[0]


def test_evidence_is_fetched_once_per_link(samples: EvidenceStore) -> None:
    counting = CountingStore(samples)
    service = EvidenceService(counting)  # type: ignore[arg-type]
    view = service.link(*PAIR)
    assert view.rows and view.report.rows and view.points
    service.link(*PAIR)
    service.evidence(*PAIR)
    assert counting.calls == 1


def test_one_row_per_piece_of_evidence_and_counts_from_the_rows(samples: EvidenceStore) -> None:
    view = EvidenceService(samples).link(*PAIR)
    grimberg = [r for r in view.rows if r.name == "Grimberg 2016"]
    assert len(grimberg) == 1, "a guideline read from two documents is one row"
    assert len(grimberg[0].quotes) == 2 and len(grimberg[0].figures) == 1  # its 42% once
    assert view.supporting == sum(r.stance == "supports" for r in view.rows)
    assert view.contradicting == sum(r.stance == "contradicts" for r in view.rows)
    assert len({(r.evidence_id, r.stance) for r in view.rows}) == len(view.rows)


def test_a_row_read_from_two_documents_shows_its_sentence_once(samples: EvidenceStore) -> None:
    grimberg = next(r for r in EvidenceService(samples).link(*PAIR).rows if r.name == "Grimberg 2016")
    assert len(grimberg.quotes) == 2 and len(grimberg.edge_ids) == 2  # both documents' edges are kept
    assert len(grimberg.shown_quotes) == 1  # the sentence of one is inside the other's passage
    assert evidence_html([grimberg], []).count('class="evx-quote"') == 1
    (reported,) = [r for r in EvidenceService(samples).link(*PAIR).report.rows if r.name.startswith("Grimberg 2016")]
    assert len(reported.quotes) == 1 and len(reported.sources) == 2  # the report too, naming both documents


def test_headline_is_the_reported_figure_and_derived_numbers_are_marked(samples: EvidenceStore) -> None:
    bang = next(r for r in EvidenceService(samples).link(*PAIR).rows if r.name == "Bang 2021")
    by_value = {f.reported: f for f in bang.figures}
    small = by_value["51% (n=21)"]
    assert small.derived == "11/21 = 52.4%, derived from 51% × 21"
    assert by_value["16% (n=114)"].derived == "18/114 = 15.8%, derived from 16% × 114"
    conclusion = " ".join(EvidenceService(samples).link(*PAIR).report.conclusion)
    assert "51% of 21" in conclusion and "16% of 114" in conclusion
    assert "52.4%" in conclusion and "derived" in conclusion  # beside the headline, marked


def test_populations_come_from_the_studys_own_groups(samples: EvidenceStore) -> None:
    bang = next(r for r in EvidenceService(samples).link(*PAIR).rows if r.name == "Bang 2021")
    assert set(bang.populations) == {"niet-behandelde Laronsyndroomgroep", "groep zonder Laronsyndroom"}


def test_the_service_reads_the_curation_log_of_its_store(samples: EvidenceStore, tmp_path: Path) -> None:
    khwaja = next(r for r in EvidenceService(samples).link(*PAIR).rows if r.name == "Khwaja 2014")
    CurationLog.for_store(tmp_path).add(_reject(khwaja.edge_ids[0]))
    service = EvidenceService.for_settings(samples, Settings(store=tmp_path))
    assert "Khwaja 2014" not in [r.name for r in service.link(*PAIR).rows]


def test_the_curation_log_is_located_per_backend(tmp_path: Path) -> None:
    embedded = curation_log(Settings(store=tmp_path))
    one = curation_log(Settings(store=tmp_path, neo4j_uri="bolt://db-a:7687", neo4j_database="neo4j"))
    other = curation_log(Settings(store=tmp_path, neo4j_uri="bolt://db-b:7687", neo4j_database="neo4j"))
    assert embedded.path == tmp_path / "curation.yaml"
    assert len({embedded.path, one.path, other.path}) == 3  # a server's corrections never apply to another's
    shared = tmp_path / "team" / "curation.yaml"
    explicit = Settings.from_env({"EVX_CURATION_LOG": str(shared), "EVX_NEO4J_URI": "bolt://db-a:7687"})
    assert curation_log(explicit).path == shared


def test_a_neo4j_log_kept_beside_the_store_by_earlier_versions_is_still_read(tmp_path: Path) -> None:
    # Before logs were kept per server, a Neo4j user's corrections lived in <store>/curation.yaml.
    CurationLog.for_store(tmp_path).add(_reject("edge:legacy"))
    settings = Settings(store=tmp_path, neo4j_uri="bolt://db-a:7687", neo4j_database="neo4j")
    assert [c.edge for c in curation_log(settings).corrections] == ["edge:legacy"]


def test_the_explorers_exports_carry_the_curation(samples: EvidenceStore) -> None:
    khwaja = next(r for r in EvidenceService(samples).link(*PAIR).rows if r.name == "Khwaja 2014")
    graph = EvidenceService(samples, [_reject(khwaja.edge_ids[0])]).curated_graph(samples.subgraph())
    data = next(d for _, _, k, d in graph.edges(keys=True, data=True) if k == khwaja.edge_ids[0])
    assert data["curation_status"] == "rejected"


def test_the_chart_of_some_rows_holds_their_numbers_only(samples: EvidenceStore) -> None:
    view = EvidenceService(samples).link(*PAIR)
    bang = [r for r in view.rows if r.name == "Bang 2021"]
    assert {p.study for p in view.points_for(bang)} == {"Bang 2021"}
    assert len(view.points_for(view.rows)) == len(view.points)
