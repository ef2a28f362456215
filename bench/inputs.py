"""The varied inputs every timed operation runs on, chosen the same way for every backend.

Both the embedded store and the networkx comparison derive their inputs from the same
seeded corpus with these functions, so a ratio compares the same questions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench.corpus import Corpus
from graph.model import NodeKind

__all__ = ["Inputs", "choose_inputs", "connected_ids"]

_K = NodeKind
#: Start kinds for neighbourhood expansion: what a researcher opens (equal shares).
NEIGHBOURHOOD_KINDS = (_K.DRUG, _K.OUTCOME, _K.CONDITION, _K.STUDY, _K.FINDING)


@dataclass(frozen=True)
class Inputs:
    search_terms: list[str]
    study_terms: list[str]
    neighbourhood_starts: list[str]
    evidence_pairs: list[tuple[str, str]]
    path_pairs: list[tuple[str, str]]
    hub_drug: str
    hub_pair: tuple[str, str]
    #: Studies (degree ~6: what a researcher opens from a link) and drugs with ~110 neighbours.
    study_starts: list[str] = field(default_factory=list)
    typical_drugs: list[str] = field(default_factory=list)


def choose_inputs(corpus: Corpus, reps: int, *, seed: int = 42) -> Inputs:
    """``reps`` inputs per operation: names, prefixes and synonyms; nodes of every kind; linked pairs."""
    rng = random.Random(seed)
    names: list[str] = []
    for kind in (_K.DRUG, _K.CONDITION, _K.OUTCOME):
        table = corpus.nodes[kind]
        for name, synonyms in zip(table.column("name").to_pylist(), table.column("synonyms").to_pylist(), strict=True):
            names.append(name)
            names.extend(s.strip() for s in (synonyms or "").split(";") if s.strip())
    terms = []
    for _ in range(reps):
        word = rng.choice(names)
        terms.append(word if rng.random() < 0.4 else word[: rng.randint(3, max(3, len(word)))])
    titles = corpus.nodes[_K.STUDY].column("title").to_pylist()
    study_terms = [" ".join(rng.choice(titles).split()[2:4]) for _ in range(reps)]
    ids = {kind: corpus.ids(kind) for kind in NEIGHBOURHOOD_KINDS}
    starts = [rng.choice(ids[NEIGHBOURHOOD_KINDS[i % len(NEIGHBOURHOOD_KINDS)]]) for i in range(reps)]
    linked = corpus.linked_pairs()
    pairs = [(d, o) for d, o, *_ in (rng.choice(linked) for _ in range(reps))]
    drugs, outcomes = corpus.ids(_K.DRUG), corpus.ids(_K.OUTCOME)
    paths = [(rng.choice(drugs), rng.choice(outcomes)) for _ in range(reps)]
    hub = max(linked, key=lambda row: row[2] + row[3])  # the most-studied drug -> outcome link
    studies = corpus.ids(_K.STUDY)
    study_starts = [rng.choice(studies) for _ in range(reps)]
    # Drug popularity is Zipf by rank, so the first drug is the one with thousands of studies.
    return Inputs(
        terms,
        study_terms,
        starts,
        pairs,
        paths,
        hub_drug=drugs[0],
        hub_pair=(hub[0], hub[1]),
        study_starts=study_starts,
        typical_drugs=drugs_near_degree(corpus, TYPICAL_DRUG_DEGREE, 10),
    )


#: The issue's "a drug with ~110 neighbours": a drug a researcher opens, not the hub.
TYPICAL_DRUG_DEGREE = 110


def degrees(corpus: Corpus) -> dict[str, int]:
    """Relationships per node id (either end), counted column-wise."""
    ends = pa.chunked_array([t.column(c) for t in corpus.edges.values() for c in ("from", "to")]).combine_chunks()
    counts = pc.value_counts(ends)
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))


def drugs_near_degree(corpus: Corpus, degree: int, n: int) -> list[str]:
    """The ``n`` drugs whose number of relationships is closest to ``degree``."""
    counts = degrees(corpus)
    drugs = corpus.ids(_K.DRUG)
    return sorted(drugs, key=lambda d: (abs(counts.get(d, 0) - degree), d))[:n]


def connected_ids(corpus: Corpus, start: str, size: int) -> list[str]:
    """About ``size`` node ids reached breadth-first from ``start`` (a connected subgraph to export)."""
    sources = pa.chunked_array([t.column("from") for t in corpus.edges.values()]).combine_chunks()
    targets = pa.chunked_array([t.column("to") for t in corpus.edges.values()]).combine_chunks()
    chosen = [start]
    seen = {start}
    frontier = pa.array([start])
    while len(chosen) < size and len(frontier):
        out_mask = pc.is_in(sources, value_set=frontier)
        in_mask = pc.is_in(targets, value_set=frontier)
        found = pa.concat_arrays([targets.filter(out_mask), sources.filter(in_mask)])
        fresh = sorted(set(pc.unique(found).to_pylist()) - seen)
        if not fresh:
            break
        room = size - len(chosen)
        if len(fresh) > room:
            fresh = sorted(np.random.default_rng(len(chosen)).choice(fresh, room, replace=False).tolist())
        chosen.extend(fresh)
        seen.update(fresh)
        frontier = pa.array(fresh)
    return chosen
