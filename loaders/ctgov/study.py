"""One ClinicalTrials.gov API v2 study as a document: the protocol, and its posted results.

The Source text is the study's own JSON (compact, as the API serves it), so every quote —
the NCT id, why the trial stopped, one cell of a results table — is found verbatim in it.
What matters most to a researcher becomes evidence, not only properties:

* ``derivedSection`` (the registry's own MeSH indexing of conditions and interventions) →
  concepts with their MeSH ids, one node per id, so a trial joins the literature on the same
  concept; an intervention's MeSH term names a Drug only when it is one of the trial's drug
  interventions (placebo, devices, procedures and behavioural ones never become drugs);
* ``statusModule.whyStopped`` naming an outcome ("unacceptable frequency of
  hypoglycemia") → a finding drug → outcome that the trial SUPPORTS;
* ``resultsSection``: every outcome measure, analysis, baseline size and adverse event,
  per results group → Figures (see :mod:`loaders.ctgov.results`), with each group's role
  taken from the arm it is (see :mod:`loaders.ctgov.arms`).
"""

from __future__ import annotations

import re
from typing import Any

from graph import trusted
from graph.dose import Dose, find_dose
from graph.errors import LoadError
from graph.ids import concept_id, study_id
from graph.model import Document, EdgeType, NodeKind
from graph.vocabulary import Concept, Vocabulary
from loaders import trials
from loaders.base import DocumentBuilder
from loaders.ctgov.arms import Arm, Intervention
from loaders.ctgov.fields import Fields
from loaders.ctgov.results import ResultsReader
from loaders.ctgov.stream import dumps
from loaders.ctgov.stream import quoted as _quoted
from loaders.mesh_concepts import browse_concepts
from loaders.text.normal import key, variants
from loaders.text.recognize import Recognizer

__all__ = ["study_document"]

_NCT = re.compile(r"^NCT\d{8}$")
_DRUG_TYPES = frozenset({"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT", "GENETIC", "DIETARY_SUPPLEMENT"})
_NOT_DRUG_TYPES = frozenset({"DEVICE", "PROCEDURE", "RADIATION", "BEHAVIORAL", "DIAGNOSTIC_TEST"})
_NEGATION = re.compile(r"\b(no|not|without|absence of|unrelated to)\b[^.;]*$", re.IGNORECASE)
_ARM_TYPES = frozenset(
    {"EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION", "OTHER"}
)
_INACTIVE = re.compile(r"\b(inactive substance|contains? no (?:active|medicine)|dummy|matching placebo)\b", re.I)


def study_document(
    record: Any,
    *,
    path: str | None = None,
    label: str = "study",
    vocabulary: Vocabulary | None = None,
    recognizer: Recognizer | None = None,
) -> Document:
    """One API v2 study as a document; :class:`LoadError` names the record and field it lacks.

    ``recognizer`` (the store's open vocabulary) names the registry's MeSH terms as the literature does.
    """
    if not isinstance(record, dict):
        raise LoadError(f"{label}: expected a study object, got {type(record).__name__}", path=path)
    fields = Fields(label)
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
    _StudyReader(builder, fields, record, protocol, nct, recognizer).read()
    builder.warnings.extend(fields.warnings)
    try:
        return builder.build()
    except LoadError as exc:
        raise LoadError(f"study {nct}: {exc.reason}", path=path) from None


