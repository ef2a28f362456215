"""PubMed records as real literature gives them: case, inline markup, structure, languages, no abstract."""

from __future__ import annotations

import io

import pytest

from graph.errors import LoadError
from graph.model import EdgeType, NodeKind
from loaders.pubmed import design_of, load_stream
from tests.loaders.literature_fixtures import recognizer


@pytest.fixture(scope="module")
def rec():
    return recognizer()


def _article(pmid: str, title: str, abstract: str | None, *, ptypes=(), language="eng") -> str:
    types = "".join(f"<PublicationType>{t}</PublicationType>" for t in ptypes)
    return (
        f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>{title}</ArticleTitle>"
        f"{abstract or ''}<Language>{language}</Language><PublicationTypeList>{types}</PublicationTypeList>"
        "</Article></MedlineCitation></PubmedArticle>"
    )


def _load(rec, *articles: str):
    xml = "<PubmedArticleSet>" + "".join(articles) + "</PubmedArticleSet>"
    return list(load_stream(io.BytesIO(xml.encode()), path="set.xml", recognizer=rec))


def _study(doc):
    return next(n for n in doc.nodes if n.kind is NodeKind.STUDY)


def test_publication_types_are_case_insensitive():
    assert design_of(["REVIEW"]) == ("review", None)
    assert design_of(["randomized controlled trial", "CLINICAL TRIAL, PHASE III"]) == (
        "randomized controlled trial",
        "Phase 3",
    )
    assert design_of(["Case Reports"]) == ("case report", None)


def test_design_comes_from_the_record_publication_types(rec):
    (doc,) = _load(rec, _article("11", "A trial.", None, ptypes=["Journal Article", "Randomized Controlled Trial"]))
    assert _study(doc).props["design"] == "randomized controlled trial"


def test_title_with_inline_markup_keeps_its_quote(rec):
    (doc,) = _load(rec, _article("12", "Effects of <i>levodopa</i>-induced dyskinesia", None))
    study = _study(doc)
    assert study.provenance.quote == "Effects of <i>levodopa</i>-induced dyskinesia"
    assert study.provenance.quote in doc.source.props["text"]
    assert not any("quote not found" in w for w in doc.warnings)


def test_structured_abstract_reads_every_section(rec):
    abstract = (
        '<Abstract><AbstractText Label="BACKGROUND">Levodopa is used in Parkinson\'s disease.</AbstractText>'
        '<AbstractText Label="RESULTS">Levodopa-induced dyskinesia occurred in 9 of 30 patients (30%).</AbstractText>'
        "</Abstract>"
    )
    (doc,) = _load(rec, _article("13", "Dyskinesia on levodopa", abstract))
    quotes = [e.provenance.quote for e in doc.edges if e.type is EdgeType.SUPPORTS]
    assert any("occurred in 9 of 30 patients" in q for q in quotes)
    for edge in doc.edges:
        if edge.provenance.span:
            start, end = edge.provenance.span
            assert doc.source.props["text"][start:end] == edge.provenance.quote


def test_markup_inside_an_abstract_keeps_quotes_verbatim(rec):
    abstract = "<Abstract><AbstractText>Hypotension after <i>labetalol</i> was seen in 3 of 10 (30%).</AbstractText></Abstract>"
    (doc,) = _load(rec, _article("14", "Labetalol-induced hypotension.", abstract))
    text = doc.source.props["text"]
    for record in (*doc.nodes, *doc.edges):
        if record.provenance.quote:
            assert record.provenance.quote in text


def test_non_english_abstract_is_a_warning_naming_the_record(rec):
    abstract = (
        "<Abstract><AbstractText>Die Hypotonie trat bei den Patienten nach der Gabe von Labetalol auf, und die "
        "Behandlung wurde bei allen Patienten mit der Dosis fortgesetzt, die von den Ärzten gewählt wurde.</AbstractText>"
        "</Abstract>"
    )
    (doc,) = _load(rec, _article("15", "Labetalol und Hypotonie.", abstract, language="ger"))
    assert any("PMID 15" in w and "de" in w for w in doc.warnings)


def test_missing_and_empty_abstracts_still_load_the_title(rec):
    docs = _load(
        rec,
        _article("16", "Phenobarbital-induced dyskinesia.", None),
        _article("17", "Labetalol-induced hypotension.", "<Abstract><AbstractText></AbstractText></Abstract>"),
    )
    assert [_study(d).props["pmid"] for d in docs] == ["16", "17"]
    assert all(any(e.type is EdgeType.SUPPORTS for e in d.edges) for d in docs)


def test_record_without_title_is_an_error_naming_it(rec):
    with pytest.raises(LoadError, match="PMID 18: no title"):
        _load(rec, _article("18", "", None))


def test_open_vocabulary_keeps_the_curated_reading_of_a_record(rec):
    from pathlib import Path

    from loaders.pubmed import PubmedLoader

    bang = Path(__file__).resolve().parents[1] / "data" / "pubmed" / "bang2021_eje.xml"
    (plain,) = PubmedLoader().load(bang)
    (opened,) = PubmedLoader(rec).load(bang)

    def figures(doc):
        return sorted((n.props["value"], n.props.get("denominator")) for n in doc.nodes if n.kind is NodeKind.FIGURE)

    def stances(doc):
        return {(e.type, e.target) for e in doc.edges if e.type in (EdgeType.SUPPORTS, EdgeType.CONTRADICTS)}

    assert figures(opened) == figures(plain) == [(16.0, 114), (51.0, 21)]
    assert stances(plain) <= stances(opened)
    # "patients with or without Laron syndrome" negates nothing
    assert not any(e.type is EdgeType.CONTRADICTS for e in opened.edges)
