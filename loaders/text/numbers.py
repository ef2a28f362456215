"""Numbers as clinical text writes them: Dutch decimal commas, thousands separators, "n = 7".

A number is read only where the text states it; nothing here estimates or rounds.
"""

from __future__ import annotations

import re

__all__ = ["NUM", "N_EQUALS", "find_n", "parse_number"]

#: A number in either notation: "68", "68.9", "68,9".
NUM = r"\d+(?:[.,]\d+)?"
#: A sample size: "n = 7", "N=376" (group 1 is the count).
N_EQUALS = re.compile(r"(?<![\w])[nN]\s*=\s*(\d+)")


def parse_number(token: str) -> float:
    """A number in Dutch or English notation: "68,9" and "68.9" → 68.9; "2,500" → 2500."""
    token = token.strip()
    m = re.fullmatch(r"(\d+)[.,](\d+)", token)
    if m:
        whole, frac = m.groups()
        if len(frac) == 3 and whole != "0" and len(whole) <= 3:  # thousands separator
            return float(whole + frac)
        return float(f"{whole}.{frac}")
    return float(token)


def find_n(text: str) -> int | None:
    """The sample size a text states as "n = 7" or "N=376" (the first one), else ``None``."""
    m = N_EQUALS.search(text)
    return int(m.group(1)) if m else None
