"""Fit the adverse-effect claim model (``loaders/text/claim_weights.yaml``) on the CDR training and development sets.

Reads the BioCreative V CDR corpus and the MeSH tables from ``../shared`` at fit time only;
the product reads just the weights it writes.  The training set is cross-fitted: each fifth is
read with the names and curated pairs learned from the rest (plus the MeSH tables), so
the model learns from the recall and the prior a user's vocabulary gives on unseen abstracts,
not from the perfect recall of names learned from the very text being read.  The development
set is read with the vocabulary learned from the whole training set, as ``evx eval cdr`` reads
it (and as the held-out test set is read).  The shipped weights learn from both sets
(``--on train`` for the training set alone); the regularisation and the threshold are chosen
on out-of-fold scores of the abstracts fitted.  Scores of the development set are then
in-sample: ``--held-out`` fits each set alone and scores the other, which is what the model
does on abstracts it never saw.

    .venv/bin/python scripts/fit_claim_model.py --held-out  # fit, write the weights, print held-out scores
    .venv/bin/python scripts/fit_claim_model.py --check     # only measure the shipped weights
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT / ".." / "shared"
CDR = SHARED / "fixtures" / "bc5cdr"
MESH = SHARED / "vocab" / "mesh"
TRAIN = CDR / "CDR_TrainingSet.PubTator.txt"
DEV = CDR / "CDR_DevelopmentSet.PubTator.txt"
#: Cross-fitting folds: each fifth of the training set is read with what the other four fifths teach, close to
#: what a vocabulary learned from the whole training set gives on new abstracts.
FOLDS = 5
L2_GRID = (1.0, 3.0, 10.0, 30.0)
#: Folds of the abstracts fitted that choose the threshold and the regularisation (out of fold).
THRESHOLD_FOLDS = 5
WEIGHTS = ROOT / "loaders" / "text" / "claim_weights.yaml"


def _recognizer(annotated: list, workdir: Path):
    from graph.vocab_store import VocabularyStore
    from loaders.mesh import read_mesh_table
    from loaders.text.recognize import Recognizer

    store = VocabularyStore(workdir / "vocabulary.sqlite")
    for name in ("terms.tsv", "tree-numbers.tsv"):
        store.import_mesh(read_mesh_table(MESH / name), file=name)
    store.import_annotations(iter(annotated), file="annotations")
    return Recognizer(
        store.entries(),
        term_use=store.term_use(),
        trees=store.trees(),
        known_relations=store.known_relations(),
        concept_roles=store.concept_roles(),
    )


def _read(records: list, recognizer) -> list[dict]:
    """What the PubMed loader sees of each abstract: text, sentences, title, mentions; and the gold relations."""
    from loaders.text.sentences import Span
    from loaders.text.sentences import sentences as split_sentences

    out = []
    for rec in records:
        joined = f"{rec.title} {rec.abstract}"
        start = len(rec.title) + 1
        sentences = split_sentences(joined, start, len(joined)) if rec.abstract else []
        out.append(
            {
                "pmid": rec.pmid,
                "text": joined,
                "sentences": sentences,
                "title": Span(0, len(rec.title), rec.title),
                "mentions": recognizer.mentions(joined),
                "gold": set(rec.relations),
                "chemicals": {i for a in rec.annotations if a.type == "Chemical" for i in a.ids},
                "diseases": {i for a in rec.annotations if a.type == "Disease" for i in a.ids},
            }
        )
    return out


def prepare(cache: Path) -> dict:
    """Mentions of the training folds (cross-fitted) and of the development set, cached."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())  # noqa: S301 - the cache this script wrote itself
    from loaders.pubtator import read_pubtator

    train = list(read_pubtator(TRAIN))
    dev = list(read_pubtator(DEV))
    data: dict = {"train": [], "dev": []}
    with tempfile.TemporaryDirectory() as scratch:
        for i in range(FOLDS):
            mine = [r for k, r in enumerate(train) if k % FOLDS == i]
            other = [r for k, r in enumerate(train) if k % FOLDS != i]
            work = Path(scratch) / f"fold{i}"
            work.mkdir()
            rec = _recognizer(other, work)
            for doc in _read(mine, rec):
                doc["trees"], doc["known"], doc["roles"] = rec.trees, rec.known_relations, rec.concept_roles
                data["train"].append(doc)
        work = Path(scratch) / "all"
        work.mkdir()
        rec = _recognizer(train, work)
        for doc in _read(dev, rec):
            doc["trees"], doc["known"], doc["roles"] = rec.trees, rec.known_relations, rec.concept_roles
            data["dev"].append(doc)
    # one copy of the shared trees / relations per fold is enough in the pickle
    cache.write_bytes(pickle.dumps(data))
    return data


