"""Fixtures: the test document and the real Dutch report sample, in memory stores."""

from __future__ import annotations

import pytest

from graph.store.memory import MemoryStore
from loaders import detect
from tests.conftest import SAMPLES, build_evidence_document

REPORT_SAMPLE = SAMPLES / "shb_mecasermine_diabetes.txt"


def report_documents():
    return list(detect(REPORT_SAMPLE).load(REPORT_SAMPLE))


@pytest.fixture
def small_store() -> MemoryStore:
    store = MemoryStore()
    store.ingest(build_evidence_document())
    return store


@pytest.fixture(scope="session")
def sample_store() -> MemoryStore:
    store = MemoryStore()
    for document in report_documents():
        store.ingest(document)
    return store


@pytest.fixture(scope="session")
def sample_evidence(sample_store):
    return sample_store.evidence("drug:mecasermin", "outcome:hypoglycemia")
