"""Real ClinicalTrials.gov records the loader was not written against, scored fact by fact.

The facts are listed from the JSON here, independently of the loader: every arm, every
outcome-measure and baseline cell (group, value, dispersion, role), every analysis (p-value,
estimate), every adverse-event cell and per-group total, every baseline group size and
participant-flow count.  A fact is read when a figure carries it; a figure that names the
cell's group but holds another number or role is *wrong*, which must never happen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.model import EdgeType, Node, NodeKind
from loaders import load_path
from tests.shared_data import CTGOV, needs

DATA = Path(__file__).resolve().parents[1] / "data" / "ctgov"
RECORDS = [
    DATA / "NCT03064438_acu_d1_rosacea.json",  # drug against vehicle: measures by week, analyses, AE terms
    DATA / "NCT05594173_chewing_observational.json",  # observational, no drug, one AE group, six outcome groups
    DATA / "NCT03722472_id93_vaccine_two_presentations.json",  # a biological in both arms, CIs as limits
]
#: Roles of groups that received the drug: their adverse events support drug → event.
TREATED = {"treatment", "active comparator"}
#: Registry arm types and the role a group given that arm has (the vehicle/placebo arm is the comparator).
ROLE_OF_ARM_TYPE = {
    "EXPERIMENTAL": "treatment",
    "ACTIVE_COMPARATOR": "active comparator",
    "PLACEBO_COMPARATOR": "comparator",
    "SHAM_COMPARATOR": "comparator",
    "NO_INTERVENTION": "comparator",
}


@dataclass(frozen=True)
class Fact:
    kind: str
    group: str
    label: tuple[str, ...]  # words the figure's label must contain, the measure's title first
    value: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    dispersion: float | None = None
    p_value: str | None = None
    role: str | None = None
    props: tuple[tuple[str, object], ...] = ()  # further properties the figure must carry as stated


def _number(text: object) -> float | None:
    try:
        return float(str(text))
    except ValueError:
        return None


def _roles(record: dict) -> dict[str, str]:
    """Group title → role, from the arms' labels and types ("Total" is the total)."""
    arms = record["protocolSection"].get("armsInterventionsModule", {}).get("armGroups", [])
    return {arm["label"].casefold(): _arm_role(arm) for arm in arms} | {"total": "total"}


def _arm_role(arm: dict) -> str:
    """An arm given only a placebo or vehicle is the comparator whatever its type ("Placebo qw", EXPERIMENTAL)."""
    given = [name.split(":", 1)[-1].casefold() for name in arm.get("interventionNames", [])]
    if given and all(re.search(r"\b(?:placebo|vehicle|sham)\b", name) for name in given):
        return "comparator"
    return ROLE_OF_ARM_TYPE[arm["type"]]


def _role_of(roles: dict[str, str], title: str) -> str | None:
    """The role of the one arm whose label's words are all in the group's title ("Single-vial ID93 + GLA-SE"
    is the group "Single-vial Presentation ID93 + GLA-SE"); ``None`` when no arm or several fit."""
    words = set(title.casefold().split())
    if title.casefold() in roles:
        return roles[title.casefold()]
    fitting = [role for label, role in roles.items() if set(label.split()) <= words]
    return fitting[0] if len(fitting) == 1 else None


def facts(record: dict) -> Iterator[Fact]:
    results = record["resultsSection"]
    roles = _roles(record)

    def role(groups: list[dict], gid: str) -> str | None:
        return _role_of(roles, next(g["title"] for g in groups if g["id"] == gid))

    for arm in record["protocolSection"].get("armsInterventionsModule", {}).get("armGroups", []):
        yield Fact("arm", "", (f"{arm['label']} [{arm['type']}",))
    for module, measures, kind in (
        ("outcomeMeasuresModule", "outcomeMeasures", "measure"),
        ("baselineCharacteristicsModule", "measures", "baseline"),
    ):
        for measure in results[module][measures]:
            groups = measure.get("groups") or results[module]["groups"]  # outcome measures name their own
            for klass in measure.get("classes", []):
                for category in klass["categories"]:
                    for cell in category["measurements"]:
                        words = (measure["title"], klass.get("title", ""), category.get("title", ""))
                        stated = {
                            "unit": measure.get("unitOfMeasure"),
                            "param_type": measure.get("paramType"),
                            "time_frame": measure.get("timeFrame"),
                            "lower_limit": _number(cell.get("lowerLimit", "")),
                            "upper_limit": _number(cell.get("upperLimit", "")),
                        }
                        yield Fact(
                            kind,
                            cell["groupId"],
                            tuple(w for w in words if w),
                            value=_number(cell["value"]),
                            dispersion=_number(cell["spread"]) if "spread" in cell else None,
                            role=role(groups, cell["groupId"]),
                            props=tuple((k, v) for k, v in stated.items() if v is not None),
                        )
            for analysis in measure.get("analyses", []):
                yield Fact(
                    "analysis",
                    ",".join(analysis["groupIds"]),
                    (measure["title"],),
                    value=_number(analysis["paramValue"]) if "paramValue" in analysis else None,
                    p_value=analysis.get("pValue"),
                    role="comparison",
                    props=tuple(
                        (k, v)
                        for k, v in (
                            ("method", analysis.get("statisticalMethod")),
                            ("ci_lower", _number(analysis.get("ciLowerLimit", ""))),
                            ("ci_upper", _number(analysis.get("ciUpperLimit", ""))),
                        )
                        if v is not None
                    ),
                )
    baseline = results["baselineCharacteristicsModule"]
    for count in baseline["denoms"][0]["counts"]:
        yield Fact("baseline n", count["groupId"], ("Baseline group size",), value=float(count["value"]))
    flow = results["participantFlowModule"]
    for period in flow["periods"]:
        for milestone in period["milestones"]:
            for got in milestone["achievements"]:
                yield Fact(
                    "flow",
                    got["groupId"],
                    (period["title"], milestone["type"].lower()),
                    value=float(got["numSubjects"]),
                    role=role(flow["groups"], got["groupId"]),
                )
    events = results["adverseEventsModule"]
    for group in events["eventGroups"]:
        for field, label in (
            ("serious", "Participants with serious adverse events"),
            ("other", "Participants with other (non-serious) adverse events"),
            ("deaths", "Deaths, all causes"),
        ):
            if f"{field}NumAtRisk" in group:
                yield Fact(
                    "adverse-event total",
                    group["id"],
                    (label, "group total"),
                    numerator=group[f"{field}NumAffected"],
                    denominator=group[f"{field}NumAtRisk"],
                    role=_role_of(roles, group["title"]),
                )
    for key, severity in (("seriousEvents", "serious"), ("otherEvents", "other")):
        for event in events.get(key, []):
            for stat in event["stats"]:
                yield Fact(
                    "adverse event",
                    stat["groupId"],
                    (f"{event['term']} ({severity} adverse event)",),
                    numerator=stat["numAffected"],
                    denominator=stat["numAtRisk"],
                    role=role(events["eventGroups"], stat["groupId"]),
                )