_PRIORS: dict[int, object] = {}


def _priors(doc: dict):
    """A recogniser holding one fold's curated pairs and concept roles (for its ``roles`` and ``rates``)."""
    if id(doc["known"]) not in _PRIORS:
        from loaders.text.recognize import Recognizer

        _PRIORS[id(doc["known"])] = Recognizer(
            known_relations=doc["known"], concept_roles=doc["roles"], trees=doc["trees"]
        )
    return _PRIORS[id(doc["known"])]


def _candidates(doc: dict) -> list:
    from loaders.text.claims import candidates

    known = doc["known"]
    return candidates(
        doc["text"],
        doc["sentences"],
        doc["mentions"],
        title=doc["title"],
        trees=doc["trees"],
        known=lambda c, d: (c, d) in known,
        roles=_priors(doc).roles,
        rates=_priors(doc).rates,
    )


def _rows(docs: list[dict]) -> list[tuple[dict[str, float], bool, str, tuple[str, str]]]:
    """Labelled candidates; each twice: as read with the fold's priors, and as a vocabulary without annotations reads it.

    The second copy teaches the model what the text alone says, for a user who imported MeSH but no annotated
    abstracts (``no_priors``), without which the missing priors would read as evidence against every pair.
    """
    from loaders.text.claims import PRIOR_FEATURES

    rows = []
    for doc in docs:
        for cand in _candidates(doc):
            if cand.treatment_only:
                continue
            pair = (cand.drug.codes.get("mesh", ""), cand.disease.codes.get("mesh", ""))
            rows.append((cand.features, pair in doc["gold"], doc["pmid"], pair))
            bare = {**cand.features, **dict.fromkeys(PRIOR_FEATURES, 0.0), "no_priors": 1.0}
            bare["disease_rate"] = bare["chemical_rate"] = 0.25
            rows.append((bare, pair in doc["gold"], doc["pmid"] + "/bare", pair))
    return rows


