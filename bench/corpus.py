"""A seeded synthetic evidence graph with the shape of real evidence, built as Arrow tables.

Real evidence is skewed: a few drugs have thousands of studies, most have a handful.
Drug, condition and outcome popularity therefore follow Zipf-like weights, studies are
of mixed designs, and every study takes a stance on claims (``Finding`` nodes) that
figures measure, cited from source documents — the same shape the loaders produce.
Everything is built with numpy/pyarrow column operations (no Python loop per edge), so
a million edges take seconds.  Ids follow the model's id scheme (``drug:<slug>``,
``study:doi:10.9999/syn.<n>``), so :func:`graph.model.kind_of` works on them, and every
edge is one of :data:`graph.model.ALLOWED_TRIPLES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.ids import slug
from graph.model import EDGE_COLUMNS, EdgeType, NodeKind, node_columns
from graph.store.derived import DERIVED, linked_edge_id
from graph.vocabulary import Vocabulary

__all__ = ["Corpus", "EdgeKey", "generate"]

EdgeKey = tuple[EdgeType, NodeKind, NodeKind]

_K, _E = NodeKind, EdgeType
_ARROW = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
_EDGE_SCHEMA = pa.schema(
    [pa.field("from", pa.string()), pa.field("to", pa.string())]
    + [pa.field(name, _ARROW[py]) for name, py in EDGE_COLUMNS.items()]
)

DESIGNS = (
    ("RCT", 0.22),
    ("RCT (cross-over)", 0.05),
    ("cohort study", 0.2),
    ("case-control study", 0.08),
    ("prospective study", 0.1),
    ("open-label extension", 0.05),
    ("case report", 0.15),
    ("review", 0.1),
    ("meta-analysis", 0.05),
)
_JOURNALS = (
    "J Clin Endocrinol Metab",
    "Eur J Endocrinol",
    "Horm Res Paediatr",
    "Lancet",
    "N Engl J Med",
    "Diabetes Care",
    "BMJ",
    "Growth Horm IGF Res",
)
_SURNAMES = (
    "Bang",
    "Ekström",
    "Khwaja",
    "Latrech",
    "Grimberg",
    "Polak",
    "de Vries",
    "Jansen",
    "Müller",
    "García",
    "Nguyen",
    "Okafor",
    "Kowalski",
    "Rossi",
    "Svensson",
    "Tanaka",
)
_STRENGTHS = ("strong", "weak", "conditional", "expert opinion")

# Syllables for synthetic drug names beyond the vocabulary (deterministic, unique by index).
_HEADS = [
    "ab",
    "bel",
    "cor",
    "dan",
    "el",
    "fen",
    "gal",
    "hal",
    "ir",
    "jo",
    "ka",
    "lor",
    "mi",
    "no",
    "or",
    "pra",
    "quin",
    "ro",
    "sa",
    "te",
    "ul",
    "va",
    "xe",
    "zo",
]
_MIDS = ["ti", "lo", "ra", "ne", "mo", "ci", "da", "pi", "xa", "fi"]
_TAILS = [
    "mab",
    "tinib",
    "pril",
    "sartan",
    "olol",
    "statin",
    "gliptin",
    "floxacin",
    "vir",
    "azole",
    "dronate",
    "parin",
    "lukast",
    "setron",
    "tide",
]
_ORGANS = [
    "cardiac",
    "renal",
    "hepatic",
    "pulmonary",
    "neurological",
    "ocular",
    "dermal",
    "gastric",
    "thyroid",
    "adrenal",
    "vascular",
    "muscular",
]
_LESIONS = ["failure", "insufficiency", "fibrosis", "inflammation", "dysplasia", "neuropathy", "syndrome", "disorder"]
_SIGNS = (
    "heart rate",
    "blood pressure",
    "eGFR",
    "ALT",
    "QT interval",
    "body weight",
    "LDL cholesterol",
    "platelet count",
    "serum potassium",
    "bone density",
    "cortisol",
    "TSH",
)
_DIRECTIONS = ("increased", "decreased", "abnormal")


@dataclass
class Corpus:
    """Node tables by kind and edge tables by (type, source kind, target kind), ready for ``bulk_load``."""

    seed: int
    nodes: dict[NodeKind, pa.Table]
    edges: dict[EdgeKey, pa.Table]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return sum(t.num_rows for t in self.nodes.values())

    @property
    def n_edges(self) -> int:
        return sum(t.num_rows for t in self.edges.values())

    def node_counts(self) -> dict[str, int]:
        return {k.value: t.num_rows for k, t in sorted(self.nodes.items()) if t.num_rows}

    def edge_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (etype, _, _), table in self.edges.items():
            out[etype.value] = out.get(etype.value, 0) + table.num_rows
        return dict(sorted((k, v) for k, v in out.items() if v))

    def ids(self, kind: NodeKind) -> list[str]:
        return self.nodes[kind].column("id").to_pylist()

    def linked_pairs(self) -> list[tuple[str, str, int, int]]:
        """(drug id, outcome id, supporting, contradicting) of every LINKED_TO shortcut."""
        table = self.edges[(_E.LINKED_TO, _K.DRUG, _K.OUTCOME)]
        return list(
            zip(
                table.column("from").to_pylist(),
                table.column("to").to_pylist(),
                table.column("supporting").to_pylist(),
                table.column("contradicting").to_pylist(),
                strict=True,
            )
        )

    def to_networkx(self) -> nx.MultiDiGraph:
        """The same graph as the reference store holds it: attributes without ``None``s."""
        g = nx.MultiDiGraph()
        for table in self.nodes.values():
            for row in table.to_pylist():
                g.add_node(row["id"], **{k: v for k, v in row.items() if v is not None})
        for (etype, _, _), table in self.edges.items():
            cols = [c for c in table.column_names if table.column(c).null_count < table.num_rows]
            data = {c: table.column(c).to_pylist() for c in cols}
            extra = [c for c in cols if c not in ("from", "to", "id")]
            g.add_edges_from(
                (
                    s,
                    t,
                    key,
                    {"type": etype.value, "id": key, **{c: data[c][i] for c in extra if data[c][i] is not None}},
                )
                for i, (s, t, key) in enumerate(zip(data["from"], data["to"], data["id"], strict=True))
            )
        return g


def _zipf(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def _numbered(prefix: str, n: int, width: int = 7) -> pa.Array:
    """``prefix`` + zero-padded 0..n-1, built in Arrow (no Python loop)."""
    numbers = pc.utf8_lpad(pc.cast(pa.array(np.arange(n, dtype=np.int64)), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, numbers, "")


def _join(*parts: Any) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _concept_names(kind: NodeKind, n: int) -> list[tuple[str, str | None, str | None]]:
    """(name, synonyms, code) for ``n`` concepts: the shipped vocabulary first, then synthetic names."""
    vocab = [c for c in Vocabulary.default().concepts if c.kind is kind]
    out: list[tuple[str, str | None, str | None]] = []
    seen: set[str] = set()
    for c in vocab[:n]:
        seen.add(slug(c.name))
        out.append((c.name, "; ".join(c.synonyms) or None, next(iter(c.codes.values()), None)))
    i = 0
    while len(out) < n:
        if kind is _K.DRUG:
            head, mid, tail = _HEADS[i % 24], _MIDS[(i // 24) % 10], _TAILS[(i // 240) % 15]
            name = head + mid + tail + (str(i // 3600) if i >= 3600 else "")
            synonyms = f"{(mid + head).capitalize()}ex; {name}e"
            code = f"Z{i % 100:02d}X{i:04d}"
        elif kind is _K.CONDITION:
            org, les = _ORGANS[i % len(_ORGANS)], _LESIONS[(i // len(_ORGANS)) % len(_LESIONS)]
            cycle = i // (len(_ORGANS) * len(_LESIONS))
            name = f"{org} {les}" + (f" type {cycle + 1}" if cycle else "")
            synonyms = f"{org}e {les}"
            code = f"D9{i:05d}"
        else:
            sign, way = _SIGNS[i % len(_SIGNS)], _DIRECTIONS[(i // len(_SIGNS)) % len(_DIRECTIONS)]
            cycle = i // (len(_SIGNS) * len(_DIRECTIONS))
            name = f"{way} {sign}" + (f" grade {cycle + 1}" if cycle else "")
            synonyms = f"{sign} {way}"
            code = f"99{i:06d}"
        i += 1
        if slug(name) not in seen:
            seen.add(slug(name))
            out.append((name, synonyms, code))
    return out


def _node_table(kind: NodeKind, n: int, values: dict[str, Any]) -> pa.Table:
    """A table with every column of ``kind``; columns not given are all null."""
    columns = {}
    for name, py in node_columns(kind).items():
        value = values.get(name)
        if value is None:
            columns[name] = pa.nulls(n, type=_ARROW[py])
        elif isinstance(value, str):
            columns[name] = pa.array(np.full(n, value, dtype=object), type=pa.string())
        else:
            columns[name] = pa.array(value, type=_ARROW[py])
    return pa.table(columns)


class _EdgeSink:
    """Collects edge columns per (type, source kind, target kind) and numbers edge ids."""

    def __init__(self) -> None:
        self.parts: dict[EdgeKey, list[dict[str, Any]]] = {}
        self.count = 0

    def add(self, key: EdgeKey, src: pa.Array, dst: pa.Array, **extra: Any) -> None:
        n = len(src)
        if n == 0:
            return
        self.parts.setdefault(key, []).append({"from": src, "to": dst, **extra})
        self.count += n

    def tables(self) -> dict[EdgeKey, pa.Table]:
        out = {}
        offset = 0
        for key in sorted(self.parts, key=lambda k: (k[0].value, k[1].value, k[2].value)):
            chunks = []
            for part in self.parts[key]:
                n = len(part["from"])
                cols = {}
                for f in _EDGE_SCHEMA:
                    value = part.get(f.name)
                    if f.name == "id" and value is None:
                        value = _numbered(f"edge:syn:{offset:x}:", n, width=1)
                    if value is None:
                        value = pa.nulls(n, type=f.type)
                    elif isinstance(value, str):
                        value = pa.array(np.full(n, value, dtype=object), type=f.type)
                    elif not isinstance(value, pa.Array | pa.ChunkedArray):
                        value = pa.array(value, type=f.type)
                    cols[f.name] = value
                chunks.append(pa.table(cols, schema=_EDGE_SCHEMA))
                offset += 1
            out[key] = pa.concat_tables(chunks).combine_chunks()
        return out


def _scale(edges: int) -> dict[str, int]:
    return {
        "drugs": max(10, edges // 2000),
        "conditions": max(12, edges // 10_000),
        "outcomes": max(16, edges // 5000),
    }


def generate(edges: int, *, seed: int = 42) -> Corpus:
    """A corpus of about ``edges`` edges (within a few percent), the same for the same seed."""
    edges = max(int(edges), 200)
    studies = max(10, edges // 12)
    corpus = _build(studies, edges, seed)
    # The edges per study depend a little on scale (claims are shared); one correction suffices.
    studies = max(10, round(studies * edges / corpus.n_edges))
    return _build(studies, edges, seed)


def _build(n_study: int, target_edges: int, seed: int) -> Corpus:
    rng = np.random.default_rng(seed)
    scale = _scale(target_edges)
    n_drug, n_cond, n_out = scale["drugs"], scale["conditions"], scale["outcomes"]
    sink = _EdgeSink()

    # -- concepts: Zipf-weighted, the vocabulary's own concepts are the most studied ----------
    concepts = {}
    for kind, n in ((_K.DRUG, n_drug), (_K.CONDITION, n_cond), (_K.OUTCOME, n_out)):
        rows = _concept_names(kind, n)
        code = {"Drug": "atc", "Condition": "mesh", "Outcome": "meddra"}[kind.value]
        names = [r[0] for r in rows]
        concepts[kind] = pa.array(names, type=pa.string())
        ids = pa.array([f"{kind.prefix}:{slug(name)}" for name in names], type=pa.string())
        concepts[(kind, "id")] = ids
        concepts[(kind, "table")] = _node_table(
            kind,
            n,
            {
                "id": ids,
                "kind": kind.value,
                "name": names,
                "synonyms": [r[1] for r in rows],
                code: [r[2] for r in rows],
                "source_doc": "curated:vocabulary",
            },
        )
    drug_ids, cond_ids, out_ids = (concepts[(k, "id")] for k in (_K.DRUG, _K.CONDITION, _K.OUTCOME))
    drug_names, cond_names, out_names = (concepts[k] for k in (_K.DRUG, _K.CONDITION, _K.OUTCOME))

    # -- sources (reports, trial records, papers) and the studies they cite ------------------
    n_source = max(3, n_study // 20)
    source_ids = _numbered("source:syn", n_source)
    study_ids = _numbered("study:doi:10.9999/syn.", n_study)
    s_drug = rng.choice(n_drug, n_study, p=_zipf(n_drug, 1.1, rng))
    s_cond = rng.choice(n_cond, n_study, p=_zipf(n_cond, 0.9, rng))
    s_source = rng.integers(0, n_source, n_study)
    design_names, design_p = zip(*DESIGNS, strict=True)
    s_design = rng.choice(len(design_names), n_study, p=np.array(design_p) / sum(design_p))
    s_year = rng.integers(1990, 2025, n_study)
    s_n = np.where(s_design == design_names.index("case report"), rng.integers(1, 3, n_study), rng.zipf(1.6, n_study))
    s_n = np.minimum(s_n * 7, 200_000)
    author = pa.array(np.array(_SURNAMES, dtype=object)[rng.integers(0, len(_SURNAMES), n_study)], type=pa.string())
    year_s = pc.cast(pa.array(s_year), pa.string())
    design_s = pa.array(np.array(design_names, dtype=object)[s_design], type=pa.string())
    drug_of = drug_ids.take(pa.array(s_drug))
    cond_of = cond_ids.take(pa.array(s_cond))
    src_of = source_ids.take(pa.array(s_source))

    # -- claims: each study takes 1-3 stances on drug -> outcome (in its population) -----------
    k = rng.choice([1, 2, 3], n_study, p=[0.45, 0.35, 0.2])
    st_study = np.repeat(np.arange(n_study), k)
    st_out = rng.choice(n_out, len(st_study), p=_zipf(n_out, 1.0, rng))
    key = (s_drug[st_study].astype(np.int64) * n_out + st_out) * n_cond + s_cond[st_study]
    pair = np.unique(st_study.astype(np.int64) * (n_drug * n_out * n_cond) + key)  # one stance per study and claim
    st_study, key = pair // (n_drug * n_out * n_cond), pair % (n_drug * n_out * n_cond)
    f_keys, st_finding = np.unique(key, return_inverse=True)
    n_finding = len(f_keys)
    f_cond = f_keys % n_cond
    f_out = (f_keys // n_cond) % n_out
    f_drug = f_keys // (n_cond * n_out)
    finding_ids = _numbered("finding:syn", n_finding)
    st_contra = rng.random(len(st_study)) < 0.18
    # The first study taking a stance is where the claim was first read.
    first = np.full(n_finding, -1, dtype=np.int64)
    first[st_finding[::-1]] = st_study[::-1]
    f_source = s_source[first]

    # -- guidelines: a few per popular drug, taking stances on existing claims ----------------
    n_guide = max(2, n_study // 60)
    guide_ids = _numbered("guideline:syn", n_guide)
    g_finding = rng.integers(0, n_finding, n_guide)
    g_drug, g_cond = f_drug[g_finding], f_cond[g_finding]
    g_source = rng.integers(0, n_source, n_guide)
    g_contra = rng.random(n_guide) < 0.1

    # -- figures: most stances come with a number --------------------------------------------
    has_fig = rng.random(len(st_study)) < 0.7
    fig_study, fig_finding = st_study[has_fig], st_finding[has_fig]
    n_fig = len(fig_study)
    figure_ids = _numbered("figure:syn", n_fig)
    fig_den = np.maximum(s_n[fig_study], 1)
    fig_num = rng.binomial(fig_den, rng.beta(1.2, 4.0, n_fig))
    fig_val = np.round(100.0 * fig_num / fig_den, 1)
    fig_pop = rng.random(n_fig) < 0.5

    # -- LINKED_TO: distinct studies and guidelines for / against each drug -> outcome ---------
    ev = np.concatenate([st_study, n_study + np.arange(n_guide)])
    ev_drug = np.concatenate([f_drug[st_finding], g_drug])
    ev_out = np.concatenate([f_out[st_finding], f_out[g_finding]])
    ev_contra = np.concatenate([st_contra, g_contra]).astype(np.int64)
    uniq = np.unique(np.stack([ev_drug, ev_out, ev_contra, ev]), axis=1)
    pair_key = uniq[0] * n_out + uniq[1]
    pairs, inverse = np.unique(pair_key, return_inverse=True)
    supporting = np.bincount(inverse, weights=uniq[2] == 0, minlength=len(pairs)).astype(np.int64)
    contradicting = np.bincount(inverse, weights=uniq[2] == 1, minlength=len(pairs)).astype(np.int64)
    l_drug, l_out = pairs // n_out, pairs % n_out
    l_from, l_to = drug_ids.take(pa.array(l_drug)), out_ids.take(pa.array(l_out))
    sink.add(
        (_E.LINKED_TO, _K.DRUG, _K.OUTCOME),
        l_from,
        l_to,
        id=pa.array([linked_edge_id(d, o) for d, o in zip(l_from.to_pylist(), l_to.to_pylist(), strict=True)]),
        source_doc=DERIVED,
        supporting=supporting,
        contradicting=contradicting,
    )

    # -- edges ---------------------------------------------------------------------------
    def idx(a: np.ndarray) -> pa.Array:
        return pa.array(a.astype(np.int64))

    st_from = study_ids.take(idx(st_study))
    st_to = finding_ids.take(idx(st_finding))
    st_src = src_of.take(idx(st_study))
    for stance, mask in ((_E.SUPPORTS, ~st_contra), (_E.CONTRADICTS, st_contra)):
        m = pa.array(mask)
        sink.add((stance, _K.STUDY, _K.FINDING), st_from.filter(m), st_to.filter(m), source_doc=st_src.filter(m))
        gm = pa.array(g_contra if stance is _E.CONTRADICTS else ~g_contra)
        sink.add(
            (stance, _K.GUIDELINE, _K.FINDING),
            guide_ids.filter(gm),
            finding_ids.take(idx(g_finding)).filter(gm),
            source_doc=source_ids.take(idx(g_source)).filter(gm),
        )
    sink.add((_E.STUDIES, _K.STUDY, _K.DRUG), study_ids, drug_of, source_doc=src_of)
    sink.add((_E.STUDIED_IN, _K.STUDY, _K.CONDITION), study_ids, cond_of, source_doc=src_of)
    sink.add((_E.FROM_SOURCE, _K.STUDY, _K.SOURCE), study_ids, src_of, source_doc=src_of)
    sink.add((_E.CITES, _K.SOURCE, _K.STUDY), src_of, study_ids, source_doc=src_of)
    f_src_ids = source_ids.take(idx(f_source))
    sink.add((_E.ABOUT, _K.FINDING, _K.DRUG), finding_ids, drug_ids.take(idx(f_drug)), source_doc=f_src_ids)
    sink.add((_E.ABOUT, _K.FINDING, _K.OUTCOME), finding_ids, out_ids.take(idx(f_out)), source_doc=f_src_ids)
    sink.add(
        (_E.IN_POPULATION, _K.FINDING, _K.CONDITION), finding_ids, cond_ids.take(idx(f_cond)), source_doc=f_src_ids
    )
    sink.add((_E.FROM_SOURCE, _K.FINDING, _K.SOURCE), finding_ids, f_src_ids, source_doc=f_src_ids)
    fig_src = src_of.take(idx(fig_study))
    sink.add((_E.REPORTS, _K.STUDY, _K.FIGURE), study_ids.take(idx(fig_study)), figure_ids, source_doc=fig_src)
    sink.add((_E.MEASURES, _K.FIGURE, _K.FINDING), figure_ids, finding_ids.take(idx(fig_finding)), source_doc=fig_src)
    pm = pa.array(fig_pop)
    sink.add(
        (_E.IN_POPULATION, _K.FIGURE, _K.CONDITION),
        figure_ids.filter(pm),
        cond_ids.take(idx(s_cond[fig_study])).filter(pm),
        source_doc=fig_src.filter(pm),
    )
    sink.add((_E.FROM_SOURCE, _K.FIGURE, _K.SOURCE), figure_ids, fig_src, source_doc=fig_src)
    g_src = source_ids.take(idx(g_source))
    sink.add((_E.RECOMMENDS, _K.GUIDELINE, _K.DRUG), guide_ids, drug_ids.take(idx(g_drug)), source_doc=g_src)
    rec = pa.array(rng.random(n_guide) < 0.3)
    sink.add(
        (_E.RECOMMENDS, _K.GUIDELINE, _K.FINDING),
        guide_ids.filter(rec),
        finding_ids.take(idx(g_finding)).filter(rec),
        source_doc=g_src.filter(rec),
    )
    sink.add((_E.STUDIED_IN, _K.GUIDELINE, _K.CONDITION), guide_ids, cond_ids.take(idx(g_cond)), source_doc=g_src)
    sink.add((_E.CITES, _K.SOURCE, _K.GUIDELINE), g_src, guide_ids, source_doc=g_src)
    sink.add((_E.FROM_SOURCE, _K.GUIDELINE, _K.SOURCE), guide_ids, g_src, source_doc=g_src)
    # A product label (SPC) per tenth source recommends about the source's main drug.
    spc = np.arange(0, n_source, 10)
    spc_drug = rng.choice(n_drug, len(spc), p=_zipf(n_drug, 1.1, rng))
    sink.add((_E.RECOMMENDS, _K.SOURCE, _K.DRUG), source_ids.take(idx(spc)), drug_ids.take(idx(spc_drug)))
    # One study known under two records (a trial registry entry and its paper).
    dup = rng.choice(n_study, size=(max(1, n_study // 100), 2))
    dup = dup[dup[:, 0] != dup[:, 1]]
    sink.add((_E.SAME_STUDY, _K.STUDY, _K.STUDY), study_ids.take(idx(dup[:, 0])), study_ids.take(idx(dup[:, 1])))
    # Concepts point at every document that mentions them.
    for kind, ids_arr, of in ((_K.DRUG, drug_ids, s_drug), (_K.CONDITION, cond_ids, s_cond)):
        mention = np.unique(of.astype(np.int64) * n_source + s_source)
        sink.add(
            (_E.FROM_SOURCE, kind, _K.SOURCE),
            ids_arr.take(idx(mention // n_source)),
            source_ids.take(idx(mention % n_source)),
        )
    out_mention = np.unique(f_out * n_source + f_source)
    sink.add(
        (_E.FROM_SOURCE, _K.OUTCOME, _K.SOURCE),
        out_ids.take(idx(out_mention // n_source)),
        source_ids.take(idx(out_mention % n_source)),
    )

    # -- node tables -----------------------------------------------------------------------
    s_title = _join("Effect of ", drug_names.take(idx(s_drug)), " on outcomes in ", cond_names.take(idx(s_cond)))
    nodes = {
        _K.DRUG: concepts[(_K.DRUG, "table")],
        _K.CONDITION: concepts[(_K.CONDITION, "table")],
        _K.OUTCOME: concepts[(_K.OUTCOME, "table")],
        _K.STUDY: _node_table(
            _K.STUDY,
            n_study,
            {
                "id": study_ids,
                "kind": "Study",
                "name": _join(author, " ", year_s),
                "title": _join(s_title, ": a ", design_s),
                "authors": _join(author, " A, et al."),
                "year": s_year,
                "journal": pa.array(np.array(_JOURNALS, dtype=object)[rng.integers(0, len(_JOURNALS), n_study)]),
                "doi": pc.utf8_slice_codeunits(study_ids, 10),
                "design": design_s,
                "n": s_n,
                "population": cond_names.take(idx(s_cond)),
                "met_pico": rng.random(n_study) < 0.4,
                "source_doc": src_of,
            },
        ),
        _K.FINDING: _node_table(
            _K.FINDING,
            n_finding,
            {
                "id": finding_ids,
                "kind": "Finding",
                "name": _join(
                    d := drug_names.take(idx(f_drug)),
                    " → ",
                    o := out_names.take(idx(f_out)),
                    " in ",
                    c := cond_names.take(idx(f_cond)),
                ),
                "drug": d,
                "outcome": o,
                "population": c,
                "source_doc": f_src_ids,
            },
        ),
        _K.FIGURE: _node_table(
            _K.FIGURE,
            n_fig,
            {
                "id": figure_ids,
                "kind": "Figure",
                "name": _join(pc.cast(pa.array(fig_val), pa.string()), "%"),
                "value": fig_val,
                "unit": "%",
                "numerator": fig_num,
                "denominator": fig_den,
                "population": cond_names.take(idx(s_cond[fig_study])),
                "label": out_names.take(idx(f_out[fig_finding])),
                "source_doc": fig_src,
            },
        ),
        _K.GUIDELINE: _node_table(
            _K.GUIDELINE,
            n_guide,
            {
                "id": guide_ids,
                "kind": "Guideline",
                "name": _join("Guideline on ", drug_names.take(idx(g_drug)), " in ", cond_names.take(idx(g_cond))),
                "strength": pa.array(np.array(_STRENGTHS, dtype=object)[rng.integers(0, 4, n_guide)]),
                "issuer": "Synthetic Society",
                "year": rng.integers(2000, 2025, n_guide),
                "source_doc": g_src,
            },
        ),
        _K.SOURCE: _node_table(
            _K.SOURCE,
            n_source,
            {
                "id": source_ids,
                "kind": "Source",
                "name": _join("Synthetic report ", pc.utf8_slice_codeunits(source_ids, 10)),
                "source_type": pa.array(
                    np.array(["report", "ctgov", "pubmed"], dtype=object)[rng.integers(0, 3, n_source)]
                ),
                "language": "nl",
                "source_doc": source_ids,
            },
        ),
    }
    edges = sink.tables()
    return Corpus(
        seed=seed,
        nodes=nodes,
        edges=edges,
        meta={"requested_edges": target_edges, "studies": n_study, **scale, "findings": n_finding},
    )
