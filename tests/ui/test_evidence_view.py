from __future__ import annotations

import dataclasses

from graph.evidence_view import (
    QuoteRef,
    evidence_rows,
    figure_text,
    forest_points,
    link_outs,
    passage,
    recommendation_rows,
    shown_quotes,
)


def test_link_outs_only_for_identifiers_that_look_valid() -> None:
    links = link_outs({"doi": "10.1530/EJE-20-0325", "pmid": "33136558", "nct_id": "nct00330668"})
    assert [(link.label, link.url) for link in links] == [
        ("DOI", "https://doi.org/10.1530/EJE-20-0325"),
        ("PubMed", "https://pubmed.ncbi.nlm.nih.gov/33136558/"),
        ("ClinicalTrials.gov", "https://clinicaltrials.gov/study/NCT00330668"),
    ]
    assert link_outs({"doi": "javascript:alert(5)", "pmid": "12a", "nct_id": "NCT1"}) == ()


def test_figure_text_reads_like_the_report() -> None:
    fig = {"value": 51.0, "unit": "%", "denominator": 21, "population": "untreated Laron syndrome"}
    assert figure_text(fig) == "51% (n=21) — untreated Laron syndrome"
    assert figure_text({"value": 0.1, "unit": "events per treatment-year"}) == "0.1 events per treatment-year"


def test_rows_put_bang_next_to_khwaja(memory_store) -> None:
    rows = evidence_rows(memory_store.evidence("drug:mecasermin", "outcome:hypoglycemia"))
    by_name = {r.name: r for r in rows}
    bang, khwaja = by_name["Bang 2021"], by_name["Khwaja 2014"]
    assert bang.stance == "supports" and khwaja.stance == "contradicts"
    assert "51% (n=21)" in bang.figures_text and "16% (n=114)" in bang.figures_text
    assert bang.n == 242 and bang.year == 2021 and bang.design == "prospective study"
    assert khwaja.quote == "Er werd geen hypoglykemie gezien."
    assert [link.url for link in bang.links] == ["https://doi.org/10.1530/EJE-20-0325"]
    assert rows.index(khwaja) > rows.index(bang)  # supporting first


def test_forest_points_one_per_population_with_n_and_interval(memory_store) -> None:
    points = forest_points(memory_store.evidence("drug:mecasermin", "outcome:hypoglycemia"))
    by_value = {p.value: p for p in points}
    assert set(by_value) == {51.0, 16.0}
    small, large = by_value[51.0], by_value[16.0]
    assert (small.n, large.n) == (21, 114)
    assert small.row_label == "Bang 2021 · untreated Laron syndrome (n=21) · 51%"
    # the smaller group has the wider interval, which is the point of drawing them
    assert (small.high - small.low) > (large.high - large.low)
    assert small.low < 51 < small.high


def test_figures_without_a_group_size_get_no_interval_and_no_borrowed_n(memory_store) -> None:

    evidence = memory_store.evidence("drug:mecasermin", "outcome:hypoglycemia")
    item = evidence.items[0]
    bare = {"id": "figure:bare", "value": 68.9, "unit": "%", "label": "93 patients (68.9%)"}
    point = next(
        p for p in forest_points(dataclasses.replace(evidence, items=(dataclasses.replace(item, figures=(bare,)),)))
    )
    assert point.n is None and point.low is None and point.high is None


def test_passage_highlights_the_span_or_finds_the_quote() -> None:
    text = "Intro. In de groep (n=21) had 51% hypoglykemie. Verder."
    quote = "In de groep (n=21) had 51% hypoglykemie."
    found = passage(text, (7, 7 + len(quote)), quote, context=5)
    assert (found.before, found.quote, found.after) == ("…tro. ", quote, " Verd…")
    assert passage(text, (0, 3), quote).quote == quote  # a stale span falls back to the text
    assert passage(text, None, "not there").found is False


def test_recommendations_carry_strength(memory_store) -> None:
    from loaders import load_path, sample_paths

    curated = next(p for p in sample_paths() if p.name.startswith("curated"))
    for document in load_path(curated):
        memory_store.ingest(document)
    recs = recommendation_rows(memory_store.evidence("drug:mecasermin", "outcome:hypoglycemia"))
    assert any(r.source == "Grimberg 2016" and r.strength == "Strong recommendation" for r in recs)


def test_each_passage_of_a_row_is_shown_once() -> None:
    said = "Hypoglycemia has been reported as a side effect of IGF-I treatment in every study"
    quotes = (
        QuoteRef(said, "source:a", (0, 81), "edge:1"),
        QuoteRef(
            "Hypoglycemia  has been reported\nas a side effect of IGF-I treatment in every study", "source:b", None
        ),
        QuoteRef("We recommend IGF-I after a meal.", "source:a", (90, 122), "edge:3"),
        QuoteRef("the same span, read again", "source:a", (90, 122), "edge:4"),
        QuoteRef(f"{said} and is included in the package insert.", "source:c", (5, 130), "edge:5"),
    )
    shown = shown_quotes(quotes)
    # the identical words once, the longer passage holding them in its place; the distinct one kept
    assert [i for i, _ in shown] == [4, 2]
    assert shown_quotes(quotes[:3]) == ((0, quotes[0]), (2, quotes[2]))
