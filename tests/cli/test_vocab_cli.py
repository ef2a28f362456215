"""``evx vocab`` and ``evx eval cdr`` as a user runs them; the imported vocabulary drives ``evx load``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ui.cli.main import app

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"

MESH = """<?xml version="1.0"?>
<DescriptorRecordSet LanguageCode="eng">
<DescriptorRecord><DescriptorUI>D007022</DescriptorUI><DescriptorName><String>Hypotension</String></DescriptorName>
<TreeNumberList><TreeNumber>C14.907.514</TreeNumber></TreeNumberList>
<ConceptList><Concept><TermList><Term><String>Low Blood Pressure</String></Term></TermList></Concept></ConceptList>
</DescriptorRecord>
<DescriptorRecord><DescriptorUI>D007741</DescriptorUI><DescriptorName><String>Labetalol</String></DescriptorName>
<TreeNumberList><TreeNumber>D02.033.100</TreeNumber></TreeNumberList>
<ConceptList><Concept><TermList><Term><String>Trandate</String></Term></TermList></Concept></ConceptList>
</DescriptorRecord>
</DescriptorRecordSet>
"""
PUBTATOR = "1|t|Trandate-induced hypotension.\n1\t0\t8\tTrandate\tChemical\tD007741\n1\tCID\tD007741\tD007022\n\n"
ARTICLE = """<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>42</PMID><Article>
<ArticleTitle>Low blood pressure after Trandate: a case report.</ArticleTitle>
<Abstract><AbstractText>Labetalol-induced hypotension occurred in 3 of 12 patients (25%).</AbstractText></Abstract>
<Language>eng</Language></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""


@pytest.fixture
def evx(tmp_path: Path):
    runner = CliRunner()
    store = tmp_path / "store"

    def run(*args: str):
        return runner.invoke(app, ["--store", str(store), *args], catch_exceptions=False)

    return run


def test_import_stats_and_load_over_the_open_vocabulary(evx, tmp_path):
    (tmp_path / "desc.xml").write_text(MESH)
    (tmp_path / "ann.txt").write_text(PUBTATOR)
    (tmp_path / "article.xml").write_text(ARTICLE)
    assert evx("vocab", "stats").stdout.startswith("no vocabulary imported")
    result = evx("vocab", "import", "mesh", str(tmp_path / "desc.xml"))
    assert result.exit_code == 0 and "2 records" in result.stdout
    assert evx("vocab", "import", "pubtator", str(tmp_path / "ann.txt")).exit_code == 0
    stats = evx("vocab", "stats")
    assert "Condition" in stats.stdout and "Drug" in stats.stdout and "pubtator" in stats.stdout
    assert evx("load", str(tmp_path / "article.xml")).exit_code == 0
    query = (
        "MATCH (s:Study)-[:SUPPORTS]->(f:Finding)-[:ABOUT]->(d:Drug), (f)-[:ABOUT]->(o:Condition) "
        "RETURN d.name AS drug, d.mesh AS dm, o.name AS outcome, o.mesh AS om"
    )
    rows = json.loads(evx("query", query, "--format", "json").stdout)["rows"]
    # "Trandate", "Labetalol" and "low blood pressure", "hypotension": one node per MeSH id
    assert rows == [{"drug": "Labetalol", "dm": "D007741", "outcome": "Hypotension", "om": "D007022"}]


def test_a_broken_vocabulary_file_is_refused_and_nothing_is_imported(evx, tmp_path):
    (tmp_path / "desc.xml").write_text(MESH)
    assert evx("vocab", "import", "mesh", str(tmp_path / "desc.xml")).exit_code == 0
    (tmp_path / "cut.xml").write_text(MESH[: len(MESH) // 2])
    result = evx("vocab", "import", "mesh", str(tmp_path / "cut.xml"))
    assert result.exit_code == 1
    assert "cut.xml" in result.stderr and "truncated" in result.stderr and "nothing was imported" in result.stderr
    assert "1 records" not in evx("vocab", "stats").stdout
    assert "desc.xml (2 records)" in evx("vocab", "stats").stdout


@pytest.mark.skipif(not (SHARED / "fixtures" / "bc5cdr").is_dir(), reason="../shared/fixtures/bc5cdr is not here")
def test_eval_cdr_on_a_slice_of_the_training_set(tmp_path):
    lines = (SHARED / "fixtures" / "bc5cdr" / "CDR_TrainingSet.PubTator.txt").read_text().split("\n\n")
    sample = tmp_path / "sample.txt"
    sample.write_text("\n\n".join(lines[:20]) + "\n")
    mesh = SHARED / "vocab" / "mesh" / "tree-numbers.tsv"
    result = CliRunner().invoke(app, ["eval", "cdr", str(sample), "--mesh", str(mesh), "--train", str(sample)])
    assert result.exit_code == 0, result.output
    assert "relations" in result.stdout and "20 abstracts" in result.stdout


def test_reports_are_read_over_the_open_vocabulary_too(evx, tmp_path):
    """A report naming a drug and an outcome the bundled names lack finds them in the imported MeSH."""
    report = Path(__file__).resolve().parents[1] / "data" / "reports" / "isotretinoine_acne_compacte_tabel.txt"
    text = report.read_text(encoding="utf-8").replace("Isotretinoïne", "Isotretinoin")
    (tmp_path / "report.txt").write_text(text, encoding="utf-8")
    (tmp_path / "tree.tsv").write_text(
        "mesh_id\tmesh_name\tmesh_tree_number\n"
        "D015474\tIsotretinoin\tD02.455.849.131.495.325\n"
        "D000152\tAcne Vulgaris\tC17.800.030.150\n"
    )
    drugs = "MATCH (d:Drug) RETURN d.name AS name, d.mesh AS mesh"
    assert evx("load", str(tmp_path / "report.txt")).exit_code == 0
    before = json.loads(evx("query", drugs, "--format", "json").stdout)["rows"]
    assert {"name": "Isotretinoin", "mesh": "D015474"} not in before  # the bundled names do not know it

    fresh = tmp_path / "fresh"
    runner = CliRunner()
    assert (
        runner.invoke(app, ["--store", str(fresh), "vocab", "import", "mesh", str(tmp_path / "tree.tsv")]).exit_code
        == 0
    )
    loaded = runner.invoke(app, ["--store", str(fresh), "load", str(tmp_path / "report.txt")])
    assert loaded.exit_code == 0 and "Isotretinoin' is not in the vocabulary" not in loaded.output
    after = runner.invoke(app, ["--store", str(fresh), "query", drugs, "--format", "json"]).stdout
    assert {"name": "Isotretinoin", "mesh": "D015474"} in json.loads(after)["rows"]


def test_loading_literature_without_a_vocabulary_says_what_to_import(evx, tmp_path):
    (tmp_path / "article.xml").write_text(ARTICLE)
    loaded = evx("load", str(tmp_path / "article.xml"))
    assert loaded.exit_code == 0 and "no vocabulary is imported into this store" in loaded.output
    assert "evx vocab import mesh" in loaded.output
    (tmp_path / "desc.xml").write_text(MESH)
    assert evx("vocab", "import", "mesh", str(tmp_path / "desc.xml")).exit_code == 0
    again = evx("load", "--replace", str(tmp_path / "article.xml"))
    assert again.exit_code == 0 and "no vocabulary is imported" not in again.output
    # reports are read with the bundled vocabulary first: no such note for them
    fresh = CliRunner().invoke(app, ["--store", str(tmp_path / "other"), "load", "--samples"])
    assert fresh.exit_code == 0 and "no vocabulary is imported" not in fresh.output
