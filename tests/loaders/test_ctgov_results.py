"""ClinicalTrials.gov results: every cell of the two shared real records, arms and roles, hostile input."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.model import EdgeType, NodeKind
from loaders import load_path
from loaders.ctgov import CtgovLoader, study_document
from tests.shared_data import CTGOV, needs

DUPILUMAB = CTGOV / "NCT02210780.json"
REPAGLINIDE = CTGOV / "NCT00763412.json"
needs_shared = needs(DUPILUMAB)


def _doc(path: Path):
    (doc,) = load_path(path)
    return doc


def _figures(doc):
    return [n for n in doc.nodes if n.kind is NodeKind.FIGURE]


def _targets(doc, etype, source):
    return {e.target for e in doc.edges if e.type is etype and e.source == source}


def _cells(record):
    """(module, group id, value) of every number the record's results hold."""
    results = record["resultsSection"]
    for measure in results["outcomeMeasuresModule"]["outcomeMeasures"]:
        for klass in measure.get("classes", []):
            for category in klass["categories"]:
                for cell in category["measurements"]:
                    yield measure["title"], cell["groupId"], cell
    for measure in results["baselineCharacteristicsModule"]["measures"]:
        for klass in measure.get("classes", []):
            for category in klass["categories"]:
                for cell in category["measurements"]:
                    yield measure["title"], cell["groupId"], cell


@needs_shared
@pytest.mark.parametrize("path", [DUPILUMAB, REPAGLINIDE], ids=["NCT02210780", "NCT00763412"])
def test_every_result_cell_is_a_figure_with_its_group(path):
    record = json.loads(path.read_text())
    doc = _doc(path)
    text = doc.source.props["text"]
    figures = _figures(doc)
    by_quote: dict[str, list] = {}
    for fig in figures:
        by_quote.setdefault(fig.provenance.span, []).append(fig)
    cells = list(_cells(record))
    assert cells
    spans = {f.provenance.span for f in figures}
    for title, gid, cell in cells:
        matching = [
            f
            for f in figures
            if f.props.get("result_group") == gid
            and f.props["label"].startswith(title)
            and f.provenance.quote == json.dumps(cell, ensure_ascii=False, separators=(",", ":"))
        ]
        assert matching, (title, gid, cell)
        fig = matching[0]
        assert text[fig.provenance.span[0] : fig.provenance.span[1]] == fig.provenance.quote
        if cell.get("spread") is not None:
            assert any(f.props.get("dispersion") == float(cell["spread"]) for f in matching)
    # one figure per cell: none merged away
    outcome_cells = sum(1 for _ in _cells(record))
    measured = [
        f
        for f in figures
        if f.props.get("measure_type") in {"primary", "secondary", "baseline"}
        and f.props["arm"] != "comparison"
        and not f.props["label"].startswith("Baseline group size")
    ]
    assert len(measured) == outcome_cells
    assert len(spans) == len(figures)


