"""A large, valid document for load tests: one drug, one outcome, many studies with figures."""

from __future__ import annotations

from graph.model import Document, EdgeType, NodeKind
from loaders.base import DocumentBuilder


def synthetic_document(studies: int, *, tag: str = "synthetic") -> Document:
    """``studies`` studies, each supporting one claim and reporting one figure that measures it.

    Each study adds 2 nodes and 5 edges, so the document holds about ``7 * studies`` records.
    """
    text = f"A {tag} corpus of {studies} studies of rhIGF-1 and hypoglycaemia."
    b = DocumentBuilder(text=text, source_type="test", title=f"{tag} ({studies} studies)")
    drug = b.concept("rhIGF-1", NodeKind.DRUG)
    outcome = b.concept("hypoglycaemia", NodeKind.OUTCOME)
    assert drug and outcome
    finding = b.add_finding(drug, outcome)
    for i in range(studies):
        study = b.add_node(
            f"study:{tag}:{i}",
            NodeKind.STUDY,
            f"{tag} study {i}",
            {"year": 1990 + i % 35, "n": 10 + i, "design": "RCT"},
        )
        b.add_edge(EdgeType.SUPPORTS if i % 5 else EdgeType.CONTRADICTS, study, finding)
        b.add_figure(
            study, finding, label=f"hypoglycaemia in study {i}", value=float(i % 100), unit="%", denominator=10 + i
        )
    return b.build()


def record_count(document: Document) -> int:
    return len(document.all_nodes) + len(document.edges)
