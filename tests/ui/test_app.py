"""The explorer's pages without a browser (streamlit.testing AppTest), and `evx app`."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

import ui.cli.main
from graph.errors import EvidenceError
from graph.settings import Settings
from graph.store import open_store
from graph.store.base import EvidenceStore

APP = str(Path(__file__).resolve().parents[2] / "ui" / "web" / "app.py")


@pytest.fixture
def app_env(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from ui.web.state import get_store

    monkeypatch.setenv("EVX_STORE", str(store_dir))
    get_store.clear()  # one store per process: drop one opened by an earlier test
    yield store_dir
    get_store.clear()


def _component_html(at: AppTest) -> list[str]:
    """The data given to our components.v2 bridges (graph page, evidence table)."""
    import json

    return [json.loads(el.proto.json).get("html", "") for el in at.get("bidi_component")]


def _click_in(at: AppTest, key: str, value: str) -> None:
    """Click the element marked ``data-evx-click=value`` in the clickable_html component ``key``, as the
    browser does: the component's "clicked" event goes back with the next run."""
    import json

    from streamlit.components.v2.bidi_component.main import _make_trigger_id

    (element,) = [el for el in at.get("bidi_component") if el.proto.id.endswith(f"-{key}")]
    assert f'data-evx-click="{value}"' in json.loads(element.proto.json)["html"], f"{key} offers no {value}"
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = _make_trigger_id(element.proto.id, "events")
    trigger.json_trigger_value = json.dumps([{"event": "clicked", "value": value}])
    at._run(states)


