"""Reading the literature at speed: recognition and claims, and the same into the store.

``python -m bench.literature`` (or ``python -m bench --only literature``) measures, with an open vocabulary of
about 30,000 names loaded:

- ``recognise``: the recogniser alone over each abstract's text;
- ``loader``: PubMed XML → documents (XML parsing, recognition, claims, figures, validation);
- ``end_to_end``: the same documents written into a fresh embedded store, in batches as ``evx load``
  writes them.

The abstracts are the BioCreative V CDR development set and the vocabulary the MeSH tables plus
the training set's annotations, when ``../shared`` holds them; otherwise a synthetic vocabulary of
30,000 names and synthetic abstracts built from them (same sizes: ~1,500 characters, ~25 mentions).
Results go to ``bench-literature.json``; the literature section of BENCHMARKS.md is written from it, followed by
``bench/literature_analysis.md`` (held-out scores and notes kept by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["only", "render_section", "replace_section", "run"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
RESULTS = ROOT / "bench-literature.json"
#: The held-out relation scores (``scripts/fit_claim_model.py --held-out``, too slow for every bench run) and the
#: profile-backed reading of the timings, written by hand and appended to the generated section.
ANALYSIS = Path(__file__).with_name("literature_analysis.md")
BENCHMARKS = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- literature: begin -->", "<!-- literature: end -->"
_HEADING = "## Literature: recognition and claims"
TARGET_PER_S = 200
BATCH = 100

_SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "cor",
    "da",
    "de",
    "di",
    "fen",
    "ga",
    "ge",
    "lo",
    "ma",
    "me",
    "mi",
    "na",
    "ne",
    "no",
    "pra",
    "pro",
    "ra",
    "re",
    "ri",
    "sa",
    "se",
    "ta",
    "te",
    "ti",
    "vo",
    "xa",
    "ze",
]
_DRUG_ENDS = ("mab", "pril", "olol", "azole", "statin", "mycin", "oxacin", "pine", "done", "ine", "ate", "ide")
_DISEASE_ENDS = ("itis", "osis", "emia", "algia", "opathy", " syndrome", " disease", " deficiency", "oma")


def _word(rng: random.Random, ends: tuple[str, ...]) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) + rng.choice(ends)


def _synthetic(n_names: int, n_abstracts: int, seed: int = 7) -> tuple[list[Any], list[Any]]:
    from loaders.mesh import MeshRecord
    from loaders.pubtator import PubtatorRecord

    rng = random.Random(seed)
    records, drugs, diseases = [], [], []
    names: set[str] = set()
    i = 0
    while len(names) < n_names:
        is_drug = i % 2 == 0
        name = _word(rng, _DRUG_ENDS if is_drug else _DISEASE_ENDS)
        if name in names:
            continue
        names.add(name)
        i += 1
        mesh = f"D{900000 + i:06d}"
        records.append(
            MeshRecord(mesh, name, ("D02.1" if is_drug else "C10.1",), (name,), "Drug" if is_drug else "Condition")
        )
        (drugs if is_drug else diseases).append(name)
    templates = (
        "{d}-induced {y} was reported in {n} of {m} patients ({p}%).",
        "Treatment with {d} for {y} improved outcomes in most patients.",
        "No {y} was observed after {d} in the control group.",
        "Patients receiving {d} developed {y} within two weeks of starting therapy.",
        "The mechanism by which {d} causes {y} remains unclear, although {y2} was also seen.",
        "We describe a cohort followed for {n} months on {d} and {d2}.",
    )
    abstracts = []
    for k in range(n_abstracts):
        d, d2 = rng.choice(drugs), rng.choice(drugs)
        y, y2 = rng.choice(diseases), rng.choice(diseases)
        title = f"{d.capitalize()}-induced {y} in adults: a case series."
        body = " ".join(
            rng.choice(templates).format(
                d=d, d2=d2, y=y, y2=y2, n=rng.randint(2, 40), m=rng.randint(41, 90), p=rng.randint(5, 60)
            )
            for _ in range(12)
        )
        abstracts.append(PubtatorRecord(pmid=str(10_000 + k), title=title, abstract=body))
    return records, abstracts


def run(*, source: str = "auto", workdir: Path | None = None) -> dict[str, Any]:
    """Timings of recognition, loading and loading into the store; see the module docstring."""
    from graph.settings import Settings
    from graph.store import open_store
    from graph.vocab_store import VocabularyStore
    from loaders.mesh import read_mesh_table
    from loaders.pubmed import PubmedLoader
    from loaders.pubtator import read_pubtator, to_pubmed_xml
    from loaders.text.recognize import store_recognizer

    cdr = SHARED / "fixtures" / "bc5cdr"
    mesh = SHARED / "vocab" / "mesh"
    real = source == "cdr" or (source == "auto" and (cdr / "CDR_DevelopmentSet.PubTator.txt").exists())
    out: dict[str, Any] = {"source": "CDR development set" if real else "synthetic", "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        store_dir = Path(scratch) / "store"
        vocab = VocabularyStore.for_store(store_dir)
        started = time.perf_counter()
        if real:
            for name in ("terms.tsv", "tree-numbers.tsv"):  # what `make eval` imports
                vocab.import_mesh(read_mesh_table(mesh / name), file=name)
            vocab.import_annotations(read_pubtator(cdr / "CDR_TrainingSet.PubTator.txt"), file="train")
            abstracts = list(read_pubtator(cdr / "CDR_DevelopmentSet.PubTator.txt"))
        else:
            records, abstracts = _synthetic(30_000, 500)
            vocab.import_mesh(records, file="synthetic")
        out["vocabulary_import_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        recognizer = store_recognizer(vocab)
        out["recognizer_build_s"] = round(time.perf_counter() - started, 2)
        out["names"] = recognizer.size
        out["abstracts"] = len(abstracts)
        out["characters_per_abstract"] = round(sum(len(a.text) for a in abstracts) / len(abstracts))

        started, cpu = time.perf_counter(), time.process_time()
        mentions = sum(len(recognizer.mentions(a.text)) for a in abstracts)
        out["recognise_per_s"] = round(len(abstracts) / (time.perf_counter() - started))
        out["recognise_per_cpu_s"] = round(len(abstracts) / (time.process_time() - cpu))
        out["mentions_per_abstract"] = round(mentions / len(abstracts), 1)

        xml = Path(scratch) / "abstracts.xml"
        xml.write_text(to_pubmed_xml(abstracts), encoding="utf-8")
        loader = PubmedLoader(recognizer)
        started, cpu = time.perf_counter(), time.process_time()
        documents = list(loader.load(xml))
        out["loader_per_s"] = round(len(documents) / (time.perf_counter() - started))
        out["loader_per_cpu_s"] = round(len(documents) / (time.process_time() - cpu))
        out["claims_per_abstract"] = round(
            sum(1 for d in documents for e in d.edges if e.type.value in ("SUPPORTS", "CONTRADICTS")) / len(documents),
            2,
        )

        started, cpu = time.perf_counter(), time.process_time()
        with open_store(Settings(store=store_dir)) as store:
            for document_batch in _batches(loader.load(xml), BATCH):
                result = store.ingest_many(document_batch)
                if result.failures:
                    raise RuntimeError(f"the store refused {result.failures[0][0]}: {result.failures[0][1]}")
        out["end_to_end_per_s"] = round(len(documents) / (time.perf_counter() - started))
        out["end_to_end_per_cpu_s"] = round(len(documents) / (time.process_time() - cpu))
    if real:
        out["cdr_development"] = _evaluation(cdr, mesh, workdir)
    out["load_after"] = os.getloadavg()
    out["target_per_s"] = TARGET_PER_S
    return out


def _evaluation(cdr: Path, mesh: Path, workdir: Path | None) -> dict[str, Any]:
    """``evx eval cdr`` on the development set: the scores the literature section reports."""
    from graph.evaluation import evaluate_cdr

    result = evaluate_cdr(
        cdr / "CDR_DevelopmentSet.PubTator.txt",
        mesh=[mesh / "terms.tsv", mesh / "tree-numbers.tsv"],
        annotations=[cdr / "CDR_TrainingSet.PubTator.txt"],
        workdir=workdir,
    )
    scores = {}
    for name in ("relations", "chemicals", "diseases"):
        score = getattr(result, name)
        scores[name] = {
            "precision": round(score.precision, 3),
            "recall": round(score.recall, 3),
            "f1": round(score.f1, 3),
            "tp": score.tp,
            "fp": score.fp,
            "fn": score.fn,
        }
    return {"abstracts": result.abstracts, **scores, "contradicted": result.contradicted, "figures": result.figures}


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def render_section(results: dict[str, Any] | None) -> list[str]:
    """The literature section of BENCHMARKS.md."""
    if not results:
        return []
    r = results
    return [BEGIN, *_section(r), END]


def _section(r: dict[str, Any]) -> list[str]:
    ok = "meets" if r["end_to_end_per_s"] >= r["target_per_s"] else "**misses**"
    load = ", ".join(f"{x:.1f}" for x in r["load_before"])
    return [
        "## Literature: recognition and claims",
        "",
        f"{r['abstracts']} abstracts ({r['source']}, ~{r['characters_per_abstract']} characters each), an open "
        f"vocabulary of {r['names']:,} names (built in {r['recognizer_build_s']} s); load average before: {load}.",
        "",
        "| step | abstracts/s (wall) | abstracts per CPU-second |",
        "|---|---:|---:|",
        f"| recognition alone ({r['mentions_per_abstract']} mentions per abstract) | {r['recognise_per_s']:,} "
        f"| {r.get('recognise_per_cpu_s', 0):,} |",
        f"| PubMed XML → documents (recognition, claims, figures, validation; {r['claims_per_abstract']} claims each) "
        f"| {r['loader_per_s']:,} | {r.get('loader_per_cpu_s', 0):,} |",
        f"| end to end into the embedded store (batches of {BATCH}) | {r['end_to_end_per_s']:,} "
        f"| {r.get('end_to_end_per_cpu_s', 0):,} |",
        "",
        f"End to end {ok} the target of {r['target_per_s']} abstracts/s in wall time at this load. Per CPU-second "
        "(what an otherwise idle core gives; the engine's own threads are counted) is the fairer figure on a "
        f"shared machine. Reading (XML, recognition, claims, records) is {_share(r)} of the end-to-end CPU per "
        "abstract; the rest is writing the records into the store.",
        "",
        *_evaluation_lines(r.get("cdr_development")),
        *_analysis(),
    ]


def _share(r: dict[str, Any]) -> str:
    """The loader's part of the end-to-end CPU time per abstract, as a percentage."""
    loader, whole = r.get("loader_per_cpu_s") or 0, r.get("end_to_end_per_cpu_s") or 0
    return f"{100 * whole / loader:.0f}%" if loader and whole else "an unknown part"


