"""Small stores for the explorer's tests: the mecasermine studies and a hostile document."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import EvidenceStore, open_store
from loaders import load_path

DATA = Path(__file__).resolve().parents[1] / "data"


def _fill(store: EvidenceStore) -> EvidenceStore:
    for name in ("mecasermin_studies.yaml", "hostile.yaml"):
        for document in load_path(DATA / name):
            store.ingest(document)
    return store


@pytest.fixture
def memory_store() -> EvidenceStore:
    return _fill(open_store(backend="memory"))


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded store on disk (what `evx app` serves), closed again so the app can open it."""
    directory = tmp_path_factory.mktemp("uistore") / "db"
    with open_store(Settings(store=directory)) as store:
        _fill(store)
    return directory