@needs_shared
def test_dupilumab_roles_measures_analyses_and_totals():
    doc = _doc(DUPILUMAB)
    figures = _figures(doc)
    roles = {
        (f.props.get("result_group"), f.props["arm"])
        for f in figures
        if f.props.get("result_group", "").startswith(("OG", "EG", "BG", "FG"))
    }
    # "Placebo qw" is typed EXPERIMENTAL in the registry but received only the placebo: a comparator
    assert ("OG000", "comparator") in roles and ("OG001", "treatment") in roles
    assert ("EG000", "comparator") in roles and ("EG001", "treatment") in roles
    assert ("BG002", "total") in roles
    assert not {r for g, r in roles if g.endswith("000") and r == "treatment"}
    primary = [f for f in figures if f.props.get("measure_type") == "primary"]
    assert {(f.props["population"], f.props["value"], f.props["denominator"]) for f in primary} == {
        ("Placebo qw", 83.7, 92),
        ("Dupilumab 300 mg qw", 83.3, 90),
    }
    assert all(f.props["unit"] == "Percentage of participants" and f.props["time_frame"] == "Week 16" for f in primary)
    treated = next(f for f in primary if f.props["arm"] == "treatment")
    assert (treated.props["dose_value"], treated.props["dose_unit"], treated.props["dose_regimen"]) == (
        300.0,
        "mg",
        "qw",
    )
    nrs = [
        f
        for f in figures
        if f.props["label"].startswith("Change From Baseline in Peak Weekly") and f.props["arm"] != "comparison"
    ]
    assert {
        (f.props["value"], f.props["dispersion"], f.props["dispersion_type"], f.props["param_type"]) for f in nrs
    } == {
        (-2.11, 0.259, "Standard Error", "LEAST_SQUARES_MEAN"),
        (-4.24, 0.25, "Standard Error", "LEAST_SQUARES_MEAN"),
    }
    analysis = next(
        f
        for f in figures
        if f.props["arm"] == "comparison" and f.props["label"].startswith("Change From Baseline in Peak Weekly")
    )
    p = analysis.props
    assert (p["value"], p["p_value"], p["ci_level"], p["ci_lower"], p["ci_upper"], p["method"]) == (
        -2.13,
        "<0.0001",
        90.0,
        -2.72,
        -1.55,
        "ANCOVA",
    )
    assert p["population"] == "Dupilumab 300 mg qw vs. Placebo qw"
    (finding,) = _targets(doc, EdgeType.MEASURES, analysis.id)
    assert _targets(doc, EdgeType.ABOUT, finding) >= {"drug:dupilumab"}
    # per-group adverse-event totals, as in eventGroups
    totals = {
        (f.props["result_group"], f.props["label"].removesuffix(" (group total)")): (
            f.props.get("numerator"),
            f.props["denominator"],
        )
        for f in figures
        if "group total" in f.props["label"]
    }
    assert totals[("EG001", "Participants with serious adverse events")] == (3, 97)
    assert totals[("EG000", "Participants with other (non-serious) adverse events")] == (29, 97)
    assert totals[("EG000", "Deaths, all causes")] == (0, 97)
    assert len(totals) == 6
    baseline_n = {
        f.props["result_group"]: f.props["value"] for f in figures if f.props["label"].startswith("Baseline group size")
    }
    assert baseline_n == {"BG000": 97.0, "BG001": 97.0, "BG002": 194.0}
    study = next(n for n in doc.nodes if n.kind is NodeKind.STUDY)
    assert study.props["arms"] == (
        "Placebo qw [EXPERIMENTAL; Drug: Placebo] | Dupilumab 300 mg qw [EXPERIMENTAL; Drug: Dupilumab]"
    )


@needs_shared
def test_every_adverse_event_cell_has_its_group_and_role():
    record = json.loads(DUPILUMAB.read_text())
    doc = _doc(DUPILUMAB)
    figures = {f.provenance.span: f for f in _figures(doc)}
    text = doc.source.props["text"]
    role = {"EG000": "comparator", "EG001": "treatment"}
    seen = 0
    for key, severity in (("seriousEvents", "serious"), ("otherEvents", "other")):
        for event in record["resultsSection"]["adverseEventsModule"][key]:
            for stat in event["stats"]:
                matches = [
                    f
                    for f in figures.values()
                    if f.props["label"] == f"{event['term']} ({severity} adverse event)"
                    and f.props["result_group"] == stat["groupId"]
                ]
                assert len(matches) == 1, (event["term"], stat)
                fig = matches[0]
                assert (fig.props["numerator"], fig.props["denominator"], fig.props["arm"]) == (
                    stat["numAffected"],
                    stat["numAtRisk"],
                    role[stat["groupId"]],
                )
                assert text[fig.provenance.span[0] : fig.provenance.span[1]] == fig.provenance.quote
                seen += 1
    assert seen == 18