def _analysis() -> list[str]:
    """The held-out scores and the reading of these numbers, kept by hand (regenerating must not lose them)."""
    if not ANALYSIS.exists():
        return []
    return [ANALYSIS.read_text(encoding="utf-8").strip(), ""]


def _evaluation_lines(e: dict[str, Any] | None) -> list[str]:
    if not e:
        return []
    rows = [
        f"| {name} | {e[name]['precision']:.3f} | {e[name]['recall']:.3f} | **{e[name]['f1']:.3f}** | "
        f"{e[name]['tp']} | {e[name]['fp']} | {e[name]['fn']} |"
        for name in ("relations", "chemicals", "diseases")
    ]
    return [
        "### BioCreative V CDR development set (`make eval`)",
        "",
        f"{e['abstracts']} abstracts turned into PubMed XML (title and abstract only) and loaded with `evx load` "
        "(its own process) into a scratch store, after importing the MeSH tables and the training set's annotations; "
        "relations (chemical-induced disease, MeSH ids per abstract) and concepts per abstract read back "
        "from the store by Cypher. Targets: relations F1 ≥ 0.57 (best 2015 team on the held-out set), "
        "chemicals ≥ 0.85, diseases ≥ 0.80.",
        "",
        "| | precision | recall | F1 | tp | fp | fn |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Also stored: {e['contradicted']} contradicted claims (negated statements) and {e['figures']} figures "
        "from the claims' own sentences. What the remaining relation errors are, and what each change to the "
        "claim model gave: [docs/literature.md](docs/literature.md#measured).",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("auto", "cdr", "synthetic"), default="auto")
    args = parser.parse_args()
    results = run(source=args.source)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    section = render_section(results)
    print("\n".join(section))
    if BENCHMARKS.exists():
        BENCHMARKS.write_text(replace_section(BENCHMARKS.read_text(encoding="utf-8"), section), encoding="utf-8")


