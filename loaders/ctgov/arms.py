"""Arms and results groups: which group received which drug, and so what role its numbers play.

A registry record states arms once (``armsInterventionsModule.armGroups``: a type and the
interventions given), and results groups four times (participant flow ``FG…``, baseline
``BG…``, outcome measures ``OG…``, adverse events ``EG…``) with titles that rarely equal an
arm label ("1 Placebo" / "Placebo" / "Patients Who Received Placebo").  A group's role comes
from what it *received* — the arm's type and interventions, and drugs its title names — not
from words in its title: "Placebo->OL CZP" received open-label certolizumab and is treated,
"Placebo qw" of an arm typed EXPERIMENTAL that received only a placebo is a comparator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from graph.dose import Dose, find_dose

__all__ = ["Arm", "GroupRole", "Intervention", "group_role", "match_arm", "mentioned", "sequence_parts"]

#: Roles a group's numbers play.
TREATMENT = "treatment"
ACTIVE_COMPARATOR = "active comparator"
COMPARATOR = "comparator"
NO_INTERVENTION = "no intervention"
TOTAL = "total"
UNKNOWN = "unknown"

_COMPARATOR_TYPES = frozenset({"PLACEBO_COMPARATOR", "SHAM_COMPARATOR"})
_ENUMERATION = re.compile(r"^\s*(?:arm\s+|group\s+|cohort\s+)?(?:\d+|[A-Z])[.):]?\s+(?=\S)", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9µ]+")
_STOP = frozenset({"the", "a", "an", "of", "and", "or", "with", "to", "for", "in", "on", "at", "by", "who", "were"})
_SEQUENCE = re.compile(r"\s*(?:->|→|=>|-->|\bthen\b|\bfollowed by\b|\bswitched to\b)\s*", re.IGNORECASE)
#: "Placebo (for Dupilumab)", "placebo matching dupilumab": a drug named only as what the placebo imitates.
_MIMICKED = re.compile(r"placebo\s*(?:\((?:for|to|of|matching)\s[^)]*\)|(?:for|to|matching|of)\s+[\w-]+)", re.I)


@dataclass(frozen=True)
class Intervention:
    """One protocol intervention: its names, and the drug node it is (``None``: placebo or not a drug)."""

    name: str
    type: str | None
    names: tuple[str, ...]
    drug: str | None
    placebo: bool


@dataclass(frozen=True)
class Arm:
    """One protocol arm: label, type, description and the names of the interventions it received."""

    label: str
    type: str | None
    description: str
    interventions: tuple[str, ...]

    def describe(self) -> str:
        given = ", ".join(self.interventions)
        return f"{self.label} [{self.type or 'type not given'}{'; ' + given if given else ''}]"


@dataclass(frozen=True)
class GroupRole:
    """What one results group received and the role its numbers play."""

    group_id: str
    title: str
    arm: Arm | None
    drugs: tuple[str, ...]
    role: str
    dose: Dose | None = None
    regimen: str | None = None  # "placebo, then certolizumab pegol" for a sequence group

    @property
    def treated(self) -> bool:
        return bool(self.drugs) and self.role in {TREATMENT, ACTIVE_COMPARATOR}


def _normal(text: str) -> str:
    return " ".join(_TOKEN.findall(_ENUMERATION.sub("", text).casefold()))


def _tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text.casefold()) if t not in _STOP and len(t) > 1}


def match_arm(title: str, description: str, arms: list[Arm]) -> Arm | None:
    """The arm a results group is: equal label (ignoring numbering and case), else the clear best by words."""
    if not arms:
        return None
    wanted = _normal(title)
    exact = [a for a in arms if _normal(a.label) == wanted]
    if len(exact) == 1:
        return exact[0]
    group_words = _tokens(f"{title} {description}")
    title_words = _tokens(title)
    if not group_words:
        return None
    scored = []
    for arm in arms:
        arm_words = _tokens(f"{arm.label} {arm.description}")
        label_words = _tokens(arm.label)
        union = group_words | arm_words
        score = len(group_words & arm_words) / len(union) if union else 0.0
        if title_words and label_words:
            score += len(title_words & label_words) / len(title_words | label_words)
        scored.append((score, arm))
    scored.sort(key=lambda sa: sa[0], reverse=True)
    best, arm = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return arm if best >= 0.35 and best - runner_up >= 0.1 else None


def sequence_parts(title: str) -> list[str]:
    """The treatments of a sequence group in order ("Placebo->OL CZP" → ["Placebo", "OL CZP"])."""
    parts = [p.strip() for p in _SEQUENCE.split(title) if p and p.strip()]
    return parts if len(parts) > 1 else [title]


def mentioned(text: str, interventions: Iterable[Intervention]) -> set[str]:
    found = set()
    folded = text.casefold()
    for item in interventions:
        if item.drug is None:
            continue
        for name in item.names:
            if name and re.search(rf"(?<![\w-]){re.escape(name.casefold())}(?![\w])", folded):
                found.add(item.drug)
                break
    return found


def group_role(
    group_id: str,
    title: str,
    description: str,
    *,
    arms: list[Arm],
    interventions: list[Intervention],
    single_group_study: bool = False,
) -> GroupRole:
    """The arm, drugs and role of one results group (see the module docstring for the rule)."""
    if _normal(title) == "total" or description.casefold().startswith("total of all"):
        return GroupRole(group_id, title, None, (), TOTAL)
    by_name = {n.casefold(): i for i in interventions for n in i.names}
    arm = match_arm(title, description, arms)
    arm_items = [by_name.get(n.split(":", 1)[-1].strip().casefold()) for n in (arm.interventions if arm else ())]
    arm_drugs = {i.drug for i in arm_items if i is not None and i.drug}
    arm_placebo = any(i is not None and i.placebo for i in arm_items)
    parts = sequence_parts(title)
    part_drugs = [mentioned(part, interventions) for part in parts]
    drugs = arm_drugs | set().union(*part_drugs)
    if not drugs and arm is None:
        drugs = mentioned(_MIMICKED.sub(" ", description), interventions)
    regimen = None
    if len(parts) > 1:
        names = {i.drug: i.name for i in interventions if i.drug}
        steps = [
            ", ".join(sorted(names[d] for d in found)) or part for part, found in zip(parts, part_drugs, strict=True)
        ]
        regimen = ", then ".join(steps)
    if not drugs and arm is None and single_group_study:
        drugs = {i.drug for i in interventions if i.drug}
    if drugs:
        role = ACTIVE_COMPARATOR if arm is not None and arm.type == "ACTIVE_COMPARATOR" else TREATMENT
    elif arm is not None and arm.type == "NO_INTERVENTION":
        role = NO_INTERVENTION
    elif (arm is not None and (arm.type in _COMPARATOR_TYPES or arm_placebo)) or (
        arm is None and any(i.placebo and _mentioned_name(title, i) for i in interventions)
    ):
        role = COMPARATOR
    else:
        role = UNKNOWN
    dose = None
    if drugs:  # the dose the group's own words state, then its arm's
        for text in (title, arm.label if arm else "", description, arm.description if arm else ""):
            dose = find_dose(_MIMICKED.sub(" ", text))
            if dose is not None and dose.value is not None:
                break
    return GroupRole(group_id, title, arm, tuple(sorted(drugs)), role, dose, regimen)


def _mentioned_name(text: str, item: Intervention) -> bool:
    folded = text.casefold()
    return any(re.search(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", folded) for n in item.names if n)
