"""Shared fixtures: small evidence documents built in memory, and store factories."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.model import Document, EdgeType, NodeKind
from loaders.base import DocumentBuilder

SAMPLES = Path(__file__).resolve().parent.parent / "loaders" / "samples"
DATA = Path(__file__).resolve().parent / "data"
_LIMITS = (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE, resource.RLIMIT_CORE)


@pytest.fixture(autouse=True)
def _limits_stay_in_children() -> Iterator[None]:
    """Fail the test that leaves a resource limit on this process: limits belong to child processes,
    and one left here is inherited by every worker later tests start (a parse worker's MemoryError)."""
    before = [resource.getrlimit(which) for which in _LIMITS]
    yield
    after = [resource.getrlimit(which) for which in _LIMITS]
    assert after == before, f"this test left resource limits on the test process: {before} -> {after}"


TRIAL_TEXT = (
    "Bang 2021 followed 242 children on rhIGF-1. In the untreated Laron syndrome group (n=21) 51% had "
    "hypoglycaemia, and 16% of the 114 children without Laron syndrome. Khwaja 2014 saw no hypoglycemia "
    "in 10 girls with Rett syndrome. Grimberg 2016: We recommend administration of IGF-I 20 min after a "
    "carbohydrate-containing meal or snack (Strong recommendation)."
)


def build_evidence_document(text: str = TRIAL_TEXT) -> Document:
    """A document with support, contradiction, figures in two populations and a recommendation."""
    b = DocumentBuilder(text=text, source_type="test", title="Test evidence about mecasermin")
    drug = b.concept("rhIGF-1", NodeKind.DRUG)
    outcome = b.concept("hypoglycaemia", NodeKind.OUTCOME)
    laron = b.concept("Laron syndrome", NodeKind.CONDITION)
    rett = b.concept("Rett syndrome", NodeKind.CONDITION)
    assert drug and outcome and laron and rett
    bang = b.add_node(
        "study:doi:10.1530/eje-20-0325",
        NodeKind.STUDY,
        "Bang 2021",
        {"year": 2021, "n": 242, "design": "prospective study", "doi": "10.1530/EJE-20-0325"},
        quote="Bang 2021 followed 242 children on rhIGF-1.",
    )
    khwaja = b.add_node(
        "study:doi:10.1073/pnas.1311141111",
        NodeKind.STUDY,
        "Khwaja 2014",
        {"year": 2014, "n": 10, "design": "clinical study"},
    )
    grimberg = b.add_node(
        "guideline:doi:10.1159/000452150", NodeKind.GUIDELINE, "Grimberg 2016", {"strength": "Strong recommendation"}
    )
    finding = b.add_finding(drug, outcome, quote="51% had hypoglycaemia")
    b.add_edge(EdgeType.SUPPORTS, bang, finding, quote="51% had hypoglycaemia")
    b.add_edge(EdgeType.CONTRADICTS, khwaja, finding, quote="Khwaja 2014 saw no hypoglycemia")
    b.add_edge(EdgeType.STUDIED_IN, bang, laron)
    b.add_edge(EdgeType.STUDIED_IN, khwaja, rett)
    b.add_figure(
        bang,
        finding,
        label="hypoglycemia, untreated Laron",
        value=51.0,
        unit="%",
        denominator=21,
        population="untreated Laron syndrome",
        population_id=laron,
        quote="(n=21) 51% had",
    )
    b.add_figure(
        bang,
        finding,
        label="hypoglycemia, without Laron",
        value=16.0,
        unit="%",
        denominator=114,
        population="without Laron syndrome",
        quote="16% of the 114 children without Laron syndrome",
    )
    b.add_edge(
        EdgeType.RECOMMENDS,
        grimberg,
        drug,
        quote="We recommend administration of IGF-I 20 min after a carbohydrate-containing meal or snack",
        props={"strength": "Strong recommendation"},
    )
    return b.build()


@pytest.fixture
def evidence_document() -> Document:
    return build_evidence_document()


@pytest.fixture
def curated_sample() -> Path:
    return SAMPLES / "curated_mecasermin_example.yaml"
