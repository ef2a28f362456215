"""Measuring recognition and claims against annotated abstracts (BioCreative V CDR).

The real path, as a user takes it: annotated PubTator records become PubMed XML with the
title and abstract only, the vocabularies a user would have are imported into a scratch
store (MeSH tables, an annotated training set), the XML goes through the PubMed loader into
the store, and the relations are read back from the store by Cypher.  Scores are the
task's own: chemical-induced disease relations per abstract (MeSH id pairs), and concepts
per abstract (MeSH ids of chemicals and of diseases), micro-averaged.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CdrResult", "Score", "evaluate_cdr"]


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


#: Documents written per transaction, as ``evx load`` writes them.
BATCH = 50


def _ingest(store, batch: list) -> list[str]:
    if not batch:
        return []
    result = store.ingest_many(batch)
    if result.failures:
        source, exc = result.failures[0]
        raise type(exc)(f"{source}: {exc}")
    return [w for r in result.reports for w in r.warnings]


def evaluate_cdr(test: Path, *, mesh: list[Path], annotations: list[Path], workdir: Path | None = None) -> CdrResult:
    """Relation and concept scores of ``test`` (PubTator) loaded through the real path."""
    from graph.settings import Settings
    from graph.store import open_store
    from graph.vocab_store import VocabularyStore
    from loaders.mesh import read_mesh_table, read_mesh_xml
    from loaders.pubmed import PubmedLoader
    from loaders.pubtator import read_pubtator, to_pubmed_xml
    from loaders.text.recognize import store_recognizer

    records = list(read_pubtator(test))
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        store_dir = Path(scratch) / "store"
        vocab = VocabularyStore.for_store(store_dir)
        for path in mesh:
            reader = read_mesh_xml if path.suffix.lower() == ".xml" else read_mesh_table
            vocab.import_mesh(reader(path), file=str(path))
        for path in annotations:
            vocab.import_annotations(read_pubtator(path), file=str(path))
        xml = Path(scratch) / "abstracts.xml"
        xml.write_text(to_pubmed_xml(records), encoding="utf-8")
        started = time.perf_counter()
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
            seconds = time.perf_counter() - started
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
            figures = store.query("MATCH (x:Figure) RETURN count(x)").rows[0][0]
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
