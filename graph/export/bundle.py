"""The evidence bundle: a zip a colleague can check every number with.

``graph.json`` (node-link) and ``graph.graphml`` of the subgraph, ``quotes.csv`` (every
quoted sentence with its source and span), ``figures.csv`` (every number, with any
derived count marked), ``summaries.json`` (claim summaries, certainty and reasons,
pooled estimates, conflicts, the weights used) and ``report.html`` / ``report.md``.
Curation travels along: edges carry ``curation_status``, ``curated_by``,
``curated_at`` and ``curation_reason``, and ``curation.yaml`` holds the log.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx
import yaml

from graph.curation import Correction, curate_graph
from graph.export import graphml, node_link
from graph.model import EdgeType, NodeKind
from graph.report import EvidenceReport, build_report, render_html, render_markdown
from graph.store.assemble import evidence_from_graph
from graph.synthesis.pooling import round_half_up
from graph.views import EvidenceItem

__all__ = [
    "BUNDLE_FILES",
    "bundle_bytes",
    "evidence_nodes",
    "summaries",
    "write",
    "write_bundle",
    "write_bundle_to",
]

BUNDLE_FILES = (
    "graph.json",
    "graph.graphml",
    "quotes.csv",
    "figures.csv",
    "summaries.json",
    "report.html",
    "report.md",
)


def write_bundle(
    path: Path, graph: nx.MultiDiGraph, reports: Sequence[EvidenceReport], *, corrections: Sequence[Correction] = ()
) -> None:
    """Write the zip; ``reports[0]`` is ``report.html``, further ones go under ``reports/``."""
    with Path(path).open("wb") as out:
        write_bundle_to(out, graph, reports, corrections=corrections)


def bundle_bytes(
    graph: nx.MultiDiGraph, reports: Sequence[EvidenceReport], *, corrections: Sequence[Correction] = ()
) -> bytes:
    """The bundle as bytes (for a download button)."""
    buffer = io.BytesIO()
    write_bundle_to(buffer, graph, reports, corrections=corrections)
    return buffer.getvalue()


def write_bundle_to(
    out: BinaryIO, graph: nx.MultiDiGraph, reports: Sequence[EvidenceReport], *, corrections: Sequence[Correction] = ()
) -> None:
    """The bundle zip written to the binary stream ``out``."""
    curated = curate_graph(graph, corrections)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("graph.json", json.dumps(node_link.to_data(curated), ensure_ascii=False, indent=1, default=str))
        zf.writestr("graph.graphml", _graphml(curated))
        zf.writestr("quotes.csv", _quotes(curated))
        zf.writestr("figures.csv", _figures(curated))
        zf.writestr("summaries.json", json.dumps(summaries(reports), ensure_ascii=False, indent=1, default=str))
        for i, report in enumerate(reports):
            stem = "report" if i == 0 else f"reports/{_slug(report.synthesis.title)}"
            zf.writestr(f"{stem}.html", render_html(report))
            zf.writestr(f"{stem}.md", render_markdown(report))
        if corrections:
            zf.writestr(
                "curation.yaml",
                yaml.safe_dump(
                    {"corrections": [c.as_yaml() for c in corrections]}, allow_unicode=True, sort_keys=False
                ),
            )


def write(graph: nx.MultiDiGraph, out: BinaryIO) -> None:
    """Registry writer (``evx export --format bundle``): reports for every drug → outcome link in ``graph``."""
    pairs = sorted(
        {(u, v) for u, v, t in graph.edges(data="type") if t == EdgeType.LINKED_TO.value}
        | {_pair for f in _findings(graph) for _pair in _finding_pairs(graph, f)}
    )
    reports = []
    sources = {n: dict(graph.nodes[n]) for n in graph if graph.nodes[n].get("kind") == NodeKind.SOURCE.value}

    def node(node_id: str) -> dict[str, Any] | None:
        return dict(graph.nodes[node_id]) if node_id in graph else None

    for drug, target in pairs:
        evidence = evidence_from_graph(graph, drug, target)
        if evidence.items:
            reports.append(build_report(evidence, sources=sources, node=node))
    reports.sort(key=lambda r: -len(r.rows))
    write_bundle_to(out, graph, reports)


def evidence_nodes(report: EvidenceReport, evidence_items: Sequence[EvidenceItem]) -> list[str]:
    """The node ids a report rests on: drug, target, claims, studies, figures and sources."""
    ids = {report.synthesis.drug["id"], report.synthesis.target["id"]}
    for item in evidence_items:
        ids |= {item.finding.id, item.evidence.id}
        ids |= {f.id for f in item.figures if f.id}
        ids |= {s for s in (item.source_doc, item.evidence.source_doc) if s}
    for src in report.sources:
        ids.add(src.id)
    return sorted(ids)


def summaries(reports: Sequence[EvidenceReport]) -> list[dict[str, Any]]:
    """Claim summaries, pooled estimates and conflicts as plain JSON-ready data."""
    out = []
    for r in reports:
        s = r.synthesis
        out.append(
            {
                "link": s.title,
                "drug": s.drug.get("id"),
                "target": s.target.get("id"),
                "population_asked": s.population,
                "claims": [_claim(c) for c in (s.overall, *s.claims)],
                "pooled": [_plain(e) for e in s.overall.pooling.estimates],
                "not_pooled": [
                    {"study": u.study, "figure": u.figure.get("id"), "reason": u.reason}
                    for u in s.overall.pooling.unpooled
                ],
                "conflicts": [
                    {
                        "supporting": c.supporting.name,
                        "contradicting": c.contradicting.name,
                        "differences": [asdict(d) for d in c.differences],
                        "same": list(c.same),
                        "not_recorded": list(c.not_recorded),
                    }
                    for c in s.conflicts
                ],
                "weights": [asdict(w) for w in r.weights],
            }
        )
    return out


def _claim(c: Any) -> dict[str, Any]:
    return {
        "finding": c.finding_id,
        "claim": c.claim,
        "population": c.population,
        "direction": c.direction,
        "certainty": c.certainty,
        "reasons": c.reasons,
        "notes": list(c.notes),
        "support_weight": c.support_weight,
        "contradict_weight": c.contradict_weight,
        "total_n": c.total_n,
        "supporting": [
            {"id": t.evidence_id, "name": t.name, "weight": t.weight, "design": t.rule.key} for t in c.supporting
        ],
        "contradicting": [
            {"id": t.evidence_id, "name": t.name, "weight": t.weight, "design": t.rule.key} for t in c.contradicting
        ],
    }


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    return value


def _graphml(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    graphml.write(graph, buffer)
    return buffer.getvalue()


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _quotes(graph: nx.MultiDiGraph) -> str:
    rows = []
    for node_id, d in graph.nodes(data=True):
        if d.get("quote"):
            rows.append(
                {"record": "node", "id": node_id, "kind_or_type": d.get("kind"), "name": d.get("name"), **_prov(d)}
            )
    for u, v, key, d in graph.edges(keys=True, data=True):
        if d.get("quote"):
            rows.append(
                {
                    "record": "edge",
                    "id": key,
                    "kind_or_type": d.get("type"),
                    "source": u,
                    "target": v,
                    **_prov(d),
                    **{k: d.get(k) for k in ("curation_status", "curated_by", "curated_at", "curation_reason")},
                }
            )
    columns = [
        "record",
        "id",
        "kind_or_type",
        "name",
        "source",
        "target",
        "quote",
        "source_doc",
        "span_start",
        "span_end",
        "curation_status",
        "curated_by",
        "curated_at",
        "curation_reason",
    ]
    return _csv(rows, columns)


def _prov(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "quote": d.get("quote"),
        "source_doc": d.get("source_doc"),
        "span_start": d.get("span_start"),
        "span_end": d.get("span_end"),
    }


def _figures(graph: nx.MultiDiGraph) -> str:
    rows = []
    for node_id, d in graph.nodes(data=True):
        if d.get("kind") != NodeKind.FIGURE.value:
            continue
        reporters = [u for u, _, t in graph.in_edges(node_id, data="type") if t == EdgeType.REPORTS.value]
        value, num, den = d.get("value"), d.get("numerator"), d.get("denominator")
        derived = None
        if num is None and den is not None and d.get("unit") == "%" and isinstance(value, int | float):
            derived = round_half_up(value / 100 * den)
        rows.append(
            {
                "id": node_id,
                "reported_by": ";".join(sorted(reporters)),
                "value": value,
                "unit": d.get("unit"),
                "numerator": num,
                "denominator": den,
                "numerator_derived": derived,
                "population": d.get("population"),
                "label": d.get("label"),
                **_prov(d),
            }
        )
    columns = [
        "id",
        "reported_by",
        "value",
        "unit",
        "numerator",
        "denominator",
        "numerator_derived",
        "population",
        "label",
        "quote",
        "source_doc",
        "span_start",
        "span_end",
    ]
    return _csv(sorted(rows, key=lambda r: r["id"]), columns)


def _findings(graph: nx.MultiDiGraph) -> list[str]:
    return [n for n, k in graph.nodes(data="kind") if k == NodeKind.FINDING.value]


def _finding_pairs(graph: nx.MultiDiGraph, finding: str) -> list[tuple[str, str]]:
    about = [v for _, v, t in graph.out_edges(finding, data="type") if t == EdgeType.ABOUT.value]
    drugs = [v for v in about if graph.nodes[v].get("kind") == NodeKind.DRUG.value]
    others = [v for v in about if graph.nodes[v].get("kind") == NodeKind.OUTCOME.value]
    return [(d, o) for d in drugs for o in others]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.casefold()).strip("-")[:60] or "report"
