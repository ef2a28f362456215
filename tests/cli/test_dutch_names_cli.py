"""A Dutch report's drug and disease names ("Isotretinoïne", "hypoglykemie") find their English MeSH concepts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from graph.vocab_store import Entry
from loaders.text.recognize import Recognizer
from tests.shared_data import SHARED, needs
from ui.cli.main import app

REPORT = Path(__file__).resolve().parents[1] / "data" / "reports" / "isotretinoine_acne_compacte_tabel.txt"
TREES = SHARED / "vocab" / "mesh" / "tree-numbers.tsv"
DRUGS = "MATCH (d:Drug) RETURN d.name AS name, d.mesh AS mesh"


def _load(tmp_path: Path, tree: Path) -> list[dict]:
    store = str(tmp_path / "store")
    runner = CliRunner()
    imported = runner.invoke(app, ["--store", store, "vocab", "import", "mesh", str(tree)])
    assert imported.exit_code == 0, imported.output
    loaded = runner.invoke(app, ["--store", store, "load", str(REPORT)])
    assert loaded.exit_code == 0, loaded.output
    assert "Isotretinoïne' is not in the vocabulary" not in loaded.output  # the report's own name found it
    return json.loads(runner.invoke(app, ["--store", store, "query", DRUGS, "--format", "json"]).stdout)["rows"]


def test_the_dutch_report_finds_isotretinoin_in_english_mesh(tmp_path: Path):
    assert "Isotretinoïne" in REPORT.read_text(encoding="utf-8")
    tree = tmp_path / "tree.tsv"
    tree.write_text("mesh_id\tmesh_name\tmesh_tree_number\nD015474\tIsotretinoin\tD02.455.849.131.495.325\n")
    assert {"name": "Isotretinoin", "mesh": "D015474"} in _load(tmp_path, tree)


@needs(TREES)
def test_the_dutch_report_finds_isotretinoin_among_all_mesh_tree_numbers(tmp_path: Path):
    assert {"name": "Isotretinoin", "mesh": "D015474"} in _load(tmp_path, TREES)


def _recognizer(*entries: tuple[str, str, str]) -> Recognizer:
    return Recognizer([Entry(term=n.lower(), mesh=m, name=n, kind=k, count=0, cased=None) for n, m, k in entries])


def test_dutch_spellings_of_english_names_are_recognised():
    recognizer = _recognizer(
        ("Metformin", "D008687", "Drug"),
        ("Mecasermin", "C489674", "Drug"),
        ("Hypoglycemia", "D007003", "Condition"),
        ("Acidosis", "D000138", "Condition"),
    )
    found = {
        m.text: m.concept.codes.get("mesh")
        for m in recognizer.mentions("Metformine en mecasermine gaven hypoglykemie en acidose; Mecasermin ook.")
    }
    assert found == {
        "Metformine": "D008687",
        "mecasermine": "C489674",
        "hypoglykemie": "D007003",
        "acidose": "D000138",
        "Mecasermin": "C489674",
    }


def test_dutch_endings_are_not_forced_on_english_words():
    recognizer = _recognizer(("Ketosis", "D007662", "Condition"), ("Proteins", "D011506", "Drug"))
    # "ketose" is an English sugar, not ketosis; a drug name not ending in -in gets no Dutch -e
    assert recognizer.mentions("a ketose and proteinse") == []
