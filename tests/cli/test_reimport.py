"""Re-imports say what they did: an edited file with the same text, `evx load --replace`, and a kill mid-replace."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.model import Document, EdgeType, NodeKind
from graph.store.ladybug.store import LadybugStore
from loaders.base import DocumentBuilder
from tests.conftest import SAMPLES
from tests.contract.test_replace import fingerprint
from ui.cli.load import ALREADY_LOADED_EDITED
from ui.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
CURATED = SAMPLES / "curated_mecasermin_example.yaml"


def _figures(store_dir: Path) -> list[float]:
    with LadybugStore(store_dir, read_only=True) as store:
        g = store.subgraph()
    return sorted(d["value"] for _, d in g.nodes(data=True) if d.get("kind") == NodeKind.FIGURE.value)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    original = tmp_path / "curated.yaml"
    original.write_text(CURATED.read_text(encoding="utf-8"), encoding="utf-8")
    edited = tmp_path / "edited" / "curated.yaml"
    edited.parent.mkdir()
    text = CURATED.read_text(encoding="utf-8")
    assert "    value: 42\n" in text
    edited.write_text(text.replace("    value: 42\n", "    value: 43\n"), encoding="utf-8")  # same source.text
    return original, edited


def _load(store: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--store", str(store), "load", *args], catch_exceptions=False)


def test_an_edited_file_with_the_same_text_is_reported_not_silently_dropped(tmp_path: Path, files) -> None:
    original, edited = files
    store = tmp_path / "store"
    assert _load(store, str(original)).exit_code == 0
    result = _load(store, str(edited))
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert (
        f"curated.yaml: 'Curated example: mecasermin and hypoglycaemia (package insert and guideline)': {ALREADY_LOADED_EDITED}"
        in said
    )
    assert "already loaded; its other changes were not applied — use --replace" in said
    assert "0 documents loaded, 1 already loaded (1 of them edited" in said
    assert _figures(store) == [42.0]  # nothing changed


def test_loading_the_same_file_again_says_nothing_about_edits(tmp_path: Path, files) -> None:
    original, _ = files
    store = tmp_path / "store"
    _load(store, str(original))
    result = _load(store, str(original))
    assert "0 documents loaded, 1 already loaded (" in " ".join(result.output.split())
    assert "its other changes were not applied" not in result.output


def test_replace_applies_the_edit(tmp_path: Path, files) -> None:
    original, edited = files
    store = tmp_path / "store"
    _load(store, str(original))
    result = _load(store, "--replace", str(edited))
    assert result.exit_code == 0, result.output
    assert "1 replaced" in result.output
    assert "its other changes were not applied" not in result.output
    assert _figures(store) == [43.0]  # the old figure was only this document's: gone
    with LadybugStore(store, read_only=True) as opened:
        assert opened.stats().documents == 1
    again = _load(store, "--replace", str(edited))
    assert "1 already loaded" in again.output and "replaced" not in again.output  # nothing left to swap


# -- a kill during --replace leaves the old document or the new one, never a mix ----------------------
def corpus(version: str, studies: int = 1500) -> Document:
    """One large document; both versions share the text (and so the Source id) but not the studies."""
    text = "A corpus of studies of rhIGF-1 and hypoglycaemia, read twice."
    b = DocumentBuilder(text=text, source_type="test", title=f"corpus ({version})")
    drug = b.concept("rhIGF-1", NodeKind.DRUG)
    outcome = b.concept("hypoglycaemia", NodeKind.OUTCOME)
    assert drug and outcome
    finding = b.add_finding(drug, outcome)
    for i in range(studies):
        study = b.add_node(f"study:{version}:{i}", NodeKind.STUDY, f"{version} study {i}", {"n": 10 + i})
        b.add_edge(EdgeType.SUPPORTS if i % 4 else EdgeType.CONTRADICTS, study, finding)
        b.add_figure(study, finding, label=f"{version} figure {i}", value=float(i % 90), unit="%", denominator=10 + i)
    return b.build()


_REPLACER = """
import sys
from graph.store.ladybug.store import LadybugStore
from tests.cli.test_reimport import corpus
store = LadybugStore(sys.argv[1])
new = corpus("new")
print("replacing", flush=True)
store.replace(new)
print("replaced", flush=True)
store.close()
"""


def test_a_kill_during_replace_leaves_the_old_or_the_new_document(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    reference = {}
    for version in ("old", "new"):
        with LadybugStore(tmp_path / version) as clean:
            clean.ingest(corpus(version))
            reference[version] = fingerprint(clean)
    rng = random.Random(20261202)
    seen = []
    for _ in range(4):
        if directory.exists():
            subprocess.run(["rm", "-rf", str(directory)], check=True)
        with LadybugStore(directory) as store:
            store.ingest(corpus("old"))
        child = subprocess.Popen(
            [sys.executable, "-c", _REPLACER, str(directory)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "replacing"
        time.sleep(rng.uniform(0.0, 1.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        with LadybugStore(directory) as store:
            found = fingerprint(store)
        assert found in (reference["old"], reference["new"]), "a kill during replace left a mix"
        seen.append("old" if found == reference["old"] else "new")
    assert "old" in seen, f"no kill landed inside the replace ({seen}): the test proves nothing"


def test_the_upload_page_reports_an_edit_and_replaces_it_on_request(files) -> None:
    from graph.service import EvidenceService
    from graph.store.memory import MemoryStore

    original, edited = files
    store = MemoryStore()
    service = EvidenceService(store)
    service.upload([("curated.yaml", original.read_bytes())])
    summary = service.upload([("curated.yaml", edited.read_bytes())])
    title = "Curated example: mecasermin and hypoglycaemia (package insert and guideline)"
    assert summary.unapplied == [f"curated.yaml: {title}"] and summary.replaced == 0
    summary = service.upload([("curated.yaml", edited.read_bytes())], replace=True)
    assert summary.replaced == 1 and not summary.unapplied and not summary.errors
    values = sorted(d["value"] for _, d in store.graph.nodes(data=True) if d.get("kind") == "Figure")
    assert values == [43.0]
