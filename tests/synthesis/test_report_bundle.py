"""The evidence report (HTML and Markdown), `evx report`, `evx curate` and the evidence bundle."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import zipfile

import pytest
from typer.testing import CliRunner

from graph.curation import Correction
from graph.export import WRITERS
from graph.export.bundle import BUNDLE_FILES, bundle_bytes, evidence_nodes
from graph.model import EdgeType, NodeKind
from graph.report import build_report, render_html, render_markdown, report_for
from graph.store.memory import MemoryStore
from graph.views import Citation
from tests.conftest import TRIAL_TEXT, build_evidence_document
from tests.synthesis.conftest import REPORT_SAMPLE
from ui.cli.main import app

HOSTILE = "<img src=x onerror=alert(1)>"


def test_report_has_the_evidence_table_and_the_numbers(sample_store):
    report = report_for(sample_store, "mecasermine", "hypoglykemie")
    html = render_html(report)
    names = [row.name for row in report.rows]
    assert names == [
        "Grimberg 2016",
        "SPC Increlex 2017",
        "Bang 2021",
        "Mohamed-Ali 2002",
        "Khwaja 2014",
        "Martín-Rivada 2021",
    ]
    bang = report.rows[2]
    assert "51% of 21 (11 derived: 51% × 21 = 10.71 → 11) — niet-behandelde Laronsyndroomgroep (n=21)" in bang.figures
    assert "16% of 114 (18 derived: 16% × 114 = 18.24 → 18) — groep zonder Laronsyndroom (n=114)" in bang.figures
    for text in (
        "Evidence table",
        "Claim summaries",
        "Conflicts",
        "Recommendations",
        "Sources",
        "How evidence is weighed",
        "Khwaja 2014",
        "52.4% (32.4%–71.7%)",
        "15.8% (10.2%–23.6%)",
        "https://doi.org/10.1530/EJE-20-0325",
        "<svg",
    ):
        assert text in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert report.conclusion[1].startswith(
        "Incidence: 51% of 21 (11/21 = 52.4%, derived) in niet-behandelde Laronsyndroomgroep"
    )
    md = render_markdown(report)
    assert "| supports | Bang 2021 | prospective study | 3 | 242 |" in md


def test_hostile_text_is_escaped():
    text = TRIAL_TEXT.replace("Khwaja 2014 saw no hypoglycemia", f"Khwaja 2014 saw no hypoglycemia {HOSTILE}")
    document = build_evidence_document(text)
    store = MemoryStore()
    store.ingest(document)
    evidence = store.evidence("drug:mecasermin", "outcome:hypoglycemia")
    # hostile text in a quote, a study name and a curation reason
    khwaja = next(i for i in evidence.items if i.stance is EdgeType.CONTRADICTS)
    items = tuple(
        dataclasses.replace(
            i,
            evidence={**i.evidence, "name": HOSTILE} if i is khwaja else i.evidence,
            provenance=Citation(f"{i.quote} {HOSTILE}", i.source_doc, None),
        )
        for i in evidence.items
    )
    evidence = type(evidence)(evidence.drug, evidence.target, items, evidence.recommendations)
    fix = Correction(action="confirm", edge="edge:0", curator=HOSTILE, date=dt.date(2025, 1, 1), reason=HOSTILE)
    report = build_report(evidence, corrections=[fix])
    html = render_html(report)
    assert HOSTILE not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    md = render_markdown(report)
    assert "<img" not in md


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    result = CliRunner().invoke(app, ["--store", str(store), "load", str(REPORT_SAMPLE)])
    assert result.exit_code == 0, result.output
    return store


def test_evx_report_command(cli_store, tmp_path):
    out = tmp_path / "report.html"
    runner = CliRunner()
    result = runner.invoke(
        app, ["--store", str(cli_store), "report", "mecasermine", "hypoglycemia", "-o", str(out), "--table"]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Evidence report: mecasermin → hypoglycemia" in html and "Bang 2021" in html and "Khwaja 2014" in html
    assert "certainty high" in result.output
    assert "| contradicts | Khwaja 2014 | clinical study | 1.5 | 10 | Rett syndrome |" in result.output
    again = runner.invoke(app, ["--store", str(cli_store), "report", "mecasermine", "hypoglycemia", "-o", str(out)])
    assert again.exit_code == 1 and "exists" in again.output
    md = tmp_path / "report.md"
    assert (
        runner.invoke(app, ["--store", str(cli_store), "report", "Increlex", "hypoglykemie", "-o", str(md)]).exit_code
        == 0
    )
    assert md.read_text(encoding="utf-8").startswith("# Evidence report: mecasermin → hypoglycemia")


def test_evx_curate_then_report_and_bundle(cli_store, tmp_path):
    runner = CliRunner()
    listing = runner.invoke(app, ["--store", str(cli_store), "curate", "list", "mecasermine", "hypoglycemia"])
    assert listing.exit_code == 0, listing.output
    khwaja_edge = next(line for line in listing.output.splitlines() if "Khwaja" in line)
    edge = re.search(r"edge:[0-9a-f]{20}", khwaja_edge).group(0)
    fixes = tmp_path / "fixes.yaml"
    fixes.write_text(
        f"curator: A. Curator\ncorrections:\n  - action: reject\n    edge: {edge}\n    date: 2025-03-01\n"
        "    reason: Rett syndrome is not a growth-hormone population\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["--store", str(cli_store), "curate", str(fixes)]).exit_code == 0
    assert (cli_store / "curation.yaml").exists()
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["--store", str(cli_store), "report", "mecasermine", "hypoglycemia", "-o", str(out)])
    assert "1 contradicting" in result.output  # Khwaja no longer counts
    html = out.read_text(encoding="utf-8")
    assert "Rejected by a curator" in html and "rejected by A. Curator on 2025-03-01" in html
    bundle = tmp_path / "b.zip"
    result = runner.invoke(app, ["--store", str(cli_store), "bundle", "mecasermine", "hypoglycemia", "-o", str(bundle)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(bundle) as zf:
        assert set(BUNDLE_FILES) | {"curation.yaml"} <= set(zf.namelist())
        graph = json.loads(zf.read("graph.json"))
        (rejected,) = [e for e in graph["edges"] if e.get("key") == edge]
        assert rejected["curation_status"] == "rejected" and rejected["curated_by"] == "A. Curator"
        assert b"curation_status" in zf.read("graph.graphml")
        quotes = list(csv.DictReader(io.StringIO(zf.read("quotes.csv").decode())))
        assert any(q["id"] == edge and q["curation_status"] == "rejected" for q in quotes)
    bad = runner.invoke(app, ["--store", str(cli_store), "curate", "reject", edge, "--curator", "X", "--reason", ""])
    assert bad.exit_code == 1 and "reason" in bad.output


def test_bundle_contents(sample_store):
    report = report_for(sample_store, "mecasermin", "hypoglycemia")
    evidence = sample_store.evidence("drug:mecasermin", "outcome:hypoglycemia")
    graph = sample_store.subgraph(evidence_nodes(report, evidence.items))
    with zipfile.ZipFile(io.BytesIO(bundle_bytes(graph, [report]))) as zf:
        assert set(zf.namelist()) == set(BUNDLE_FILES)
        figures = {r["id"]: r for r in csv.DictReader(io.StringIO(zf.read("figures.csv").decode()))}
        laron = next(r for r in figures.values() if r["value"] == "51.0")
        assert (laron["denominator"], laron["numerator"], laron["numerator_derived"]) == ("21", "", "11")
        summary = json.loads(zf.read("summaries.json"))[0]
        assert summary["claims"][0]["certainty"] == "high"
        assert {(p["population"], p["events"], p["total"]) for p in summary["pooled"]} >= {
            ("niet-behandelde Laronsyndroomgroep", 11, 21),
            ("groep zonder Laronsyndroom", 18, 114),
        }
        assert summary["conflicts"][0]["supporting"] == "Bang 2021"
        assert "Evidence table" in zf.read("report.html").decode()
        assert sum(1 for n, k in graph.nodes(data="kind") if k == NodeKind.FIGURE.value) == len(figures)


def test_bundle_is_an_export_format(sample_store, tmp_path):
    path = tmp_path / "all.zip"
    WRITERS["bundle"](sample_store.subgraph(), path)
    with zipfile.ZipFile(path) as zf:
        titles = [s["link"] for s in json.loads(zf.read("summaries.json"))]
        assert "mecasermin → hypoglycemia" in titles