@needs_shared
def test_repaglinide_groups_map_to_arms_whatever_their_titles():
    doc = _doc(REPAGLINIDE)
    figures = _figures(doc)
    roles = {f.props["result_group"]: f.props["arm"] for f in figures if f.props.get("result_group")}
    # "1 Placebo" / "Placebo" / "Patients Who Received Placebo" all mean arm "1 Placebo"
    assert roles["OG000"] == roles["EG000"] == roles["BG000"] == roles["FG000"] == "comparator"
    assert roles["OG001"] == roles["EG001"] == roles["BG001"] == roles["FG001"] == "treatment"
    fat = {
        f.props["result_group"]: f.props
        for f in figures
        if f.props["label"] == "Body Composition — Fat" and f.props["measure_type"] == "primary"
    }
    assert (fat["OG000"]["value"], fat["OG000"]["lower_limit"], fat["OG000"]["upper_limit"]) == (19.82, 12.0, 37.8)
    assert fat["OG001"]["dispersion_type"] == "Full Range" and fat["OG001"]["denominator"] == 4
    totals = [f for f in figures if "group total" in f.props["label"]]
    assert {
        (f.props["result_group"], f.props["numerator"], f.props["denominator"])
        for f in totals
        if "serious" in f.props["label"]
    } == {
        ("EG000", 0, 8),
        ("EG001", 0, 8),
    }


# -- synthetic records: sequence groups, no drug, hostile shapes ------------------------------
def _record(**results):
    return {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT90000011", "briefTitle": "Certolizumab in axial spondyloarthritis"},
            "conditionsModule": {"conditions": ["Axial Spondyloarthritis"]},
            "armsInterventionsModule": {
                "armGroups": [
                    {"label": "Placebo", "type": "PLACEBO_COMPARATOR", "interventionNames": ["Drug: Placebo"]},
                    {
                        "label": "CZP 200 mg Q2W",
                        "type": "EXPERIMENTAL",
                        "interventionNames": ["Drug: Certolizumab pegol"],
                    },
                ],
                "interventions": [
                    {"type": "DRUG", "name": "Placebo", "description": "Saline solution"},
                    {"type": "BIOLOGICAL", "name": "Certolizumab pegol", "otherNames": ["CZP", "Cimzia"]},
                ],
            },
        },
        "resultsSection": results,
        "hasResults": True,
    }


def _groups():
    return [
        {
            "id": "EG000",
            "title": "Placebo (SS)",
            "description": "Participants on placebo during the double-blind period",
        },
        {
            "id": "EG001",
            "title": "Placebo->OL CZP (SS)",
            "description": "Placebo in the double-blind period, then open-label CZP",
            "seriousNumAffected": 5,
            "seriousNumAtRisk": 96,
        },
        {
            "id": "EG002",
            "title": "SFE OL CZP 200 mg Q2W (SS)",
            "description": "Safety follow-up, open-label placebo-free",
        },
    ]


def _event(term, counts):
    return {"term": term, "stats": [{"groupId": g, "numAffected": a, "numAtRisk": r} for g, a, r in counts]}


def test_placebo_then_open_label_group_is_treated():
    record = _record(
        adverseEventsModule={
            "eventGroups": _groups(),
            "seriousEvents": [_event("Uveitis", [("EG000", 0, 159), ("EG001", 0, 96), ("EG002", 1, 243)])],
            "otherEvents": [_event("Tuberculosis", [("EG000", 0, 159), ("EG001", 1, 96), ("EG002", 1, 243)])],
        },
        participantFlowModule={
            "groups": [{"id": "FG000", "title": "Placebo->OL CZP"}],
            "periods": [
                {
                    "title": "Double-blind",
                    "milestones": [{"type": "STARTED", "achievements": [{"groupId": "FG000", "numSubjects": "96"}]}],
                },
                {
                    "title": "Open-label",
                    "milestones": [{"type": "STARTED", "achievements": [{"groupId": "FG000", "numSubjects": "90"}]}],
                },
            ],
        },
    )
    doc = study_document(record)
    figures = _figures(doc)
    arm = {(f.props["label"], f.props["result_group"]): f.props["arm"] for f in figures}
    assert arm[("Uveitis (serious adverse event)", "EG000")] == "comparator"
    assert arm[("Uveitis (serious adverse event)", "EG001")] == "treatment"
    assert arm[("Uveitis (serious adverse event)", "EG002")] == "treatment"
    assert arm[("Tuberculosis (other adverse event)", "EG001")] == "treatment"
    # the flow knows what the sequence group received in each period
    assert arm[("Double-blind: started", "FG000")] == "comparator"
    assert arm[("Open-label: started", "FG000")] == "treatment"
    supported = {
        next(n for n in doc.nodes if n.id == e.target).props["outcome"]
        for e in doc.edges
        if e.type is EdgeType.SUPPORTS
    }
    assert {"Uveitis", "Tuberculosis"} <= supported
    sfe = next(f for f in figures if f.props["result_group"] == "EG002" and f.props["label"].startswith("Uveitis"))
    assert (sfe.props["dose_value"], sfe.props["dose_unit"], sfe.props["dose_regimen"]) == (200.0, "mg", "Q2W")
    seq = next(f for f in figures if f.props["result_group"] == "EG001" and "group total" in f.props["label"])
    assert seq.props["dose_regimen"] == "Placebo, then Certolizumab pegol"


