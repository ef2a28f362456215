"""A trial and an abstract naming the same MeSH concept meet on one node after ``evx vocab import``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.shared_data import CTGOV, needs
from ui.cli.main import app

TRIAL = CTGOV / "NCT00763412.json"
ARTICLE = """<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>77</PMID><Article>
<ArticleTitle>Insulin secretion in cystic fibrosis.</ArticleTitle>
<Abstract><AbstractText>Twelve patients with cystic fibrosis were studied.</AbstractText></Abstract>
<Language>eng</Language></Article>
<MeshHeadingList><MeshHeading><DescriptorName UI="D003550">Cystic Fibrosis</DescriptorName></MeshHeading>
</MeshHeadingList></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""


@needs(TRIAL)
def test_trial_and_abstract_join_on_one_mesh_node(tmp_path: Path):
    store = str(tmp_path / "store")
    runner = CliRunner()
    (tmp_path / "tree.tsv").write_text(
        "mesh_id\tmesh_name\tmesh_tree_number\nD003550\tCystic Fibrosis\tC16.320.190\n"
        "D003920\tDiabetes Mellitus\tC18.452.394.750\n"
    )
    (tmp_path / "article.xml").write_text(ARTICLE, encoding="utf-8")
    imported = runner.invoke(app, ["--store", store, "vocab", "import", "mesh", str(tmp_path / "tree.tsv")])
    assert imported.exit_code == 0, imported.output
    for path in (str(TRIAL), str(tmp_path / "article.xml")):
        loaded = runner.invoke(app, ["--store", store, "load", path])
        assert loaded.exit_code == 0, loaded.output
    query = (
        "MATCH (s)-[:STUDIED_IN]->(c:Condition) WHERE c.mesh = 'D003550' "
        "RETURN c.id AS id, c.name AS name, s.id AS study ORDER BY study"
    )
    result = runner.invoke(app, ["--store", store, "query", query, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert {r["id"] for r in rows} == {"condition:cystic-fibrosis"}  # one node for the MeSH id
    studies = {r["study"] for r in rows}
    assert "study:nct:NCT00763412" in studies and len(studies) == 2, rows
