"""Store states users meet: an emptied, deleted or truncated database file, and reading during a load.

Each state has one exact message, and a refused directory is left exactly as it was (no new
empty database written over the remains).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.errors import StoreCorruptError
from graph.store.ladybug.open import EMPTY_OR_MISSING
from graph.store.ladybug.store import DB_FILE, LadybugStore
from tests.conftest import build_evidence_document
from tests.reliability.support import ROOT, TALLY
from ui.cli.main import app

DAMAGED = "the database file is damaged ("
BACKUP = "); restore it from backup, or point --store at a new directory"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("states") / "store"
    with LadybugStore(directory) as store:
        store.ingest(build_evidence_document())
    return directory


def _copy(loaded: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "store"
    shutil.copytree(loaded, directory)
    return directory


def _files(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in directory.iterdir()}


def _refused(directory: Path, *, read_only: bool) -> str:
    before = _files(directory)
    with pytest.raises(StoreCorruptError) as caught:
        LadybugStore(directory, read_only=read_only)
    assert _files(directory) == before, "a refused store directory was changed"
    TALLY["damaged store directories refused"] += 1
    return str(caught.value)


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_0_byte_database_file_is_refused(loaded: Path, tmp_path: Path, read_only: bool) -> None:
    directory = _copy(loaded, tmp_path)
    (directory / DB_FILE).write_bytes(b"")
    assert _refused(directory, read_only=read_only) == f"{directory}: {EMPTY_OR_MISSING}"


@pytest.mark.parametrize("leftover", ["curation.yaml", "vocabulary.sqlite", f"{DB_FILE}.wal", f"{DB_FILE}.writing"])
def test_a_deleted_database_file_is_refused_while_other_store_files_exist(
    loaded: Path, tmp_path: Path, leftover: str
) -> None:
    directory = _copy(loaded, tmp_path)
    (directory / DB_FILE).unlink()
    (directory / leftover).write_text("left from the store\n")
    message = _refused(directory, read_only=False)
    assert message == (
        f"{directory}: the database file is empty or missing; restore it from backup, or point --store at a new directory"
    )


def test_an_empty_directory_is_a_new_store(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "new") as store:
        assert store.stats().documents == 0


@pytest.mark.parametrize("keep", ["header", "half", "all but the last page"])
@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_truncated_database_file_is_damaged_not_retry_later(
    loaded: Path, tmp_path: Path, keep: str, read_only: bool
) -> None:
    directory = _copy(loaded, tmp_path)
    database = directory / DB_FILE
    size = database.stat().st_size
    with database.open("r+b") as handle:
        handle.truncate({"header": 4096, "half": size // 2, "all but the last page": size - 4096}[keep])
    message = _refused(directory, read_only=read_only)
    assert message.startswith(f"{directory}: {DAMAGED}Cannot read checkpoint: ")
    assert message.endswith(BACKUP)
    assert "retry later" not in message


def test_the_cli_says_so_in_one_line_with_exit_code_1(loaded: Path, tmp_path: Path) -> None:
    directory = _copy(loaded, tmp_path)
    (directory / DB_FILE).write_bytes(b"")
    result = CliRunner().invoke(app, ["--store", str(directory), "stats"])
    assert result.exit_code == 1
    assert f"error: {directory}: {EMPTY_OR_MISSING}" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert (directory / DB_FILE).stat().st_size == 0


_WRITER = """
import sys, time
from pathlib import Path
from graph.store.ladybug.store import LadybugStore
from tests.synthetic import synthetic_document
store = LadybugStore(sys.argv[1])
Path(sys.argv[2]).write_text("open")
deadline = time.monotonic() + float(sys.argv[3])
i = 0
while time.monotonic() < deadline:
    store.ingest(synthetic_document(300, tag=f"busy{i}"))
    store._run("CHECKPOINT")  # far more often than a real load: the moment readers trip over
    time.sleep(0.1)
    i += 1
store.close()
print(i)
"""


def test_read_only_opens_during_a_load_wait_for_the_checkpoint_and_succeed(tmp_path: Path) -> None:
    """Without the retry, 3 opens in 8 failed with "checkpoint recovery is pending" (and some with a
    half-written primary-key index); with it, every open answers."""
    directory = tmp_path / "store"
    ready = tmp_path / "ready"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(directory), str(ready), "25"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not ready.exists():
            assert writer.poll() is None, writer.communicate()
            time.sleep(0.1)
        documents = []
        started = time.monotonic()
        while len(documents) < 12 and time.monotonic() - started < 20:
            with LadybugStore(directory, read_only=True) as store:
                documents.append(store.stats().documents)
            time.sleep(0.2)
        assert writer.poll() is None, "the load ended before the reads: the test proves nothing"
    finally:
        writer.kill()
        writer.communicate()
    assert len(documents) >= 5  # each open may wait out a checkpoint (up to ~2.5 s seen on a busy machine)
    assert documents == sorted(documents), "a later open saw fewer documents than an earlier one"
    TALLY["read-only opens during a load"] += len(documents)


def test_the_store_leaves_its_mark_and_companion_files_alone_are_no_store(tmp_path: Path) -> None:
    from graph.curation import CURATION_FILE
    from graph.store.ladybug.open import STORE_MARK
    from graph.vocab_store import VOCABULARY_FILE

    with LadybugStore(tmp_path / "s"):
        pass
    assert (tmp_path / "s" / f"{DB_FILE}{STORE_MARK}").exists()
    # a vocabulary imported (or a curation log written) before the first load is not a lost store
    for name in (CURATION_FILE, VOCABULARY_FILE):
        fresh = tmp_path / name
        fresh.mkdir()
        (fresh / name).write_text("made before the first load\n")
        with LadybugStore(fresh) as store:
            assert store.stats().documents == 0