def test_search_then_open_the_outcome_shows_its_evidence(app_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    at.text_input(key="evx_search").input("Increlex").run()
    at.button(key="evx_hit_drug:mecasermin").click().run()
    assert at.query_params["trail"] in ("drug:mecasermin", ["drug:mecasermin"])  # one value: a string
    assert any("vis.Network" in html for html in _component_html(at))  # the graph was drawn
    _click_in(at, "evx_links", "link:outcome:hypoglycemia")
    assert not at.exception
    assert at.query_params["trail"] == ["drug:mecasermin", "outcome:hypoglycemia"]
    assert [s.value for s in at.subheader if s.value.startswith("Evidence")] == ["Evidence: mecasermin → hypoglycemia"]
    table = next(html for html in _component_html(at) if "evx-evidence" in html)
    assert "Bang 2021" in table and "51% (n=21)" in table and "16% (n=114)" in table and "Khwaja 2014" in table
    assert "&lt;img src=x onerror=alert(1)&gt;" in table and "<img" not in table


def test_dutch_search_finds_the_outcome(app_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="evx_search").input("hypoglykemie").run()
    assert any(b.key == "evx_hit_outcome:hypoglycemia" for b in at.button)


def test_a_link_reopens_the_view_and_the_breadcrumb_steps_back(app_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["trail"] = ["drug:mecasermin", "outcome:hypoglycemia"]
    at.query_params["expand"] = ["drug:mecasermin"]
    at.run()
    assert not at.exception
    assert any(s.value == "Evidence: mecasermin → hypoglycemia" for s in at.subheader)
    _click_in(at, "evx_trail", "step:0")
    assert at.query_params["trail"] in ("drug:mecasermin", ["drug:mecasermin"])  # one value: a string
    assert not any(s.value.startswith("Evidence") for s in at.subheader)


def _cypher_page() -> None:
    from ui.web.screens import cypher as page_cypher

    page_cypher.render()


def test_cypher_page_runs_examples_and_explains_errors(app_env: Path) -> None:
    at = AppTest.from_function(_cypher_page, default_timeout=60).run()
    at.button(key="evx_cypher_run").click().run()
    assert not at.exception and not at.error
    assert at.caption[0].value.endswith("rows")
    at.text_area(key="evx_cypher").input("MATCH (n:Drug RETURN n").run()
    at.button(key="evx_cypher_run").click().run()
    assert at.error and at.info[0].value.startswith("Hint:")
    at.text_area(key="evx_cypher").input("MATCH (n) DETACH DELETE n").run()
    at.button(key="evx_cypher_run").click().run()
    assert at.error and "only reads" in at.info[0].value
    with open_store(Settings(store=app_env, read_only=True)) as check:
        assert check.node("drug:mecasermin") is not None  # the refused write changed nothing


def test_evx_app_runs_streamlit_with_offline_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(ui.cli.main, "run_streamlit", lambda args, env: calls.append((args, env)))
    store = tmp_path / "db"
    result = CliRunner().invoke(ui.cli.main.app, ["--store", str(store), "app", "--server.port", "8600"])
    assert result.exit_code == 0, result.output
    ((args, env),) = calls
    assert args[1:4] == ["-m", "ui.web.serve", "run"] and args[4].endswith("ui/web/app.py")
    assert args[args.index("--browser.gatherUsageStats") + 1] == "false"
    assert args[args.index("--global.developmentMode") + 1] == "false"
    assert args[args.index("--runner.postScriptGC") + 1] == "false"
    assert args[-2:] == ["--server.port", "8600"]  # passed through, after the defaults
    assert env["EVX_STORE"] == str(store)
    with open_store(Settings(store=store, read_only=True)) as opened:
        assert opened.stats().total_nodes > 0  # the samples were loaded into the empty store


def test_evx_app_binds_this_machine_and_prints_the_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(ui.cli.main, "run_streamlit", lambda args, env: calls.append(args))
    store = tmp_path / "db"
    result = CliRunner().invoke(ui.cli.main.app, ["--store", str(store), "app", "--no-samples"])
    assert result.exit_code == 0, result.output
    assert "http://localhost:8501" in result.output and "this machine only" in result.output
    assert calls[0][calls[0].index("--server.address") + 1] == "127.0.0.1"
    result = CliRunner().invoke(
        ui.cli.main.app, ["--store", str(store), "app", "--no-samples", "--share", "--server.port=8600"]
    )
    assert result.exit_code == 0, result.output
    assert "http://localhost:8600" in result.output and "every network interface" in result.output
    assert calls[1][calls[1].index("--server.address") + 1] == "0.0.0.0"


def test_global_options_may_follow_the_command(tmp_path: Path) -> None:
    argv = ["stats", "--store", str(tmp_path / "db"), "--read-only"]
    assert ui.cli.main.global_options_first(argv) == ["--store", str(tmp_path / "db"), "--read-only", "stats"]
    assert ui.cli.main.global_options_first(["query", "--", "--store"]) == ["query", "--", "--store"]
    with open_store(Settings(store=tmp_path / "db")):
        pass
    result = CliRunner().invoke(
        ui.cli.main.app, ui.cli.main.global_options_first(["stats", f"--store={tmp_path / 'db'}"])
    )
    assert result.exit_code == 0, result.output


def test_the_landing_page_opens_a_drug_in_one_click(app_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Drugs with the most evidence", "Documents by type"]
    types = [m.value.split("**")[1] for m in at.markdown if m.value.startswith("**")]
    assert types == ["Curated examples"], types  # the researcher's name for it, not the loader's ("curated")
    at.button(key="evx_land_drug_drug:mecasermin").click().run()
    assert not at.exception
    assert at.query_params["trail"] in ("drug:mecasermin", ["drug:mecasermin"])


def test_the_overview_is_the_same_from_every_store(app_env: Path) -> None:
    from graph.overview import store_overview
    from tests.ui.conftest import _fill

    memory = store_overview(_fill(open_store(backend="memory")))
    with open_store(Settings(store=app_env, read_only=True)) as embedded:
        disk = store_overview(embedded)
    assert memory.drugs == disk.drugs and memory.drugs[0].id == "drug:mecasermin"
    assert sorted(memory.documents, key=lambda d: d.id) == sorted(disk.documents, key=lambda d: d.id)
    assert set(disk.documents_by_type()) == {d.type or "other" for d in disk.documents}


def test_a_crowded_link_works_out_its_synthesis_when_asked(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.web.panels.evidence
    import ui.web.panels.synthesis

    monkeypatch.setattr(ui.web.panels.synthesis, "SYNTHESIS_ROWS", 1)
    monkeypatch.setattr(ui.web.panels.evidence, "TABLE_ROWS", 1)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["trail"] = ["drug:mecasermin", "outcome:hypoglycemia"]
    at.query_params["expand"] = ["drug:mecasermin"]
    at.run()
    assert not at.exception
    assert at.button(key="evx_more_rows").label.startswith("Show 1 more (the strongest 1 of ")
    assert not any("Certainty" in m.value for m in at.markdown)
    at.button(key="evx_synthesis_go").click().run()
    assert not at.exception
    assert any("Certainty" in m.value for m in at.markdown)


def test_the_filters_choose_among_the_whole_link(
    app_env: Path, memory_store: EvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table shows the strongest row only; the filter offers every design of the link, and a design
    chosen finds its rows among the whole link's, not among the page's."""
    from html import escape

    import ui.web.panels.evidence
    from graph.service import EvidenceService

    monkeypatch.setattr(ui.web.panels.evidence, "TABLE_ROWS", 1)
    whole = EvidenceService(memory_store).link("drug:mecasermin", "outcome:hypoglycemia").rows
    at = _link_view(app_env)
    assert not at.exception
    table = next(html for html in _component_html(at) if "evx-evidence" in html)
    assert table.count("<tr class") == 1  # one row on the page
    assert not [m for m in at.multiselect if m.key == "evx_f_design"]  # the popover is closed: nothing read
    at.session_state["evx_filter_open"] = True
    at.run()
    design = at.multiselect(key="evx_f_design")
    assert sorted(design.options) == sorted({r.design or "design not stated" for r in whole})
    wanted = next(r for r in whole[1:] if r.design and r.design != whole[0].design).design
    design.set_value([wanted]).run()
    assert not at.exception
    table = next(html for html in _component_html(at) if "evx-evidence" in html)
    expected = [r for r in whole if r.design == wanted]
    assert escape(expected[0].name) in table and escape(whole[0].name) not in table
    assert any(c.value.startswith(f"Filtered: {len(expected)} row") for c in at.caption), [c.value for c in at.caption]
    # the choice holds with the popover closed
    at.session_state["evx_filter_open"] = False
    at.run()
    table = next(html for html in _component_html(at) if "evx-evidence" in html)
    assert escape(expected[0].name) in table and escape(whole[0].name) not in table


@pytest.fixture
def curation_file(app_env: Path) -> Path:
    """The store's curation log, removed afterwards: a rejection recorded here would change later tests' evidence."""
    log = app_env / "curation.yaml"
    log.unlink(missing_ok=True)
    yield log
    log.unlink(missing_ok=True)


def _link_view(app_env: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["trail"] = ["drug:mecasermin", "outcome:hypoglycemia"]
    at.query_params["expand"] = ["drug:mecasermin"]
    return at.run()


def _submit_curation(at: AppTest, *, curator: str, reason: str, action: str = "reject") -> AppTest:
    at.radio[[r.label for r in at.radio].index("Action")].set_value(action)
    at.text_input[[t.label for t in at.text_input].index("Your name")].input(curator)
    at.text_area[[t.label for t in at.text_area].index("Reason")].input(reason)
    return next(b for b in at.button if b.label == "Record").click().run()


@pytest.mark.parametrize(
    ("curator", "expected"),
    [("", "curator"), ("   ", "curator"), ("x" * 10_000, "at most 200 characters")],
    ids=["empty", "blank", "huge"],
)
def test_the_curation_form_refuses_a_bad_name_and_records_nothing(
    app_env: Path, curation_file: Path, curator: str, expected: str
) -> None:
    at = _submit_curation(_link_view(app_env), curator=curator, reason="not this population")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and expected in errors[0].lower(), errors
    assert not curation_file.exists()


def test_the_curation_form_refuses_a_reject_without_reason(app_env: Path, curation_file: Path) -> None:
    at = _submit_curation(_link_view(app_env), curator="A. Curator", reason="   ")
    assert [e.value for e in at.error] and "needs a reason" in at.error[0].value
    assert not curation_file.exists()


def test_the_curation_form_records_a_hostile_reason_as_text(app_env: Path, curation_file: Path) -> None:
    """Markup and control characters in a reason are kept as the curator wrote them, never rendered."""
    reason = "<img src=x onerror=alert(3)> **bold** \x1b[2J `code`"
    at = _submit_curation(_link_view(app_env), curator="A. Curator", reason=reason)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    from graph.curation import read_corrections

    recorded = read_corrections(curation_file)
    assert len(recorded) == 1 and recorded[0].action == "reject" and recorded[0].curator == "A. Curator"
    assert recorded[0].reason == reason


def test_a_read_only_explorer_offers_no_page_that_writes(
    app_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import streamlit as st

    from ui.web.state import get_store

    titles: list[list[str]] = []
    navigation = st.navigation

    def recording(pages, **kwargs):  # what the entry script offers, page by page
        titles.append([p.title for p in pages])
        return navigation(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    assert not AppTest.from_file(APP, default_timeout=60).run().exception
    monkeypatch.setenv("EVX_READ_ONLY", "1")
    get_store.clear()
    assert not AppTest.from_file(APP, default_timeout=60).run().exception
    assert "Add documents" in titles[0] and "Add documents" not in titles[1] and "Explore" in titles[1]
    with pytest.raises(EvidenceError, match="opened read-only"):  # the store refuses too, not only the pages
        get_store().ingest_many([])
    calls: list[dict[str, str]] = []
    monkeypatch.setattr(ui.cli.main, "run_streamlit", lambda args, env: calls.append(env))
    monkeypatch.delenv("EVX_READ_ONLY")
    result = CliRunner().invoke(ui.cli.main.app, ["--read-only", "--store", str(app_env), "app"])
    assert result.exit_code == 0, result.output
    assert calls[0]["EVX_READ_ONLY"] == "1"
