"""A study's posted results as Figures: flow, baseline, every outcome measure and analysis, adverse events.

Every number keeps its results group (``OG001``), the group's role (treatment, comparator…),
what it summarises (parameter type, unit, dispersion and its type, time frame) and its quote:
the compact JSON of the measurement, found at its place in the record.  Figures of treated
groups MEASURE the finding "drug → outcome"; figures of comparator groups measure the same
finding, so the arms can be read side by side.  A study with no drug intervention keeps its
numbers too: they are reported by the study and sit in its population, with no drug claim,
because the evidence model's claims are about drugs and a device or a procedure is not one.

Longer than our ~400-line habit on purpose: the four results modules (flow, baseline, outcome
measures with their analyses, adverse events) share one walk over groups, categories and
measurements, and each figure's quote is found the same way; arms are in :mod:`loaders.ctgov.arms`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graph.model import EdgeType, NodeKind, Scalar
from loaders.base import DocumentBuilder
from loaders.ctgov.arms import (
    COMPARATOR,
    TREATMENT,
    Arm,
    GroupRole,
    Intervention,
    group_role,
    mentioned,
    sequence_parts,
)
from loaders.ctgov.fields import Fields, number
from loaders.ctgov.stream import dumps

__all__ = ["ResultsReader"]

_MEASURE_TYPES = {
    "PRIMARY": "primary",
    "SECONDARY": "secondary",
    "OTHER_PRE_SPECIFIED": "other pre-specified",
    "POST_HOC": "post hoc",
}
_TOTALS = (
    ("serious", "Participants with serious adverse events (group total)", "serious adverse events"),
    ("other", "Participants with other (non-serious) adverse events (group total)", "adverse events"),
    ("deaths", "Deaths, all causes (group total)", "death"),
)


@dataclass
class ResultsReader:
    """Reads ``resultsSection`` of one study into its builder."""

    b: DocumentBuilder
    f: Fields
    study: str
    population: str | None
    arms: list[Arm]
    interventions: list[Intervention]
    concept: Callable[[str, NodeKind], str]
    finding: Callable[[str, str, str | None, int | None], str]
    supported: set[str] = field(default_factory=set)
    _roles: dict[tuple[str, str, str, bool], GroupRole] = field(default_factory=dict)
    _group_extras: dict[int, tuple[GroupRole, dict[str, Scalar]]] = field(default_factory=dict)

    @functools.cached_property
    def study_drugs(self) -> list[str]:
        """The study's drugs (its interventions are read before its results, and never change here)."""
        return sorted({i.drug for i in self.interventions if i.drug})

    def read(self, results: dict[str, Any]) -> None:
        for key, reader in (
            ("participantFlowModule", self._flow),
            ("baselineCharacteristicsModule", self._baseline),
            ("outcomeMeasuresModule", self._outcomes),
            ("adverseEventsModule", self._adverse_events),
        ):
            module = self.f.get(results, key, dict, where="resultsSection.")
            if module is not None:
                reader(module, f"resultsSection.{key}.")

    # -- groups --------------------------------------------------------------------
    def roles(self, module: dict[str, Any], key: str, where: str) -> dict[str, GroupRole]:
        groups = [g for g in self.f.items(module, key, where=where) if isinstance(g.get("id"), str)]
        real = [g for g in groups if self.f.text(g, "title").casefold() != "total"]
        out = {}
        for g in groups:  # the same group recurs in every measure: its role is worked out once
            title = self.f.text(g, "title", where=where) or g["id"]
            description = self.f.text(g, "description", where=where)
            known = (g["id"], title, description, len(real) == 1)
            role = self._roles.get(known)
            if role is None:
                role = self._roles[known] = group_role(
                    g["id"],
                    title,
                    description,
                    arms=self.arms,
                    interventions=self.interventions,
                    single_group_study=len(real) == 1,
                )
            out[g["id"]] = role
        return out

    def group_of(self, cell: dict[str, Any], roles: dict[str, GroupRole], field: str, what: str) -> GroupRole | None:
        """The group a result cell names, or ``None`` with a warning naming the field (the cell is skipped)."""
        gid = cell.get("groupId")
        group = roles.get(gid) if isinstance(gid, str) else None
        if group is None:
            self.f.warnings.append(f"{self.f.label}: field {field}: {gid!r} is not {what}; skipped")
        return group

    def locate(self, value: Any, after: int) -> int:
        """Where the compact JSON of ``value`` starts at or after ``after`` (-1 when absent).

        Large objects are found by the start of their JSON (their first keys): any prefix of
        a sub-object's compact form is in the record's text, and serialising a whole measure
        only to find where it starts would dominate the load time.
        """
        if isinstance(value, dict) and len(value) > 3:
            head = dumps(dict(itertools.islice(value.items(), 2)))[:-1]
            return self.b.text.find(head, max(after, 0))
        return self.b.text.find(dumps(value), max(after, 0))

    def place(self, cell: dict[str, Any], after: int) -> tuple[str, int]:
        """A result cell's quote (its compact JSON) and :meth:`locate`'s answer, serialising the cell once."""
        quote = dumps(cell)
        if len(cell) > 3:
            return quote, self.locate(cell, after)
        return quote, self.b.text.find(quote, max(after, 0))

    # -- figures --------------------------------------------------------------------
    def figure(
        self,
        key: str,
        group: GroupRole | None,
        *,
        label: str,
        value: float | None,
        quote: str,
        start: int,
        outcome: str | None,
        support: str | None = None,
        **props: Scalar,
    ) -> str:
        """One number of one group; it MEASURES the finding drug → ``outcome`` for each drug it concerns."""
        extra: dict[str, Scalar] = {k: v for k, v in props.items() if v is not None}
        at = start if start >= 0 else None
        if group is not None:
            for name, group_value in self._group_props(group).items():  # what the cell does not state itself
                if name not in extra:
                    extra[name] = group_value
        population = group.title if group is not None else props.get("population")
        extra.pop("population", None)
        fig = self.b.add_figure(
            self.study,
            None,
            label=label,
            value=value,
            population=str(population) if population else None,
            quote=quote,
            start=at,
            key=key,
            **extra,
        )
        if not self.study_drugs and self.population:  # no drug to claim anything about: keep it in its population
            self.b.add_edge(EdgeType.IN_POPULATION, fig, self.population, quote=quote, start=at)
        if outcome is None:
            return fig
        treated = group is not None and group.treated
        drugs = group.drugs if treated else ()  # type: ignore[union-attr]
        if not drugs and (group is None or group.role != "total"):
            drugs = self.study_drugs
        for drug in drugs:
            finding = self.finding(drug, outcome, quote, at)
            self.b.add_edge(EdgeType.MEASURES, fig, finding, quote=quote, start=at)
            if support and treated and finding not in self.supported:
                self.supported.add(finding)
                self.b.add_edge(EdgeType.SUPPORTS, self.study, finding, quote=quote, start=at, props={"note": support})
        return fig

    def _group_props(self, group: GroupRole) -> dict[str, Scalar]:
        """A group's properties on each of its figures (group id, role, dose, regimen), worked out once a group."""
        known = self._group_extras.get(id(group))
        if known is not None and known[0] is group:
            return known[1]
        out: dict[str, Scalar] = {"result_group": group.group_id, "arm": group.role}
        if group.dose is not None and group.treated:
            for name, dose_value in group.dose.props().items():
                out.setdefault(name, dose_value)
        if group.regimen and "dose_regimen" not in out:  # a dose's own regimen, even an empty one, wins
            out["dose_regimen"] = group.regimen
        self._group_extras[id(group)] = (group, out)  # the group is held, so its id is not reused
        return out

    # -- participant flow ---------------------------------------------------------------
    def _flow(self, module: dict[str, Any], where: str) -> None:
        roles = self.roles(module, "groups", where)
        periods = self.f.items(module, "periods", where=where)
        cursor = self.b.text.find('"participantFlowModule"')
        for p, period in enumerate(periods):
            title = self.f.text(period, "title") or f"period {p + 1}"
            cursor = max(cursor, self.locate(period, cursor))
            for m, milestone in enumerate(self.f.items(period, "milestones", where=f"{where}periods[{p}].")):
                kind = self.f.text(milestone, "type") or "milestone"
                spot = f"{where}periods[{p}].milestones[{m}]."
                for a, count in enumerate(self.f.items(milestone, "achievements", where=spot)):
                    group = self.group_of(count, roles, f"{spot}achievements[{a}].groupId", "a flow group")
                    if group is None:
                        continue
                    gid = count["groupId"]
                    group = _in_period(group, p, len(periods), self.interventions)
                    quote, start = self.place(count, cursor)
                    cursor = max(cursor, start)
                    self.figure(
                        f"flow|{p}|{m}|{a}|{gid}",
                        group,
                        label=f"{title}: {kind.lower()}",
                        value=number(count.get("numSubjects")),
                        unit="participants",
                        category=title,
                        measure_type="participant flow",
                        quote=quote,
                        start=start,
                        outcome=None,
                    )

    # -- baseline ------------------------------------------------------------------------
    def _baseline(self, module: dict[str, Any], where: str) -> None:
        roles = self.roles(module, "groups", where)
        cursor = self.b.text.find('"baselineCharacteristicsModule"')
        for d, denom in enumerate(self.f.items(module, "denoms", where=where)):
            units = self.f.text(denom, "units") or "participants"
            for c, count in enumerate(self.f.items(denom, "counts", where=f"{where}denoms[{d}].")):
                group = roles.get(count.get("groupId")) if isinstance(count.get("groupId"), str) else None
                if group is None:
                    continue
                quote, start = self.place(count, cursor)
                cursor = max(cursor, start)
                self.figure(
                    f"baseline-n|{d}|{c}|{group.group_id}",
                    group,
                    label=f"Baseline group size ({units.lower()})",
                    value=number(count.get("value")),
                    unit=units.lower(),
                    measure_type="baseline",
                    quote=quote,
                    start=start,
                    outcome=None,
                )
        for i, measure in enumerate(self.f.items(module, "measures", where=where)):
            cursor = max(cursor, self.locate(measure, cursor))
            self._measure(measure, roles, f"{where}measures[{i}].", f"baseline|{i}", cursor, measure_type="baseline")

    # -- outcome measures ------------------------------------------------------------------
    def _outcomes(self, module: dict[str, Any], where: str) -> None:
        cursor = self.b.text.find('"outcomeMeasuresModule"')
        for i, measure in enumerate(self.f.items(module, "outcomeMeasures", where=where)):
            spot = f"{where}outcomeMeasures[{i}]."
            title = self.f.text(measure, "title", where=spot)
            if not title:
                self.f.warnings.append(f"{self.f.label}: field {spot}title: missing; measure skipped")
                continue
            roles = self.roles(measure, "groups", spot)
            start = self.locate(measure, cursor)
            cursor = max(cursor, start)
            outcome = self.concept(title, NodeKind.OUTCOME)
            kind = self.f.text(measure, "type", where=spot)
            measure_type = _MEASURE_TYPES.get(kind, kind.lower().replace("_", " ") or None)
            self._measure(measure, roles, spot, f"om|{i}", cursor, measure_type=measure_type, outcome=outcome)
            for a, analysis in enumerate(self.f.items(measure, "analyses", where=spot)):
                self._analysis(
                    analysis, roles, title, outcome, f"{spot}analyses[{a}].", f"om|{i}|a{a}", cursor, measure_type
                )

    def _measure(
        self,
        measure: dict[str, Any],
        roles: dict[str, GroupRole],
        spot: str,
        key: str,
        cursor: int,
        *,
        measure_type: str | None,
        outcome: str | None = None,
    ) -> None:
        title = self.f.text(measure, "title", where=spot) or "measure"
        common: dict[str, Scalar] = {
            "measure_type": measure_type,
            "param_type": self.f.text(measure, "paramType", where=spot) or None,
            "dispersion_type": self.f.text(measure, "dispersionType", where=spot) or None,
            "unit": self.f.text(measure, "unitOfMeasure", where=spot) or None,
            "time_frame": self.f.text(measure, "timeFrame", where=spot) or None,
        }
        overall = _denominators(self.f, measure, spot)
        counts = common["param_type"] == "COUNT_OF_PARTICIPANTS"
        for c, klass in enumerate(self.f.items(measure, "classes", where=spot)):
            class_title = self.f.text(klass, "title")
            denominators = _denominators(self.f, klass, f"{spot}classes[{c}].") or overall
            for k, category in enumerate(self.f.items(klass, "categories", where=f"{spot}classes[{c}].")):
                category_title = self.f.text(category, "title")
                name = " — ".join(t for t in (class_title, category_title) if t) or None
                place = f"{spot}classes[{c}].categories[{k}]."
                for m, cell in enumerate(self.f.items(category, "measurements", where=place)):
                    group = self.group_of(cell, roles, f"{place}measurements[{m}].groupId", "a group of the measure")
                    if group is None:
                        continue
                    gid = cell["groupId"]
                    quote, start = self.place(cell, cursor)
                    cursor = max(cursor, start)
                    value = number(cell.get("value"))
                    denominator = denominators.get(gid)
                    numerator = int(value) if counts and value is not None and value.is_integer() else None
                    if numerator is not None and denominator is not None and not 0 <= numerator <= denominator:
                        numerator = None  # a count above its group size is not a proportion
                    self.figure(
                        f"{key}|{c}|{k}|{m}|{gid}",
                        group,
                        label=f"{title}" + (f" — {name}" if name else ""),
                        value=value,
                        numerator=numerator,
                        denominator=denominator,
                        dispersion=number(cell.get("spread")),
                        lower_limit=number(cell.get("lowerLimit")),
                        upper_limit=number(cell.get("upperLimit")),
                        category=name,
                        quote=quote,
                        start=start,
                        outcome=outcome,
                        **common,
                    )

    def _analysis(
        self,
        analysis: dict[str, Any],
        roles: dict[str, GroupRole],
        title: str,
        outcome: str,
        spot: str,
        key: str,
        cursor: int,
        measure_type: str | None,
    ) -> None:
        ids = [g for g in self.f.get(analysis, "groupIds", list, where=spot) or [] if isinstance(g, str)]
        compared = [roles[g] for g in ids if g in roles]
        treated = sorted({d for g in compared if g.treated for d in g.drugs})
        versus = self.f.text(analysis, "estimateComment") or " vs ".join(g.title for g in compared) or None
        param = self.f.text(analysis, "paramType", where=spot) or None
        start = self.locate(analysis, cursor)
        p_value = analysis.get("pValue")
        fig = self.b.add_figure(
            self.study,
            None,
            label=f"{title}: {param or 'analysis'}",
            value=number(analysis.get("paramValue")),
            population=versus,
            p_value=str(p_value)[:40]
            if isinstance(p_value, str | int | float) and not isinstance(p_value, bool)
            else None,
            arm="comparison",
            result_group=",".join(ids)[:200] or None,
            measure_type=measure_type,
            param_type=param,
            ci_level=number(analysis.get("ciPctValue")),
            ci_lower=number(analysis.get("ciLowerLimit")),
            ci_upper=number(analysis.get("ciUpperLimit")),
            dispersion=number(analysis.get("dispersionValue")),
            dispersion_type=self.f.text(analysis, "dispersionType") or None,
            method=self.f.text(analysis, "statisticalMethod") or None,
            quote=dumps(analysis) if start >= 0 else None,
            start=start if start >= 0 else None,
            key=key,
        )
        for drug in treated or self.study_drugs:
            finding = self.finding(drug, outcome, None, None)
            self.b.add_edge(EdgeType.MEASURES, fig, finding)

    # -- adverse events ----------------------------------------------------------------------
    def _adverse_events(self, module: dict[str, Any], where: str) -> None:
        roles = self.roles(module, "eventGroups", where)
        cursor = self.b.text.find('"adverseEventsModule"')
        groups = {g["id"]: g for g in self.f.items(module, "eventGroups", where=where) if isinstance(g.get("id"), str)}
        for gid, group in groups.items():
            at = self.locate(group, cursor)
            for kind, label, term in _TOTALS:
                affected = self.f.get(group, f"{kind}NumAffected", int, where=f"{where}eventGroups[{gid}].")
                at_risk = self.f.get(group, f"{kind}NumAtRisk", int, where=f"{where}eventGroups[{gid}].")
                if affected is None and at_risk is None:
                    continue
                proportion = at_risk is not None and at_risk > 0 and affected is not None and 0 <= affected <= at_risk
                quote = f'"{kind}NumAffected":{dumps(affected)},"{kind}NumAtRisk":{dumps(at_risk)}'
                start = self.b.text.find(quote, max(at, 0))
                if start < 0:
                    quote, start = dumps(group), at
                self.figure(
                    f"ae-total|{gid}|{kind}",
                    roles[gid],
                    label=label,
                    value=round(100 * affected / at_risk, 2) if proportion else None,
                    unit="%" if proportion else None,
                    numerator=affected if proportion else None,
                    denominator=at_risk if at_risk is not None and at_risk >= 0 else None,
                    measure_type="adverse events",
                    time_frame=self.f.text(module, "timeFrame") or None,
                    quote=quote,
                    start=start,
                    outcome=self.concept(term, NodeKind.OUTCOME),
                )
        for severity, key in (("serious", "seriousEvents"), ("other", "otherEvents")):
            for i, event in enumerate(self.f.items(module, key, where=where)):
                term = self.f.text(event, "term")
                if not term:
                    self.f.warnings.append(f"{self.f.label}: field {where}{key}[{i}].term: missing; event skipped")
                    continue
                start = self.locate(event, cursor)
                cursor = max(cursor, start)
                outcome = self.concept(term, NodeKind.OUTCOME) if self.study_drugs else None
                organ = self.f.text(event, "organSystem") or None
                for j, stat in enumerate(self.f.items(event, "stats", where=f"{where}{key}[{i}].")):
                    self._event(
                        stat,
                        roles,
                        term,
                        severity,
                        organ,
                        outcome,
                        start,
                        f"{where}{key}[{i}].stats[{j}]",
                        f"ae|{key}|{i}|{j}",
                    )

    def _event(
        self,
        stat: dict[str, Any],
        roles: dict[str, GroupRole],
        term: str,
        severity: str,
        organ: str | None,
        outcome: str | None,
        event_start: int,
        spot: str,
        key: str,
    ) -> None:
        affected = self.f.get(stat, "numAffected", int, where=spot + ".")
        at_risk = self.f.get(stat, "numAtRisk", int, where=spot + ".")
        group = self.group_of(stat, roles, f"{spot}.groupId", "an event group")
        if group is None:
            return
        if affected is None or not at_risk or affected < 0 or affected > at_risk:
            self.f.warnings.append(
                f"{self.f.label}: field {spot}: {affected!r} affected of {at_risk!r} at risk is not a proportion; skipped"
            )
            return
        quote, start = self.place(stat, event_start)
        self.figure(
            key,
            group,
            label=f"{term} ({severity} adverse event)",
            value=round(100 * affected / at_risk, 2),
            unit="%",
            numerator=affected,
            denominator=at_risk,
            category=organ,
            measure_type="adverse events",
            quote=quote,
            start=start,
            outcome=outcome,
            support="adverse event reported in the registry results" if affected > 0 else None,
        )


def _denominators(fields: Fields, obj: dict[str, Any], spot: str) -> dict[str, int]:
    """Group id → number analysed (the ``denoms`` entry counting participants, else the first)."""
    denoms = fields.items(obj, "denoms", where=spot)
    chosen = next(
        (d for d in denoms if str(d.get("units", "")).casefold() == "participants"), denoms[0] if denoms else None
    )
    out: dict[str, int] = {}
    for count in fields.items(chosen or {}, "counts", where=spot + "denoms."):
        value = number(count.get("value"))
        if isinstance(count.get("groupId"), str) and value is not None and value.is_integer() and value >= 0:
            out[count["groupId"]] = int(value)
    return out


def _in_period(group: GroupRole, period: int, periods: int, interventions: list[Intervention]) -> GroupRole:
    """A sequence group ("Placebo->OL CZP") in one period of the flow: what it received then."""
    parts = sequence_parts(group.title)
    if len(parts) != periods or len(parts) < 2:
        return group
    drugs = tuple(sorted(mentioned(parts[period], interventions)))
    role = TREATMENT if drugs else COMPARATOR
    return GroupRole(group.group_id, group.title, group.arm, drugs, role, group.dose if drugs else None, parts[period])
