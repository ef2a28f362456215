"""``evx curate``'s inputs: missing, empty, broken, wrongly encoded and hostile ones get one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ui.cli.main import app

EDGE = "edge:0123456789abcdef0123"


@pytest.fixture
def curate(tmp_path: Path):
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(app, ["--store", str(tmp_path / "store"), "curate", *args], env=env or {})

    return run


def _log(tmp_path: Path) -> list[dict]:
    return yaml.safe_load((tmp_path / "store" / "curation.yaml").read_text(encoding="utf-8"))["corrections"]


def test_a_decision_needs_a_curator_from_the_option_or_the_settings(curate, tmp_path: Path) -> None:
    missing = curate("confirm", EDGE, env={"EVX_CURATOR": ""})
    assert missing.exit_code == 2 and "--curator" in missing.output
    assert not (tmp_path / "store" / "curation.yaml").exists()  # nothing recorded, no store opened
    assert curate("confirm", EDGE, env={"EVX_CURATOR": "B. Curator"}).exit_code == 0
    assert curate("confirm", EDGE, "--curator", "A. Curator", env={"EVX_CURATOR": "B. Curator"}).exit_code == 0
    assert [c["curator"] for c in _log(tmp_path)] == ["B. Curator", "A. Curator"]


def test_bad_decisions_name_the_field_and_record_nothing(curate, tmp_path: Path) -> None:
    no_reason = curate("reject", EDGE, "--curator", "A", "--reason", "")
    assert no_reason.exit_code == 1 and "reason" in no_reason.output
    not_an_edge = curate("confirm", "study:x", "--curator", "A")
    assert not_an_edge.exit_code == 1 and "edge id" in not_an_edge.output
    blank = curate("confirm", EDGE, "--curator", "   ")
    assert blank.exit_code == 1 and "curator" in blank.output
    assert not (tmp_path / "store" / "curation.yaml").exists()


def test_hostile_text_is_recorded_and_shown_as_text(curate, tmp_path: Path) -> None:
    """Console markup in an id, a name or a reason is printed as typed, never interpreted (nor a crash)."""
    edge = "edge:[/][bold red]x"
    recorded = curate("reject", edge, "--curator", "[b]me[/b]", "--reason", "[/]\x1b[2J\u202e")
    assert recorded.exit_code == 0, recorded.output
    assert edge in recorded.output
    shown = curate("log")
    assert shown.exit_code == 0, shown.output
    assert "[b]me[/b]" in shown.output
    assert "\x1b" not in shown.output and "\u202e" not in shown.output  # no terminal control from a reason
    assert _log(tmp_path)[0]["reason"] == "[/]\x1b[2J\u202e"  # kept as given


def test_curator_files_empty_broken_wrongly_encoded_or_huge(curate, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert curate(str(empty)).exit_code == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("- action: [confirm\n", encoding="utf-8")
    result = curate(str(broken))
    assert result.exit_code == 1 and "broken.yaml:" in result.output and "not valid YAML" in result.output
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(
        f"- {{action: reject, edge: '{EDGE}', curator: Jos\xe9, date: 2025-01-01, reason: r}}\n".encode("latin-1")
    )
    result = curate(str(latin1))
    assert result.exit_code == 1 and "not UTF-8" in result.output
    huge = tmp_path / "huge.yaml"
    entry = f"- {{action: confirm, edge: '{EDGE}', curator: A, date: 2025-01-01}}\n"
    huge.write_text(entry * 2_000 + "- {action: confirm, edge: nope, curator: A, date: 2025-01-01}\n", encoding="utf-8")
    result = curate(str(huge))
    assert result.exit_code == 1 and "huge.yaml:2001" in result.output  # all or nothing: the last one is wrong
    assert _log(tmp_path) == []  # only the empty file's nothing
    missing = curate(str(tmp_path / "absent.yaml"))
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_a_broken_log_is_one_clear_line(curate, tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "curation.yaml").write_bytes(b"corrections: [\xff")
    result = curate("log")
    assert result.exit_code == 1 and "curation.yaml" in result.output and "Traceback" not in result.output
