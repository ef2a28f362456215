"""Measuring recognition and claims against annotated abstracts (BioCreative V CDR).

The real path, as a user takes it: annotated PubTator records become PubMed XML with the
title and abstract only, the vocabularies a user would have are imported into a scratch
store (MeSH tables, an annotated training set), the XML goes through the PubMed loader into
the store, and the relations are read back from the store by Cypher.  Scores are the
task's own: chemical-induced disease relations per abstract (MeSH id pairs), and concepts
per abstract (MeSH ids of chemicals and of diseases), micro-averaged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import EvidenceError

__all__ = ["CdrResult", "EvaluationError", "Score", "evaluate_cdr"]


class EvaluationError(EvidenceError):
    """The measured path itself failed (``evx load`` did not finish, or the store refused a record)."""


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class CdrResult:
    abstracts: int
    relations: Score
    chemicals: Score
    diseases: Score
    load_seconds: float
    contradicted: int = 0
    figures: int = 0
    warnings: list[str] = field(default_factory=list)


def _score(pred: dict[str, set], gold: dict[str, set]) -> Score:
    tp = fp = fn = 0
    for pmid in gold:
        p, g = pred.get(pmid, set()), gold[pmid]
        tp, fp, fn = tp + len(p & g), fp + len(p - g), fn + len(g - p)
    return Score(tp, fp, fn)


#: Documents written per transaction when loading in this process.
BATCH = 50


def evaluate_cdr(
    test: Path, *, mesh: list[Path], annotations: list[Path], workdir: Path | None = None, via_cli: bool = True
) -> CdrResult:
    """Relation and concept scores of ``test`` (PubTator) loaded through the real path (``evx load``)."""
    from graph.settings import Settings
    from graph.store import open_store
    from graph.vocab_store import VocabularyStore
    from loaders.mesh import read_mesh_table, read_mesh_xml
    from loaders.pubtator import read_pubtator, to_pubmed_xml

    records = list(read_pubtator(test))
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        store_dir = Path(scratch) / "store"
        with open_store(Settings(store=store_dir)):
            pass  # the empty store first: a directory holding only a vocabulary reads as a store whose database is lost
        vocab = VocabularyStore.for_store(store_dir)
        for path in mesh:
            reader = read_mesh_xml if path.suffix.lower() == ".xml" else read_mesh_table
            vocab.import_mesh(reader(path), file=str(path))
        for path in annotations:
            vocab.import_annotations(read_pubtator(path), file=str(path))
        xml = Path(scratch) / "abstracts.xml"
        xml.write_text(to_pubmed_xml(records), encoding="utf-8")
        started = time.perf_counter()
        warnings = _evx_load(store_dir, xml) if via_cli else _load_in_process(store_dir, xml, vocab)
        seconds = time.perf_counter() - started
        with open_store(Settings(store=store_dir, read_only=True)) as store:
            pred_rel, contradicted, pred_chem, pred_dis, figures = _read_back(store)
    gold_rel = {r.pmid: set(r.relations) for r in records}
    gold_chem = {r.pmid: {i for a in r.annotations if a.type == "Chemical" for i in a.ids} for r in records}
    gold_dis = {r.pmid: {i for a in r.annotations if a.type == "Disease" for i in a.ids} for r in records}
    return CdrResult(
        abstracts=len(records),
        relations=_score(pred_rel, gold_rel),
        chemicals=_score(pred_chem, gold_chem),
        diseases=_score(pred_dis, gold_dis),
        load_seconds=seconds,
        contradicted=contradicted,
        figures=figures,
        warnings=warnings,
    )


def _read_back(store: Any) -> tuple[dict[str, set], int, dict[str, set], dict[str, set], int]:
    """Claims (by stance) and concepts per abstract, as Cypher over the store sees them."""
    pred_rel: dict[str, set] = {}
    contradicted = 0
    for target in ("Condition", "Outcome"):
        for stance in ("SUPPORTS", "CONTRADICTS"):
            rows = store.query(
                f"MATCH (s:Study)-[:{stance}]->(f:Finding)-[:ABOUT]->(d:Drug), (f)-[:ABOUT]->(o:{target}) "
                "WHERE f.population IS NULL RETURN s.pmid, d.mesh, o.mesh",
                row_limit=1_000_000,
            ).rows
            for pmid, drug, disease in rows:
                if stance == "SUPPORTS":
                    pred_rel.setdefault(pmid, set()).add((drug, disease))
                else:
                    contradicted += 1
    pred_chem: dict[str, set] = {}
    pred_dis: dict[str, set] = {}
    for label, into in (("Drug", pred_chem), ("Condition", pred_dis), ("Outcome", pred_dis)):
        rows = store.query(
            f"MATCH (c:{label})-[:FROM_SOURCE]->(src:Source)<-[:FROM_SOURCE]-(s:Study) "
            "WHERE c.mesh IS NOT NULL RETURN s.pmid, c.mesh",
            row_limit=1_000_000,
        ).rows
        for pmid, code in rows:
            into.setdefault(pmid, set()).add(code)
    figures = store.query("MATCH (x:Figure) RETURN count(x) AS n").rows[0][0]
    return pred_rel, contradicted, pred_chem, pred_dis, figures


def _evx_load(store_dir: Path, xml: Path) -> list[str]:
    """``evx --store DIR load FILE`` in its own process, exactly as a user runs it; its warnings."""
    command = [
        sys.executable,
        "-c",
        "from ui.cli.main import main; main()",
        "--store",
        str(store_dir),
        "load",
        str(xml),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVX_")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600, check=False)
    if done.returncode != 0:
        raise EvaluationError(f"evx load failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return [line.removeprefix("warning: ") for line in done.stderr.splitlines() if line.startswith("warning: ")]


def _load_in_process(store_dir: Path, xml: Path, vocab: Any) -> list[str]:
    """The loader and the store's batch write in this process (for profiling without a subprocess)."""
    from graph.settings import Settings
    from graph.store import open_store
    from loaders.pubmed import PubmedLoader
    from loaders.text.recognize import store_recognizer

    warnings: list[str] = []
    with open_store(Settings(store=store_dir)) as store:
        loader = PubmedLoader(store_recognizer(vocab))
        batch: list = []
        for document in loader.load(xml):
            batch.append(document)
            if len(batch) == BATCH:
                warnings.extend(_ingest(store, batch))
                batch = []
        warnings.extend(_ingest(store, batch))
    return warnings


def _ingest(store: Any, batch: list) -> list[str]:
    if not batch:
        return []
    result = store.ingest_many(batch)
    if result.failures:
        source, exc = result.failures[0]
        raise EvaluationError(f"the store refused {source}: {exc}")
    return [w for r in result.reports for w in r.warnings]
