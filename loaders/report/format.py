"""The report format as data: headings, advice phrases, designs, cues (``report_format.yaml``).

Nothing about one particular report is in code; a new heading or advice phrase is a line
in the YAML file.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

__all__ = ["Format", "any_of", "report_format"]


@dataclass(frozen=True)
class Format:
    advice: tuple[tuple[str, str], ...]
    sections: tuple[tuple[str, re.Pattern[str]], ...]
    table_header: re.Pattern[str]
    subblocks: tuple[tuple[str, re.Pattern[str]], ...]
    status: re.Pattern[str]
    designs: tuple[tuple[re.Pattern[str], str], ...]
    pico: tuple[tuple[str, re.Pattern[str]], ...]
    review_period: tuple[re.Pattern[str], ...]
    baseline: re.Pattern[str]
    treatment: re.Pattern[str]
    recommendation: re.Pattern[str]
    strength: re.Pattern[str]
    label_citation: re.Pattern[str]
    label_issuers: tuple[str, ...]
    label_sections: dict[str, str]
    organisation: re.Pattern[str]
    case_counts: tuple[tuple[re.Pattern[str], int], ...]
    risk_factors: tuple[re.Pattern[str], ...]
    frequency_band: re.Pattern[str]
    aim: re.Pattern[str]


def any_of(patterns: list[str], *, whole_line: bool = False, flags: int = 0) -> re.Pattern[str]:
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"^\s*(?:{body})\s*$" if whole_line else body, flags)


@functools.cache
def report_format() -> Format:
    data: dict[str, Any] = yaml.safe_load(resources.files("loaders").joinpath("report_format.yaml").read_text("utf-8"))
    sub = data["results"], data["author_remarks"], data["reviewer_remarks"]
    return Format(
        advice=tuple((a["phrase"], a["advice"]) for a in data["advice"]),
        sections=tuple((k, any_of(v, whole_line=True)) for k, v in data["sections"].items()),
        table_header=any_of(data["table_header"], whole_line=True),
        subblocks=tuple(
            (name, re.compile(rf"(?m)^(?P<pre>[^\n]*?)(?<![\w/])(?:{'|'.join(map(re.escape, words))})[ \t]*:?[ \t]*$"))
            for name, words in zip(("results", "author_remarks", "reviewer_remarks"), sub, strict=True)
        ),
        status=re.compile(rf"\b(?:{'|'.join(map(re.escape, data['status_markers']))})\b"),
        designs=tuple((re.compile(d["pattern"], re.I), d["design"]) for d in data["designs"]),
        pico=tuple((k, re.compile(rf"^\s*(?:{'|'.join(v)})\s*", re.I)) for k, v in data["pico"].items()),
        review_period=tuple(re.compile(p, re.I) for p in data["review_period"]),
        baseline=any_of(data["baseline_markers"], flags=re.I),
        treatment=any_of(data["treatment_markers"], flags=re.I),
        recommendation=any_of(data["recommendation_cues"]),
        strength=re.compile(data["strength"], re.I),
        label_citation=re.compile(data["label_citation"]),
        label_issuers=tuple(data["label_issuers"]),
        label_sections={str(k): v for k, v in data["label_sections"].items()},
        organisation=re.compile(
            r"^\s*(?P<org>(?=[A-ZÀ-Þ])[^.\d]{0,120}?\b(?:"
            + "|".join(map(re.escape, data["organisation_words"]))
            + r")\b[^.\d]{0,80}?)\.(?:\s*$|\s+(?=[A-ZÀ-Þ0-9]))"
        ),
        case_counts=tuple((re.compile(c["pattern"], re.I), int(c["n"])) for c in data["case_counts"]),
        risk_factors=tuple(re.compile(p, re.I) for p in data["risk_factor_phrases"]),
        frequency_band=re.compile(data["frequency_bands"], re.I),
        aim=any_of(data["aim_phrases"], flags=re.I),
    )
