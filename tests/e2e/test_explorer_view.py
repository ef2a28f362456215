"""What a researcher sees at 1400×1000: the landing page, the staged graph, the evidence beside it.

Measured from what the browser rendered: label boxes from vis-network's drawn positions,
the table's place in the viewport, the marks Vega-Lite drew.  Screenshots go to tmp_path
(``EVX_SHOTS=DIR`` keeps them in DIR too).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from graph.service import EvidenceService
from graph.store import open_store
from loaders import load_path, sample_paths
from tests.e2e.conftest import DATA
from tests.e2e.test_browser import TIMEOUT, _drawn_ids, _wait_painted

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 1000}

# Every drawn node's box (label included) and every drawn edge label's box, in the graph frame's CSS
# pixels, and the drawing's scale.  vis-network keeps an edge label's last drawn box in its label module.
_BOXES = """() => {
    const n = window.evxNetwork;
    const box = n.body.container.getBoundingClientRect();
    const dom = (id, l, t, r, b) => {
        const tl = n.canvasToDOM({x: l, y: t}), br = n.canvasToDOM({x: r, y: b});
        return {id: id, l: tl.x, t: tl.y, r: br.x, b: br.y};
    };
    const boxes = n.body.data.nodes.getIds().map((id) => {
        const b = n.getBoundingBox(id);
        return dom(String(id), b.left, b.top, b.right, b.bottom);
    });
    const labels = [];
    for (const id of n.body.data.edges.getIds()) {
        const e = n.body.edges[id];
        const text = e && e.options.label;
        if (typeof text !== "string" || !text.trim() || !e.labelModule || !e.labelModule.size) { continue; }
        const s = e.labelModule.size;
        if (!(s.width > 0)) { continue; }
        labels.push(Object.assign(dom("edge " + String(id), s.left, s.top, s.left + s.width, s.top + s.height),
                                  {text: text}));
    }
    return {boxes: boxes.concat(labels), edge_labels: labels.length, width: box.width, height: box.height,
            scale: n.getScale(), positions: n.getPositions()};
}"""


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path))
    if keep := os.environ.get("EVX_SHOTS"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)


def _layout(page: Any) -> dict[str, Any]:
    frame = page.frame_locator('iframe[title="evidence graph"]').first
    return frame.locator("body").evaluate(_BOXES)


def _overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if min(a["r"], b["r"]) - max(a["l"], b["l"]) > 0.5 and min(a["b"], b["b"]) - max(a["t"], b["t"]) > 0.5:
                found.append((a["id"], b["id"]))
    return found


def _outside(layout: dict[str, Any]) -> list[str]:
    w, h = layout["width"], layout["height"]
    return [b["id"] for b in layout["boxes"] if b["l"] < -1 or b["t"] < -1 or b["r"] > w + 1 or b["b"] > h + 1]


def _legible(page: Any, label: str) -> None:
    layout = _layout(page)
    assert _overlaps(layout["boxes"]) == [], f"{label}: labels overlap"
    assert _outside(layout) == [], f"{label}: labels cut off at the edge of the box"
    assert layout["scale"] >= 0.7, f"{label}: drawn at {layout['scale']:.2f}×, labels too small to read"
    print(
        f"\n[layout] {label}: {len(layout['boxes'])} labels ({layout['edge_labels']} on edges), none overlapping, "
        f"scale {layout['scale']:.2f}"
    )


@pytest.fixture
def wide(browser: Any) -> Any:
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", lambda route: route.continue_() if _local(route.request.url) else route.abort())
    page = context.new_page()
    yield page
    context.close()


def _local(url: str) -> bool:
    from tests.e2e.conftest import is_local

    return is_local(url)


def _samples_service() -> EvidenceService:
    store = open_store(backend="memory")
    for path in [*sample_paths(), DATA / "hostile.yaml"]:
        for document in load_path(path):
            store.ingest(document)
    return EvidenceService(store)


def test_the_landing_page_starts_the_journey(wide: Any, app_url: str, tmp_path: Path) -> None:
    page = wide
    page.goto(app_url, wait_until="domcontentloaded")
    page.get_by_text("Drugs with the most evidence").wait_for(timeout=TIMEOUT)
    assert page.get_by_text("Documents by type").is_visible()
    for kind in ("Drug–disease reports", "Trial summaries", "Curated examples"):
        page.get_by_text(kind, exact=True).first.wait_for(timeout=TIMEOUT)
    drug = page.get_by_role("button", name=re.compile(r"^mecasermin — 13 outcomes and conditions"))
    drug.wait_for(timeout=TIMEOUT)
    page.get_by_text("Documents", exact=True).first.wait_for(timeout=TIMEOUT)  # the counts are drawn too
    _shot(page, tmp_path, "10-landing.png")
    drug.click()
    _wait_painted(page)
    drawn = _drawn_ids(page)
    assert "drug:mecasermin" in drawn and "outcome:hypoglycemia" in drawn
    assert not [n for n in drawn if n.startswith(("finding:", "source:", "study:", "figure:"))], drawn
    _shot(page, tmp_path, "11-drug.png")
    # after the click the drug's graph is on screen, whole, without scrolling
    g = page.locator('iframe[title="evidence graph"]').first.bounding_box()
    assert page.evaluate("() => window.scrollY") == 0 and g["y"] >= 0 and g["y"] + g["height"] <= VIEWPORT["height"]
    _legible(page, "drug")
    # each link's counts are its outcome's second line, not an edge label near the drug
    frame = page.frame_locator('iframe[title="evidence graph"]').first.locator("body")
    label = frame.evaluate("() => window.evxNetwork.body.data.nodes.get('outcome:hypoglycemia').label")
    assert re.fullmatch(r"hypoglycemia\n\d+ for · \d+ against", label), label
    # the overlap measure sees edge labels: one put on a link is measured (and does not collide)
    frame.evaluate(
        """() => { const n = window.evxNetwork; const e = n.body.data.edges.get({filter: (x) => x.to ===
        'outcome:hypoglycemia'})[0]; n.body.data.edges.update({id: e.id, label: 'label'}); n.redraw(); }"""
    )
    page.wait_for_timeout(300)
    assert _layout(page)["edge_labels"] == 1


def test_an_opened_outcome_shows_its_evidence_beside_the_graph(wide: Any, app_url: str, tmp_path: Path) -> None:
    page = wide
    page.goto(f"{app_url}/?trail=drug:mecasermin&expand=drug:mecasermin", wait_until="domcontentloaded")
    _wait_painted(page)
    before = _layout(page)["positions"]
    page.get_by_role("button", name=re.compile(r"^hypoglycemia: \d+ supporting, \d+ contradicting$")).click()
    table = page.locator("table.evx-evidence")
    table.wait_for(timeout=TIMEOUT)
    _wait_painted(page, 2)
    page.wait_for_timeout(300)  # the fit after the update
    # the evidence is in the viewport, beside the graph, without scrolling
    assert page.evaluate("() => window.scrollY") == 0
    t, g = table.bounding_box(), page.locator('iframe[title="evidence graph"]').first.bounding_box()
    assert t["y"] < VIEWPORT["height"] - 200, f"table starts at {t['y']}px, below the fold"
    assert t["x"] >= g["x"] + g["width"] - 1, "table not beside the graph"
    assert g["y"] + g["height"] <= VIEWPORT["height"], "graph runs below the fold"
    # studies and guidelines with their figures, no claims and no provenance
    drawn = _drawn_ids(page)
    assert "study:doi:10.1530/eje-20-0325" in drawn and any(n.startswith("figure:") for n in drawn)
    assert not [n for n in drawn if n.startswith(("finding:", "source:"))], drawn
    after = _layout(page)["positions"]
    for kept in ("drug:mecasermin", "outcome:hypoglycemia"):
        assert abs(after[kept]["x"] - before[kept]["x"]) < 1 and abs(after[kept]["y"] - before[kept]["y"]) < 1, kept
    _shot(page, tmp_path, "12-evidence.png")
    _legible(page, "drug → outcome")

    # one row per piece of evidence, the counts are the rows' counts
    text = table.inner_text()
    assert text.count("Grimberg 2016") == 1
    rows = table.locator("tbody tr")
    supporting = table.locator("tbody tr.evx-supports").count()
    contradicting = table.locator("tbody tr.evx-contradicts").count()
    assert supporting + contradicting == rows.count()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics[:2] == [str(supporting), str(contradicting)], metrics
    # the reported numbers are the headline; the derived ones are marked
    bang = table.locator("tbody tr", has_text="Bang 2021")
    assert "51% (n=21)" in bang.inner_text() and "16% (n=114)" in bang.inner_text()
    assert "11/21 = 52.4%, derived" in bang.locator(".evx-derived").all_inner_texts()[0] + " ".join(
        bang.locator(".evx-derived").all_inner_texts()
    )
    assert (
        "niet-behandelde Laronsyndroomgroep" in bang.inner_text() and "groep zonder Laronsyndroom" in bang.inner_text()
    )
    assert "🟢" not in page.content() and "🔴" not in page.content()  # text badges, no emoji


def test_the_forest_plots_draw_one_mark_per_number(wide: Any, app_url: str, tmp_path: Path) -> None:
    page = wide
    page.goto(
        f"{app_url}/?trail=drug:mecasermin&trail=outcome:hypoglycemia&expand=drug:mecasermin",
        wait_until="domcontentloaded",
    )
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.first.wait_for(timeout=TIMEOUT)  # the pooled incidence, in the synthesis
    assert charts.count() == 1  # the forest plot is drawn when asked for
    page.get_by_text(re.compile(r"^Forest plot: \d+ figures")).click()
    charts.nth(1).wait_for(timeout=TIMEOUT)
    charts.nth(1).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] .mark-symbol path').length > 0",
        timeout=TIMEOUT,
    )
    link = _samples_service().link("drug:mecasermin", "outcome:hypoglycemia")
    expected_points = [p for p in link.points if p.unit == "%"]
    estimates = link.report.synthesis.overall.pooling.estimates
    expected_pooled = sum(len(e.studies) + (e.k > 1) for e in estimates)  # a diamond where studies are pooled
    counts = [
        charts.nth(i).locator(".mark-symbol.role-mark path").count() for i in range(charts.count())
    ]  # squares, diamonds
    rules = [charts.nth(i).locator(".mark-rule.role-mark line").count() for i in range(charts.count())]
    assert len(expected_points) in counts, (counts, len(expected_points))
    assert expected_pooled in counts, (counts, expected_pooled)
    assert rules[counts.index(expected_pooled)] == expected_pooled  # an interval for every row
    page.locator("text=Incidence by population").scroll_into_view_if_needed()
    _shot(page, tmp_path, "13-forest.png")
