"""The embedded store's buffer pool is ours to size: a share of memory with a floor and a ceiling."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from graph.settings import BUFFER_POOL_CEILING_MB, BUFFER_POOL_FLOOR_MB, Settings, default_buffer_pool_mb


@pytest.mark.parametrize(
    ("total_gib", "expected_mb"),
    [(1, BUFFER_POOL_FLOOR_MB), (4, 512), (24, BUFFER_POOL_CEILING_MB), (512, BUFFER_POOL_CEILING_MB)],
)
def test_default_is_an_eighth_of_memory_within_bounds(total_gib: int, expected_mb: int) -> None:
    assert default_buffer_pool_mb(total_gib * 2**30) == expected_mb


def test_the_environment_and_arguments_override_it() -> None:
    assert Settings.from_env({"EVX_BUFFER_POOL_MB": "300"}).buffer_pool_mb == 300
    assert Settings.from_env({"EVX_BUFFER_POOL_MB": "300"}, buffer_pool_mb=2048).buffer_pool_mb == 2048
    assert Settings.from_env({}).buffer_pool_mb == default_buffer_pool_mb()


@pytest.mark.parametrize("value", ["0", "12", "lots"])
def test_a_pool_too_small_or_not_a_number_is_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        Settings.from_env({"EVX_BUFFER_POOL_MB": value})
