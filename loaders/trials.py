"""Registry vocabulary shared by the trial loaders: statuses, phases, designs, placebo arms.

A ClinicalTrials.gov record and a digest of the same trial must give the Study node the
same values (``TERMINATED``, ``Phase 3``), or a researcher filtering on them would see
the trial twice or not at all.  ClinicalTrials.gov's own enum values are the canonical form.
"""

from __future__ import annotations

import re

__all__ = [
    "ALLOCATIONS",
    "CLOSED_STATUSES",
    "OVERALL_STATUSES",
    "PHASES",
    "STUDY_TYPES",
    "is_placebo",
    "phase_label",
    "status_from_text",
    "trial_design",
    "trial_url",
]

#: ``statusModule.overallStatus`` values of API v2.
OVERALL_STATUSES = frozenset(
    {
        "ACTIVE_NOT_RECRUITING",
        "COMPLETED",
        "ENROLLING_BY_INVITATION",
        "NOT_YET_RECRUITING",
        "RECRUITING",
        "SUSPENDED",
        "TERMINATED",
        "WITHDRAWN",
        "AVAILABLE",
        "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING",
        "WITHHELD",
        "UNKNOWN",
    }
)
#: Statuses after which a completion date is the date the trial ended.
CLOSED_STATUSES = frozenset({"COMPLETED", "TERMINATED", "WITHDRAWN"})
#: ``designModule.phases`` values.
PHASES = frozenset({"NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"})
#: ``designModule.designInfo.allocation`` values.
ALLOCATIONS = frozenset({"RANDOMIZED", "NON_RANDOMIZED", "NA"})
#: ``designModule.studyType`` values.
STUDY_TYPES = frozenset({"INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"})

_PLACEBO = re.compile(r"\b(placebo|vehicle|sham|no (treatment|intervention)|untreated)\b", re.IGNORECASE)
_STATUS_WORDS = {
    "terminated": "TERMINATED",
    "stopped early": "TERMINATED",
    "completed": "COMPLETED",
    "withdrawn": "WITHDRAWN",
    "suspended": "SUSPENDED",
    "recruiting": "RECRUITING",
}


def phase_label(phases: list[str]) -> str | None:
    """``["PHASE2", "PHASE3"]`` → ``"Phase 2/3"``; ``["NA"]`` → ``None`` (no phase applies)."""
    numbers = []
    early = False
    for phase in phases:
        if phase == "EARLY_PHASE1":
            early = True
        elif phase.startswith("PHASE") and phase[5:].isdigit():
            numbers.append(phase[5:])
    if early and not numbers:
        return "Early Phase 1"
    return "Phase " + "/".join(numbers) if numbers else None


def trial_design(
    study_type: str | None, allocation: str | None, *, arms: int = 0, registry: bool = False
) -> str | None:
    """A design name in the words PubMed publication types use, so sources agree."""
    if study_type == "OBSERVATIONAL":
        return "registry" if registry else "observational study"
    if study_type == "EXPANDED_ACCESS":
        return "expanded access"
    if study_type != "INTERVENTIONAL":
        return None
    if allocation == "RANDOMIZED":
        return "randomized controlled trial"
    if allocation == "NON_RANDOMIZED":
        return "non-randomized controlled trial"
    return "single-arm trial" if arms == 1 else "clinical trial"


def status_from_text(text: str) -> str | None:
    """The registry status a sentence reports ("was terminated in March 2010" → ``TERMINATED``)."""
    lowered = text.casefold()
    for word, status in _STATUS_WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            return status
    return None


def is_placebo(text: str) -> bool:
    """True for placebo, vehicle, sham and no-treatment arms: they are comparators, not drugs."""
    return bool(_PLACEBO.search(text))


def trial_url(nct_id: str) -> str:
    return f"https://clinicaltrials.gov/study/{nct_id}"
