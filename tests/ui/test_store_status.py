"""A store that cannot be opened: the explorer explains and offers a retry, never a traceback or a path."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph.errors import StoreCorruptError, StoreLockedError
from graph.store.ladybug.open import EMPTY_OR_MISSING
from graph.store.ladybug.store import DB_FILE
from ui.web.store_status import explain

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "ui" / "web" / "app.py")


@pytest.fixture
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from ui.web.state import get_store

    directory = tmp_path / "server-side" / "store"
    monkeypatch.setenv("EVX_STORE", str(directory))
    monkeypatch.delenv("EVX_NEO4J_URI", raising=False)
    get_store.clear()
    yield directory
    get_store.clear()


def _page_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.title, *at.error, *at.markdown, *at.info)]
    return "\n".join(str(p) for p in parts)


def test_the_words_leave_out_the_server_paths(tmp_path: Path) -> None:
    store = tmp_path / "srv" / "store"
    busy = explain(StoreLockedError(f"{store} is open for writing in another process"), store)
    assert busy.headline == "The evidence store is busy"
    assert str(tmp_path) not in busy.detail + busy.advice
    damaged = explain(StoreCorruptError(f"{store}: {EMPTY_OR_MISSING}"), store)
    assert damaged.detail == f"the store: {EMPTY_OR_MISSING}"


def test_an_emptied_database_file_gets_an_explanation_then_a_retry_works(app_store: Path) -> None:
    app_store.mkdir(parents=True)
    (app_store / DB_FILE).write_bytes(b"")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["The evidence store cannot be read"]
    assert at.error[0].value.replace("\\", "") == f"the store: {EMPTY_OR_MISSING}"
    text = _page_text(at)
    assert str(app_store.parent) not in text and "Traceback" not in text
    (app_store / DB_FILE).unlink()  # the person running the server fixes it: a new store directory
    at.button(key="evx_store_retry").click().run()
    assert not at.exception
    assert "The evidence store cannot be read" not in [t.value for t in at.title]


_HOLDER = """
import sys, time
from pathlib import Path
from graph.store.ladybug.store import LadybugStore
store = LadybugStore(sys.argv[1])
Path(sys.argv[2]).write_text("open")
while not Path(sys.argv[3]).exists():
    time.sleep(0.05)
store.close()
"""


def test_a_store_held_by_a_load_says_busy_then_a_retry_opens_it(app_store: Path, tmp_path: Path) -> None:
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(app_store), str(ready), str(release)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        while not ready.exists():
            assert holder.poll() is None, holder.communicate()
            time.sleep(0.05)
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        assert [t.value for t in at.title] == ["The evidence store is busy"]
        assert str(app_store) not in _page_text(at)
        assert at.button(key="evx_store_retry").label == "Try again"
        release.write_text("done")
        holder.wait(timeout=60)
    finally:
        holder.kill()
        holder.communicate()
    at.button(key="evx_store_retry").click().run()
    assert not at.exception
    assert "The evidence store is busy" not in [t.value for t in at.title]


def test_a_store_recovered_from_an_interrupted_load_says_so_once_per_session(app_store: Path, tmp_path: Path) -> None:
    import shutil

    from graph.store.ladybug.store import LadybugStore
    from loaders import load_path, sample_paths

    documents = [d for path in sample_paths() for d in load_path(path)][:2]
    live = tmp_path / "live"
    with LadybugStore(live) as store:
        store.ingest(documents[0])
        first = (live / f"{DB_FILE}.wal").stat().st_size
        store.ingest(documents[1])
        shutil.copytree(live, app_store)  # what a kill leaves: the log as written, nothing checkpointed
    with (app_store / f"{DB_FILE}.wal").open("r+b") as handle:
        handle.truncate(first + 40)  # the kill landed inside the second document's commit
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "interrupted" in warnings[0] and "Run the same load again" in warnings[0]
    assert str(app_store) not in warnings[0] and "the store" in warnings[0]
    at.run()
    assert not [w for w in at.warning if "interrupted" in w.value]  # told once
    from ui.web.state import get_store

    get_store().close()  # the app's store, open in this process since the first run
