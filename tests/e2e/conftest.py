"""A real `evx app` (Streamlit) on a store in tmp, and a Chromium that may not leave the machine.

Every request to anything but this machine is aborted and recorded; every JavaScript
dialog (``alert``) is recorded and dismissed.  Tests assert both lists stay empty.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

from graph.errors import UnsupportedFormatError
from graph.settings import Settings
from graph.store import open_store
from loaders import load_path, sample_paths

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DATA = Path(__file__).resolve().parents[1] / "data"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "file", "chrome-error"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy in {timeout}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled samples and a hostile document, in an embedded store."""
    directory = tmp_path_factory.mktemp("store") / "db"
    with open_store(Settings(store=directory)) as store:
        for path in [*sample_paths(), DATA / "hostile.yaml"]:
            try:
                documents = load_path(path)
            except UnsupportedFormatError:
                continue  # a sample whose loader is not in this build yet
            for document in documents:
                store.ingest(document)
    return directory


@pytest.fixture(scope="session")
def app_url(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`evx app` on a free port, headless; torn down at the end of the session."""
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "streamlit.log"
    evx = Path(sys.executable).with_name("evx")
    command = [
        str(evx),
        "--store",
        str(store_dir),
        "app",
        "--no-samples",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with log.open("wb") as sink:
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium for the browser tests")
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a page tried that it must not: requests leaving the machine, and dialogs."""

    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests to other machines: {self.outside}"
        assert self.dialogs == [], f"JavaScript dialogs opened (escaping failed?): {self.dialogs}"


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture
def watched(browser: object, tmp_path: Path) -> Iterator[tuple[object, Watch]]:
    """A fresh page whose outside requests are blocked and recorded; asserts it stayed clean."""
    watch = Watch()
    context = browser.new_context(accept_downloads=True, viewport={"width": 1500, "height": 1100})  # type: ignore[attr-defined]

    def route(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if is_local(url):
            route.continue_()  # type: ignore[attr-defined]
        else:
            watch.outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    context.on("request", lambda req: None if is_local(req.url) else watch.outside.append(req.url))
    page = context.new_page()

    def on_dialog(dialog: object) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    yield page, watch
    context.close()
    watch.assert_clean()