def test_adverse_events_without_a_drug_are_kept_on_the_study():
    record = _record(
        adverseEventsModule={
            "eventGroups": [{"id": "EG000", "title": "Brace", "description": "Spinal brace"}],
            "seriousEvents": [_event("Skin ulcer", [("EG000", 2, 30)])],
        }
    )
    record["protocolSection"]["armsInterventionsModule"] = {
        "armGroups": [{"label": "Brace", "type": "EXPERIMENTAL", "interventionNames": ["Device: Brace"]}],
        "interventions": [{"type": "DEVICE", "name": "Brace"}],
    }
    doc = study_document(record)
    (fig,) = [f for f in _figures(doc) if f.props["label"] == "Skin ulcer (serious adverse event)"]
    assert (fig.props["numerator"], fig.props["denominator"]) == (2, 30)
    assert ("study:nct:NCT90000011", fig.id) in {(e.source, e.target) for e in doc.edges if e.type is EdgeType.REPORTS}
    assert _targets(doc, EdgeType.IN_POPULATION, fig.id) == {"condition:axial-spondyloarthritis"}
    assert not [n for n in doc.nodes if n.kind is NodeKind.FINDING]


def _measure(measurements, **extra):
    return {
        "type": "PRIMARY",
        "title": "ASDAS",
        "groups": [{"id": "OG000", "title": "Placebo"}, {"id": "OG001", "title": "CZP 200 mg Q2W"}],
        "classes": [{"categories": [{"measurements": measurements}]}],
        **extra,
    }


def test_hostile_result_shapes_are_warnings_not_crashes():
    measure = _measure(
        [
            {"groupId": "OG000", "value": "NA", "comment": "not estimable"},
            {"groupId": "OG001", "value": ["1"], "spread": {"x": 1}},
            {"groupId": "OG404", "value": "1"},
            "not an object",
            {"groupId": 7, "value": "2"},
        ],
        denoms=[
            {
                "units": "Participants",
                "counts": [{"groupId": "OG000", "value": "-3"}, {"groupId": "OG001", "value": "x"}],
            }
        ],
        analyses=[{"groupIds": "OG000", "pValue": {"p": 1}, "paramValue": "1e999"}, "junk"],
        paramType=["MEAN"],
    )
    record = _record(
        outcomeMeasuresModule={"outcomeMeasures": [measure, {"type": "PRIMARY"}, 5]},
        adverseEventsModule={
            "eventGroups": [{"id": "EG000", "title": "Placebo", "seriousNumAffected": 9, "seriousNumAtRisk": 3}]
        },
        baselineCharacteristicsModule={"groups": "nope", "denoms": [{"counts": None}]},
        participantFlowModule={"periods": [{"milestones": [{"achievements": [{"groupId": "FG9"}]}]}]},
    )
    doc = study_document(record)
    text = "\n".join(doc.warnings)
    assert "OG404" in text and "measurements[3]: expected an object" in text
    assert "outcomeMeasures[1].title: missing" in text
    assert "paramType: expected a string" in text
    cells = [f for f in _figures(doc) if f.props.get("measure_type") == "primary" and f.props["arm"] != "comparison"]
    assert {f.props["result_group"] for f in cells} == {"OG000", "OG001"}
    assert all(f.props.get("value") is None and f.props.get("denominator") is None for f in cells)
    total = next(f for f in _figures(doc) if "group total" in f.props["label"])
    assert total.props.get("numerator") is None and total.props["denominator"] == 3  # 9 of 3 is not a proportion


