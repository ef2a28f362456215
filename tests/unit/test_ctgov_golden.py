"""Trial records read the same as before: every document's Source id and record digest, kept in a file.

The ClinicalTrials.gov reader is tuned for speed (``graph.trusted``, shared provenance, one JSON pass);
such changes must leave what a researcher gets — the records and so their digest — exactly as it was.
The digest (:func:`graph.model.document_digest`) covers every node and edge: ids, names, provenance and
properties.  A change meant to alter what is read (a better reading, a vocabulary change) rewrites the
file: ``python -m tests.unit.test_ctgov_golden``, and says so in its commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from loaders import load_path
from tests.shared_data import CTGOV

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "ctgov_digests.json"


def _files() -> list[Path]:
    return [*sorted(CTGOV.glob("NCT*.json")), *sorted((ROOT / "tests" / "data" / "ctgov").glob("*.json"))]


def _reading(path: Path) -> list[list[object]]:
    return [
        [d.source.id, d.source.props["sha256"], len(d.nodes), len(d.edges), len(d.warnings)] for d in load_path(path)
    ]


def _golden() -> dict[str, list[list[object]]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_a_trial_file_reads_as_it_did(path: Path) -> None:
    golden = _golden()
    if path.name not in golden:
        pytest.skip(f"{path.name} has no golden reading (../shared not beside the clone when it was written)")
    assert _reading(path) == golden[path.name]


def test_the_golden_file_covers_the_project_records() -> None:
    golden = _golden()
    assert {p.name for p in (ROOT / "tests" / "data" / "ctgov").glob("*.json")} <= set(golden)


if __name__ == "__main__":  # rewrite the golden readings (only for an intended change of what is read)
    GOLDEN.write_text(json.dumps({p.name: _reading(p) for p in _files()}, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {GOLDEN}\n")
