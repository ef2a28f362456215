"""Where the third-party material in ``../shared`` is, beside the clone; tests skip cleanly without it.

Those files (real ClinicalTrials.gov records, BioCreative abstracts, MeSH tables) are read in
place and never copied into the project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
CTGOV = SHARED / "fixtures" / "ctgov"


def needs(path: Path) -> pytest.MarkDecorator:
    """Skip a test, with the reason, when a shared file it reads is not beside the clone."""
    return pytest.mark.skipif(not path.exists(), reason=f"{path} (../shared) is not beside the clone")
