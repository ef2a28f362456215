"""The benchmark: one command, every size, ratios in the same run; writes BENCHMARKS.md and JSON.

Each size runs in its own process (``--worker store`` / ``--worker networkx``) so that
its peak memory is its own; loader throughput and the browser run once.  Timings are
percentiles over repetitions with varied inputs (see :mod:`bench.inputs`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["main", "run_load", "run_loaders", "run_networkx", "run_queries"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
#: ``--nightly`` (or ``EVX_BENCH_NIGHTLY=1``) adds the 10M-edge corpus: ~25 minutes and several GiB.
NIGHTLY_SIZES = (100_000, 1_000_000, 10_000_000)
#: networkx holds the whole graph in Python objects (~2.2 GiB at 1M edges): the reference stops here.
NETWORKX_MAX = 1_000_000
#: A worker past this resident memory is stopped (``--max-rss-mib``); the engine's address-space
#: reservation rules out ``prlimit --as``.
MAX_RSS_MIB = 8_000
#: Seconds one operation may take at one size before its remaining repetitions are skipped
#: (keeps `make bench` inside 10 minutes on 2 shared cores); at least MIN_REPS always run.
BUDGET_S = 25.0
MIN_REPS = 5
EXPORT_SIZES = (1_000, 10_000)
HTML_SIZES = (500, 2_000)


# -- the embedded store ---------------------------------------------------------------------
def run_load(size: int, *, reps: int, seed: int, store_dir: Path, plan: Path) -> dict[str, Any]:
    """Generate one size of corpus and bulk-load it into an on-disk store; write the query plan for it."""
    from bench.corpus import generate
    from bench.inputs import choose_inputs, connected_ids
    from bench.timing import Recorder, peak_rss_mib, rss_mib
    from graph.store.ladybug.store import LadybugStore

    out: dict[str, Any] = {"size": size, "reps": reps}
    start = time.perf_counter()
    corpus = generate(size, seed=seed)
    out["generate_s"] = round(time.perf_counter() - start, 3)
    out["corpus"] = {"nodes": corpus.n_nodes, "edges": corpus.n_edges, "meta": corpus.meta}
    out["corpus"]["node_counts"], out["corpus"]["edge_counts"] = corpus.node_counts(), corpus.edge_counts()
    inputs = choose_inputs(corpus, reps, seed=seed)

    rss = {"after_generate": rss_mib()}
    store = LadybugStore(store_dir)
    recorder = Recorder(store._conn)
    start = time.perf_counter()
    with recorder.recording() as statements:
        store.bulk_load(corpus.nodes, corpus.edges)
    seconds = time.perf_counter() - start
    phases = {"nodes": 0.0, "edges": 0.0, "commit": 0.0}
    for (query, _), spent in zip(statements, recorder.seconds, strict=True):
        phase = (
            "commit" if query == "COMMIT" else "edges" if "(from=" in query else "nodes" if "COPY" in query else None
        )
        if phase:
            phases[phase] += spent
    out["bulk_load"] = {
        "seconds": round(seconds, 3),
        "edges_per_s": round(corpus.n_edges / seconds),
        "phases_s": {k: round(v, 3) for k, v in phases.items()},
    }
    rss["after_bulk_load"] = rss_mib()
    stats = store.stats()
    store.close()
    out["stored"] = {"nodes": stats.total_nodes, "edges": stats.total_edges}
    sets = {str(n): connected_ids(corpus, inputs.hub_drug, n) for n in (*EXPORT_SIZES, *HTML_SIZES)}
    plan.write_text(json.dumps({"inputs": dataclasses.asdict(inputs), "sets": sets}))
    out["rss_mib"] = rss
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def run_queries(store_dir: Path, *, plan: Path, export_dir: Path) -> dict[str, Any]:
    """Open the loaded store as the explorer does and time every operation; raw-engine timings alongside.

    A process of its own, so its peak memory is the explorer's, not the generator's.
    """
    from bench.inputs import Inputs
    from bench.timing import Recorder, peak_rss_mib, rss_mib, summary, timed
    from graph.export import write
    from graph.export.html import network_html
    from graph.model import NodeKind
    from graph.store.base import CONCEPT_KINDS
    from graph.store.ladybug import queries as q
    from graph.store.ladybug.store import LadybugStore

    loaded = json.loads(plan.read_text())
    inputs = Inputs(**loaded["inputs"])
    export_sets = {n: loaded["sets"][str(n)] for n in EXPORT_SIZES}
    html_sets = {n: loaded["sets"][str(n)] for n in HTML_SIZES}
    out: dict[str, Any] = {"load_before": [round(x, 2) for x in os.getloadavg()]}
    store = LadybugStore(store_dir)
    rss = {"after_open": rss_mib()}
    recorder = Recorder(store._conn)
    conn = store._conn
    ops: dict[str, Any] = {}

    start = time.perf_counter()
    store.search("warm")  # builds the in-process concept index once per store
    ops["search_index_build_ms"] = round((time.perf_counter() - start) * 1000, 3)

    walks = store._walks

    def uncached(call: Any) -> Any:
        """``call`` with the node and relationship columns set aside: properties read from the engine."""

        def run(item: Any) -> Any:
            kept = walks._cache, walks._nodes
            walks._cache = walks._nodes = None
            try:
                return call(item)
            finally:
                walks._cache, walks._nodes = kept

        return run

    def paired(name: str, call: Any, items: list[Any], *, budget_s: float = BUDGET_S, cypher: Any = None) -> None:
        """Time ``call`` per input, and the statements it sent replayed straight to the engine.

        ``cypher``, when given, answers the same question with Cypher alone (no adjacency
        index): the raw engine doing the walk, timed on the same inputs.  Each input is also
        timed with the in-memory columns set aside (*from the engine*), in turn with ours, so
        the ratio of the two is read at one load.
        """
        ours: list[float] = []
        raw: list[float] = []
        alone: list[float] = []
        engine_props: list[float] = []
        cpu: list[float] = []
        statements_sent: list[int] = []
        began = time.perf_counter()
        for item in items:
            if len(ours) >= MIN_REPS and time.perf_counter() - began > budget_s:
                break  # an expensive operation at a large size: fewer repetitions (the n column says how many)
            with recorder.recording() as statements:
                call(item)  # warm and record (untimed)
            statements_sent.append(len(statements))
            used = time.process_time()
            ours += timed(call, [item])
            cpu.append(time.process_time() - used)  # this process's CPU (the engine's threads too): less load-bound
            raw += timed(recorder.replay, [list(statements)])
            engine_props += timed(uncached(call), [item])
        ops[name] = {"ours": summary(ours), "engine": summary(raw), "from_engine": summary(engine_props)}
        ops[name]["statements"] = round(sum(statements_sent) / max(len(statements_sent), 1), 1)
        ops[name]["cpu"] = summary(cpu)
        if cypher is not None:  # its own time budget, so a slow reference does not cut ours short
            began = time.perf_counter()
            for item in items[: len(ours)]:
                if len(alone) >= MIN_REPS and time.perf_counter() - began > budget_s:
                    break
                cypher(item)  # warm (plans compiled), as ours was
                alone += timed(cypher, [item])
            ops[name]["cypher"] = summary(alone)

    # Search: ours (in-process concept index) vs. the engine's CONTAINS scan over the same kinds.
    def raw_search(term: str) -> None:
        for kind in CONCEPT_KINDS:
            conn.execute(q.search_kind(kind), {"q": term.strip().lower(), "cap": 500}).get_all()

    ops["search"] = {
        "ours": summary(timed(lambda t: store.search(t, limit=20), inputs.search_terms)),
        "engine": summary(timed(raw_search, inputs.search_terms)),
    }
    paired("search_studies", lambda t: store.search(t, kinds=[NodeKind.STUDY], limit=20), inputs.study_terms)
    # The adjacency index is built on the first walk; measured here so it is not inside a walk's timing.
    start = time.perf_counter()
    index = store._walks.index()
    ops["adjacency_index"] = {
        "build_s": round(time.perf_counter() - start, 3),
        "mib": round(index.nbytes / 2**20, 1),
        "nodes": index.size,
        "rss_mib_after": rss_mib(),
    }
    # The node and relationship columns are read in the background after the index; every walk below is timed
    # with them in.
    start = time.perf_counter()
    cache = store._walks.edge_cache(wait=True)
    nodes = store._walks.node_cache()
    if nodes is not None:
        ops["adjacency_index"]["node_cache"] = {
            "build_s": store._walks.last_node_cache_build_s and round(store._walks.last_node_cache_build_s, 3),
            "mib": round(nodes.nbytes / 2**20, 1),
        }
    if cache is not None:
        ops["adjacency_index"]["edge_cache"] = {
            "build_s": store._walks.last_cache_build_s and round(store._walks.last_cache_build_s, 3),
            "waited_s": round(time.perf_counter() - start, 3),
            "mib": round(cache.nbytes / 2**20, 1),
            "rss_mib_after": rss_mib(),
        }
    # The explorer holds no reference of its own to an index or its columns: held here, the rebuild after the
    # upload at the end kept two of each (+~600 MiB of peak at 10M edges).
    del index, cache, nodes

    def hood(hops: int) -> Any:
        return lambda n: store.neighbourhood(n, hops=hops, limit=100)

    def engine_hood(hops: int) -> Any:
        return lambda n: store.engine_neighbourhood(n, hops=hops, limit=100)

    paired("neighbourhood", hood(1), inputs.neighbourhood_starts, cypher=engine_hood(1))
    paired("neighbourhood_drug", hood(1), inputs.typical_drugs or [inputs.hub_drug], cypher=engine_hood(1))
    paired("neighbourhood_study", hood(1), inputs.study_starts, cypher=engine_hood(1))
    paired("neighbourhood_hub", hood(1), [inputs.hub_drug] * 10, cypher=engine_hood(1))
    paired("neighbourhood_2hops", hood(2), inputs.neighbourhood_starts, cypher=engine_hood(2))
    paired("neighbourhood_2hops_study", hood(2), inputs.study_starts, cypher=engine_hood(2))
    paired("evidence", lambda p: store.evidence(*p), inputs.evidence_pairs)
    paired("evidence_page", lambda p: store.evidence_page(*p, limit=100), inputs.evidence_pairs)
    paired("evidence_hub", lambda p: store.evidence(*p), [inputs.hub_pair] * 5)
    paired("evidence_hub_page", lambda p: store.evidence_page(*p, limit=100), [inputs.hub_pair] * 10)
    paired(
        "shortest_path",
        lambda p: store.shortest_paths(*p, max_hops=6, limit=10),
        inputs.path_pairs,
        cypher=lambda p: store.engine_shortest_paths(*p, max_hops=6, limit=10),
    )
    ops["evidence_hub"]["items"] = len(store.evidence(*inputs.hub_pair).items)
    rss["after_queries"] = rss_mib()

    exports: dict[str, Any] = {}
    for n, ids in export_sets.items():
        fetch, total = [], []
        path = export_dir / f"sub_{n}.graphml"
        began = time.perf_counter()
        for _ in range(max(3, len(inputs.search_terms) // 10)):
            if len(total) >= 2 and time.perf_counter() - began > BUDGET_S:
                break
            t0 = time.perf_counter()
            graph = store.subgraph(ids)
            t1 = time.perf_counter()
            write(graph, "graphml", path, force=True)
            total.append(time.perf_counter() - t0)
            fetch.append(t1 - t0)
        exports[f"graphml_{n}"] = {
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "bytes": path.stat().st_size,
            "total": summary(total),
            "subgraph_fetch": summary(fetch),
        }
    # What a researcher takes away: the 2-hop window around a study (at most 500 nodes), as GraphML.
    fetch, total, sizes = [], [], []
    path = export_dir / "window.graphml"
    began = time.perf_counter()
    for start_id in inputs.study_starts[:20]:
        if len(total) >= MIN_REPS and time.perf_counter() - began > BUDGET_S:
            break
        store.neighbourhood(start_id, hops=2, limit=500)  # warm, as a click before the export would
        t0 = time.perf_counter()
        graph = store.neighbourhood(start_id, hops=2, limit=500)
        t1 = time.perf_counter()
        write(graph, "graphml", path, force=True)
        total.append(time.perf_counter() - t0)
        fetch.append(t1 - t0)
        sizes.append((graph.number_of_nodes(), graph.number_of_edges(), path.stat().st_size))
    if sizes:
        exports["graphml_2hops_500"] = {
            "nodes": max(n for n, _, _ in sizes),
            "edges": max(e for _, e, _ in sizes),
            "bytes": max(b for _, _, b in sizes),
            "total": summary(total),
            "subgraph_fetch": summary(fetch),
        }
    for n, ids in html_sets.items():
        graph = store.subgraph(ids)
        seconds = timed(
            lambda g, n=n: network_html(g, max_nodes=n),
            [graph] * max(3, len(inputs.search_terms) // 10),
            budget_s=BUDGET_S,
            min_reps=2,
        )
        page = network_html(graph, max_nodes=n)
        exports[f"html_{n}"] = {
            "nodes": page.drawn_nodes,
            "edges": page.drawn_edges,
            "bytes": len(page.html),
            "total": summary(seconds),
        }
    rss["after_exports"] = rss_mib()
    ops["index_update"] = _index_update(store)
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    store.close()
    out["ops"], out["exports"] = ops, exports
    out["peak_rss_mib"] = peak_rss_mib()
    out["rss_mib"] = rss
    return out


def _index_update(store: Any, documents: int = 5) -> dict[str, Any]:
    """Ingest a few synthetic reports into the loaded store and time the walk that takes them into the adjacency
    index (incremental), then a full rebuild of the same index: what a researcher waits for after an upload."""
    from bench.documents import write_corpus
    from loaders import load_path

    walks = store._walks
    walks.edge_cache(wait=True)
    with tempfile.TemporaryDirectory(prefix="evx-bench-update-") as workdir:
        files = write_corpus(Path(workdir), reports=documents, trials=0, articles=0, per_file=50, seed=11)
        docs = [d for path in files.get("report", []) for d in load_path(path)]
    began = time.perf_counter()
    store.ingest_many(docs)
    ingest_s = time.perf_counter() - began
    updates, builds = walks.updates, walks.builds
    began = time.perf_counter()
    walks.index()
    update_s = time.perf_counter() - began
    out = {
        "documents": documents,
        "ingest_s": round(ingest_s, 3),
        "update_s": round(update_s, 3),
        "incremental": walks.updates > updates and walks.builds == builds,
        "columns_kept": walks.edge_cache() is not None and walks.node_cache() is not None,
    }
    walks.invalidate()
    began = time.perf_counter()
    walks.index()
    out["rebuild_s"] = round(time.perf_counter() - began, 3)
    return out


# -- networkx on the same graph -----------------------------------------------------------------
def run_networkx(size: int, *, reps: int, seed: int) -> dict[str, Any]:
    """The reference store (networkx) on the same corpus and inputs: the 'plain networkx' side."""
    import networkx as nx

    from bench.corpus import generate
    from bench.inputs import choose_inputs
    from bench.timing import peak_rss_mib, summary, timed
    from graph.store.base import PATH_EDGE_TYPES
    from graph.store.ladybug.store import LadybugStore
    from graph.store.memory import MemoryStore

    corpus = generate(size, seed=seed)
    inputs = choose_inputs(corpus, reps, seed=seed)
    out: dict[str, Any] = {"size": size}
    # The same bulk load into an in-memory database: the engine's rate without the checkpoint to disk.
    memory = LadybugStore(":memory:")
    start = time.perf_counter()
    memory.bulk_load(corpus.nodes, corpus.edges)
    seconds = time.perf_counter() - start
    out["bulk_load_in_memory"] = {"seconds": round(seconds, 3), "edges_per_s": round(corpus.n_edges / seconds)}
    memory.close()
    del memory
    start = time.perf_counter()
    store = MemoryStore()
    store.graph = corpus.to_networkx()
    out["build_s"] = round(time.perf_counter() - start, 3)
    del corpus
    allowed = {e.value for e in PATH_EDGE_TYPES}
    start = time.perf_counter()
    undirected = nx.Graph()
    undirected.add_edges_from((u, v) for u, v, t in store.graph.edges(data="type") if t in allowed)
    out["path_graph_build_s"] = round(time.perf_counter() - start, 3)

    def paths(pair: tuple[str, str]) -> list[list[str]]:
        found = []
        try:
            for nodes in nx.all_shortest_paths(undirected, *pair):
                if len(nodes) - 1 > 6 or len(found) >= 10:
                    break
                found.append(nodes)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return []
        return found

    # Breadth-first predecessor maps over the whole component make each path search cost
    # seconds at 1M edges: the time budget cuts the repetitions there (the n column).
    ops = {
        "search": timed(lambda t: store.search(t, limit=20), inputs.search_terms, budget_s=BUDGET_S),
        "neighbourhood": timed(lambda n: store.neighbourhood(n, limit=100), inputs.neighbourhood_starts),
        "neighbourhood_hub": timed(lambda n: store.neighbourhood(n, limit=100), [inputs.hub_drug] * 10),
        "neighbourhood_drug": timed(lambda n: store.neighbourhood(n, limit=100), inputs.typical_drugs),
        "neighbourhood_study": timed(lambda n: store.neighbourhood(n, limit=100), inputs.study_starts),
        "neighbourhood_2hops": timed(lambda n: store.neighbourhood(n, hops=2, limit=100), inputs.neighbourhood_starts),
        "neighbourhood_2hops_study": timed(lambda n: store.neighbourhood(n, hops=2, limit=100), inputs.study_starts),
        "evidence_hub_page": timed(lambda p: store.evidence_page(*p, limit=100), [inputs.hub_pair] * 5),
        "evidence": timed(lambda p: store.evidence(*p), inputs.evidence_pairs, budget_s=BUDGET_S),
        "evidence_hub": timed(lambda p: store.evidence(*p), [inputs.hub_pair] * 5),
        "shortest_path": timed(paths, inputs.path_pairs, budget_s=BUDGET_S),
    }
    out["ops"] = {name: summary(seconds) for name, seconds in ops.items()}
    out["peak_rss_mib"] = peak_rss_mib()
    return out


# -- loaders -------------------------------------------------------------------------------------
def run_loaders(*, reports: int, records: int, seed: int, workdir: Path) -> dict[str, Any]:
    """Documents/s for reports, records/s for trial JSON and PubMed XML (parse + validate, no store)."""
    from bench.documents import write_corpus

    try:
        from loaders import detect, load_path
    except ImportError as exc:  # pragma: no cover - loaders are part of the project
        return {"skipped": f"loaders unavailable: {exc}"}
    files = write_corpus(workdir, reports=reports, trials=records, articles=records, per_file=50, seed=seed)
    out: dict[str, Any] = {}
    for kind, paths in files.items():
        if not paths:
            continue
        loader = detect(paths[0]).name
        load_path(paths[0])  # warm: vocabulary, regexes
        start = time.perf_counter()
        count = warnings = 0
        for path in paths:
            for document in load_path(path):
                count += 1
                warnings += len(document.warnings)
        seconds = time.perf_counter() - start
        out[kind] = {
            "loader": loader,
            "files": len(paths),
            "documents": count,
            "seconds": round(seconds, 3),
            "per_s": round(count / seconds, 1),
            "warnings": warnings,
        }
    return out


# -- orchestration -------------------------------------------------------------------------------
def _machine() -> dict[str, Any]:
    import psutil

    versions = {}
    for dist in ("ladybug", "networkx", "pyarrow", "numpy", "pyvis", "streamlit", "playwright"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_before": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "commit": commit or None,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def _worker(args: list[str], timeout: float, *, cap_mib: float = MAX_RSS_MIB) -> dict[str, Any]:
    """Run ``python -m bench.run --worker ...`` (resident memory capped) and read the JSON it writes."""
    from bench.watch import run_watched

    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    try:
        # bench/ is tooling, not an installed package: run it from the repository
        watched = run_watched(
            [sys.executable, "-m", "bench.run", *args, "--result", str(result)],
            cap_mib=cap_mib,
            timeout_s=timeout,
            cwd=ROOT,
        )
        if watched.killed_over_cap:
            return {"error": [f"stopped at {watched.peak_rss_mib:,.0f} MiB resident (cap {cap_mib:,.0f} MiB)"]}
        if watched.returncode != 0:
            if watched.seconds >= timeout:
                return {"error": [f"timed out after {timeout:.0f}s"]}
            return {"error": (watched.stderr or watched.stdout).strip().splitlines()[-5:]}
        out = json.loads(result.read_text())
        out["watched_peak_rss_mib"] = watched.peak_rss_mib
        return out
    finally:
        result.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench [--sizes 10000,100000,1000000] [--out DIR] [--reps 50]``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default=None, help=f"default {','.join(str(s) for s in DEFAULT_SIZES)}")
    parser.add_argument("--out", type=Path, default=Path.cwd())
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reports", type=int, default=40, help="synthetic reports for loader throughput")
    parser.add_argument("--records", type=int, default=400, help="trial and PubMed records for loader throughput")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument(
        "--nightly",
        action="store_true",
        default=os.environ.get("EVX_BENCH_NIGHTLY") == "1",
        help=f"sizes {','.join(str(s) for s in NIGHTLY_SIZES)} (unless --sizes is given)",
    )
    parser.add_argument("--max-rss-mib", type=float, default=MAX_RSS_MIB, help="stop a worker past this")
    parser.add_argument("--no-loaders", action="store_true", help="skip loader throughput")
    parser.add_argument(
        "--keep-sizes",
        default="",
        help="with --only walks: sizes kept as measured before in bench-results.json (the 10M nightly size) "
        "instead of measured again; the section says when and at which commit each was measured",
    )
    parser.add_argument(
        "--only",
        choices=["ingest", "walks", "isolation", "literature"],
        help="run one part; rewrite only its section of BENCHMARKS.md",
    )
    parser.add_argument("--ingest-scale", type=float, default=1.0, help="scale the ingest corpora (0.1 for a look)")
    parser.add_argument(
        "--literature",
        choices=["auto", "cdr", "synthetic"],
        default="auto",
        help="abstracts for the literature timings: the shared CDR set when present (auto), or generated ones",
    )
    parser.add_argument(
        "--worker", choices=["load", "queries", "networkx", "loaders", "ingest"], help=argparse.SUPPRESS
    )
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--store-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        return _run_worker(args)
    if args.only == "ingest":
        return _ingest_only(args)
    if args.only == "isolation":
        return _isolation_only(args)
    if args.only == "literature":
        from bench.literature import only as literature_only

        return literature_only(args.out, source=args.literature)
    chosen = args.sizes or ",".join(str(s) for s in (NIGHTLY_SIZES if args.nightly else DEFAULT_SIZES))
    sizes = [int(s.replace("_", "")) for s in chosen.split(",") if s.strip()]
    if args.only == "walks":
        return _walks_only(args, sizes)

    from bench.report import render

    args.out.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    results: dict[str, Any] = {"machine": _machine(), "reps": args.reps, "seed": args.seed, "sizes": {}}
    scratch = Path(tempfile.mkdtemp(prefix="evx-bench-"))
    try:
        results["sizes"] = _run_sizes(sizes, args, scratch)
        print("[bench] loaders …", flush=True)
        results["loaders"] = (
            {"skipped": "--no-loaders was given"}
            if args.no_loaders
            else _worker(
                [
                    "--worker",
                    "loaders",
                    "--reps",
                    str(args.reps),
                    "--seed",
                    str(args.seed),
                    "--reports",
                    str(args.reports),
                    "--records",
                    str(args.records),
                ],
                timeout=300,
            )
        )
        print("[bench] ingest (evx load of documents) …", flush=True)
        results["ingest"] = _ingest(args)
        print("[bench] literature (recognition and claims) …", flush=True)
        from bench.literature import run as run_literature

        results["literature"] = run_literature(source=args.literature)
        if args.no_browser:
            results["browser"] = {"skipped": "--no-browser was given"}
            results["isolation"] = {"skipped": "--no-browser was given"}
        else:
            from bench.browser import run_browser
            from bench.isolation import run_isolation

            print("[bench] browser …", flush=True)
            largest = max(sizes) if sizes else None
            stores = {"samples": None}
            if largest is not None and (scratch / f"store-{largest}").exists():
                stores[f"{largest:,} edges"] = scratch / f"store-{largest}"
            results["browser"] = run_browser(stores, workdir=scratch / "browser")
            print("[bench] console isolation …", flush=True)
            results["isolation"] = run_isolation(None, workdir=scratch / "isolation")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    results["wall_s"] = round(time.perf_counter() - began, 1)
    notes = ROOT / "bench" / "analysis.md"  # the profile-backed explanation of misses, kept by hand
    if notes.exists():
        results["notes"] = notes.read_text(encoding="utf-8")
    (args.out / "bench-results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (args.out / "BENCHMARKS.md").write_text(render(results), encoding="utf-8")
    print(f"[bench] done in {results['wall_s']} s: {args.out / 'BENCHMARKS.md'}", flush=True)
    return 0


def _ingest(args: argparse.Namespace) -> dict[str, Any]:
    """The ingest corpora in a worker (each `evx load` watched and capped by :mod:`bench.watch` itself)."""
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    result = _worker(["--worker", "ingest", "--ingest-scale", str(args.ingest_scale)], timeout=3600)
    return {"started": started, **result}


def _run_sizes(sizes: list[int], args: argparse.Namespace, scratch: Path, *, on_size: Any = None) -> dict[str, Any]:
    """Per size: generate and bulk-load, run every query and export, and the networkx reference."""
    cap = args.max_rss_mib
    out: dict[str, Any] = {}
    for size in sizes:
        store_dir = scratch / f"store-{size}"
        print(f"[bench] {size:,} edges: embedded store …", flush=True)
        common = ["--size", str(size), "--reps", str(args.reps), "--seed", str(args.seed)]
        plan = scratch / f"plan-{size}.json"
        where = ["--store-dir", str(store_dir), "--plan", str(plan)]
        scale = max(1.0, size / 1_000_000)  # larger corpora: proportionally longer limits
        store = _worker(["--worker", "load", *common, *where], timeout=240 * scale, cap_mib=cap)
        if "error" not in store:
            print(f"[bench] {size:,} edges: queries …", flush=True)
            queries = _worker(["--worker", "queries", *common, *where], timeout=900 * scale, cap_mib=cap)
            if "error" in queries:
                store["error"] = queries["error"]
            else:
                store["load_peak_rss_mib"] = store.pop("peak_rss_mib")
                store["load_watched_peak_rss_mib"] = store.pop("watched_peak_rss_mib", None)
                store["rss_mib"].update(queries.pop("rss_mib"))
                store.update(queries)
        if size > NETWORKX_MAX:
            nx_side: dict[str, Any] = {"skipped": f"networkx is measured up to {NETWORKX_MAX:,} edges"}
        else:
            print(f"[bench] {size:,} edges: networkx …", flush=True)
            nx_side = _worker(["--worker", "networkx", *common], timeout=300, cap_mib=cap)
        out[str(size)] = {"store": store, "networkx": nx_side}
        if on_size is not None:
            on_size(str(size), out[str(size)])
        if store_dir.exists() and size != max(sizes):
            shutil.rmtree(store_dir, ignore_errors=True)  # keep the largest for the browser run only
    return out


def _walks_only(args: argparse.Namespace, sizes: list[int]) -> int:
    """``python -m bench --only walks``: the sizes' stores, queries and exports; other sections are kept."""
    from bench.report import replace_walks_section, walks_section

    args.out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = args.out / "bench-results.json", args.out / "BENCHMARKS.md"
    results = json.loads(json_path.read_text()) if json_path.exists() else {}
    scratch = Path(tempfile.mkdtemp(prefix="evx-bench-"))
    machine = _machine()
    keep = {s.replace("_", "").strip() for s in args.keep_sizes.split(",") if s.strip()}
    earlier = results.get("sizes", {})
    results["sizes"] = {size: earlier[size] for size in sorted(keep, key=int) if size in earlier}
    sizes = [size for size in sizes if str(size) not in results["sizes"]]
    results["walks_machine"] = machine
    results["reps"], results["seed"] = args.reps, args.seed

    def done(size: str, measured: dict[str, Any]) -> None:  # each size kept as it finishes (10M takes long)
        measured["measured"] = {"commit": machine["commit"], "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
        results["sizes"][size] = measured
        results["sizes"] = dict(sorted(results["sizes"].items(), key=lambda item: int(item[0])))
        json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")

    try:
        _run_sizes(sizes, args, scratch, on_size=done)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    machine["load_after"] = [round(x, 2) for x in os.getloadavg()]
    results["walks_machine"] = machine
    results.setdefault("machine", machine)
    results["reps"], results["seed"] = args.reps, args.seed
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = md_path.read_text(encoding="utf-8") if md_path.exists() else "# Benchmarks\n"
    md_path.write_text(replace_walks_section(markdown, walks_section(results)), encoding="utf-8")
    print(f"[bench] walks done: {md_path}", flush=True)
    return 0


def _ingest_only(args: argparse.Namespace) -> int:
    """``python -m bench --only ingest``: the ingest corpora alone; other results and sections are kept."""
    from bench.ingest import render_section, replace_section

    args.out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = args.out / "bench-results.json", args.out / "BENCHMARKS.md"
    results = json.loads(json_path.read_text()) if json_path.exists() else {}
    results["ingest"] = _ingest(args)
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = md_path.read_text(encoding="utf-8") if md_path.exists() else "# Benchmarks\n"
    md_path.write_text(replace_section(markdown, render_section(results["ingest"])), encoding="utf-8")
    print(f"[bench] ingest done: {md_path}", flush=True)
    return 0


def _isolation_only(args: argparse.Namespace) -> int:
    """``python -m bench --only isolation``: two browser sessions, a long console query and a search."""
    from bench.isolation import replace_section, run_isolation

    args.out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = args.out / "bench-results.json", args.out / "BENCHMARKS.md"
    results = json.loads(json_path.read_text()) if json_path.exists() else {}
    scratch = Path(tempfile.mkdtemp(prefix="evx-bench-"))
    try:
        results["isolation"] = run_isolation(None, workdir=scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = md_path.read_text(encoding="utf-8") if md_path.exists() else "# Benchmarks\n"
    md_path.write_text(replace_section(markdown, results["isolation"]), encoding="utf-8")
    print(f"[bench] console isolation done: {md_path}", flush=True)
    return 0


def _run_worker(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="evx-bench-worker-"))
    try:
        if args.worker == "load":
            result = run_load(args.size, reps=args.reps, seed=args.seed, store_dir=args.store_dir, plan=args.plan)
        elif args.worker == "queries":
            result = run_queries(args.store_dir, plan=args.plan, export_dir=workdir)
        elif args.worker == "networkx":
            result = run_networkx(args.size, reps=args.reps, seed=args.seed)
        elif args.worker == "ingest":
            from bench.ingest import CORPORA, run_ingest

            counts = {name: max(1, round(n * args.ingest_scale)) for name, (n, _) in CORPORA.items()}
            result = run_ingest(workdir, counts=counts)
        else:
            result = run_loaders(reports=args.reports, records=args.records, seed=args.seed, workdir=workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    args.result.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
