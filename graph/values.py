"""Reading loosely typed property values (from any store or export) without inventing any."""

from __future__ import annotations

from typing import Any

__all__ = ["text_or_none", "whole_number"]


def whole_number(value: Any) -> int | None:
    """``value`` as an int when it is one (``21`` or ``21.0``); ``None`` otherwise, booleans included."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def text_or_none(value: Any) -> str | None:
    """``value`` as stripped text, ``None`` when missing or blank."""
    text = str(value).strip() if value is not None else ""
    return text or None
