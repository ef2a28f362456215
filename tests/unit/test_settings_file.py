"""Settings are layered: defaults ← the settings file (EVX_CONFIG) ← environment ← explicit options."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.settings import Settings


def test_the_file_sits_between_the_defaults_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "evx.toml"
    config.write_text('store = "/data/evx"\nrow_limit = 500\ntimeout_s = 3.5\n', encoding="utf-8")
    env = {"EVX_CONFIG": str(config), "EVX_ROW_LIMIT": "700"}

    settings = Settings.from_env(env)
    assert settings.store == Path("/data/evx") and settings.timeout_s == 3.5  # from the file
    assert settings.row_limit == 700  # the environment wins over the file
    assert Settings.from_env(env, row_limit=9).row_limit == 9  # an option wins over both
    assert Settings.from_env({}).row_limit == 1000  # no file: the defaults


def test_a_bad_settings_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("row_limit = = 3\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"broken\.toml.*not valid TOML"):
        Settings.from_env({"EVX_CONFIG": str(broken)})
    with pytest.raises(LoadError, match="cannot read the settings file"):
        Settings.from_env({"EVX_CONFIG": str(tmp_path / "missing.toml")})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 'red'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="colour"):
        Settings.from_env({"EVX_CONFIG": str(unknown)})


def test_every_environment_variable_is_documented_and_names_a_setting() -> None:
    """docs/settings.md lists every variable Settings reads, each with the setting it fills."""
    from graph.settings import ENVIRONMENT, FetchSettings

    docs = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text(encoding="utf-8")
    for var, name in ENVIRONMENT.items():
        section, _, key = name.rpartition(".")
        assert key in (FetchSettings if section else Settings).model_fields, name
        assert f"| `{var}` | `{name}` |" in docs, var
