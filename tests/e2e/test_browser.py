"""The explorer in a real Chromium against `evx app`: what a researcher sees and clicks.

Screenshots go to each test's tmp_path; timings are printed (run with ``-s`` to see them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import networkx as nx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from graph.export.html import remote_references

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
TIMEOUT = 30_000
SHARED_VIEW = "trail=drug:mecasermin&trail=outcome:hypoglycemia&expand=drug:mecasermin"


# Where vis-network drew a node, in the iframe's coordinates (the canvas sits below the legend).
_NODE_POS = """(_, id) => {
    const n = window.evxNetwork; const p = n.getPositions([id])[id];
    if (!p) return null;
    const d = n.canvasToDOM(p); const box = n.body.container.getBoundingClientRect();
    return {x: d.x + box.left, y: d.y + box.top};
}"""


def _graph_frame(page: Any) -> Any:
    return page.locator('iframe[title="evidence graph"]').first


def _wait_painted(page: Any, generation: int = 1) -> float:
    """Wait until the graph iframe has drawn content ``generation``; returns when (ms since page open)."""
    frame = _graph_frame(page)
    frame.wait_for(state="attached", timeout=TIMEOUT)
    page.wait_for_function(
        """(gen) => {
            const find = (root) => {
              const f = root.querySelector('iframe[title="evidence graph"]');
              if (f) return f;
              for (const el of root.querySelectorAll('*')) {
                if (el.shadowRoot) { const g = find(el.shadowRoot); if (g) return g; }
              }
              return null;
            };
            const f = find(document);
            return f && Number(f.getAttribute('data-painted-generation') || 0) >= gen;
        }""",
        arg=generation,
        timeout=TIMEOUT,
    )
    return float(frame.get_attribute("data-painted-at"))


def _drawn_ids(page: Any) -> list[str]:
    frame = page.frame_locator('iframe[title="evidence graph"]').first
    return frame.locator("body").evaluate("() => window.evxNetwork.body.data.nodes.getIds()")


def _click_node(page: Any, node_id: str) -> None:
    """Click a node where vis-network drew it."""
    frame_el = _graph_frame(page)
    box = frame_el.bounding_box()
    inner = page.frame_locator('iframe[title="evidence graph"]').first.locator("body")
    pos = None
    for _ in range(50):  # vis-network places nodes a moment after the first frame is drawn
        pos = inner.evaluate(
            _NODE_POS,
            node_id,
        )
        if pos:
            break
        page.wait_for_timeout(100)
    assert pos, f"{node_id} is not drawn; drawn: {_drawn_ids(page)}"
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


def _open_search(page: Any, app_url: str, text: str) -> None:
    page.goto(app_url, wait_until="domcontentloaded")
    box = page.get_by_label("Find a drug, condition or outcome (Dutch or English)")
    box.wait_for(timeout=TIMEOUT)
    box.fill(text)
    box.press("Enter")


def test_search_open_outcome_and_read_the_evidence(watched: Any, app_url: str, tmp_path: Path) -> None:
    page, watch = watched
    _open_search(page, app_url, "mecasermine")
    page.get_by_role("button", name="mecasermin · Drug (as mecasermine)").click()
    _wait_painted(page)
    assert "outcome:hypoglycemia" in _drawn_ids(page)
    page.screenshot(path=str(tmp_path / "01-mecasermin.png"), full_page=True)

    page.get_by_role("button", name=re.compile(r"^hypoglycemia: \d+ supporting, \d+ contradicting$")).click()
    panel = page.locator("table.evx-evidence")
    panel.wait_for(timeout=TIMEOUT)
    text = panel.inner_text()
    for expected in (
        "Bang 2021",
        "51% (n=21)",
        "16% (n=114)",
        "Khwaja 2014",
        "contradicts",
        "Er werd geen hypoglykemie gezien.",
    ):
        assert expected in text, expected
    assert page.get_by_text("Evidence: mecasermin → hypoglycemia").is_visible()
    for row in panel.locator("tr").all():  # each passage once in its row (Grimberg 2016 is read from two documents)
        said = [
            " ".join((t or "").split())
            for t in row.locator("button.evx-quote").evaluate_all("bs => bs.map(b => b.title)")
        ]
        assert not [a for i, a in enumerate(said) for j, b in enumerate(said) if i != j and a in b], said
    assert panel.locator("tr", has_text="Grimberg 2016").locator("button.evx-quote").count() == 1
    page.get_by_text(re.compile(r"^Forest plot: ")).click()  # drawn when asked for
    page.get_by_text("Figures as reported (%)").wait_for(timeout=TIMEOUT)  # the forest-style chart's title
    link = panel.locator('a[href="https://doi.org/10.1530/EJE-20-0325"]')
    assert link.count() == 1
    page.get_by_text("Evidence: mecasermin → hypoglycemia").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "02-evidence-panel.png"), full_page=True)
    watch.assert_clean()


def _figure_ids(page: Any, label_prefix: str) -> list[str]:
    frame = page.frame_locator('iframe[title="evidence graph"]').first
    return frame.locator("body").evaluate(
        "(_, p) => window.evxNetwork.body.data.nodes.get().filter(n => String(n.label).startsWith(p)).map(n => n.id)",
        label_prefix,
    )


def test_click_nodes_walk_the_breadcrumb_and_expand(watched: Any, app_url: str, tmp_path: Path) -> None:
    page, watch = watched
    page.goto(f"{app_url}/?trail=drug:mecasermin&expand=drug:mecasermin", wait_until="domcontentloaded")
    _wait_painted(page, 1)
    start = page.evaluate("() => performance.now()")
    _click_node(page, "outcome:hypoglycemia")
    painted = _wait_painted(page, 2)
    print(f"\n[timing] node click → updated view painted: {painted - start:.0f} ms")
    page.get_by_role("button", name="hypoglycemia", exact=True).wait_for(timeout=TIMEOUT)
    bang = "study:doi:10.1530/eje-20-0325"
    figures = _figure_ids(page, "51% (n=21)")
    assert figures, "an opened outcome draws its studies with their figures"
    page.screenshot(path=str(tmp_path / "03a-hypoglycemia.png"))
    _click_node(page, bang)
    _wait_painted(page, 3)
    page.get_by_role("button", name="Show neighbours").click()
    _wait_painted(page, 4)
    _click_node(page, figures[0])
    _wait_painted(page, 5)
    crumbs = page.get_by_role("navigation", name="Path")
    crumbs.get_by_role("button", name="51% (n=21)").wait_for(timeout=TIMEOUT)
    trail = [t.strip() for t in crumbs.get_by_role("button").all_inner_texts()]
    assert trail[:3] == ["mecasermin", "hypoglycemia", "Bang 2021"], trail
    assert trail[3].startswith("51%"), trail
    assert "Bang 2021" in page.locator("table.evx-evidence").inner_text()  # still reading mecasermin → hypoglycemia
    page.screenshot(path=str(tmp_path / "03-walked.png"), full_page=True)
    # step back along the breadcrumb
    crumbs.get_by_role("button", name="hypoglycemia", exact=True).click()
    page.wait_for_function("() => !location.search.includes('eje-20-0325')", timeout=TIMEOUT)
    watch.assert_clean()


_VISIBLE_TIPS = """() => {
    // every tooltip vis-network drew that is still visible and inside the frame's viewport
    return Array.from(document.querySelectorAll("div.vis-tooltip")).filter((t) => {
        const s = getComputedStyle(t); const r = t.getBoundingClientRect();
        return s.visibility !== "hidden" && s.display !== "none" && r.width > 0 && r.height > 0
            && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
    }).map((t) => t.innerText);
}"""


def _hover_until_tip(page: Any, node_id: str) -> str:
    """Hover a node where vis-network drew it until its tooltip shows; returns the tooltip text."""
    box = _graph_frame(page).bounding_box()
    body = page.frame_locator('iframe[title="evidence graph"]').first.locator("body")
    tooltip = page.frame_locator('iframe[title="evidence graph"]').first.locator("div.vis-tooltip")
    for _ in range(20):  # a node may still be settling: follow it until the pointer rests on it
        pos = body.evaluate(_NODE_POS, node_id)
        assert pos, f"{node_id} is not drawn"
        page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        page.mouse.move(box["x"] + pos["x"] + 1, box["y"] + pos["y"])
        try:
            tooltip.wait_for(state="visible", timeout=2_000)
            return tooltip.inner_text()
        except PlaywrightTimeoutError:
            continue
    raise AssertionError(f"no tooltip over {node_id}")


def test_a_tooltip_does_not_outlive_the_click(watched: Any, app_url: str, tmp_path: Path) -> None:
    """Hover a figure in the walked view, click it: the redrawn view shows no tooltip left behind."""
    page, watch = watched
    page.goto(f"{app_url}/?trail=drug:mecasermin&expand=drug:mecasermin", wait_until="domcontentloaded")
    _wait_painted(page, 1)
    _click_node(page, "outcome:hypoglycemia")
    _wait_painted(page, 2)
    page.locator("table.evx-evidence").wait_for(timeout=TIMEOUT)
    body = page.frame_locator('iframe[title="evidence graph"]').first.locator("body")
    figure = _figure_ids(page, "51% (n=21)")[0]
    assert "51%" in _hover_until_tip(page, figure)
    page.screenshot(path=str(tmp_path / "06a-hover.png"))
    pos = body.evaluate(_NODE_POS, figure)
    box = _graph_frame(page).bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    _wait_painted(page, 3)
    page.get_by_role("navigation", name="Path").get_by_role("button", name="51% (n=21)").wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(600)  # past vis-network's hover delay: a tooltip that would come back is back
    page.screenshot(path=str(tmp_path / "06b-after-click.png"))
    assert body.evaluate(_VISIBLE_TIPS) == []
    # the pointer leaves the graph: no tooltip stays behind either
    _hover_until_tip(page, "outcome:hypoglycemia")
    page.mouse.move(5, 5)
    page.wait_for_timeout(600)
    assert body.evaluate(_VISIBLE_TIPS) == []
    page.screenshot(path=str(tmp_path / "06c-pointer-left.png"))
    watch.assert_clean()


def test_a_shared_link_reopens_the_view(watched: Any, app_url: str, tmp_path: Path) -> None:
    page, watch = watched
    page.goto(f"{app_url}/?{SHARED_VIEW}", wait_until="domcontentloaded")
    page.locator("table.evx-evidence").wait_for(timeout=TIMEOUT)
    assert "Bang 2021" in page.locator("table.evx-evidence").inner_text()
    painted_ms = _wait_painted(page)
    print(f"\n[timing] page open (shared link) → first graph painted: {painted_ms:.0f} ms")
    watch.assert_clean()


def test_a_quote_opens_its_source_at_the_passage(watched: Any, app_url: str, tmp_path: Path) -> None:
    page, watch = watched
    page.goto(f"{app_url}/?{SHARED_VIEW}", wait_until="domcontentloaded")
    _wait_painted(page)  # the page has settled, as a person sees it, before the quote is clicked
    row = page.locator("table.evx-evidence tr", has_text="Bang 2021").first
    quote = row.locator("button.evx-quote")
    quoted = quote.inner_text().strip("“”")
    quote.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(timeout=TIMEOUT)
    mark = dialog.locator("mark")
    mark.wait_for(timeout=TIMEOUT)
    marked = mark.inner_text(timeout=TIMEOUT)
    page.screenshot(path=str(tmp_path / "04-passage.png"))
    assert " ".join(marked.split()) == " ".join(quoted.split())
    assert "Laronsyndroomgroep (n=21)" in dialog.inner_text()  # the text around the quote
    watch.assert_clean()


def test_hostile_document_text_renders_as_text(watched: Any, app_url: str, tmp_path: Path) -> None:
    page, watch = watched
    hostile_id = "study:doi:javascript:alert(5)"
    view = urlencode(
        {"trail": ["drug:mecasermin", "outcome:hypoglycemia", hostile_id], "expand": hostile_id}, doseq=True
    )
    page.goto(f"{app_url}/?{view}", wait_until="domcontentloaded")
    panel = page.locator("table.evx-evidence")
    panel.wait_for(timeout=TIMEOUT)
    text = panel.inner_text()
    assert HOSTILE in text
    assert "<script>alert(3)</script>" in text
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    # tooltips in the graph: hover the hostile study and read the tooltip as text
    _wait_painted(page, 1)
    assert hostile_id in _drawn_ids(page)
    frame_el = _graph_frame(page)
    box = frame_el.bounding_box()
    inner = page.frame_locator('iframe[title="evidence graph"]').first
    pos = inner.locator("body").evaluate(_NODE_POS, hostile_id)
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    tooltip = inner.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=TIMEOUT)
    assert HOSTILE in tooltip.inner_text()
    assert inner.locator("div.vis-tooltip img").count() == 0
    page.screenshot(path=str(tmp_path / "05-hostile.png"), full_page=True)
    watch.assert_clean()


def test_graph_updates_in_place_and_stays_text(watched: Any, app_url: str, tmp_path: Path) -> None:
    """A click or an expand updates the drawn page instead of reloading it; new text is still text."""
    page, watch = watched
    hostile_id = "study:doi:javascript:alert(5)"
    view = urlencode({"trail": ["drug:mecasermin", "outcome:hypoglycemia", hostile_id]}, doseq=True)
    page.goto(f"{app_url}/?{view}", wait_until="domcontentloaded")
    _wait_painted(page, 1)
    inner = page.frame_locator('iframe[title="evidence graph"]').first
    body = inner.locator("body")
    body.evaluate("() => { window.evxSameDocument = true; }")
    before = set(_drawn_ids(page))
    assert not [n for n in before if n.startswith(("source:", "finding:"))], "provenance drawn unasked"
    # ask for the documents (Source), hidden by default, through the graph's filter, then the neighbours
    page.get_by_role("button", name="Filter the graph").click()
    page.get_by_role("combobox", name="Kinds of node").click()
    page.get_by_role("option", name="Source", exact=True).click()
    kinds = page.get_by_role("combobox", name="Kinds of node")
    for _ in range(3):  # the first Escape may only close the option list; the popover must be shut too
        page.keyboard.press("Escape")
        try:
            kinds.wait_for(state="hidden", timeout=2_000)
            break
        except PlaywrightTimeoutError:
            continue
    # a click that also closes an open popover can be taken by the popover alone: click once it is shut
    page.get_by_role("button", name="Show neighbours").click()
    _wait_painted(page, 2)
    assert body.evaluate("() => window.evxSameDocument === true"), "the graph page was reloaded"
    added = set(_drawn_ids(page)) - before
    source = next((n for n in added if n.startswith("source:")), None)
    assert source, f"the hostile study's neighbours were not drawn: {added}"
    caption = inner.locator("#evx-caption").inner_text()
    assert caption.startswith(f"{len(before | added)} nodes"), caption
    # the new node's tooltip is a text node: the hostile source title shows as text
    box = _graph_frame(page).bounding_box()
    pos = body.evaluate(_NODE_POS, source)
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    tooltip = inner.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=TIMEOUT)
    assert "<img src=x onerror=alert(2)>" in tooltip.inner_text()
    assert inner.locator("div.vis-tooltip img").count() == 0
    page.screenshot(path=str(tmp_path / "05b-in-place.png"))
    # selecting another node restyles both nodes in place
    _click_node(page, "outcome:hypoglycemia")
    _wait_painted(page, 3)
    widths = body.evaluate(
        "(_, ids) => ids.map(id => window.evxNetwork.body.data.nodes.get(id).borderWidth || null)",
        [hostile_id, "outcome:hypoglycemia"],
    )
    assert widths == [None, 4], widths
    assert body.evaluate("() => window.evxSameDocument === true"), "the graph page was reloaded"
    # another page and back in the same session: the new frame asks for the page and draws it
    page.get_by_role("link", name="Paths").click()
    page.get_by_label("From", exact=True).wait_for(timeout=TIMEOUT)
    page.get_by_role("link", name="Explore").click()
    _wait_painted(page, 1)
    assert "outcome:hypoglycemia" in _drawn_ids(page) and source in _drawn_ids(page)
    watch.assert_clean()


def test_cypher_query_table_graph_and_error_hint(watched: Any, app_url: str, tmp_path: Path) -> None:
    page, watch = watched
    page.goto(f"{app_url}/cypher", wait_until="domcontentloaded")
    page.get_by_role("button", name="Run query").click()
    page.get_by_text(re.compile(r"^\d+ rows")).wait_for(timeout=TIMEOUT)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=TIMEOUT)
    editor = page.get_by_label("Query (read-only)")
    editor.fill("MATCH (s:Study)-[r:SUPPORTS]->(f:Finding) RETURN s, r, f LIMIT 10")
    page.get_by_role("button", name="Run query").click()
    page.get_by_text("As a graph:").wait_for(timeout=TIMEOUT)
    _wait_painted(page)
    from tests.e2e.test_explorer_view import _layout, _outside

    assert _outside(_layout(page)) == [], "the query's graph is not fitted to its box"
    editor.fill("MATCH (n:Drug RETURN n")
    page.get_by_role("button", name="Run query").click()
    page.locator('[data-testid="stAlertContentError"]').wait_for(timeout=TIMEOUT)
    page.get_by_text("Hint:").first.wait_for(timeout=TIMEOUT)
    editor.fill("MATCH (n:Drug) DETACH DELETE n")
    page.get_by_role("button", name="Run query").click()
    page.get_by_text("the explorer only reads").wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(tmp_path / "06-cypher.png"), full_page=True)
    watch.assert_clean()


def test_download_graphml_and_offline_html(watched: Any, app_url: str, tmp_path: Path, browser: Any) -> None:
    page, watch = watched
    page.goto(f"{app_url}/export?trail=drug:mecasermin&expand=drug:mecasermin", wait_until="domcontentloaded")
    button = page.get_by_role("button", name="Download GraphML")
    button.wait_for(timeout=TIMEOUT)
    with page.expect_download(timeout=TIMEOUT) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.startswith("mecasermin-neighbourhood-")
    assert download.suggested_filename.endswith(".graphml")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    graph = nx.read_graphml(path)
    assert "drug:mecasermin" in graph
    assert graph.nodes["outcome:hypoglycemia"]["name"] == "hypoglycemia"

    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="Download HTML page").click()
    html_path = tmp_path / info.value.suggested_filename
    info.value.save_as(html_path)
    page_text = html_path.read_text(encoding="utf-8")
    assert remote_references(page_text) == []
    page.goto(html_path.as_uri())
    page.wait_for_function("() => document.body.getAttribute('data-evx-painted') === '1'", timeout=TIMEOUT)
    page.screenshot(path=str(tmp_path / "07-export.png"))
    watch.assert_clean()


def test_paths_between_two_nodes(watched: Any, app_url: str, tmp_path: Path) -> None:
    page, watch = watched
    page.goto(f"{app_url}/paths", wait_until="domcontentloaded")
    page.get_by_label("From", exact=True).fill("Khwaja")
    page.get_by_label("From", exact=True).press("Enter")
    page.get_by_label("To", exact=True).fill("Bang 2021")
    page.get_by_label("To", exact=True).press("Enter")
    page.get_by_text(re.compile(r"^\d+ shortest paths? of \d+ hops?$")).wait_for(timeout=TIMEOUT)
    listing = page.locator('[data-testid="stTable"]', has_text="Khwaja 2014").first.inner_text()
    assert "Bang 2021" in listing and "reached by" in listing
    _wait_painted(page)
    from tests.e2e.test_explorer_view import _layout, _outside, _overlaps

    layout = _layout(page)
    assert _outside(layout) == [] and _overlaps(layout["boxes"]) == [], "the paths are not fitted to their box"
    page.screenshot(path=str(tmp_path / "08-paths.png"), full_page=True)
    watch.assert_clean()


def test_upload_shows_progress_summary_and_warnings(watched: Any, app_url: str, tmp_path: Path) -> None:
    page, watch = watched
    curated = (Path(__file__).resolve().parents[1] / "data" / "upload_latin1.yaml").read_bytes()
    page.goto(f"{app_url}/upload", wait_until="domcontentloaded")
    page.locator('input[type="file"]').set_input_files(
        [
            {"name": "dupilumab.yaml", "mimeType": "application/yaml", "buffer": curated},
            {"name": "notes.bin", "mimeType": "application/octet-stream", "buffer": b"\x00\x01 nothing"},
        ]
    )
    page.get_by_role("button", name="Load 2 files").click()
    page.get_by_text("Nodes by kind").wait_for(timeout=TIMEOUT)
    page.locator('[data-testid="stTable"]', has_text="Study").wait_for(timeout=TIMEOUT)
    page.locator('[data-testid="stTable"]', has_text="SUPPORTS").wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(tmp_path / "09-upload.png"), full_page=True)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "1 document read" in body
    assert "not UTF" in body  # the loader's warning is shown
    errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert len(errors) == 1 and errors[0].startswith("notes.bin"), errors
    assert "Study" in body and "SUPPORTS" in body
    watch.assert_clean()


def test_nothing_is_fetched_from_elsewhere(watched: Any, app_url: str) -> None:
    page, watch = watched
    page.goto(f"{app_url}/?{SHARED_VIEW}", wait_until="networkidle")
    _wait_painted(page)
    for path in ("/paths", "/cypher", "/export", "/upload"):
        page.goto(f"{app_url}{path}", wait_until="networkidle")
    assert watch.outside == [], json.dumps(watch.outside)
    watch.assert_clean()
