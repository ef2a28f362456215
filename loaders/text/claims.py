"""Adverse-effect claims from sentences that name a drug and a disease, with their stance.

A sentence that names a drug and a disease states one of: the drug caused the disease
("X-induced Y", "Y after X", "X produced Y", "Y associated with X"), it did not ("no Y was
observed", "did not cause Y"), it treats or prevents it ("X for Y", "X improved Y"), or
nothing about the two.  Only the first two become claims: SUPPORTS and CONTRADICTS.  The
rules are NegEx/ConText-style — cue words with a scope — written for the English and
Dutch of abstracts and reports, and measured on the BioCreative V CDR corpus
(``evx eval cdr``; BENCHMARKS.md).

Choices, each measured on the CDR training set (abstract-level relations):

- A title that names a drug and a disease (case reports, "X-induced Y in rats") is about
  their link unless it says the drug treats or prevents it.
- In the abstract, a drug and a disease in one sentence are a claim unless a treatment,
  prevention or "not related" cue stands between or around them, or the sentence is only
  about the disease as the patients' condition ("patients with Y received X").
- When one drug is claimed to cause a disease and also a more specific one (seizures and
  tonic seizures), the general one is left out: MeSH tree numbers say which is which.

Longer than our ~400-line habit on purpose: the cue lists, the features they feed and the
fitted weights' names must be read side by side — a feature renamed in one module and not
in another silently drops out of the model (``scripts/fit_claim_model.py`` fits exactly
these features).
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import yaml

from graph.model import EdgeType, NodeKind
from graph.vocabulary import Concept, Mention
from loaders.text.sentences import Span

__all__ = [
    "FEATURES",
    "PRIOR_FEATURES",
    "Candidate",
    "Claim",
    "adverse_claims",
    "candidates",
    "default_weights",
    "fit",
    "score",
]

_DISEASE = (NodeKind.CONDITION, NodeKind.OUTCOME)

_ADVERSE = re.compile(
    r"induc|caus|associat|after|following|produc|result|due to|secondary to|related|toxic|develop|complicat|"
    r"side effect|adverse|provok|elicit|evok|precipitat|trigger|lead to|led to|onset|occur|"
    r"veroorza|geïnduceerd|na gebruik|bijwerking",
    re.IGNORECASE,
)
_TREATMENT = re.compile(
    r"\b(?:for the (?:treatment|management|prevention|prophylaxis) of|in the (?:treatment|management|prevention) of|"
    r"treat(?:ed|ing|s|ment)? (?:of |for )?|therap(?:y|ies|eutic) (?:of|for|in)|improv|allevia|ameliorat|attenuat|"
    r"prevent|protect|revers|reduc|decreas|suppress|inhibit|antagoni|block|abolish|relie|control of|efficacy|effective|"
    r"beneficial|manag|cure|resolv|antidote|rescue|counteract|lower|"
    r"behandel|verminder|voorkom)",
    re.IGNORECASE,
)
#: Cues that state a treatment outright ("X for Y", "X improved Y"): a pair named only so is never an adverse effect.
_TREATS = re.compile(
    r"\b(?:for the (?:treatment|management|prevention|prophylaxis) of|in the (?:treatment|management|prevention) of|"
    r"treat(?:ed|ing|s|ment)? (?:of|for)\b|therap(?:y|ies) (?:of|for)\b|(?:used|given|indicated|effective) (?:for|in)\b|"
    r"improv|allevia|ameliorat|prevent|protect|relie|cure[sd]?\b|antidote|beneficial|"
    r"behandeling van|behandeld|verbeter|voorkom)",
    re.IGNORECASE,
)
#: What a denial is about: an event that did not happen ("no hypotension was observed", "did not induce").
_OCCURRENCE = re.compile(
    r"observ|occur|report|seen|develop|experienc|induc|caus|associat|increas|risk|waargenomen|optreden", re.IGNORECASE
)
#: Words that look like negations and are not (ConText's pseudo-triggers).
_PSEUDO_NEGATION = re.compile(
    r"\b(?:with or without|whether or not|not only|no longer|no significant change|not necessarily)\b", re.IGNORECASE
)
_NEGATED = re.compile(
    r"\b(?:no|not|without|absence of|neither|nor|lack of|free of|failed to|did not|does not|do not|was not|were not|"
    r"none of|unrelated|rather than|geen|niet|zonder)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Claim:
    """A drug → disease claim, the sentence that states it, and the cue behind its stance."""

    drug: Concept
    disease: Concept
    stance: EdgeType
    sentence: Span
    cue: str | None = None
    sentences: tuple[Span, ...] = ()  # every sentence naming both (figures are read from these)


FEATURES: tuple[str, ...] = (
    "bias",
    "title_both",
    "drug_in_title",
    "disease_in_title",
    "cooccur",
    "cooccur_log",
    "hyphen_cue",
    "adverse_cue",
    "treatment_cue",
    "negated",
    "close",
    "main_drug",
    "drug_share",
    "disease_mentions_log",
    "disease_share",
    "narrowest",
    "drugs_log",
    "diseases_log",
    "known_pair",
    "title_drug_any_disease",
    "in_last_sentence",
    "adverse_in_sentence",
    "disease_first_position",
    "drug_first_position",
    "focus_any_disease",
    "sentence_gap_log",
    "known_cooccur",
    "disease_as_condition",
    "disease_prior_log",
    "chemical_prior_log",
    "drugs_in_sentence",
    "disease_rate",
    "chemical_rate",
    "no_priors",
    "other_drug_hyphen",
    "other_drug_adverse",
    "drug_protective",
    "induced_in_context",
    "top_disease",
    "focus_top_disease",
    "disease_adjective",
)
#: Features that come from annotated abstracts imported into the vocabulary (zero, or even, without them).
PRIOR_FEATURES = (
    "known_pair",
    "known_cooccur",
    "disease_prior_log",
    "chemical_prior_log",
    "disease_rate",
    "chemical_rate",
)


@dataclass(frozen=True)
class Candidate:
    """A drug and a disease one abstract names, with what the text says about the two."""

    drug: Concept
    disease: Concept
    features: dict[str, float]
    sentence: Span  # the sentence that states the link best (or names the disease)
    stance: EdgeType
    cue: str | None
    sentences: tuple[Span, ...] = ()  # every sentence that names both
    treatment_only: bool = False  # every sentence naming both says the drug treats or prevents the disease
    quote: Span | None = None  # named in no one sentence: from the nearest sentence naming the drug to the disease's


def candidates(
    text: str,
    sentences: Sequence[Span],
    mentions: Sequence[Mention],
    *,
    title: Span | None = None,
    trees: dict[str, tuple[str, ...]] | None = None,
    known: Callable[[str, str], bool] | None = None,
    roles: Callable[[str, str], tuple[int, int]] | None = None,
    rates: Callable[[str, str], tuple[float, float]] | None = None,
) -> list[Candidate]:
    """Every (drug, disease) pair of a title and abstract that a sentence or the title links.

    The abstract's focus drugs (named in the title, or named most often) are paired with every
    disease the abstract names, in whichever sentence: CDR relations are stated per abstract,
    and the drug a study is about is often named once in one sentence and its effects in the next.
    """
    trees = trees or {}
    spans = ([title] if title else []) + [s for s in sentences if not (title and s.start < title.end)]
    drugs = [m for m in mentions if m.concept.kind is NodeKind.DRUG]
    diseases = [m for m in mentions if m.concept.kind in _DISEASE]
    if not drugs or not diseases:
        return []
    drug_count = Counter(m.concept.id for m in drugs)
    disease_count = Counter(m.concept.id for m in diseases)
    concepts = {m.concept.id: m.concept for m in mentions}
    in_title = {m.concept.id for m in mentions if title and m.end <= title.end}
    top = max(drug_count.values())
    top_disease = max(disease_count.values())
    # "hemorrhagic", "depressed", "hypertensive": a disease named only by an adjective is often not the disease
    adjectival = Counter(m.concept.id for m in diseases if _ADJECTIVE.fullmatch(m.text))
    disease_meshes = {cid: concepts[cid].codes.get("mesh", "") for cid in disease_count}
    # a disease is not the narrowest when another one the abstract names sits below it in a MeSH tree
    below: dict[str, set[str]] = {}  # ancestor tree number -> ids of diseases under it
    for cid, mesh in disease_meshes.items():
        for tree in trees.get(mesh, ()):
            parts = tree.split(".")
            for depth in range(1, len(parts)):
                below.setdefault(".".join(parts[:depth]), set()).add(cid)
    narrowest = {
        cid: not any(below.get(t, set()) - {cid} for t in trees.get(mesh, ())) for cid, mesh in disease_meshes.items()
    }
    evidence: dict[tuple[str, str], dict[str, float]] = {}
    best: dict[tuple[str, str], tuple[float, Span, EdgeType, str | None]] = {}
    together: dict[tuple[str, str], list[Span]] = {}  # every sentence that names both
    words: dict[tuple[str, str], set[str]] = {}  # the words between the two, where they are close
    supportive: dict[tuple[str, str], int] = {}  # sentences with an adverse cue, not negated, not a treatment
    last = spans[-1] if len(spans) > 1 else None  # the conclusion, usually
    length = max(len(text), 1)
    first_at: dict[str, int] = {}
    for m in mentions:
        first_at.setdefault(m.concept.id, m.start)
    starts = [s.start for s in spans]
    inside: dict[int, tuple[list[Mention], list[Mention]]] = {}  # span index -> the drugs and diseases wholly in it
    span_of: dict[int, int] = {}  # id of a disease mention -> the span holding it
    for m in mentions:
        i = _sentence_of(spans, starts, m.start)
        if i < 0 or m.end > spans[i].end:
            continue
        if m.concept.kind is NodeKind.DRUG:
            inside.setdefault(i, ([], []))[0].append(m)
        elif m.concept.kind in _DISEASE:
            inside.setdefault(i, ([], []))[1].append(m)
            span_of[id(m)] = i
    memo: dict = {}  # what _cues reads of one mention, once
    for i, (inside_d, inside_y) in sorted(inside.items()):
        sentence = spans[i]
        for d in inside_d:
            for y in inside_y:
                pair = (d.concept.id, y.concept.id)
                f = evidence.setdefault(
                    pair,
                    dict.fromkeys(
                        ("cooccur", "hyphen_cue", "adverse_cue", "treatment_cue", "treats", "negated", "close"), 0.0
                    ),
                )
                judged = _cues(text, sentence, d, y, memo)
                f["cooccur"] += 1
                for name in ("hyphen_cue", "adverse_cue", "treatment_cue", "treats", "negated", "close"):
                    f[name] += judged[name]
                together.setdefault(pair, []).append(sentence)
                words.setdefault(pair, set()).update(_words_between(text, d, y))
                if (judged["adverse_cue"] and not judged["negated"] and not judged["treatment_cue"]) or judged[
                    "hyphen_cue"
                ]:
                    supportive[pair] = supportive.get(pair, 0) + 1
                strength = (
                    2 * judged["hyphen_cue"] + judged["adverse_cue"] - judged["treatment_cue"] + (sentence is title)
                )
                stance = EdgeType.CONTRADICTS if judged["negated"] and not judged["hyphen_cue"] else EdgeType.SUPPORTS
                if pair not in best or strength > best[pair][0]:
                    best[pair] = (strength, sentence, stance, judged["cue"])
    # the drug a title names, or the one named most often, is what the abstract is about: its pairs need no
    # shared sentence
    focus = {d_id for d_id, n in drug_count.items() if n == top and n > 1}
    for d_id in drug_count:
        if d_id not in in_title and d_id not in focus:
            continue
        for y in diseases:
            pair = (d_id, y.concept.id)
            if pair not in best:
                if id(y) not in span_of:
                    continue
                sentence = spans[span_of[id(y)]]
                negated = bool(_NEGATED.search(_scope(text[max(sentence.start, y.start - 80) : y.start])))
                best[pair] = (-1.0, sentence, EdgeType.CONTRADICTS if negated else EdgeType.SUPPORTS, None)
                evidence[pair] = {"negated": float(negated)}
    out = []
    n_drugs, n_diseases = len(drug_count), len(disease_count)
    where = [_sentence_of(spans, starts, m.start) for m in mentions]
    index_of = {id(s): i for i, s in enumerate(spans)}
    at: dict[str, set[int]] = {}
    for m, i in zip(mentions, where, strict=True):
        if i >= 0:
            at.setdefault(m.concept.id, set()).add(i)
    # a disease named as the patients' condition ("patients with Y", "treatment of Y") is the indication
    as_condition = Counter(m.concept.id for m in diseases if _CONDITION.search(text[max(0, m.start - 40) : m.start]))
    # "X-induced Y in Z": Z is where Y happened (the patients' disease, the model), not another effect
    in_context = Counter(m.concept.id for m in diseases if _IN_CONTEXT.search(text[max(0, m.start - 90) : m.start]))
    drugs_per_span = Counter(i for m, i in zip(mentions, where, strict=True) if m.concept.kind is NodeKind.DRUG)
    # a disease another drug is said to induce ("Y induced by Z; X reversed it"): X is less likely its cause
    induced_by: dict[str, set[str]] = {}
    adverse_by: dict[str, set[str]] = {}
    for (d_id, y_id), ev in evidence.items():
        if ev.get("hyphen_cue", 0):
            induced_by.setdefault(y_id, set()).add(d_id)
        if supportive.get((d_id, y_id)):
            adverse_by.setdefault(y_id, set()).add(d_id)
    # a drug the abstract names where it protects, reverses or blocks something: a treatment, not a cause
    protective: dict[str, float] = {}
    protects: dict[int, bool] = {}  # sentence index -> whether it names a protective effect
    for d_id, idx in at.items():
        if d_id in drug_count and idx:
            for i in idx - protects.keys():
                protects[i] = bool(_PROTECTIVE.search(spans[i].text))
            protective[d_id] = sum(protects[i] for i in idx) / len(idx)
    shared = {id(s): s for ss in together.values() for s in ss}  # each sentence naming a pair, once
    adverse_span = {k: bool(_ADVERSE.search(s.text)) for k, s in shared.items()}
    for pair, (_, sentence, stance, cue) in best.items():
        d_id, y_id = pair
        ev = evidence.get(pair, {})
        co = ev.get("cooccur", 0.0)
        # ConText-style: a pair only ever named under negation is denied, whatever the title says
        if co and ev.get("negated", 0) and not supportive.get(pair):
            stance = EdgeType.CONTRADICTS
        treated_only = bool(co) and ev.get("treats", 0) == co and not ev.get("hyphen_cue", 0)
        drug, disease = concepts[d_id], concepts[y_id]
        features = {
            "bias": 1.0,
            "title_both": float(d_id in in_title and y_id in in_title),
            "drug_in_title": float(d_id in in_title),
            "disease_in_title": float(y_id in in_title),
            "cooccur": float(co > 0),
            "cooccur_log": math.log1p(co),
            "hyphen_cue": float(ev.get("hyphen_cue", 0) > 0),
            "adverse_cue": math.log1p(ev.get("adverse_cue", 0)),
            "treatment_cue": (ev.get("treatment_cue", 0) / co) if co else 0.0,
            "negated": (ev.get("negated", 0) / co) if co else ev.get("negated", 0.0),
            "close": float(ev.get("close", 0) > 0),
            "main_drug": float(drug_count[d_id] == top),
            "drug_share": drug_count[d_id] / len(drugs),
            "disease_mentions_log": math.log1p(disease_count[y_id]),
            "disease_share": disease_count[y_id] / len(diseases),
            "narrowest": float(narrowest.get(y_id, True)),
            "drugs_log": math.log1p(n_drugs),
            "diseases_log": math.log1p(n_diseases),
            "known_pair": float(bool(known and known(drug.codes.get("mesh", ""), disease.codes.get("mesh", "")))),
            "title_drug_any_disease": float(d_id in in_title and co == 0),
            "in_last_sentence": float(bool(last) and last in together.get(pair, ())),
            "adverse_in_sentence": float(any(adverse_span[id(s)] for s in together.get(pair, ()))),
            "disease_first_position": first_at[y_id] / length,
            "drug_first_position": first_at[d_id] / length,
            "focus_any_disease": float(d_id not in in_title and co == 0),
            "sentence_gap_log": math.log1p(_gap(at.get(d_id, set()), at.get(y_id, set()))),
            "known_cooccur": float(co > 0)
            * float(bool(known and known(drug.codes.get("mesh", ""), disease.codes.get("mesh", "")))),
            "disease_as_condition": as_condition[y_id] / disease_count[y_id],
            "disease_prior_log": math.log1p(prior[1]) if (prior := _roles(roles, drug, disease)) else 0.0,
            "chemical_prior_log": math.log1p(prior[0]) if prior else 0.0,
            "drugs_in_sentence": (
                sum(drugs_per_span[index_of[id(s)]] for s in together[pair]) / len(together[pair])
                if together.get(pair)
                else 0.0
            ),
        }
        features["other_drug_hyphen"] = float(bool(induced_by.get(y_id, set()) - {d_id}))
        features["other_drug_adverse"] = float(bool(adverse_by.get(y_id, set()) - {d_id}) and not supportive.get(pair))
        features["drug_protective"] = protective.get(d_id, 0.0)
        features["induced_in_context"] = in_context[y_id] / disease_count[y_id]
        features["top_disease"] = float(disease_count[y_id] == top_disease)
        features["disease_adjective"] = adjectival[y_id] / disease_count[y_id]
        features["focus_top_disease"] = features["top_disease"] * float(d_id in in_title or drug_count[d_id] == top)
        rate = rates(drug.codes.get("mesh", ""), disease.codes.get("mesh", "")) if rates else (0.25, 0.25)
        features["chemical_rate"], features["disease_rate"] = rate
        features["no_priors"] = 0.0 if rates else 1.0  # a vocabulary without annotated abstracts: no prior at all
        features.update(dict.fromkeys(words.get(pair, ()), 1.0))
        out.append(
            Candidate(
                drug,
                disease,
                features,
                sentence,
                stance,
                cue,
                tuple(together.get(pair, ())),
                treated_only,
                None if co else _across(text, spans, index_of[id(sentence)], at.get(d_id, set()), title is not None),
            )
        )
    return out


_WORD = re.compile(r"[a-z]{3,}")
#: Words between a drug and a disease that say nothing of their link.
_STOP = frozenset(
    [
        "the",
        "and",
        "with",
        "was",
        "were",
        "for",
        "that",
        "this",
        "from",
        "are",
        "has",
        "have",
        "had",
        "been",
        "its",
        "their",
        "which",
        "who",
    ]
)


def _words_between(text: str, a: Mention, b: Mention) -> set[str]:
    """The words between two close mentions, as features of the pair ("w:induced", "w:after")."""
    first, second = sorted((a, b), key=lambda m: m.start)
    between = text[first.end : second.start].lower()
    found = _WORD.findall(between)
    if len(found) > 8:
        return set()
    order = "w>" if a.start < b.start else "w<"  # drug before the disease, or after it
    return {order + w for w in found if w not in _STOP}


#: How many sentences apart a drug and a disease may be for the claim to quote the sentences from one to the other.
QUOTE_GAP = 2


def _across(text: str, spans: Sequence[Span], disease_at: int, drug_at: set[int], has_title: bool) -> Span | None:
    """The sentences from the nearest one naming the drug to the one naming the disease, when they are close.

    ``None`` when the drug is named only in the title (the title is the claim's context) or too far away.
    """
    near = [i for i in drug_at if not (has_title and i == 0) and abs(i - disease_at) <= QUOTE_GAP]
    if not near:
        return None
    j = min(near, key=lambda i: abs(i - disease_at))
    first, last = spans[min(j, disease_at)], spans[max(j, disease_at)]
    return Span(first.start, last.end, text[first.start : last.end])


def _sentence_of(spans: Sequence[Span], starts: list[int], offset: int) -> int:
    """The index of the span holding ``offset`` (spans in order, not overlapping), or -1."""
    i = bisect.bisect_right(starts, offset) - 1
    return i if i >= 0 and offset < spans[i].end else -1


def _gap(a: set[int], b: set[int]) -> int:
    """How many sentences apart the nearest mentions of two concepts are (0: one sentence)."""
    if not a or not b:
        return 10
    return min(abs(i - j) for i in a for j in b)


def _roles(
    roles: Callable[[str, str], tuple[int, int]] | None, drug: Concept, disease: Concept
) -> tuple[int, int] | None:
    return roles(drug.codes.get("mesh", ""), disease.codes.get("mesh", "")) if roles else None


_ADJECTIVE = re.compile(r"[A-Za-z]+(?:ic|ed|ive|ous|al|ory)", re.IGNORECASE)
_PROTECTIVE = re.compile(
    r"\b(?:attenuat|prevent|protect|revers|antagoni|ameliorat|pretreat|pre-treat|counteract|abolish|blocked|"
    r"inhibited|suppressed|rescued)",
    re.IGNORECASE,
)
_IN_CONTEXT = re.compile(
    r"[\w)][ -](?:induced|associated|related)\b[^.;:]{1,60}\b(?:in|during|of) (?:a |an |the )?(?:[\w'-]+ ){0,3}$",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"(?:patients?|children|women|men|subjects|cases|individuals|those|people|adults) (?:with|having|suffering from)"
    r" (?:\w+ ){0,3}$|(?:treatment|management|therapy|history) (?:of|for) (?:\w+ ){0,2}$|"
    r"(?:with|of) (?:a )?(?:history|diagnosis) of (?:\w+ ){0,2}$",
    re.IGNORECASE,
)


def adverse_claims(
    text: str,
    sentences: Sequence[Span],
    mentions: Sequence[Mention],
    *,
    title: Span | None = None,
    trees: dict[str, tuple[str, ...]] | None = None,
    weights: dict[str, float] | None = None,
    known: Callable[[str, str], bool] | None = None,
    threshold: float | None = None,
    roles: Callable[[str, str], tuple[int, int]] | None = None,
    rates: Callable[[str, str], tuple[float, float]] | None = None,
) -> list[Claim]:
    """The claims of a title and its abstract (sentences and mentions with offsets in ``text``)."""
    weights = weights or _default_weights()
    threshold = default_threshold() if threshold is None else threshold
    claims = []
    for cand in candidates(text, sentences, mentions, title=title, trees=trees, known=known, roles=roles, rates=rates):
        if cand.treatment_only:
            continue  # a treatment is not an adverse effect, however likely the pair looks
        # a denial is a claim only when its sentence is about something happening ("no Y was observed")
        denied = (
            cand.stance is EdgeType.CONTRADICTS
            and bool(cand.sentences)
            and any(_OCCURRENCE.search(s.text) for s in cand.sentences)
        )
        if denied or score(cand.features, weights) >= threshold:
            claims.append(
                Claim(
                    cand.drug,
                    cand.disease,
                    cand.stance,
                    cand.quote or cand.sentence,
                    cand.cue,
                    cand.sentences or ((cand.sentence,) if cand.quote else ()),  # figures: the disease's sentence
                )
            )
    return _most_specific(claims, trees or {}) if HYPERNYMS else claims


#: Whether a claimed disease is left out when the same drug is claimed to cause a narrower one.
HYPERNYMS = True


def _most_specific(claims: list[Claim], trees: dict[str, tuple[str, ...]]) -> list[Claim]:
    """Claims without the diseases a narrower claimed one of the same drug sits under in a MeSH tree.

    CDR's curators (and a reader) name the most specific effect: "pemoline-induced choreoathetosis"
    is chorea, not also movement disorders.
    """
    kept = []
    for claim in claims:
        mine = trees.get(claim.disease.codes.get("mesh", ""), ())
        narrower = any(
            other.drug.id == claim.drug.id
            and other.stance is EdgeType.SUPPORTS
            and other.disease.id != claim.disease.id
            and any(t.startswith(m + ".") for t in trees.get(other.disease.codes.get("mesh", ""), ()) for m in mine)
            for other in claims
        )
        if not (narrower and claim.stance is EdgeType.SUPPORTS):
            kept.append(claim)
    return kept


def score(features: dict[str, float], weights: dict[str, float]) -> float:
    """The probability that the pair is a stated adverse effect (logistic)."""
    z = sum(weights.get(name, 0.0) * value for name, value in features.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def fit(rows: list[tuple[dict[str, float], bool]], *, l2: float = 1.0, min_count: int = 3) -> dict[str, float]:
    """Weights of the logistic model from labelled candidates (annotated abstracts)."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.sparse import csr_matrix

    seen = Counter(name for f, _ in rows for name in f if name not in FEATURES)
    names = [*FEATURES, *sorted(n for n, c in seen.items() if c >= min_count)]
    column = {name: i for i, name in enumerate(names)}
    # each row's cells in column order: the sums, and so the fitted weights, do not depend on a set's order
    cells = sorted((r, column[k], v) for r, (f, _) in enumerate(rows) for k, v in f.items() if k in column and v)
    x = csr_matrix(
        ([v for _, _, v in cells], ([r for r, _, _ in cells], [c for _, c, _ in cells])), shape=(len(rows), len(names))
    )  # sparse: most of the columns are words seen between a few pairs
    y = np.array([1.0 if label else 0.0 for _, label in rows])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        value = -np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + l2 * np.sum(w[1:] ** 2) / 2
        grad = x.T @ (p - y) + l2 * np.concatenate([[0.0], w[1:]])
        return float(value), grad

    result = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B")
    weights = {name: round(float(w), 4) for name, w in zip(names, result.x, strict=True)}
    return {k: v for k, v in weights.items() if k in FEATURES or abs(v) >= 0.05}


@functools.cache
def _shipped() -> dict:
    text = resources.files("loaders").joinpath("text/claim_weights.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def default_weights() -> dict[str, float]:
    """The weights shipped with the package (fitted on the CDR training set; see BENCHMARKS.md)."""
    return dict(_default_weights())


@functools.cache
def _default_weights() -> dict[str, float]:
    """The shipped weights, read once per process (never modified: callers get copies)."""
    return {str(k): float(v) for k, v in (_shipped().get("weights") or {}).items()}


def default_threshold() -> float:
    return float(_shipped().get("threshold", 0.5))


_SCOPE_END = re.compile(r".*(?:;|\bbut\b|\bhowever\b|\balthough\b|\bwhereas\b|\bwhile\b|\bmaar\b)", re.IGNORECASE)


def _scope(before: str) -> str:
    """The part of the words before a mention a negation can reach: back to the last "but", ";"…

    Pseudo-negations ("with or without", "not only") are blanked so that they negate nothing.
    """
    m = _SCOPE_END.match(before)
    scope = before[m.end() :] if m else before
    return _PSEUDO_NEGATION.sub(lambda p: " " * len(p.group(0)), scope)


_HYPHEN = re.compile(r"[\s-]*(?:induced|associated|related|evoked|provoked|treated|toxicity)\b", re.IGNORECASE)


def _cues(text: str, sentence: Span, drug: Mention, disease: Mention, memo: dict | None = None) -> dict:
    """What the words between and around a drug and a disease of one sentence say of the two.

    ``memo`` keeps, for one abstract, what depends on one mention alone (the words before the
    first of the two, the negation scope before the disease, the words after it).
    """
    memo = {} if memo is None else memo
    a, b = sorted((drug, disease), key=lambda m: m.start)
    between = text[a.end : b.start]
    lead = memo.get(("before", a.start))
    if lead is None:
        before = text[max(sentence.start, a.start - 25) : a.start]
        lead = memo[("before", a.start)] = (_TREATMENT.search(before), _TREATS.search(before))
    own = memo.get(("disease", disease.start))
    if own is None:
        around = _scope(text[max(sentence.start, disease.start - 80) : disease.start])
        after = text[disease.end : min(sentence.end, disease.end + 30)]
        own = memo[("disease", disease.start)] = (_NEGATED.search(around), _ADVERSE.search(after))
    treatment = _TREATMENT.search(between) or lead[0]
    treats = _TREATS.search(between) or lead[1]
    adverse_between = _ADVERSE.search(between)
    adverse = adverse_between or own[1]
    hyphen = _HYPHEN.match(between)
    negation = own[0] or (disease.start > drug.start and _NEGATED.search(_scope(between)))
    cue = hyphen.group(0).strip(" -") if hyphen else adverse.group(0) if adverse else None
    return {
        "hyphen_cue": 1.0 if hyphen else 0.0,
        "adverse_cue": 1.0 if adverse else 0.0,
        "treatment_cue": 1.0 if treatment and not hyphen else 0.0,
        "treats": 1.0 if treats and not hyphen and not adverse_between else 0.0,
        "negated": 1.0 if negation and not hyphen else 0.0,
        "close": 1.0 if len(between) < 60 else 0.0,
        "cue": cue,
    }
