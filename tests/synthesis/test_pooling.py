"""Pooled incidence against hand-computed values (arithmetic in the comments)."""

from __future__ import annotations

import math

import pytest

from graph.synthesis import load_weights, pool, synthesise, weigh, wilson
from graph.synthesis.pooling import round_half_up

Z2 = 1.959964**2  # 3.841459


def test_wilson_by_hand_for_11_of_21():
    # p = 11/21 = 0.523810; z² = 3.841459
    # denom  = 1 + z²/n            = 1 + 3.841459/21             = 1.182927
    # centre = (p + z²/2n) / denom = (0.523810 + 0.091463) / 1.182927 = 0.520128
    # half   = z·√(p(1−p)/n + z²/4n²) / denom = 1.959964 · √(0.011878 + 0.002178) / 1.182927 = 0.196432
    # CI     = 0.520128 ∓ 0.196432 = (0.323696, 0.716560)
    low, high = wilson(11, 21)
    assert low == pytest.approx(0.323696, abs=1e-5)
    assert high == pytest.approx(0.716560, abs=1e-5)
    # the same by the formula written out, so the numbers above are not copied from the code
    p, n = 11 / 21, 21
    denom = 1 + Z2 / n
    centre = (p + Z2 / (2 * n)) / denom
    half = math.sqrt(Z2) * math.sqrt(p * (1 - p) / n + Z2 / (4 * n * n)) / denom
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-6)


def test_derived_numerators_round_half_up():
    assert round_half_up(0.51 * 21) == 11  # 10.71 → 11
    assert round_half_up(0.16 * 114) == 18  # 18.24 → 18
    assert round_half_up(10.5) == 11  # Python's round(10.5) is 10


def test_laron_and_non_laron_are_separate_strata(small_store):
    evidence = small_store.evidence("drug:mecasermin", "outcome:hypoglycemia")
    weights = load_weights()
    result = pool(weigh(evidence, weights), weights)
    by_population = {e.population: e for e in result.estimates}
    # the 51% and the 16% are never averaged: one estimate per population (plus Rett, from Khwaja's 0/10)
    assert set(by_population) == {"untreated Laron syndrome", "without Laron syndrome", "population not stated"}
    laron, other = by_population["untreated Laron syndrome"], by_population["without Laron syndrome"]
    # 51% of 21 → 0.51 × 21 = 10.71 → 11 (derived); p = 11/21 = 0.5238
    assert (laron.k, laron.events, laron.total) == (1, 11, 21)
    assert laron.studies[0].events_derived and laron.studies[0].derivation == "51% × 21 = 10.71 → 11"
    assert laron.proportion == pytest.approx(0.523810, abs=1e-6)
    assert (laron.low, laron.high) == pytest.approx((0.323696, 0.716560), abs=1e-5)
    assert laron.method.startswith("single study: Wilson")
    # 16% of 114 → 0.16 × 114 = 18.24 → 18 (derived); p = 18/114 = 0.157895
    # Wilson: denom = 1 + 3.841459/114 = 1.033697; centre = (0.157895 + 0.016849)/1.033697 = 0.169048
    #         half = 1.959964 · √(0.0011664 + 0.0000739)/1.033697 = 0.066767 → (0.102281, 0.235815)
    assert (other.events, other.total) == (18, 114)
    assert other.proportion == pytest.approx(0.157895, abs=1e-6)
    assert (other.low, other.high) == pytest.approx((0.102281, 0.235815), abs=1e-5)
    # Khwaja contradicts with no figure and n=10: a derived 0/10, marked derived, Wilson upper bound
    # z²/(n + z²) = 3.841459 / 13.841459 = 0.277532
    zero = by_population["population not stated"]
    assert (zero.events, zero.total, zero.studies[0].study) == (0, 10, "Khwaja 2014")
    assert zero.studies[0].events_derived
    assert zero.high == pytest.approx(0.277532, abs=1e-5)


def test_real_report_sample_strata(sample_evidence):
    syn = synthesise(sample_evidence)
    est = {e.population: e for e in syn.overall.pooling.estimates}
    assert (est["niet-behandelde Laronsyndroomgroep"].events, est["niet-behandelde Laronsyndroomgroep"].total) == (
        11,
        21,
    )
    assert (est["groep zonder Laronsyndroom"].events, est["groep zonder Laronsyndroom"].total) == (18, 114)
    assert all(e.k == 1 for e in est.values())  # no population has two studies: nothing pooled blindly
    reasons = {(u.study, u.reason) for u in syn.overall.pooling.unpooled}
    # 68.9% of Bang, the SPC's 28% and Grimberg's 42% have no denominator: listed, not pooled
    assert ("Bang 2021", "no denominator: the number of patients is not given") in reasons
    assert ("SPC Increlex 2017", "no denominator: the number of patients is not given") in reasons


def test_random_effects_by_hand(small_store):
    """Two studies in one population, DerSimonian–Laird on the logit scale.

    A: 10/50 → y = ln(10/40) = −1.386294, v = 1/10 + 1/40 = 0.125,     w = 8
    B: 30/100 → y = ln(30/70) = −0.847298, v = 1/30 + 1/70 = 0.047619, w = 21
    ȳ_FE = (8·−1.386294 + 21·−0.847298) / 29 = −0.995987
    Q = 8·(−0.390307)² + 21·(0.148689)² = 1.218723 + 0.464272 = 1.682995; df = 1
    C = 29 − (64 + 441)/29 = 11.586207;  τ² = (Q − df)/C = 0.058949;  I² = (Q − df)/Q = 0.405820
    w* = 1/(v + τ²): A 5.436296, B 9.383685;  ȳ_RE = −1.045014;  se = √(1/14.819981) = 0.259762
    CI = −1.045014 ∓ 1.959964·0.259762 = (−1.554138, −0.535890)
    back: expit → 0.260184 (0.174489–0.369145)  [e^0.535890 = 1.708969 → 1/2.708969]
    """
    from graph.model import EdgeType
    from graph.store import assemble
    from graph.store.base import Evidence, EvidenceItem

    finding = {"id": "finding:x", "name": "d → o"}

    def item(name: str, num: int, den: int) -> EvidenceItem:
        ev = {"id": f"study:{name}", "kind": "Study", "name": name, "design": "cohort", "n": den}
        fig = {
            "id": f"figure:{name}",
            "value": 100 * num / den,
            "unit": "%",
            "numerator": num,
            "denominator": den,
            "population": "adults",
        }
        return assemble.item(finding, EdgeType.SUPPORTS, ev, {"quote": "q", "source_doc": "source:s"}, (fig,))

    evidence = Evidence(
        {"id": "drug:d", "name": "d"}, {"id": "outcome:o", "name": "o"}, (item("A", 10, 50), item("B", 30, 100))
    )
    (est,) = synthesise(evidence).overall.pooling.estimates
    assert est.k == 2 and est.method == "random effects (DerSimonian–Laird), logit scale"
    assert est.tau2 == pytest.approx(0.058949, abs=1e-5)
    assert est.i2 == pytest.approx(0.405820, abs=1e-5)
    assert est.q == pytest.approx(1.682995, abs=1e-5)
    assert est.proportion == pytest.approx(0.260184, abs=1e-5)
    assert (est.low, est.high) == pytest.approx((0.174489, 0.369145), abs=1e-5)
    assert not any(s.events_derived for s in est.studies)  # numerators were reported