def _matches(fact: Fact, fig: Node) -> bool:
    p = fig.props
    label = str(p.get("label", ""))
    return (
        p.get("result_group") == fact.group and label.startswith(fact.label[0]) and all(w in label for w in fact.label)
    )


def _agrees(fact: Fact, fig: Node) -> bool:
    p = fig.props
    checks = [
        (fact.value, p.get("value")),
        (fact.numerator, p.get("numerator")),
        (fact.denominator, p.get("denominator")),
        (fact.dispersion, p.get("dispersion")),
        (fact.p_value, p.get("p_value")),
        (fact.role, p.get("arm")),
        *((want, p.get(name)) for name, want in fact.props),
    ]
    return all(want is None or want == got for want, got in checks)


def score(path: Path) -> tuple[int, int, list[Fact], list[tuple[Fact, Node]]]:
    """(facts read, facts, facts missed, facts read wrong) for one record."""
    record = json.loads(path.read_text(encoding="utf-8"))
    (doc,) = load_path(path)
    figures = [n for n in doc.nodes if n.kind is NodeKind.FIGURE]
    study = next(n for n in doc.nodes if n.kind is NodeKind.STUDY)
    used: set[str] = set()
    read, total, missed, wrong = 0, 0, [], []
    for fact in facts(record):
        total += 1
        if fact.kind == "arm":
            if fact.label[0] in str(study.props.get("arms", "")):
                read += 1
            else:
                missed.append(fact)
            continue
        candidates = [f for f in figures if f.id not in used and _matches(fact, f)]
        right = next((f for f in candidates if _agrees(fact, f)), None)
        if right is not None:
            used.add(right.id)
            read += 1
        elif candidates:
            wrong.append((fact, candidates[0]))
        else:
            missed.append(fact)
    return read, total, missed, wrong


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem.split("_")[0])
def test_unseen_record_scores_at_least_097_with_nothing_wrong(path):
    read, total, missed, wrong = score(path)
    assert total > 30
    assert not wrong, [(f, w.props) for f, w in wrong[:3]]
    assert read / total >= 0.97, missed[:5]


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem.split("_")[0])
def test_unseen_record_stances_are_events_in_treated_groups(path):
    """A SUPPORTS edge only for an event someone in a treated group had; no CONTRADICTS from counts."""
    record = json.loads(path.read_text(encoding="utf-8"))
    (doc,) = load_path(path)
    roles = _roles(record)
    groups = {
        g["id"]: _role_of(roles, g["title"]) for g in record["resultsSection"]["adverseEventsModule"]["eventGroups"]
    }
    stances = [e for e in doc.edges if e.type in {EdgeType.SUPPORTS, EdgeType.CONTRADICTS}]
    for edge in stances:
        assert edge.type is EdgeType.SUPPORTS
        cell = json.loads(edge.provenance.quote or "{}")
        assert cell["numAffected"] > 0 and groups[cell["groupId"]] in TREATED, cell
    treated_events = {
        event["term"]
        for key in ("seriousEvents", "otherEvents")
        for event in record["resultsSection"]["adverseEventsModule"].get(key, [])
        if any(s["numAffected"] > 0 and groups[s["groupId"]] in TREATED for s in event["stats"])
    }
    assert len(stances) == len(treated_events)


@needs(CTGOV / "NCT02210780.json")
@pytest.mark.parametrize("name", ["NCT02210780.json", "NCT00763412.json"])
def test_the_shared_records_score_the_same_way(name):
    """The records the loader was written against, through the same independent count."""
    _read, total, missed, wrong = score(CTGOV / name)
    assert not wrong and not missed and total > 100
