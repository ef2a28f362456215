"""The weighing rules as data: ``graph/data/evidence_weights.yaml``, validated and shown.

Weights and GRADE thresholds are a judgement, so they live in a file a curator can read
and change; :func:`weights_table` gives the rows every report and the explorer print.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.errors import LoadError

__all__ = ["LEVELS", "DesignRule", "Weights", "WeightsRow", "design_of", "load_weights", "weights_table"]

#: Certainty levels, lowest first; an index into this tuple is a level.
LEVELS: tuple[str, ...] = ("very low", "low", "moderate", "high")

_Level = str


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DesignRule(_Strict):
    key: str
    label: str
    match: tuple[str, ...] = ()
    weight: float = Field(gt=0)
    start: _Level
    primary: bool


class _Quality(_Strict):
    mark: str
    levels: dict[int, _Level]


class _SizeBand(_Strict):
    below: int | None
    factor: float = Field(gt=0)


class _Imprecision(_Strict):
    serious_below_n: int
    very_serious_below_n: int


class _Inconsistency(_Strict):
    contradicting_weight_share: float = Field(ge=0, le=1)
    i2_above: float = Field(ge=0, le=1)


class _Indirectness(_Strict):
    direct_weight_share: float = Field(ge=0, le=1)


class _Down(_Strict):
    imprecision: _Imprecision
    inconsistency: _Inconsistency
    indirectness: _Indirectness


class _LargeEffect(_Strict):
    min_lower_bound: float = Field(gt=0, lt=1)


class _Up(_Strict):
    large_effect: _LargeEffect


class _Pooling(_Strict):
    outcome_qualifiers: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    infer_zero_events_from_contradicting: bool = True


class Weights(_Strict):
    """The whole rule file; ``levels`` must be :data:`LEVELS`."""

    version: int
    certainty_levels: tuple[str, ...]
    designs: tuple[DesignRule, ...]
    unknown_design: DesignRule
    guideline_quality: _Quality
    size_factors: tuple[_SizeBand, ...]
    unknown_size_factor: float = Field(gt=0)
    rating_down: _Down
    rating_up: _Up
    pooling: _Pooling

    def model_post_init(self, _context: Any) -> None:
        if self.certainty_levels != LEVELS:
            raise ValueError(f"certainty_levels must be {list(LEVELS)}")
        for rule in (*self.designs, self.unknown_design):
            if rule.start not in LEVELS:
                raise ValueError(f"design {rule.key}: start {rule.start!r} is not one of {list(LEVELS)}")

    def size_factor(self, n: int | None) -> float:
        """How much a primary study's size scales its design weight."""
        if n is None:
            return self.unknown_size_factor
        for band in self.size_factors:
            if band.below is None or n < band.below:
                return band.factor
        return self.size_factors[-1].factor


def design_of(weights: Weights, evidence: dict[str, Any]) -> DesignRule:
    """The design rule for a study or guideline node (first matching rule wins)."""
    text = evidence.get("design") or evidence.get("guideline_type")
    if not text and evidence.get("kind") == "Guideline":
        text = "guideline"
    lowered = str(text or "").casefold()
    if lowered:
        for rule in weights.designs:
            if any(word in lowered for word in rule.match):
                return rule
    return weights.unknown_design


def quality_level(weights: Weights, evidence: dict[str, Any]) -> str | None:
    """A guideline's own grade of its evidence ("⚫⚫⚫⚫" → high), if it gives one."""
    quality = evidence.get("quality")
    if not isinstance(quality, str):
        return None
    return weights.guideline_quality.levels.get(quality.count(weights.guideline_quality.mark))


@functools.cache
def _default() -> Weights:
    text = resources.files("graph").joinpath("data/evidence_weights.yaml").read_text(encoding="utf-8")
    return _parse(text, "graph/data/evidence_weights.yaml")


def load_weights(path: Path | None = None) -> Weights:
    """The packaged rules, or a curator's own file."""
    if path is None:
        return _default()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"cannot read weights file {path}: {exc.strerror or exc}", path=str(path)) from exc
    return _parse(text, str(path))


def _parse(text: str, where: str) -> Weights:
    try:
        return Weights.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError, ValueError) as exc:
        raise LoadError(f"{where}: not a valid weights file: {exc}", path=where) from exc


@dataclass(frozen=True)
class WeightsRow:
    design: str
    weight: float
    start: str
    counts_patients: bool
    matches: str


def weights_table(weights: Weights) -> list[WeightsRow]:
    """The design weights as rows, highest weight first, for reports and the explorer."""
    rules = sorted((*weights.designs, weights.unknown_design), key=lambda r: -r.weight)
    return [WeightsRow(r.label, r.weight, r.start, r.primary, ", ".join(r.match)) for r in rules]
