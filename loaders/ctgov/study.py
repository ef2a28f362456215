"""ClinicalTrials.gov API v2 JSON: one study, or a page of ``studies`` (with ``nextPageToken``).

Each study becomes one document whose Source text is the study's own JSON (compact, as
the API serves it), so every quote — the NCT id, why the trial stopped, the numbers of
an adverse event — can be found verbatim in it.  What the registry says matters most to
a researcher becomes evidence, not only properties:

* ``statusModule.whyStopped`` naming an outcome ("unacceptable frequency of
  hypoglycemia") → a finding drug → outcome that the trial SUPPORTS;
* ``resultsSection.adverseEventsModule``: every serious and other event, per group →
  a Figure (numerator = affected, denominator = at risk, population = the group) that
  MEASURES the finding drug → event.  Comparator (placebo) groups get figures too, so
  the two arms can be read side by side.

Pages are streamed (``ijson``), so a page file of any size is read one study at a time;
one broken study becomes a warning naming it, and the others load.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson

from graph.errors import LoadError, RecordError
from graph.ids import concept_id, study_id
from graph.model import Document, EdgeType, NodeKind
from graph.vocabulary import Vocabulary
from loaders import trials
from loaders.base import DocumentBuilder, open_document, skipped_record, with_warnings

__all__ = ["CtgovLoader", "dumps", "iter_study_records", "study_document"]

_STUDY_KEYS = frozenset(
    {"protocolSection", "resultsSection", "annotationSection", "documentSection", "derivedSection", "hasResults"}
)
_PAGE_KEYS = frozenset({"studies", "nextPageToken", "totalCount"})
_NCT = re.compile(r"^NCT\d{8}$")
_DRUG_TYPES = frozenset({"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT", "GENETIC", "DIETARY_SUPPLEMENT"})
_NEGATION = re.compile(r"\b(no|not|without|absence of|unrelated to)\b[^.;]*$", re.IGNORECASE)
_START = re.compile(rb'^\s*\{\s*"(studies|nextPageToken|totalCount|protocolSection)"')


def dumps(value: Any) -> str:
    """JSON as the API serves it (compact, UTF-8): the Source text and its quotes agree."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _quoted(value: str) -> str:
    """The characters a string occupies inside the record's JSON (escapes included)."""
    return dumps(value)[1:-1]


