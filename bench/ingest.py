"""End-to-end ingest: documents through ``evx load`` into an on-disk store — documents/s, edges/s, peak RSS.

Each corpus (:mod:`bench.ingest_corpus`) is written into a temporary directory and loaded by a
separate ``evx load`` process into a new store; its wall time (start-up included), the edges the
store then holds and the process tree's peak resident memory (:mod:`bench.watch`) are recorded,
with the machine's load average before and after, since other work shares the cores.  Beside it,
the same files parsed in this process without a store (the parse-only rate) tell loader time from
store time.  ``python -m bench --only ingest`` (``make bench-ingest``) runs just this part and
rewrites only the ingest section of BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "BULK_SIZES",
    "CORPORA",
    "TARGETS",
    "bulk_worker",
    "render_section",
    "replace_section",
    "run_bulk",
    "run_ingest",
]

#: name → (documents, what they are)
CORPORA: dict[str, tuple[int, str]] = {
    "pubmed_1k": (1_000, "PubMed abstracts (BioCreative CDR, new PMIDs), 25 per file"),
    "pubmed": (10_000, "PubMed abstracts (BioCreative CDR, new PMIDs), 25 per file"),
    "ctgov": (2_000, "ClinicalTrials.gov v2 records (the shared real ones, new NCT ids), 1 per file"),
    "reports": (200, "Dutch drug–disease reports (the sample's layout, varied), 1 per file"),
}
#: (label, corpus, metric, comparison, limit, unit)
TARGETS: tuple[tuple[str, str, str, str, float, str], ...] = (
    ("Peak RSS of `evx load`, 1,000 abstracts", "pubmed_1k", "peak_rss_mib", "<=", 1536, "MiB"),
    ("Peak RSS of `evx load`, 10,000 abstracts", "pubmed", "peak_rss_mib", "<=", 1536, "MiB"),
    ("Abstracts end to end", "pubmed", "documents_per_s", ">=", 300, "documents/s"),
    ("Trial records end to end", "ctgov", "documents_per_s", ">=", 100, "documents/s"),
)
#: Requested edges of the synthetic bulk loads (``LadybugStore.bulk_load`` into a new on-disk store).
BULK_SIZES: tuple[int, ...] = (1_000_000, 5_000_000)
BULK_TARGET = 250_000  # edges/s, at every size
BEGIN, END = "<!-- ingest:begin -->", "<!-- ingest:end -->"
_PARSE_SAMPLE_S = 20.0  # seconds of parse-only timing per corpus at most
ANALYSIS = Path(__file__).with_name("ingest_analysis.md")


def _files(name: str, directory: Path, count: int) -> list[Path]:
    from bench.ingest_corpus import ctgov_files, pubmed_files, report_files

    makers: dict[str, Callable[[Path, int], list[Path]]] = {
        "pubmed_1k": pubmed_files,
        "pubmed": pubmed_files,
        "ctgov": ctgov_files,
        "reports": report_files,
    }
    return makers[name](directory, count)


def _parse_only(files: list[Path]) -> dict[str, Any]:
    """Documents/s of parsing alone (no store), over the first files, within a time budget."""
    from graph.reading import DocumentParser

    parse = DocumentParser(None)
    parse(files[0])  # warm: vocabulary, regexes
    start = time.perf_counter()
    documents = records = 0
    for path in files:
        for document in parse(path):
            documents += 1
            records += 1 + len(document.nodes) + len(document.edges)
        if time.perf_counter() - start > _PARSE_SAMPLE_S:
            break
    seconds = time.perf_counter() - start
    return {
        "documents": documents,
        "records_per_document": round(records / max(documents, 1), 1),
        "documents_per_s": round(documents / seconds, 1),
    }


def run_ingest(workdir: Path, *, counts: dict[str, int] | None = None, cap_mib: float = 6000) -> dict[str, Any]:
    """Every corpus through ``evx load`` in its own process and store; results by corpus name."""
    from bench.watch import run_watched
    from graph.store.ladybug.store import LadybugStore

    wanted = counts or {name: n for name, (n, _) in CORPORA.items()}
    out: dict[str, Any] = {}
    for name, count in wanted.items():
        corpus = workdir / f"corpus-{name}"
        store = workdir / f"store-{name}"
        try:
            files = _files(name, corpus, count)
        except FileNotFoundError as exc:  # ../shared is not there: say so, measure the rest
            out[name] = {"skipped": str(exc)}
            continue
        result: dict[str, Any] = {"what": CORPORA[name][1], "files": len(files)}
        result["parse_only"] = _parse_only(files)
        result["load_before"] = [round(x, 2) for x in os.getloadavg()]
        argv = [
            sys.executable,
            "-c",
            "from ui.cli.main import main; main()",
            "--store",
            str(store),
            "load",
            str(corpus),
        ]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        watched = run_watched(argv, cap_mib=cap_mib, timeout_s=1200, cwd=Path(__file__).resolve().parents[1])
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the load was waited for: its CPU is in here
        result["load_after"] = [round(x, 2) for x in os.getloadavg()]
        result.update(
            returncode=watched.returncode,
            seconds=watched.seconds,
            cpu_s=round(after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime, 2),
            peak_rss_mib=watched.peak_rss_mib,
            killed_over_cap=watched.killed_over_cap,
            summary=(watched.stdout.strip().splitlines() or [""])[-1][:400],
        )
        if watched.returncode != 0:
            result["error"] = watched.stderr.strip().splitlines()[-5:]
        try:
            with LadybugStore(store, read_only=True) as opened:
                stats = opened.stats()
            result.update(documents=stats.documents, nodes=stats.total_nodes, edges=stats.total_edges)
            seconds = max(watched.seconds, 1e-9)
            result["documents_per_s"] = round(stats.documents / seconds, 1)
            result["edges_per_s"] = round(stats.total_edges / seconds)
            result["records_per_s"] = round((stats.total_nodes + stats.total_edges) / seconds)
        except Exception as exc:
            result.setdefault("error", [f"store not readable: {exc}"])
        out[name] = result
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(store, ignore_errors=True)
    scale = wanted.get("pubmed", CORPORA["pubmed"][0]) / CORPORA["pubmed"][0]
    out["bulk"] = run_bulk(workdir, [max(1_000, round(n * scale)) for n in BULK_SIZES])
    return out


def bulk_worker(size: int, store: str) -> None:
    """In a child process: generate ``size`` edges, bulk-load them into a new store, print the numbers (JSON)."""
    import resource

    from bench.corpus import generate
    from graph.store.ladybug.store import LadybugStore

    began = time.perf_counter()
    corpus = generate(size, seed=7)
    generate_s = time.perf_counter() - began
    opened = LadybugStore(store)
    wall, cpu = time.perf_counter(), time.process_time()
    opened.bulk_load(corpus.nodes, corpus.edges)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = opened.stats()
    opened.close()
    print(
        json.dumps(
            {
                "generate_s": round(generate_s, 2),
                "nodes": stats.total_nodes,
                "edges": stats.total_edges,
                "generated_edges": corpus.n_edges,
                "seconds": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "edges_per_s": round(corpus.n_edges / wall),
                "edges_per_cpu_s": round(corpus.n_edges / cpu),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def run_bulk(workdir: Path, sizes: Sequence[int]) -> dict[str, Any]:
    """Each size of synthetic corpus bulk-loaded in its own process (its peak memory its own); by size."""
    from bench.watch import run_watched

    out: dict[str, Any] = {}
    for size in sizes:
        store = workdir / f"store-bulk-{size}"
        before = [round(x, 2) for x in os.getloadavg()]
        argv = [sys.executable, "-c", f"from bench.ingest import bulk_worker; bulk_worker({size}, {str(store)!r})"]
        watched = run_watched(argv, cap_mib=12_000, timeout_s=1800, cwd=Path(__file__).resolve().parents[1])
        result: dict[str, Any] = {"load_before": before, "load_after": [round(x, 2) for x in os.getloadavg()]}
        lines = watched.stdout.strip().splitlines()
        if watched.returncode == 0 and lines:
            result.update(json.loads(lines[-1]))
        else:
            result["error"] = watched.stderr.strip().splitlines()[-5:] or [f"exit {watched.returncode}"]
        out[str(size)] = result
        shutil.rmtree(store, ignore_errors=True)
    return out


def _met(value: float, op: str, limit: float) -> bool:
    return value >= limit if op == ">=" else value <= limit


def render_section(ingest: dict[str, Any] | None) -> list[str]:
    """The "Ingest, end to end" section of BENCHMARKS.md (between markers, so it can be rewritten alone)."""
    lines = [BEGIN, "## Ingest, end to end (`evx load` of documents)", ""]
    if not ingest:
        return [*lines, "Not measured in this run (`make bench-ingest`).", "", END]
    when = ingest.get("started", "?")
    lines += [
        f"`evx load DIR` into a new on-disk store, one process per corpus, started {when}; wall time includes "
        "start-up, parsing (in the same process), validation, writing in batches of 500 documents (or 50,000 records; the first ones smaller) "
        "per transaction and the drug → outcome shortcut upkeep.  Peak RSS is the `evx load` "
        "process tree's (sampled, and the kernel's high-water mark); CPU seconds are the `evx load` process's (every "
        "thread), which move less with other work than wall time.  *Parse only* is the same files parsed "
        "in one process without a store.  **The machine is shared: read every rate with its load average.**",
        "",
        "| Target | Goal | Measured | Met |",
        "|---|---|---|---|",
    ]
    for label, corpus, metric, op, limit, unit in TARGETS:
        value = ingest.get(corpus, {}).get(metric)
        if value is None:
            lines.append(f"| {label} | {op} {limit:,} {unit} | not measured | – |")
        else:
            lines.append(
                f"| {label} | {op} {limit:,} {unit} | {value:,} {unit} | {'yes' if _met(value, op, limit) else '**no**'} |"
            )
    bulk = ingest.get("bulk") or {}
    for size, r in bulk.items():
        value = r.get("edges_per_s")
        measured = "not measured" if value is None else f"{value:,} edges/s"
        met = "–" if value is None else ("yes" if value >= BULK_TARGET else "**no**")
        lines.append(f"| Synthetic bulk load, {int(size):,} edges | >= {BULK_TARGET:,} edges/s | {measured} | {met} |")
    lines += [
        "",
        "| Corpus | Documents stored | Files | Seconds | CPU seconds | CPU ms per document | Documents/s | "
        "Edges stored | Edges/s | Records/s | Peak RSS (MiB) | Parse only (docs/s) | Records per document | "
        "Load avg before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in ingest.items():
        if not isinstance(r, dict) or name in ("started", "bulk"):
            continue
        if "skipped" in r:
            lines.append(f"| {name} | skipped: {r['skipped']} |||||||||||||")
            continue
        parse = r.get("parse_only", {})
        cpu = r.get("cpu_s")
        per_document = round(1000 * cpu / r["documents"], 1) if cpu is not None and r.get("documents") else "–"
        lines.append(
            f"| {name}: {r.get('what', '')} | {r.get('documents', '–'):,} | {r.get('files', '–'):,} | "
            f"{r.get('seconds', '–')} | {'–' if cpu is None else cpu} | {per_document} | "
            f"{r.get('documents_per_s', '–')} | {r.get('edges', '–'):,} | "
            f"{r.get('edges_per_s', '–'):,} | {r.get('records_per_s', '–'):,} | {r.get('peak_rss_mib', '–'):,} | "
            f"{parse.get('documents_per_s', '–')} | {parse.get('records_per_document', '–')} | "
            f"{r.get('load_before', ['?'])[0]} → {r.get('load_after', ['?'])[0]} |"
        )
        if r.get("error"):
            lines.append(f"| ↳ {name} failed | {' '.join(r['error'])[:300]} |||||||||||||")
    lines.append("")
    if bulk:
        lines += [
            "Synthetic bulk load: `LadybugStore.bulk_load` of generated Arrow tables (`bench.corpus`) into a new "
            "on-disk store, one process per size; CPU seconds are the process's (every engine thread).",
            "",
            "| Requested edges | Nodes | Edges stored | Seconds | CPU seconds | Edges/s | Edges per CPU second | "
            "Peak RSS (MiB) | Load avg before → after |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for size, r in bulk.items():
            if r.get("error"):
                lines.append(f"| {int(size):,} | failed: {' '.join(r['error'])[:300]} ||||||||")
                continue
            lines.append(
                f"| {int(size):,} | {r['nodes']:,} | {r['edges']:,} | {r['seconds']} | {r['cpu_s']} | "
                f"{r['edges_per_s']:,} | {r['edges_per_cpu_s']:,} | {r['peak_rss_mib']:,} | "
                f"{r['load_before'][0]} → {r['load_after'][0]} |"
            )
        lines.append("")
    if ANALYSIS.exists():  # the profile-backed reading of these numbers, kept by hand
        lines += [ANALYSIS.read_text(encoding="utf-8").strip(), ""]
    return [*lines, END]


def replace_section(markdown: str, section: list[str]) -> str:
    """``markdown`` with its ingest section replaced (or appended when it has none)."""
    text = "\n".join(section)
    if BEGIN in markdown and END in markdown:
        head, rest = markdown.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        return head + text + tail
    return markdown.rstrip("\n") + "\n\n" + text + "\n"
