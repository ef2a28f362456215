"""Dose as a dimension of a claim or a number: value, unit and regimen, read from text.

Loaders record it on figures; the conflicts view reads it from figures and stance quotes.
"Hypoglycaemia at or above 200 µg/kg/day" and "Dupilumab 300 mg qw" state the dose a
finding or a figure is about; a researcher comparing two studies needs it next to the
numbers.  Only doses the text states are read: a missing dose is ``None``, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.model import Scalar

__all__ = ["Dose", "dose_of", "find_dose", "find_doses", "stated_doses"]

_UNIT = (
    r"(?:mg|µg|μg|mcg|ug|g|ng|IU|IE|E|U|units?|eenheden|ml|mL|mmol)"
    r"(?:\s*/\s*(?:kg|m2|m²|dag|day|d|week|wk|h|uur|dosis|dose|kg/dag|kg/day|kg/d|m2/day|m²/dag))*"
)
_NUMBER = r"\d{1,6}(?:[.,]\d{1,4})?"
_DOSE = re.compile(
    rf"(?<![\w.,])(?P<value>{_NUMBER})(?:\s*(?:-|–|tot|to)\s*(?P<upper>{_NUMBER}))?\s*(?P<unit>{_UNIT})(?![\w/])",
)
_REGIMEN = re.compile(
    r"\b(?P<regimen>q\s?\d*\s?w|q\d+d|qd|od|bid|b\.i\.d\.|tid|qid|qw|q2w|q4w"
    r"|once (?:a |per )?(?:day|daily|week|weekly)|twice (?:a |per )?(?:day|daily|week)|daily|weekly|monthly"
    r"|every \d+ (?:days?|weeks?|months?)|per dag|per week|\d+\s?(?:x|maal) (?:per|daags|daily|a) ?(?:dag|day|week)?"
    r"|dd|\d+dd|eenmaal daags|tweemaal daags|driemaal daags)\b",
    re.IGNORECASE,
)
#: Words that make a dose a threshold ("at or above 200 µg/kg/day", "hogere doseringen").
_THRESHOLD = re.compile(
    r"(?P<op>at or above|at or over|≥|>=|above|over|more than|higher than|meer dan|boven|vanaf|from)\s*$", re.I
)
#: "30 mg per dag of meer", "1 mg/kg/day or more": the same threshold, stated after the dose.
_AT_LEAST_AFTER = re.compile(
    r"(?:\s*(?:per\s+\w+|daily|a day|/\w+))?\s*(?P<op>of meer|or more|or higher|of hoger|en hoger|and above|or above)\b",
    re.I,
)
#: Qualitative dose words: the text says a dose level without a number.
_QUALITATIVE = re.compile(
    r"\b(?:(?:in|bij|met|at|on)\s+)?(?P<q>(?:hogere?|hoge|lagere?|lage|hoogste|laagste|high|higher|highest|low|lower|lowest|"
    r"full|reduced|volledige|verlaagde)\s+(?:doses?|doseringen|dosering|dosis|dose levels?))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Dose:
    """A stated dose: ``value`` with ``unit`` (either may be ``None`` for "higher doses"), and the regimen."""

    value: float | None
    unit: str | None
    regimen: str | None = None

    def props(self) -> dict[str, Scalar]:
        """The ``dose_*`` properties of a Finding or Figure."""
        return {"dose_value": self.value, "dose_unit": self.unit, "dose_regimen": self.regimen}

    def describe(self) -> str:
        """As a reader writes it: ``≥ 200 µg/kg/day``, ``120 µg/kg twice daily``, ``hogere doseringen``."""
        regimen = self.regimen or ""
        bound = ""
        for words, sign in (("at or above", "≥"), ("above", ">")):
            if self.value is not None and re.search(rf"(?:^|; ){words}$", regimen):
                bound, regimen = sign, re.sub(rf"(?:^|; ){words}$", "", regimen)
                break
        number = f"{bound} {self.value:g}".strip() if self.value is not None else ""
        parts = [number, self.unit or "", regimen]
        return " ".join(p for p in parts if p) or "dose stated"

    def key(self) -> str:
        """What tells two doses apart in a Finding's id: case- and space-blind."""
        return re.sub(r"\s+", " ", self.describe().casefold()).strip()


#: Only the start of a longer text is read: a dose is stated next to what it is about.
MAX_TEXT = 5_000


def find_doses(text: str) -> list[Dose]:
    """Every dose stated in ``text`` (its first :data:`MAX_TEXT` characters), left to right."""
    text = text[:MAX_TEXT]
    found: list[tuple[int, Dose]] = []
    for match in _DOSE.finditer(text):
        unit = re.sub(r"\s+", "", match.group("unit")).replace("μg", "µg").replace("mcg", "µg").replace("ug", "µg")
        if unit.lower() in {"e", "u", "ml", "g"} and not re.search(r"/", unit) and _looks_like_a_count(text, match):
            continue
        value = float(match.group("value").replace(",", "."))
        before = text[max(0, match.start() - 20) : match.start()]
        after = text[match.end() : match.end() + 40]
        regimen_match = _REGIMEN.match(after.lstrip(" ,")) or _REGIMEN.search(after[:40].split(".")[0])
        regimen = regimen_match.group("regimen") if regimen_match else None
        threshold = _THRESHOLD.search(before) or _AT_LEAST_AFTER.match(text[match.end() : match.end() + 60])
        if threshold:
            op = threshold.group("op").lower()
            at_least = threshold.re is _AT_LEAST_AFTER or op in {
                "at or above",
                "at or over",
                "≥",
                ">=",
                "vanaf",
                "from",
            }
            regimen = "; ".join(x for x in (regimen, "at or above" if at_least else "above") if x)
        if match.group("upper"):
            regimen = f"{match.group('value')}–{match.group('upper')} {unit}" + (f" {regimen}" if regimen else "")
        found.append((match.start(), Dose(value, unit, regimen)))
    for match in _QUALITATIVE.finditer(text):
        found.append((match.start(), Dose(None, None, match.group("q").strip())))
    return [dose for _, dose in sorted(found, key=lambda item: item[0])]


def find_dose(text: str) -> Dose | None:
    """The first dose stated in ``text``, if any."""
    doses = find_doses(text)
    return doses[0] if doses else None


def dose_of(props: Mapping[str, Any]) -> Dose | None:
    """The dose a Finding's or Figure's ``dose_*`` properties state, if any."""
    value, unit, regimen = props.get("dose_value"), props.get("dose_unit"), props.get("dose_regimen")
    if value is None and not unit and not regimen:
        return None
    number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    return Dose(number, str(unit) if unit else None, str(regimen) if regimen else None)


def stated_doses(records: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """The distinct doses a row's claims and figures state, as written for a reader, in order."""
    shown = (dose.describe() for record in records if (dose := dose_of(record)) is not None)
    return tuple(dict.fromkeys(shown))


def _looks_like_a_count(text: str, match: re.Match[str]) -> bool:
    """ "3 E" or "40 g" without a per-unit is often not a dose (a table letter, a weight)."""
    return match.group("unit").lower() in {"e", "u"} or not re.search(
        r"(dose|dosis|dosering|mg|per|daags)", text[max(0, match.start() - 40) : match.end() + 40], re.I
    )
