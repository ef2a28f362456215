"""Claim summaries, certainty with reasons, and conflicts — by hand against the weights file."""

from __future__ import annotations

from graph.synthesis import load_weights, synthesise, weights_table


def test_weights_are_data_and_shown():
    w = load_weights()
    rows = {r.design: r for r in weights_table(w)}
    assert rows["Guideline"].weight == 5 and rows["Randomised controlled trial"].weight == 4
    assert rows["Prospective / cohort study"].weight == 3 and rows["Case series / case report"].weight == 1
    # guideline/systematic review > RCT > prospective/cohort > case series/report
    order = [r.design for r in weights_table(w)]
    assert (
        order.index("Guideline")
        < order.index("Randomised controlled trial")
        < order.index("Prospective / cohort study")
    )
    assert order.index("Prospective / cohort study") < order.index("Case series / case report")


def test_small_document_is_rated_down_for_inconsistency(small_store):
    syn = synthesise(small_store.evidence("drug:mecasermin", "outcome:hypoglycemia"))
    (claim,) = syn.claims
    # Bang: prospective (3) × size factor for n=242 (50 ≤ n < 250 → 1.0) = 3.0
    # Khwaja: clinical study → uncontrolled (2) × n=10 (10 ≤ n < 50 → 0.75) = 1.5
    assert [(t.name, t.weight) for t in claim.supporting] == [("Bang 2021", 3.0)]
    assert [(t.name, t.weight) for t in claim.contradicting] == [("Khwaja 2014", 1.5)]
    # starts low (best design observational); 1.5 / (3 + 1.5) = 33% ≥ 25% → inconsistency −1 → very low
    # imprecision: n = 242 + 10 = 252 ≥ 100 → not rated down; large effect (Laron lower bound 0.32 ≥ 0.3)
    # is not applied because something was rated down (GRADE)
    assert claim.start == "low" and claim.certainty == "very low"
    assert claim.total_n == 252
    assert [r.domain for r in claim.ratings] == ["inconsistency"]
    assert "1.5 / (3 + 1.5) = 33%" in claim.reasons[1]
    assert any("not rated up" in n for n in claim.notes)


def test_real_sample_claims(sample_evidence):
    syn = synthesise(sample_evidence)
    o = syn.overall
    # support: Grimberg guideline 5 + SPC label 4 + Bang 3 (n=242 → ×1.0) + Mohamed-Ali narrative review 1.5 = 13.5
    # against: Khwaja 2 × 0.75 (n=10) = 1.5 + Martín-Rivada case report 1 × 0.5 (n unknown) = 0.5 → 2.0
    assert (o.support_weight, o.contradict_weight) == (13.5, 2.0)
    assert o.direction == "supported"
    # starts high: Grimberg grades its own evidence ⚫⚫⚫⚫; 2 / 15.5 = 13% < 25% → not rated down;
    # n = Bang 242 + Khwaja 10 = 252 ≥ 100 → not imprecise
    assert o.certainty == "high" and not o.ratings
    assert "2 / (13.5 + 2) = 13%" in " ".join(o.notes)
    assert "n = Bang 2021 242 + Khwaja 2014 10 + Martín-Rivada 2021 2 = 254" in " ".join(o.notes)
    by_claim = {c.claim: c for c in syn.claims}
    rett = by_claim["mecasermin → hypoglycemia in Rett syndrome"]
    # low (uncontrolled study) − 2 for imprecision (n = 10 < 30) → very low, contradicted
    assert rett.direction == "contradicted" and rett.certainty == "very low"
    assert rett.reasons[1] == "Rated down two levels for imprecision: very few patients: n = 10 (< 30)"


def test_question_population_makes_evidence_indirect(sample_evidence):
    o = synthesise(sample_evidence, population="diabetes mellitus").overall
    # only Mohamed-Ali (1.5 of 13.5 supporting weight = 11%) is in diabetes: < 50% → indirectness −1
    assert o.certainty == "moderate"
    assert [r.domain for r in o.ratings] == ["indirectness"]
    assert "89% of the weight comes from other populations" in o.ratings[0].reason


def test_conflict_khwaja_against_bang(sample_evidence):
    syn = synthesise(sample_evidence)
    # studies against studies come first
    first = syn.conflicts[0]
    assert (first.supporting.name, first.contradicting.name) == ("Bang 2021", "Khwaja 2014")
    diff = {d.attribute: (d.supporting, d.contradicting) for d in first.differences}
    assert diff["population"] == ("Laron syndrome", "Rett syndrome; growth disorder")
    assert diff["design"] == ("prospective study", "clinical study")
    assert diff["n"] == ("242", "10")
    assert "51% of 21 in niet-behandelde Laronsyndroomgroep" in diff["result"][0]
    assert diff["result"][1] == "“Er werd geen hypoglykemie gezien.”"
    assert "dose" in first.not_recorded  # neither study records a dose in the graph