class CtgovLoader:
    name = "ctgov"
    description = "ClinicalTrials.gov API v2 JSON (one study, or a page of `studies`)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return bool(_START.match(head)) or (head.lstrip()[:1] == b"{" and b'"protocolSection"' in head)

    def load(self, path: Path) -> Iterator[Document]:
        with open_document(path) as handle:
            yield from load_stream(handle, path=str(path))


def load_stream(handle: IO[bytes], *, path: str, vocabulary: Vocabulary | None = None) -> Iterator[Document]:
    """Documents of every readable study; a broken study is a warning on a neighbour document."""
    vocabulary = vocabulary or Vocabulary.default()
    pending: Document | None = None
    problems: list[str] = []
    single_error: LoadError | None = None
    count = 0
    try:
        for label, record in iter_study_records(handle, path=path):
            count += 1
            try:
                document = study_document(record, path=path, label=label, vocabulary=vocabulary)
            except (LoadError, TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
                # a field of the wrong JSON type (a list where the API gives an object…): the record is broken
                if isinstance(exc, LoadError | RecordError):
                    error = exc
                else:
                    error = LoadError(f"{label}: a field has an unexpected type or shape ({exc})", path=path)
                single_error = error if isinstance(error, LoadError) else LoadError(str(error), path=path)
                problems.append(skipped_record(label, error))
                continue
            if pending is not None:
                yield pending
            pending = with_warnings(document, problems)
            problems = []
    except LoadError as exc:
        if pending is None and count == 0:
            raise
        problems.append(f"{exc.reason} (after {count} studies; the studies before it were loaded)")
    if pending is not None:
        yield with_warnings(pending, problems)
    elif problems:
        if count == 1 and single_error is not None:
            raise single_error
        raise LoadError("no study could be read: " + "; ".join(problems), path=path)


# -- streaming -------------------------------------------------------------------------
def iter_study_records(handle: IO[bytes], *, path: str) -> Iterator[tuple[str, Any]]:
    """``(label, study)`` pairs from a single study or a page, one study in memory at a time.

    The label names the record in messages: its NCT id when it has one, else ``studies[i]``.
    """
    events = ijson.parse(handle, use_float=True)
    try:
        first = next(events, None)
        if first is None:
            raise LoadError("the file is empty", path=path)
        if first[1] != "start_map":
            raise LoadError("expected a JSON object: one study (`protocolSection`) or a page (`studies`)", path=path)
        for prefix, event, value in events:
            if prefix == "" and event == "end_map":
                return
            if prefix != "" or event != "map_key":
                continue
            if value in _STUDY_KEYS:
                record = _build(events, [("start_map", None), ("map_key", value)], depth=1)
                yield _label(record, "study"), record
                return
            if value == "studies":
                yield from _page(events, path)
            else:
                _build(events, [], depth=0)  # nextPageToken, totalCount, unknown keys: skip the value
    except ijson.common.IncompleteJSONError as exc:
        raise LoadError(f"the JSON ends early or is broken ({_ijson_reason(exc)})", path=path) from None
    except ijson.common.JSONError as exc:
        raise LoadError(f"not valid JSON ({_ijson_reason(exc)})", path=path) from None
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 at byte {exc.start}: JSON from the API is UTF-8", path=path) from None


def _page(events: Iterator[tuple[str, str, Any]], path: str) -> Iterator[tuple[str, Any]]:
    prefix, event, _ = next(events)
    if event != "start_array":
        raise LoadError("`studies` must be a list of study objects", path=path, field="studies")
    for index, (prefix, event, value) in enumerate(events):
        if prefix == "studies" and event == "end_array":
            return
        record = _build(events, [(event, value)], depth=1 if event in ("start_map", "start_array") else 0)
        yield _label(record, f"studies[{index}]"), record


def _build(events: Iterator[tuple[str, str, Any]], opening: list[tuple[str, Any]], *, depth: int) -> Any:
    """Assemble one JSON value from the event stream (``opening`` = events already read)."""
    builder = ijson.ObjectBuilder()
    for event, value in opening:
        builder.event(event, value)
    if depth == 0 and opening:
        return builder.value
    for _, event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        if depth == 0:
            break
    return builder.value


def _label(record: Any, fallback: str) -> str:
    if isinstance(record, dict):
        ident = (record.get("protocolSection") or {}) if isinstance(record.get("protocolSection"), dict) else {}
        ident = ident.get("identificationModule") if isinstance(ident.get("identificationModule"), dict) else {}
        nct = ident.get("nctId")
        if isinstance(nct, str) and nct.strip():
            return f"study {nct.strip()}"
    return fallback


def _ijson_reason(exc: Exception) -> str:
    return str(exc).split("\n")[0][:160] or type(exc).__name__


# -- one study ----------------------------------------------------------------------------
@dataclass
class _Fields:
    """Typed access to a study's fields; a wrong type is a warning naming the field, then ignored."""

    label: str
    warnings: list[str] = field(default_factory=list)

    def get(self, obj: Any, dotted: str, expected: type | tuple[type, ...], *, where: str = "") -> Any:
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
        if expected is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            name = expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
            self._wrong(where + dotted, _article(name), value)
            return None
        return value

    def _wrong(self, name: str, expected: str, value: Any) -> None:
        message = f"{self.label}: field {name}: expected {expected}, got {type(value).__name__}; ignored"
        if message not in self.warnings:
            self.warnings.append(message)

    def items(self, obj: Any, dotted: str, *, where: str = "") -> list[dict[str, Any]]:
        """The objects of a list field (non-objects inside it are warnings)."""
        values = self.get(obj, dotted, list, where=where) or []
        out = []
        for i, item in enumerate(values):
            if isinstance(item, dict):
                out.append(item)
            else:
                self.warnings.append(f"{self.label}: field {where}{dotted}[{i}]: expected an object; ignored")
        return out

    def enum(self, obj: Any, dotted: str, allowed: frozenset[str], *, where: str = "") -> str | None:
        value = self.get(obj, dotted, str, where=where)
        if value is not None and value not in allowed:
            self.warnings.append(
                f"{self.label}: field {where + dotted}: unknown value {value!r} (known: {', '.join(sorted(allowed))})"
            )
        return value


def _article(name: str) -> str:
    return {"dict": "an object", "list": "a list", "str": "a string", "int": "a whole number"}.get(name, name)


def study_document(
    record: Any, *, path: str | None = None, label: str = "study", vocabulary: Vocabulary | None = None
) -> Document:
    """One API v2 study as a document; :class:`LoadError` names the record and field it lacks."""
    if not isinstance(record, dict):
        raise LoadError(f"{label}: expected a study object, got {type(record).__name__}", path=path)
    fields = _Fields(label)
    protocol = record.get("protocolSection")
    if not isinstance(protocol, dict):
        raise LoadError(f"{label}: no protocolSection object", path=path, field="protocolSection")
    nct = fields.get(protocol, "identificationModule.nctId", str, where="protocolSection.")
    if not nct or not _NCT.match(nct.strip()):
        found = "missing" if not nct else f"{nct!r} is not an NCT id (NCT + 8 digits)"
        raise LoadError(f"{label}: {found}", path=path, field="protocolSection.identificationModule.nctId")
    nct = nct.strip()
    fields.label = f"study {nct}"
    text = dumps(record)
    title = (
        fields.get(protocol, "identificationModule.briefTitle", str, where="protocolSection.")
        or fields.get(protocol, "identificationModule.officialTitle", str, where="protocolSection.")
        or nct
    )
    builder = DocumentBuilder(
        text=text,
        source_type="ctgov",
        title=f"ClinicalTrials.gov {nct}: {title}",
        path=path,
        vocabulary=vocabulary or Vocabulary.default(),
        source_props={"uri": trials.trial_url(nct), "language": "en"},
    )
    _StudyReader(builder, fields, record, protocol, nct).read()
    builder.warnings.extend(fields.warnings)
    try:
        return builder.build()
    except LoadError as exc:
        raise LoadError(f"study {nct}: {exc.reason}", path=path) from None


class _StudyReader:
    def __init__(
        self, builder: DocumentBuilder, fields: _Fields, record: dict[str, Any], protocol: dict[str, Any], nct: str
    ) -> None:
        self.b = builder
        self.f = fields
        self.record = record
        self.protocol = protocol
        self.nct = nct
        self.study = study_id(nct_id=nct)
        self.drugs: dict[str, str] = {}  # intervention name → drug id
        self.findings: dict[tuple[str, str], str] = {}
        self.supported: set[str] = set()  # one SUPPORTS edge per finding and record: the first reason wins
        self.population: str | None = None

    def p(self, dotted: str, expected: type | tuple[type, ...]) -> Any:
        return self.f.get(self.protocol, dotted, expected, where="protocolSection.")

    def read(self) -> None:
        p, f = self.p, self.f
        official = p("identificationModule.officialTitle", str)
        brief = p("identificationModule.briefTitle", str)
        status = f.enum(self.protocol, "statusModule.overallStatus", trials.OVERALL_STATUSES, where="protocolSection.")
        why = p("statusModule.whyStopped", str)
        completion = p("statusModule.completionDateStruct.date", str)
        completion_type = p("statusModule.completionDateStruct.type", str)
        phases = [x for x in p("designModule.phases", list) or [] if isinstance(x, str)]
        for phase in phases:
            if phase not in trials.PHASES:
                f.warnings.append(f"{f.label}: field protocolSection.designModule.phases: unknown value {phase!r}")
        study_type = f.enum(self.protocol, "designModule.studyType", trials.STUDY_TYPES, where="protocolSection.")
        allocation = f.enum(
            self.protocol, "designModule.designInfo.allocation", trials.ALLOCATIONS, where="protocolSection."
        )
        arms = f.items(self.protocol, "armsInterventionsModule.armGroups", where="protocolSection.")
        interventions = f.items(self.protocol, "armsInterventionsModule.interventions", where="protocolSection.")
        outcomes = f.items(self.protocol, "outcomesModule.primaryOutcomes", where="protocolSection.")
        secondary = f.items(self.protocol, "outcomesModule.secondaryOutcomes", where="protocolSection.")
        results = f.get(self.record, "resultsSection", dict)
        has_results = self.record.get("hasResults")
        ended = completion if completion and (status in trials.CLOSED_STATUSES or completion_type == "ACTUAL") else None
        titles = " ".join(t for t in (official, brief) if t)
        self.b.add_node(
            self.study,
            NodeKind.STUDY,
            brief or official or self.nct,
            {
                "title": official or brief,
                "nct_id": self.nct,
                "url": trials.trial_url(self.nct),
                "status": status,
                "why_stopped": why,
                "ended": ended if status in trials.CLOSED_STATUSES else None,
                "phase": trials.phase_label([x for x in phases if x in trials.PHASES]),
                "design": trials.trial_design(
                    study_type,
                    allocation,
                    arms=len(arms),
                    registry=bool(p("designModule.patientRegistry", bool)),
                ),
                "allocation": allocation,
                "n": p("designModule.enrollmentInfo.count", int),
                "extension": bool(re.search(r"\bextension\b", titles, re.IGNORECASE)),
                "has_results": has_results if isinstance(has_results, bool) else results is not None,
                "interventions": "; ".join(str(i["name"]) for i in interventions if isinstance(i.get("name"), str))
                or None,
                "outcomes": "; ".join(
                    str(o["measure"]) for o in (*outcomes, *secondary) if isinstance(o.get("measure"), str)
                )
                or None,
                "year": _year(p("statusModule.startDateStruct.date", str)),
            },
            quote=f'"nctId":"{self.nct}"',
        )
        self._conditions()
        self._interventions(interventions)
        if why:
            self._why_stopped(why)
        if results is not None:
            self._adverse_events(results, arms)

    # -- what the trial studied -----------------------------------------------------
    def _concept(self, term: str, kind: NodeKind) -> str:
        """The vocabulary concept ``term`` names, else a node of its own (kept, not dropped)."""
        quote = _quoted(term)
        concept = self.b.vocabulary.lookup(term, kind)
        if concept is None:
            mentions = [m for m in self.b.vocabulary.mentions(term, kind) if m.end - m.start >= len(term) * 0.6]
            concept = mentions[0].concept if mentions else None
        if concept is not None:
            return self.b.add_concept(concept, quote=quote if quote in self.b.text else None)
        return self.b.add_node(
            concept_id(kind, term), kind, term.strip(), quote=quote if quote in self.b.text else None
        )

    def _conditions(self) -> None:
        for i, term in enumerate(self.p("conditionsModule.conditions", list) or []):
            if not isinstance(term, str) or not term.strip():
                self.f.warnings.append(
                    f"{self.f.label}: field protocolSection.conditionsModule.conditions[{i}]: not a name"
                )
                continue
            cid = self._concept(term, NodeKind.CONDITION)
            self.population = self.population or cid
            self.b.add_edge(EdgeType.STUDIED_IN, self.study, cid, quote=_quoted(term))

    def _interventions(self, interventions: list[dict[str, Any]]) -> None:
        for item in interventions:
            name = item.get("name")
            if not isinstance(name, str) or not name.strip() or trials.is_placebo(name):
                continue
            kind = item.get("type")
            names = [name, *(n for n in item.get("otherNames") or [] if isinstance(n, str))]
            concept = next((c for n in names if (c := self.b.vocabulary.lookup(n, NodeKind.DRUG))), None)
            if concept is None:
                concept = next(iter(c.concept for c in self.b.vocabulary.mentions(name, NodeKind.DRUG)), None)
            if concept is not None:
                drug = self.b.add_concept(concept, quote=_quoted(name))
            elif kind in _DRUG_TYPES:
                drug = self.b.add_node(
                    concept_id(NodeKind.DRUG, name), NodeKind.DRUG, name.strip(), quote=_quoted(name)
                )
            else:
                continue
            self.drugs[name] = drug
            self.b.add_edge(EdgeType.STUDIES, self.study, drug, quote=_quoted(name))

    def _finding(self, drug: str, outcome: str, *, quote: str | None, start: int | None = None) -> str:
        key = (drug, outcome)
        if key not in self.findings:
            self.findings[key] = self.b.add_finding(drug, outcome, self.population, quote=quote, start=start)
        return self.findings[key]

    # -- why it stopped ---------------------------------------------------------------
    def _why_stopped(self, why: str) -> None:
        quote = _quoted(why)
        drugs = sorted(set(self.drugs.values()))
        for mention in self.b.vocabulary.mentions(why, NodeKind.OUTCOME):
            if _NEGATION.search(why[: mention.start]):
                continue
            if not drugs:
                self.f.warnings.append(
                    f"{self.f.label}: stopped for {mention.text!r}, but the record names no drug to link it to"
                )
                return
            outcome = self.b.add_concept(mention.concept, quote=quote)
            for drug in drugs:
                finding = self._finding(drug, outcome, quote=quote)
                self.supported.add(finding)
                self.b.add_edge(
                    EdgeType.SUPPORTS,
                    self.study,
                    finding,
                    quote=quote,
                    props={"note": "the trial was stopped for this reason (statusModule.whyStopped)"},
                )

    # -- adverse events --------------------------------------------------------------
    def _adverse_events(self, results: dict[str, Any], arms: list[dict[str, Any]]) -> None:
        where = "resultsSection.adverseEventsModule."
        module = self.f.get(results, "adverseEventsModule", dict, where="resultsSection.")
        if module is None:
            return
        groups = {g["id"]: g for g in self.f.items(module, "eventGroups", where=where) if isinstance(g.get("id"), str)}
        group_drugs = {gid: self._group_drugs(group, arms) for gid, group in groups.items()}
        study_drugs = sorted(set(self.drugs.values()))
        if not study_drugs:
            if module.get("seriousEvents") or module.get("otherEvents"):
                self.f.warnings.append(f"{self.f.label}: adverse events without a drug intervention are not linked")
            return
        cursor = self.b.text.find('"adverseEventsModule"')
        for severity, key in (("serious", "seriousEvents"), ("other", "otherEvents")):
            for i, event in enumerate(self.f.items(module, key, where=where)):
                term = event.get("term")
                if not isinstance(term, str) or not term.strip():
                    self.f.warnings.append(f"{self.f.label}: field {where}{key}[{i}].term: missing; event skipped")
                    continue
                start = self.b.text.find(dumps(event), max(cursor, 0))
                cursor = max(cursor, start)
                outcome = self._concept(term, NodeKind.OUTCOME)
                for j, stat in enumerate(self.f.items(event, "stats", where=f"{where}{key}[{i}].")):
                    self._event_figure(
                        stat,
                        groups,
                        group_drugs,
                        study_drugs,
                        outcome,
                        term,
                        severity,
                        start,
                        field=f"{where}{key}[{i}].stats[{j}]",
                    )

    def _group_drugs(self, group: dict[str, Any], arms: list[dict[str, Any]]) -> list[str]:
        """The drugs a result group received; none for placebo and untreated groups."""
        title = str(group.get("title") or "")
        arm = next((a for a in arms if str(a.get("label", "")).strip().casefold() == title.strip().casefold()), None)
        if trials.is_placebo(title) or (
            arm and arm.get("type") in {"PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION"}
        ):
            return []
        found = {d for name, d in self.drugs.items() if name.casefold() in title.casefold()}
        if not found and arm:
            for label in arm.get("interventionNames") or []:
                name = str(label).split(":", 1)[-1].strip()
                if name in self.drugs:
                    found.add(self.drugs[name])
        if not found:
            text = f"{title} {group.get('description') or ''}"
            found = {
                self.b.add_concept(m.concept)
                for m in self.b.vocabulary.mentions(text, NodeKind.DRUG)
                if m.concept.id in self.drugs.values()
            }
        if (
            not found
            and len(set(self.drugs.values())) == 1
            and not trials.is_placebo(str(group.get("description") or ""))
        ):
            found = set(self.drugs.values())
        return sorted(found)

    def _event_figure(
        self,
        stat: dict[str, Any],
        groups: dict[str, dict[str, Any]],
        group_drugs: dict[str, list[str]],
        study_drugs: list[str],
        outcome: str,
        term: str,
        severity: str,
        event_start: int,
        *,
        field: str,
    ) -> None:
        gid = stat.get("groupId")
        affected = self.f.get(stat, "numAffected", int, where=field + ".")
        at_risk = self.f.get(stat, "numAtRisk", int, where=field + ".")
        group = groups.get(gid) if isinstance(gid, str) else None
        if group is None:
            self.f.warnings.append(f"{self.f.label}: field {field}.groupId: {gid!r} is not an event group; skipped")
            return
        if affected is None or not at_risk or affected < 0 or affected > at_risk:
            self.f.warnings.append(
                f"{self.f.label}: field {field}: {affected!r} affected of {at_risk!r} at risk is not a proportion; skipped"
            )
            return
        quote = dumps(stat)
        start = self.b.text.find(quote, max(event_start, 0))
        treated = group_drugs.get(gid) or []
        population = str(group.get("title") or gid)
        for drug in treated or study_drugs:
            finding = self._finding(drug, outcome, quote=quote, start=start)
            figure = self.b.add_figure(
                self.study,
                None,
                label=f"{term} ({severity} adverse event)",
                value=round(100 * affected / at_risk, 2),
                unit="%",
                numerator=affected,
                denominator=at_risk,
                population=population,
                arm="treatment" if treated else "comparator",
                quote=quote,
                start=start,
            )
            self.b.add_edge(EdgeType.MEASURES, figure, finding, quote=quote, start=start)
            if treated and affected > 0 and finding not in self.supported:
                self.supported.add(finding)
                self.b.add_edge(
                    EdgeType.SUPPORTS,
                    self.study,
                    finding,
                    quote=quote,
                    start=start,
                    props={"note": "adverse event reported in the registry results"},
                )


def _year(date: str | None) -> int | None:
    match = re.match(r"^(\d{4})", date or "")
    return int(match.group(1)) if match else None
