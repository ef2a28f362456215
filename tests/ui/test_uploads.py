"""The explorer's uploads go through the one load (EvidenceService.upload → load): what the page shows.

Broken, empty, huge, wrongly encoded and hostile uploads each get a line naming the file, and the
other files of the batch still load.  (The bounded reader's own promises are in
tests/reliability/test_bounded_loaders.py; the browser view in tests/e2e/test_browser.py.)
"""

from __future__ import annotations

from pathlib import Path

from graph.service import EvidenceService
from graph.store.memory import MemoryStore

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = Path(__file__).resolve().parents[2] / "loaders" / "samples"


def test_nothing_to_upload_is_an_empty_summary() -> None:
    calls: list[tuple[int, int, str]] = []
    summary = EvidenceService(MemoryStore()).upload([], lambda *a: calls.append(a))
    assert (summary.documents, summary.errors, summary.warnings) == (0, [], [])
    assert calls and calls[-1] == (0, 0, "")


def test_a_batch_reports_by_name_with_progress_and_counts() -> None:
    curated = (SAMPLES / "curated_mecasermin_example.yaml").read_bytes()
    latin1 = (DATA / "upload_latin1.yaml").read_bytes()
    calls: list[tuple[int, int, str]] = []
    store = MemoryStore()
    summary = EvidenceService(store).upload(
        [("../../etc/curated.yaml", curated), ("empty.yaml", b""), ("dupilumab.yaml", latin1), ("notes.bin", b"\x00")],
        lambda *a: calls.append(a),
    )
    assert summary.documents == 2 and store.stats().documents == 2
    assert [e.split(":")[0] for e in summary.errors] == ["empty.yaml", "notes.bin"]
    assert not any("evx-upload-" in e for e in summary.errors)  # the staged path never shows
    assert any(w.startswith("dupilumab.yaml: ") and "UTF" in w for w in summary.warnings)
    assert summary.nodes["Study"] >= 1 and summary.edges["SUPPORTS"] >= 1
    assert calls[0] == (0, 4, "../../etc/curated.yaml") and calls[-1] == (4, 4, "")
    again = EvidenceService(store).upload([("curated.yaml", curated)])
    assert (again.documents, again.already_loaded, sum(again.nodes.values())) == (1, 1, 0)


def test_a_file_over_the_limit_is_refused_unread() -> None:
    summary = EvidenceService(MemoryStore()).upload([("big.yaml", b"evx: curated/1\n" + b"#" * 100)], max_bytes=50)
    assert summary.documents == 0
    (error,) = summary.errors
    assert error.startswith("big.yaml: 115 bytes") and "evx load" in error
