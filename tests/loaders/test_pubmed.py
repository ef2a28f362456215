"""PubMed XML: identifiers, design, MeSH concepts, abstract figures and stances, merging, bad input."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.model import EdgeType, NodeKind
from graph.store.memory import MemoryStore
from loaders import detect, load_path
from loaders.ctgov import CtgovLoader
from loaders.pubmed import PubmedLoader, design_of

DATA = Path(__file__).resolve().parents[1] / "data"
BANG = DATA / "pubmed" / "bang2021_eje.xml"
MIXED = DATA / "pubmed" / "set_mixed.xml"


@pytest.fixture(scope="module")
def bang():
    docs = load_path(BANG)
    assert len(docs) == 1
    return docs[0]


def _node(doc, node_id):
    return next(n for n in doc.all_nodes if n.id == node_id)


def test_detected_as_pubmed():
    assert detect(BANG).name == "pubmed"


def test_article_identifiers_and_bibliography(bang):
    study = _node(bang, "study:doi:10.1530/eje-20-0325")  # the DOI the report cites: the nodes merge
    p = study.props
    assert (p["pmid"], p["doi"], p["year"], p["volume"], p["pages"]) == (
        "33434161",
        "10.1530/EJE-20-0325",
        2021,
        "184",
        "267-276",
    )
    assert p["title"] == "Effectiveness and safety of rhIGF1 therapy in patients with or without Laron syndrome."
    assert p["authors"] == "Bang P; Woelfle J; Perrot V; Sert C; Polak M"
    assert p["journal"] == "European journal of endocrinology"
    assert study.name == "Bang 2021"
    assert (p["design"], p["publication_types"]) == ("observational study", "Journal Article; Observational Study")
    assert p["abstract"].startswith("OBJECTIVE: To describe growth")
    assert bang.source.props["uri"] == "https://pubmed.ncbi.nlm.nih.gov/33434161/"
    assert bang.source.props["text"].startswith("<PubmedArticle>")


def test_mesh_maps_to_concepts_and_the_registry_id_links_the_trial(bang):
    edges = {(e.type, e.source, e.target) for e in bang.edges}
    me = "study:doi:10.1530/eje-20-0325"
    assert (EdgeType.STUDIED_IN, me, "condition:laron-syndrome") in edges
    assert (EdgeType.STUDIES, me, "drug:mecasermin") in edges
    assert (EdgeType.SAME_STUDY, me, "study:nct:NCT00903110") in edges
    assert _node(bang, "study:nct:NCT00903110").props["nct_id"] == "NCT00903110"


def test_abstract_figures_and_stance(bang):
    figures = {n.props["population"]: n for n in bang.nodes if n.kind is NodeKind.FIGURE}
    assert set(figures) == {"Laron syndrome", "without Laron syndrome"}  # not the 65.3% of all adverse events
    laron, others = figures["Laron syndrome"].props, figures["without Laron syndrome"].props
    assert (laron["value"], laron["denominator"], laron["unit"]) == (51.0, 21, "%")
    assert (others["value"], others["denominator"]) == (16.0, 114)
    findings = {n.name: n.id for n in bang.nodes if n.kind is NodeKind.FINDING}
    in_laron = findings["mecasermin → hypoglycemia in Laron syndrome"]
    general = findings["mecasermin → hypoglycemia"]
    measures = {(e.source, e.target) for e in bang.edges if e.type is EdgeType.MEASURES}
    assert (figures["Laron syndrome"].id, in_laron) in measures
    assert (figures["without Laron syndrome"].id, general) in measures
    supports = {e.target: e for e in bang.edges if e.type is EdgeType.SUPPORTS}
    assert supports[in_laron].provenance.quote.startswith("Hypoglycaemia was reported in 51% of patients")
    text = bang.source.props["text"]
    for record in (*bang.nodes, *bang.edges):
        if record.provenance.span:
            start, end = record.provenance.span
            assert text[start:end] == record.provenance.quote


def test_a_page_of_articles_with_a_bad_one_and_a_german_abstract():
    docs = list(PubmedLoader().load(MIXED))
    assert [d.source.props["uri"] for d in docs] == [
        "https://pubmed.ncbi.nlm.nih.gov/90000001/",
        "https://pubmed.ncbi.nlm.nih.gov/90000003/",
    ]
    rct, german = docs
    study = _node(rct, "study:pmid:90000001")  # no DOI: the PMID identifies it
    assert (study.props["design"], study.props["phase"], study.props["year"]) == (
        "randomized controlled trial",
        "Phase 2",
        2019,
    )
    assert study.props["authors"] == "Test A; Synthetic Trials Group"
    contradicts = [e for e in rct.edges if e.type is EdgeType.CONTRADICTS]
    assert [e.provenance.quote for e in contradicts] == ["No hypoglycemia was observed in either group."]
    hba1c = next(n for n in rct.nodes if n.kind is NodeKind.FIGURE)
    assert (hba1c.props["value"], hba1c.props["baseline"], hba1c.props["p_value"]) == (7.4, 8.1, "<0.05")
    assert any("PubmedArticle 2: no PMID" in w and "skipped" in w for w in german.warnings)
    assert any("PMID 90000003" in w and "'de'" in w for w in german.warnings)
    assert not [n for n in german.nodes if n.kind in (NodeKind.FIGURE, NodeKind.FINDING)]
    assert _node(german, "study:pmid:90000003").props["language"] == "de"
    assert german.source.props["language"] == "de"


def test_design_from_publication_types():
    assert design_of(["Journal Article", "Review", "Meta-Analysis"]) == ("meta-analysis", None)
    assert design_of(["Clinical Trial, Phase III", "Randomized Controlled Trial"]) == (
        "randomized controlled trial",
        "Phase 3",
    )
    assert design_of(["Journal Article"]) == (None, None)


def test_entity_expansion_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>'
        "<PMID>1</PMID><Article><ArticleTitle>&b;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    )
    with pytest.raises(LoadError, match="refused: the XML declares entities"):
        list(PubmedLoader().load(bomb))


def test_external_entity_is_refused(tmp_path):
    xxe = tmp_path / "xxe.xml"
    xxe.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&x;"
        "</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    with pytest.raises(LoadError, match="refused"):
        list(PubmedLoader().load(xxe))


def test_broken_xml_names_the_line(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation>\n</PubmedArticle>")
    with pytest.raises(LoadError) as caught:
        list(PubmedLoader().load(path))
    assert caught.value.line == 4


def test_truncated_set_keeps_the_articles_before_the_break(tmp_path):
    text = MIXED.read_text()
    path = tmp_path / "cut.xml"
    path.write_text(text[: text.index('<PMID Version="1">90000003')])
    docs = list(PubmedLoader().load(path))
    assert [d.source.props["uri"].split("/")[-2] for d in docs] == ["90000001"]
    assert any("breaks off" in w for w in docs[0].warnings)


def test_a_100_mb_file_is_streamed(tmp_path):
    text = BANG.read_text()
    start, end = text.index("<PubmedArticle>"), text.index("</PubmedArticleSet>")
    article = text[start:end]
    path = tmp_path / "big.xml"
    with path.open("w", encoding="utf-8") as out:
        out.write(text[:start])
        block = "".join(article.replace("33434161", str(40000000 + i)) for i in range(1000))
        while out.tell() < 100 * 1024 * 1024:
            out.write(block)
        out.write("</PubmedArticleSet>\n")
    tracemalloc.start()
    started = time.perf_counter()
    documents = PubmedLoader().load(path)
    first = [next(documents) for _ in range(3)]
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    documents.close()
    assert [d.source.props["uri"].split("/")[-2] for d in first] == ["40000000", "40000001", "40000002"]
    assert peak < 20 * 1024 * 1024, f"peak {peak:,} bytes: the file was not streamed"
    assert elapsed < 10


def test_trial_article_and_report_meet_at_the_same_nodes(evidence_document, bang):
    """The report's Bang 2021, the PubMed record and a registry record share drug and outcome nodes."""
    store = MemoryStore()
    store.ingest(evidence_document)
    before = store.node("study:doi:10.1530/eje-20-0325")
    store.ingest(bang)
    trial = next(CtgovLoader().load(DATA / "ctgov" / "NCT90000001_mecasermin_terminated.json"))
    store.ingest(trial)
    merged = store.node("study:doi:10.1530/eje-20-0325")
    assert merged["name"] == before["name"] == "Bang 2021"
    assert merged["pmid"] == "33434161"  # filled in from PubMed
    evidence = store.evidence("drug:mecasermin", "outcome:hypoglycemia")
    reporters = {item.evidence["id"] for item in evidence.items}
    assert {"study:doi:10.1530/eje-20-0325", "study:nct:NCT90000001"} <= reporters
    studies = [
        n for n, a in store.graph.nodes(data=True) if a.get("kind") == "Study" and a.get("doi") == "10.1530/EJE-20-0325"
    ]
    assert studies == ["study:doi:10.1530/eje-20-0325"]