def only(out: Path, *, source: str = "auto") -> int:
    """``python -m bench --only literature``: this section alone; other results and sections are kept."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "bench-results.json", out / "BENCHMARKS.md"
    results = json.loads(json_path.read_text()) if json_path.exists() else {}
    results["literature"] = run(source=source)
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = md_path.read_text(encoding="utf-8") if md_path.exists() else "# Benchmarks\n"
    md_path.write_text(replace_section(markdown, render_section(results["literature"])), encoding="utf-8")
    print(f"[bench] literature done: {md_path}", flush=True)
    return 0


def replace_section(markdown: str, section: list[str]) -> str:
    """``markdown`` with its literature section replaced (the hand-kept notes come from ``ANALYSIS``, not from it)."""
    text = "\n".join(section)
    if BEGIN in markdown and END in markdown:
        head, rest = markdown.split(BEGIN, 1)
        return head + text + rest.split(END, 1)[1]
    if _HEADING in markdown:  # a file written before the markers: up to the next section or marked block
        head, rest = markdown.split(_HEADING, 1)
        ends = [i for i in (rest.find("\n## "), rest.find("\n<!-- ")) if i >= 0]
        return head + text + "\n" + (rest[min(ends) :] if ends else "")
    return markdown.rstrip("\n") + "\n\n" + text + "\n"


if __name__ == "__main__":
    main()
