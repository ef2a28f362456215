"""Typed access to a study's fields: a wrong type is a warning naming the field, then ignored.

Registry records are third-party JSON: any field may be missing, of the wrong type or
huge.  Every read goes through :class:`Fields`, so one malformed field costs that field,
not the study.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Fields", "article", "number"]


@dataclass
class Fields:
    """Typed access to a study's fields; a wrong type is a warning naming the field, then ignored."""

    label: str
    warnings: list[str] = field(default_factory=list)

    def get(self, obj: Any, dotted: str, expected: type | tuple[type, ...], *, where: str = "") -> Any:
        if type(obj) is dict and "." not in dotted:  # one key of an object: most reads of a results table
            value = obj.get(dotted)
            if value is None or (type(value) is expected and expected is not int):
                return value
            return self._checked(value, dotted, expected, where)
        value = obj
        walked: list[str] = []
        for key in dotted.split("."):
            if not isinstance(value, dict):
                if value is not None and walked:
                    self._wrong(where + ".".join(walked), "an object", value)
                return None
            value = value.get(key)
            walked.append(key)
        if value is None:
            return None
        return self._checked(value, dotted, expected, where)

    def _checked(self, value: Any, dotted: str, expected: type | tuple[type, ...], where: str) -> Any:
        if expected is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            name = expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
            self._wrong(where + dotted, article(name), value)
            return None
        return value

    def _wrong(self, name: str, expected: str, value: Any) -> None:
        message = f"{self.label}: field {name}: expected {expected}, got {type(value).__name__}; ignored"
        if message not in self.warnings:
            self.warnings.append(message)

    def items(self, obj: Any, dotted: str, *, where: str = "") -> list[dict[str, Any]]:
        """The objects of a list field (non-objects inside it are warnings)."""
        values = self.get(obj, dotted, list, where=where) or []
        out = [item for item in values if isinstance(item, dict)]
        if len(out) < len(values):  # one warning per field, however many entries are broken
            first = next(i for i, item in enumerate(values) if not isinstance(item, dict))
            bad = len(values) - len(out)
            more = f" (and {bad - 1} more)" if bad > 1 else ""
            self.warnings.append(f"{self.label}: field {where}{dotted}[{first}]: expected an object{more}; ignored")
        return out

    def text(self, obj: Any, key: str, *, where: str = "") -> str:
        """A string field, stripped; empty when missing or not a string (a wrong type is a warning)."""
        value = self.get(obj, key, str, where=where)
        return value.strip() if value else ""

    def enum(self, obj: Any, dotted: str, allowed: frozenset[str], *, where: str = "") -> str | None:
        value = self.get(obj, dotted, str, where=where)
        if value is not None and value not in allowed:
            self.warnings.append(
                f"{self.label}: field {where + dotted}: unknown value {value!r} (known: {', '.join(sorted(allowed))})"
            )
        return value


def article(name: str) -> str:
    return {"dict": "an object", "list": "a list", "str": "a string", "int": "a whole number"}.get(name, name)


def number(value: Any) -> float | None:
    """A registry number ("83.7", "-2.11", 4, "NA") as a float; ``None`` when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str) and len(value) <= 40:
        try:
            result = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return result if result == result and abs(result) != float("inf") else None