def measure(docs: list[dict], weights: dict[str, float], threshold: float) -> tuple[float, float, float]:
    """Relation precision, recall and F1 of the claims the product would store as SUPPORTS."""
    from graph.model import EdgeType
    from loaders.text.claims import adverse_claims

    tp = fp = fn = 0
    for doc in docs:
        known = doc["known"]
        claims = adverse_claims(
            doc["text"],
            doc["sentences"],
            doc["mentions"],
            title=doc["title"],
            trees=doc["trees"],
            weights=weights,
            known=lambda c, d, known=known: (c, d) in known,
            threshold=threshold,
            roles=_priors(doc).roles,
            rates=_priors(doc).rates,
        )
        pred = {
            (c.drug.codes.get("mesh"), c.disease.codes.get("mesh")) for c in claims if c.stance is EdgeType.SUPPORTS
        }
        tp += len(pred & doc["gold"])
        fp += len(pred - doc["gold"])
        fn += len(doc["gold"] - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def concepts(docs: list[dict]) -> str:
    """Chemical and disease F1 per abstract of the recognised mentions (what ``evx eval cdr`` counts)."""
    from graph.model import NodeKind

    out = []
    for kind, field in (("chemicals", (NodeKind.DRUG,)), ("diseases", (NodeKind.CONDITION, NodeKind.OUTCOME))):
        tp = fp = fn = 0
        for doc in docs:
            pred = {m.concept.codes.get("mesh") for m in doc["mentions"] if m.concept.kind in field} - {None}
            tp, fp, fn = tp + len(pred & doc[kind]), fp + len(pred - doc[kind]), fn + len(doc[kind] - pred)
        out.append(f"{kind} F1 {2 * tp / (2 * tp + fp + fn):.3f}")
    return ", ".join(out)


def _oof_threshold(rows: list, docs: list[dict], l2: float) -> tuple[float, float]:
    """The threshold that maximises out-of-fold relation F1 on the abstracts fitted (five folds by abstract).

    F1 is averaged over thresholds within 0.03 of each before the best is taken: the raw curve is flat and
    jagged near its top, and a threshold chosen on a spike of it moved held-out F1 by ±0.01 from fit to fit.
    """
    from loaders.text.claims import fit, score

    pmids = sorted({r[2].split("/")[0] for r in rows})
    fold = {p: i % THRESHOLD_FOLDS for i, p in enumerate(pmids)}
    scored: list[tuple[float, bool]] = []
    for k in range(THRESHOLD_FOLDS):  # an abstract and its copy read without priors are always in the same fold
        w = fit([(f, y) for f, y, p, _ in rows if fold[p.split("/")[0]] != k], l2=l2)
        scored.extend((score(f, w), y) for f, y, p, _ in rows if fold.get(p) == k)  # only as read with priors
    gold = sum(len(d["gold"]) for d in docs)
    grid = [i / 100 for i in range(10, 80)]
    f1s = []
    for t in grid:
        tp = sum(1 for s, y in scored if s >= t and y)
        fp = sum(1 for s, y in scored if s >= t and not y)
        f1s.append(2 * tp / (2 * tp + fp + (gold - tp)) if tp else 0.0)
    smooth = [sum(f1s[max(0, i - 3) : i + 4]) / len(f1s[max(0, i - 3) : i + 4]) for i in range(len(grid))]
    best = max(range(len(grid)), key=lambda i: smooth[i])
    return grid[best], smooth[best]


def write(weights: dict[str, float], threshold: float) -> None:
    header = [line for line in WEIGHTS.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    body = [f"threshold: {threshold}", "weights:"] + [f"  {k}: {v}" for k, v in weights.items()]
    WEIGHTS.write_text("\n".join(header + body) + "\n", encoding="utf-8")


def _fitted(docs: list[dict], l2: float, dropped: set[str], *, quiet: bool = False) -> tuple[dict[str, float], float]:
    """Weights and threshold fitted on ``docs``: regularisation and threshold chosen on their out-of-fold F1."""
    from loaders.text.claims import fit

    rows = [({k: v for k, v in f.items() if k not in dropped}, y, p, q) for f, y, p, q in _rows(docs)]
    if not quiet:
        print(f"{len(rows)} candidates, {sum(y for _, y, _, _ in rows)} positive")
    tried = {value: _oof_threshold(rows, docs, value) for value in ([l2] if l2 else L2_GRID)}
    if not quiet:
        for value, (t, f1) in tried.items():
            print(f"l2 {value}: threshold {t}, out-of-fold F1 {f1:.3f}")
    best = max(tried, key=lambda value: tried[value][1])
    weights = {k: v for k, v in fit([(f, y) for f, y, _, _ in rows], l2=best).items() if k not in dropped}
    return weights, tried[best][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="measure the shipped weights only")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "evx-cdr-mentions-v5.pickle")
    parser.add_argument("--l2", type=float, default=0.0, help="regularisation (default: chosen out of fold)")
    parser.add_argument("--drop", default="", help="features to leave out (comma-separated), to measure them")
    parser.add_argument("--dry-run", action="store_true", help="fit and measure, do not write the weights")
    parser.add_argument(
        "--on", choices=("train", "train+dev"), default="train+dev", help="the abstracts the shipped weights learn from"
    )
    parser.add_argument("--held-out", action="store_true", help="also fit on each set alone and score the other")
    args = parser.parse_args()
    if not TRAIN.exists():
        raise SystemExit(f"the CDR corpus is not at {CDR}")
    from loaders.text.claims import default_threshold, default_weights

    data = prepare(args.cache)
    dropped = {n for n in args.drop.split(",") if n}
    if args.held_out:
        # what the model does on abstracts it never saw: each set fitted alone, the other one scored
        for fitted_on, scored in (("train", "dev"), ("dev", "train")):
            weights, threshold = _fitted(data[fitted_on], args.l2, dropped, quiet=True)
            p, r, f1 = measure(data[scored], weights, threshold)
            print(
                f"held out: fitted on {fitted_on}, {scored:5} P {p:.3f} R {r:.3f} F1 {f1:.3f} (threshold {threshold})"
            )
    if args.check:
        weights, threshold = default_weights(), default_threshold()
    else:
        docs = data["train"] + (data["dev"] if args.on == "train+dev" else [])
        weights, threshold = _fitted(docs, args.l2, dropped)
        if not args.dry_run:
            write(weights, threshold)
    print(f"threshold {threshold}")
    for name in ("train", "dev"):
        p, r, f1 = measure(data[name], weights, threshold)
        print(f"{name:6} P {p:.3f} R {r:.3f} F1 {f1:.3f}", concepts(data[name]))


if __name__ == "__main__":
    main()
