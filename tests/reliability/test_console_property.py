"""Property: no text the guard lets through can write, read a file or create one, even with full rights.

Hypothesis mixes hostile payloads (:mod:`tests.reliability.hostile_cypher`) with comments,
strings, backticked names, escapes and every Unicode line terminator.  Whatever the guard
accepts is then run on a *writable* connection to a store on disk — no read-only
transaction, no worker, no sandbox: the guard alone stands between the text and the store.
It must leave the store's fingerprint (every node and edge with its properties) as it was,
create no file in the watched directory or the store's, and return nothing of a canary file
the payloads try to read.  CI runs 2,000 cases (derandomised); ``EVX_LONG=1`` ten times more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import QueryError
from graph.store.cypher_guard import refuse_writes
from graph.store.ladybug.store import DB_FILE, LadybugStore
from loaders import load_path, sample_paths
from tests.reliability.hostile_cypher import PAYLOADS
from tests.reliability.support import TALLY, fuzz_settings

CANARY = "evx-canary-7f3a"
TERMINATORS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1f", ""]


class Sandbox:
    """A store on disk opened with every right, its watched directory and a canary file."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.store = root / "store"
        self.watch = root / "watched"
        self.watch.mkdir()
        self.canary = root / "canary.csv"
        self.canary.write_text(f"{CANARY},1\n")
        with LadybugStore(self.store) as store:
            for path in sample_paths():
                for document in load_path(path):
                    store.ingest(document)
        import ladybug

        self.db = ladybug.Database(str(self.store / DB_FILE))
        self.conn = ladybug.Connection(self.db)
        self.files = sorted(os.listdir(self.store))
        self.before = self.fingerprint()

    def fingerprint(self) -> int:
        nodes = sorted(repr(row) for row in self.conn.execute("MATCH (n) RETURN n").get_all())
        edges = sorted(repr(row) for row in self.conn.execute("MATCH ()-[r]->() RETURN r").get_all())
        return hash((tuple(nodes), tuple(edges)))

    def quick_look(self) -> Any:
        """Counts and every node's name: cheap enough for each case (the full fingerprint is taken at the end)."""
        ((count, names),) = self.conn.execute("MATCH (n) RETURN count(n), collect(n.name)").get_all()
        return count, sorted(names, key=repr)

    def run(self, cypher: str) -> list[Any]:
        try:
            result = self.conn.execute(cypher)
        except RuntimeError:
            return []
        results = result if isinstance(result, list) else [result]
        return [r.get_all() for r in results]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path_factory.mktemp("property"))
    yield box
    box.conn.close()
    box.db.close()


def _payloads(box_paths: dict[str, str], *, only: tuple[str, ...] = ()) -> list[str]:
    out = []
    for name, text in PAYLOADS.items():
        if only and name not in only:
            continue
        text = text.replace("{watch}", box_paths["watch"]).replace("/etc/passwd", box_paths["canary"])
        out.append(text)
    return out


_OPENERS = ["//", "// x", "/*", "/* **", "'", '"', "`", "\\", "// x\u2028 '", "/*/", "'\\'", "`a\\`"]
_CLOSERS = ["*/", "**/", "'", '"', "`", "\\'", "''", "``", *TERMINATORS]
_READS = ["RETURN 1", "MATCH (d:Drug) RETURN d.name", "WITH 1 AS copy RETURN copy", "RETURN {load: 1} AS m", ""]


@st.composite
def hostile_text(draw: st.DrawFn, payloads: list[str]) -> str:
    parts = [draw(st.sampled_from(_READS))]
    for _ in range(draw(st.integers(1, 3))):
        payload = draw(st.sampled_from(payloads))
        if draw(st.booleans()):
            payload = payload.swapcase() if draw(st.booleans()) else payload.lower()
        parts += [
            draw(st.sampled_from([" ", *TERMINATORS, "; ", ";", "\u00a0"])),
            draw(st.sampled_from(["", *_OPENERS])),
            draw(st.text(alphabet="x '\"`*/\\\n\u2028", max_size=4)),
            payload,
            draw(st.sampled_from(["", *_CLOSERS])),
        ]
    parts.append(draw(st.sampled_from(["", " // '", " /* */", ";", "\n"])))
    return "".join(parts)


def test_the_sandbox_would_notice(tmp_path: Path) -> None:
    """The checks below can fail: run unguarded, the payloads do change the store and create files."""
    scratch = Sandbox(tmp_path)
    try:
        paths = {"watch": str(scratch.watch), "canary": str(scratch.canary)}
        chosen = ("load_from_passwd", "copy_to_file", "set_property", "detach_delete")  # some others crash the engine
        out = [scratch.run(_payloads(paths, only=chosen)[k]) for k in range(len(chosen))]
        assert any(CANARY in repr(rows) for rows in out)  # LOAD FROM read the canary
        assert os.listdir(scratch.watch)  # COPY TO wrote a file
        assert scratch.fingerprint() != scratch.before  # SET / DELETE changed the store
    finally:
        scratch.conn.close()
        scratch.db.close()


def test_nothing_the_guard_accepts_changes_anything(sandbox: Sandbox) -> None:
    paths = {"watch": str(sandbox.watch), "canary": str(sandbox.canary)}
    look = sandbox.quick_look()
    accepted: list[str] = []

    @fuzz_settings(2000)
    @given(text=hostile_text(_payloads(paths)))
    def check(text: str) -> None:
        TALLY["property cases: hostile text generated"] += 1
        try:
            refuse_writes(text)
        except QueryError:
            TALLY["property cases: refused by the guard"] += 1
            return
        TALLY["property cases: accepted, run with full rights"] += 1
        accepted.append(text)
        answer = sandbox.run(text)
        assert CANARY not in repr(answer), f"read the canary file: {text!r}"
        assert os.listdir(sandbox.watch) == [], f"created a file: {text!r}"
        assert sorted(os.listdir(sandbox.store)) == sandbox.files, f"touched the store's files: {text!r}"
        assert sandbox.quick_look() == look, f"changed the store: {text!r}"

    check()
    assert sandbox.fingerprint() == sandbox.before, f"one of these changed the store: {accepted!r}"
    assert TALLY["property cases: accepted, run with full rights"] > 100  # the property is not vacuous
