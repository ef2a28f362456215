"""The explorer's synthesis panel, headless (Streamlit AppTest)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _panel() -> None:
    from graph.service import EvidenceService
    from graph.settings import Settings
    from graph.store.memory import MemoryStore
    from tests.conftest import build_evidence_document
    from ui.web.panels.synthesis import render_synthesis

    store = MemoryStore()
    store.ingest(build_evidence_document())
    service = EvidenceService.for_settings(store, Settings.from_env())
    render_synthesis(store, service.link("drug:mecasermin", "outcome:hypoglycemia"))


def test_panel_shows_certainty_reasons_conflicts_and_download(tmp_path, monkeypatch):
    monkeypatch.setenv("EVX_STORE", str(tmp_path))
    at = AppTest.from_function(_panel, default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Certainty: very low" in text
    assert "Rated down one level for inconsistency" in text
    assert any("Bang 2021" in e.label and "Khwaja 2014" in e.label for e in at.expander)
    assert at.get("download_button")
    # record a correction through the form: it lands in the store's curation log
    at.text_input[0].input("A. Curator")
    at.radio[0].set_value("reject")
    at.text_area[0].input("not the population asked about")
    at.selectbox[0].set_value(next(o for o in at.selectbox[0].options if "Khwaja" in o))
    at.button[0].click().run()
    assert not at.exception
    log = (tmp_path / "curation.yaml").read_text(encoding="utf-8")
    assert "action: reject" in log and "A. Curator" in log
    # Khwaja no longer counts: Bang alone starts low, nothing rated down, and the Laron incidence is large
    # (Wilson lower bound 0.3237 ≥ 0.3) → rated up one level → moderate
    assert "Certainty: moderate" in " ".join(m.value for m in at.markdown)