class _StudyReader:
    def __init__(
        self,
        builder: DocumentBuilder,
        fields: Fields,
        record: dict[str, Any],
        protocol: dict[str, Any],
        nct: str,
        recognizer: Recognizer | None = None,
    ) -> None:
        self.b = builder
        self.f = fields
        self.record = record
        self.protocol = protocol
        self.nct = nct
        self.study = study_id(nct_id=nct)
        self.drugs: dict[str, str] = {}  # intervention name → drug id
        self.interventions: list[Intervention] = []
        self.arms: list[Arm] = []
        self.findings: dict[tuple[str, str, str], str] = {}
        self.supported: set[str] = set()  # one SUPPORTS edge per finding and record: the first reason wins
        self.population: str | None = None
        self.recognizer = recognizer
        derived = record.get("derivedSection")
        self.browse = browse_concepts(derived if isinstance(derived, dict) else None, recognizer, builder.vocabulary)
        # every spelling of a MeSH term the registry indexed the trial with ("Dermatitis, Atopic": atopic dermatitis)
        self.browse_names: dict[str, Concept] = {}
        for group in ("conditions", "interventions"):
            for concept in self.browse[group]:
                for form in variants(concept.name):
                    self.browse_names.setdefault(form, concept)

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
        self._browse_conditions()
        self._arms(arms)
        if why:
            self._why_stopped(why)
        if results is not None:
            reader = ResultsReader(
                self.b,
                self.f,
                self.study,
                self.population,
                self.arms,
                self.interventions,
                concept=self._concept,
                finding=lambda drug, outcome, quote, start: self._finding(drug, outcome, quote=quote, start=start),
                supported=self.supported,
            )
            reader.read(results)

    # -- what the trial studied -----------------------------------------------------
    def _concept(self, term: str, kind: NodeKind) -> str:
        """The vocabulary concept ``term`` names, else a node of its own (kept, not dropped)."""
        quote = _quoted(term)
        concept = self._indexed(term, kind) or self.b.vocabulary.lookup(term, kind)
        if concept is None:
            mentions = [m for m in self.b.vocabulary.mentions(term, kind) if m.end - m.start >= len(term) * 0.6]
            concept = mentions[0].concept if mentions else None
        if concept is not None:
            return self.b.add_concept(concept, quote=quote if quote in self.b.text else None)
        return self.b.add_node(
            concept_id(kind, term), kind, term.strip(), quote=quote if quote in self.b.text else None
        )

    def _indexed(self, term: str, kind: NodeKind) -> Concept | None:
        """The MeSH concept the registry indexed the trial with under this name, or the store's vocabulary.

        Only for what the trial studied (conditions, drugs): an adverse event keeps its own reading.
        """
        if kind is NodeKind.OUTCOME:
            return None
        concept = self.browse_names.get(key(term))
        if concept is None and self.recognizer is not None:
            whole = [m for m in self.recognizer.mentions(term) if m.end - m.start == len(term.strip())]
            concept = whole[0].concept if whole else None
        if concept is None:
            return None
        if concept.kind is not kind:
            return None  # a curated outcome ("Glucose Intolerance"), or a drug's name, is not the condition
        return concept

    def _browse_conditions(self) -> None:
        """Conditions the registry indexed with MeSH: linked to the study like the record's own ones."""
        linked = {e.target for e in self.b.edges if e.type is EdgeType.STUDIED_IN and e.source == self.study}
        for concept in self.browse["conditions"]:
            if concept.kind is not NodeKind.CONDITION or concept.id in linked:
                continue
            linked.add(concept.id)
            mesh = concept.codes.get("mesh", "")
            quote = next((q for q in (_quoted(concept.name), mesh) if q and q in self.b.text), None)
            cid = self.b.add_concept(concept, quote=quote)
            self.population = self.population or cid
            self.b.add_edge(EdgeType.STUDIED_IN, self.study, cid, quote=quote)

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
            if not isinstance(name, str) or not name.strip():
                continue
            name = name.strip()
            kind = item.get("type") if isinstance(item.get("type"), str) else None
            others = item.get("otherNames") if isinstance(item.get("otherNames"), list) else []
            names = [name, *(n.strip() for n in others[:50] if isinstance(n, str) and n.strip())]
            description = item.get("description") if isinstance(item.get("description"), str) else ""
            if trials.is_placebo(name) or (_INACTIVE.search(description[:2000]) and not self._drug_concept(names)):
                self.interventions.append(Intervention(name, kind, tuple(names), None, True))
                continue
            drug = self._drug(name, names, kind)
            self.interventions.append(Intervention(name, kind, tuple(self._terms(names, drug)), drug, False))
            if drug is None:
                continue
            self.drugs[name] = drug
            self.b.add_edge(EdgeType.STUDIES, self.study, drug, quote=_quoted(name))

    def _drug_concept(self, names: list[str]) -> Any:
        indexed = next((c for n in names if (c := self._indexed(n, NodeKind.DRUG))), None)
        return indexed or next((c for n in names if (c := self.b.vocabulary.lookup(n, NodeKind.DRUG))), None)

    def _terms(self, names: list[str], drug: str | None) -> list[str]:
        """The names a group title may use for the intervention: its own, and the vocabulary's."""
        known = (*self.browse["interventions"], *self.b.vocabulary.concepts)
        concept = next((c for c in known if c.id == drug), None) if drug else None
        return [*names, *((concept.name, *concept.synonyms) if concept else ())]

    def _drug(self, name: str, names: list[str], kind: str | None) -> str | None:
        """The drug node an intervention is: a vocabulary concept, else its own node if it is a drug."""
        if kind in _NOT_DRUG_TYPES:
            return None  # a device, procedure or behavioural intervention is never a Drug, whatever it is called
        concept = self._drug_concept(names)
        if concept is None:
            concept = next(iter(c.concept for c in self.b.vocabulary.mentions(name, NodeKind.DRUG)), None)
        if concept is not None:
            return self.b.add_concept(concept, quote=_quoted(name))
        if kind in _DRUG_TYPES:
            return self.b.add_node(concept_id(NodeKind.DRUG, name), NodeKind.DRUG, name, quote=_quoted(name))
        return None

    def _arms(self, arms: list[dict[str, Any]]) -> None:
        where = "protocolSection.armsInterventionsModule.armGroups"
        for i, arm in enumerate(arms):
            label = self.f.text(arm, "label", where=f"{where}[{i}].")
            if not label:
                self.f.warnings.append(f"{self.f.label}: field {where}[{i}].label: missing; arm skipped")
                continue
            given = self.f.get(arm, "interventionNames", list, where=f"{where}[{i}].") or []
            self.arms.append(
                Arm(
                    label,
                    self.f.enum(arm, "type", _ARM_TYPES, where=f"{where}[{i}]."),
                    self.f.text(arm, "description", where=f"{where}[{i}].")[:4000],
                    tuple(n.strip() for n in given[:200] if isinstance(n, str) and n.strip()),
                )
            )
        if self.arms:
            described = " | ".join(a.describe() for a in self.arms)
            study = next(n for n in self.b.nodes if n.id == self.study)
            props = {**study.props, "arms": described[:20000]}
            self.b.nodes[self.b.nodes.index(study)] = trusted.node(
                study.id, study.kind, study.name, props, study.provenance
            )

    def _finding(
        self, drug: str, outcome: str, *, quote: str | None, start: int | None = None, dose: Dose | None = None
    ) -> str:
        key = (drug, outcome, dose.key() if dose else "")
        if key not in self.findings:
            self.findings[key] = self.b.add_finding(drug, outcome, self.population, quote=quote, start=start, dose=dose)
        return self.findings[key]

    # -- why it stopped ---------------------------------------------------------------
    def _why_stopped(self, why: str) -> None:
        quote = _quoted(why)
        drugs = sorted(set(self.drugs.values()))
        note = "the trial was stopped for this reason (statusModule.whyStopped)"
        dose = find_dose(why)
        if dose is not None:  # "at or above 200 µg/kg/day": the dose the stop is about
            note += f"; dose: {dose.describe()}"
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
                finding = self._finding(drug, outcome, quote=quote, dose=dose)
                self.supported.add(finding)
                self.b.add_edge(
                    EdgeType.SUPPORTS,
                    self.study,
                    finding,
                    quote=quote,
                    props={"note": note},
                )


def _year(date: str | None) -> int | None:
    match = re.match(r"^(\d{4})", date or "")
    return int(match.group(1)) if match else None