def test_huge_result_arrays_load_or_stop_with_a_clear_error():
    many = [{"groupId": f"OG00{i % 2}", "value": str(i)} for i in range(20_000)]
    doc = study_document(_record(outcomeMeasuresModule={"outcomeMeasures": [_measure(many)]}))
    assert len([f for f in _figures(doc) if f.props.get("measure_type") == "primary"]) == 20_000
    too_many = [{"groupId": "OG001", "value": str(i)} for i in range(70_000)]
    with pytest.raises(LoadError, match="more than 200,000 records"):
        study_document(_record(outcomeMeasuresModule={"outcomeMeasures": [_measure(too_many)]}))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            '{"FullStudiesResponse": {"APIVrs": "1.01.05", "FullStudies": [{"Study": {"ProtocolSection": {"IdentificationModule": {"NCTId": "NCT02210780"}}}}]}}',
            "API v1",
        ),
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n<clinical_study rank="1">\n  <required_header/>\n  <id_info><nct_id>NCT00763412</nct_id></id_info>\n</clinical_study>\n',
            "legacy XML",
        ),
    ],
)
def test_retired_formats_say_what_they_are_and_what_to_download(tmp_path, text, kind):
    path = tmp_path / "record"
    path.write_text(text)
    from loaders import detect

    assert detect(path).name == "ctgov"
    with pytest.raises(LoadError) as caught:
        list(CtgovLoader().load(path))
    message = str(caught.value)
    assert f"ClinicalTrials.gov {kind} record" in message
    assert "https://clinicaltrials.gov/api/v2/studies/NCT" in message


def test_a_record_is_not_changed_by_reading_it():
    record = _record(adverseEventsModule={"eventGroups": _groups()})
    before = copy.deepcopy(record)
    study_document(record)
    assert record == before


def test_why_stopped_keeps_the_dose_it_states():
    record = _record()
    record["protocolSection"]["statusModule"] = {
        "overallStatus": "TERMINATED",
        "whyStopped": "Unacceptable frequency of hypoglycemia at or above 200 µg/kg/day",
    }
    record["protocolSection"]["armsInterventionsModule"]["interventions"].append({"type": "DRUG", "name": "Mecasermin"})
    doc = study_document(record)
    stops = [e for e in doc.edges if e.type is EdgeType.SUPPORTS]
    assert {e.target for e in stops} >= {
        next(
            n.id
            for n in doc.nodes
            if n.name == "mecasermin → hypoglycemia in Axial Spondyloarthritis at ≥ 200 µg/kg/day"
        )
    }
    dosed = next(
        n
        for n in doc.nodes
        if n.kind is NodeKind.FINDING and n.props.get("dose_value") == 200.0 and n.props["drug"] == "mecasermin"
    )
    assert (dosed.props["dose_unit"], dosed.props["dose_regimen"]) == ("µg/kg/day", "at or above")
    about = {e.target for e in doc.edges if e.type is EdgeType.ABOUT and e.source == dosed.id}
    assert about == {"drug:mecasermin", "outcome:hypoglycemia"}  # the same link as the claim without a dose
    for supports in stops:
        assert supports.props["note"].endswith("dose: ≥ 200 µg/kg/day")
        assert supports.provenance.quote == "Unacceptable frequency of hypoglycemia at or above 200 µg/kg/day"


@needs_shared
def test_the_shared_records_in_the_graph():
    from graph.store.memory import MemoryStore

    store = MemoryStore()
    docs = [_doc(DUPILUMAB), _doc(REPAGLINIDE)]
    for doc in docs:
        store.ingest(doc)
    graph = store.subgraph()
    for doc in docs:
        for fig in _figures(doc):
            stored = graph.nodes[fig.id]
            assert (stored.get("result_group"), stored.get("arm"), stored.get("value")) == (
                fig.props.get("result_group"),
                fig.props["arm"],
                fig.props.get("value"),
            )
    evidence = store.evidence("drug:dupilumab", "outcome:conjunctivitis")
    figures = {
        (f["result_group"], f["arm"], f["numerator"], f["denominator"]) for i in evidence.items for f in i.figures
    }
    assert figures == {("EG001", "treatment", 8, 97), ("EG000", "comparator", 0, 97)}
