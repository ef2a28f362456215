"""BENCHMARKS.md from the results JSON: machine, versions, one table per concern, targets checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.ingest import render_section
from bench.isolation import render_section as isolation_section
from bench.literature import render_section as literature_section

__all__ = ["TARGETS", "render"]

#: (label, how to read it from the largest size's results, comparison, limit, unit).
TARGETS: tuple[tuple[str, str, str, float, str], ...] = (
    ("Bulk ingest", "bulk_edges_per_s", ">=", 250_000, "edges/s"),
    ("Evidence query p95 (random pairs)", "evidence_p95", "<=", 15, "ms"),
    ("Evidence of the hub pair, first page p95", "evidence_hub_page_p95", "<=", 50, "ms"),
    ("Neighbourhood, 1 hop (100-node cap) p95", "neighbourhood_p95", "<=", 10, "ms"),
    ("Neighbourhood, 2 hops (100-node cap) p95", "neighbourhood_2hops_p95", "<=", 30, "ms"),
    ("1 hop p95, largest ÷ smallest size", "flat_1hop", "<=", 2, "×"),
    ("2 hops p95, largest ÷ smallest size", "flat_2hops", "<=", 2, "×"),
    ("Shortest paths (≤ 6 hops, 10) p95 at 1M edges", "paths_p95_1m", "<=", 100, "ms"),
    ("Shortest paths (≤ 6 hops, 10) p95 at 10M edges", "paths_p95_10m", "<=", 300, "ms"),
    ("GraphML export of a 2-hop window (≤ 500 nodes) p95", "export_window_p95", "<=", 200, "ms"),
    ("1 hop p50 ÷ networkx at 1M edges", "vs_networkx_1hop_1m", "<=", 1, "×"),
    ("Search p95", "search_p95", "<=", 20, "ms"),
    ("Our overhead over the raw engine (evidence, p50)", "overhead_evidence", "<=", 1.5, "×"),
    ("Our overhead over the raw engine (neighbourhood, p50)", "overhead_neighbourhood", "<=", 1.5, "×"),
    ("Report loader", "report_per_s", ">=", 20, "documents/s"),
    ("Peak memory (explorer process: open store, all queries and exports)", "peak_rss_gib", "<=", 2, "GiB"),
    ("Page open to graph painted (largest store, p95)", "open_p95_ms", "<=", 2000, "ms"),
    ("Click to updated view (largest store, p95)", "click_p95_ms", "<=", 500, "ms"),
    ("Search while another session's console query runs (p95)", "isolation_search_p95_ms", "<=", 1000, "ms"),
)

_OPS = (
    ("search", "search (concepts, top 20)"),
    ("search_studies", "search studies by title"),
    ("neighbourhood", "neighbourhood, 1 hop, 100-node cap"),
    ("neighbourhood_drug", "1 hop, a drug with ~110 neighbours"),
    ("neighbourhood_study", "1 hop, a study"),
    ("neighbourhood_hub", "neighbourhood of the most-studied drug"),
    ("neighbourhood_2hops", "neighbourhood, 2 hops, 100-node cap"),
    ("neighbourhood_2hops_study", "2 hops from a study, 100-node cap"),
    ("evidence", "evidence drug → outcome"),
    ("evidence_page", "evidence, first page (100 by weight)"),
    ("evidence_hub", "evidence, most-studied link (all items)"),
    ("evidence_hub_page", "evidence, most-studied link, first page"),
    ("shortest_path", "shortest paths (≤ 6 hops, 10)"),
)

#: The walks a researcher does by clicking, as the issue that set their targets tabulated them:
#: (label, op or export key, which percentiles).
_WALKS = (
    ("1 hop, a drug with ~110 neighbours", "neighbourhood_drug", ("p50_ms",)),
    ("1 hop, a study", "neighbourhood_study", ("p50_ms",)),
    ("2 hops from a study, p50 / p95", "neighbourhood_2hops_study", ("p50_ms", "p95_ms")),
    ("shortest paths (≤ 6 hops, 10) p50 / p95", "shortest_path", ("p50_ms", "p95_ms")),
    ("evidence of the hub pair (all items) p50", "evidence_hub", ("p50_ms",)),
    ("evidence of the hub pair, first page p50 / p95", "evidence_hub_page", ("p50_ms", "p95_ms")),
    ("evidence, random pairs p50 / p95", "evidence", ("p50_ms", "p95_ms")),
    ("GraphML export of a 2-hop window (≤ 500 nodes) p95", "export:graphml_2hops_500", ("p95_ms",)),
)


def _ms(block: dict[str, Any] | None, key: str) -> str:
    if not block or key not in block:
        return "–"
    value = block[key]
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    if not a or not b or not b.get("p50_ms"):
        return "–"
    return f"{a['p50_ms'] / b['p50_ms']:.2f}×"


def _measured_size(results: dict[str, Any]) -> int | None:
    """The largest size whose store run finished: the one the targets are read from."""
    sizes = [int(s) for s in results["sizes"] if "error" not in results["sizes"][s]["store"]]
    return max(sizes) if sizes else None


def _engine_reference(op: dict[str, Any]) -> dict[str, Any] | None:
    """The engine answering alone, for "ours ÷ engine": the statements ours sent, replayed bare. When ours
    sent none (answered from memory) that replay times nothing, so the engine's own Cypher walk, or ours
    with the in-memory columns set aside, is the reference."""
    if op.get("statements", 1):
        return op.get("engine")
    return op.get("cypher") or op.get("from_engine")


def _metrics(results: dict[str, Any]) -> dict[str, float | None]:
    size = _measured_size(results)
    if size is None:
        return {}
    big = results["sizes"][str(size)]["store"]
    ops = big.get("ops", {})

    def p(name: str, key: str = "p95_ms", side: str = "ours") -> float | None:
        return ops.get(name, {}).get(side, {}).get(key)

    def over(name: str) -> float | None:
        ours, raw = p(name, "p50_ms"), (_engine_reference(ops.get(name, {})) or {}).get("p50_ms")
        return round(ours / raw, 2) if ours and raw else None

    browser = results.get("browser", {})
    clicks = [v["click_to_view"].get("p95_ms") for v in browser.get("stores", {}).values() if "click_to_view" in v]
    opens = [v["open_to_paint"].get("p95_ms") for v in browser.get("stores", {}).values() if "open_to_paint" in v]
    loaders = results.get("loaders", {})

    def at(size: int, name: str, key: str = "p95_ms") -> float | None:
        return (
            results["sizes"].get(str(size), {}).get("store", {}).get("ops", {}).get(name, {}).get("ours", {}).get(key)
        )

    def flat(name: str) -> float | None:
        done = [s for s in results["sizes"] if "error" not in results["sizes"][s]["store"]]
        small = [s for s in done if int(s) >= 100_000] or done
        first, last = (at(int(small[0]), name), at(int(small[-1]), name)) if small else (None, None)
        return round(last / first, 2) if first and last and small[0] != small[-1] else None

    nx_1m = results["sizes"].get("1000000", {}).get("networkx", {}).get("ops", {}).get("neighbourhood", {})
    ours_1m = at(1_000_000, "neighbourhood", "p50_ms")
    window = big.get("exports", {}).get("graphml_2hops_500", {}).get("total", {})
    return {
        "bulk_edges_per_s": big.get("bulk_load", {}).get("edges_per_s"),
        "evidence_p95": p("evidence"),
        "evidence_hub_page_p95": p("evidence_hub_page"),
        "neighbourhood_2hops_p95": p("neighbourhood_2hops"),
        "flat_1hop": flat("neighbourhood"),
        "flat_2hops": flat("neighbourhood_2hops"),
        "paths_p95_1m": at(1_000_000, "shortest_path"),
        "paths_p95_10m": at(10_000_000, "shortest_path"),
        "export_window_p95": window.get("p95_ms"),
        "vs_networkx_1hop_1m": round(ours_1m / nx_1m["p50_ms"], 2) if ours_1m and nx_1m.get("p50_ms") else None,
        "neighbourhood_p95": p("neighbourhood"),
        "search_p95": p("search"),
        "overhead_evidence": over("evidence"),
        "overhead_neighbourhood": over("neighbourhood"),
        "report_per_s": loaders.get("report", {}).get("per_s"),
        "peak_rss_gib": round(big["peak_rss_mib"] / 1024, 2) if "peak_rss_mib" in big else None,
        "open_p95_ms": opens[-1] if opens else None,
        "click_p95_ms": clicks[-1] if clicks else None,
        "isolation_search_p95_ms": results.get("isolation", {}).get("during_query", {}).get("p95_ms"),
    }


def render(results: dict[str, Any]) -> str:
    """The whole BENCHMARKS.md body (the analysis section is kept in ``results['notes']`` if given)."""
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`.venv/bin/python -m bench`); the raw numbers are in `bench-results.json`.",
        "Compare changes on the **ratios** (ours ÷ raw engine, embedded ÷ networkx), not on absolute times:",
        "these machines are shared, and absolute times move with whatever else runs.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']} × {m['cores']} cores, {m['memory_gib']} GiB RAM; {m['os']}; Python {m['python']}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v),
        f"- Commit {m.get('commit') or '?'}; started {m['started']}; wall time {results.get('wall_s', '?')} s",
        f"- Load average before / after: {m['load_before']} / {m.get('load_after', '?')}"
        + (" — other work was running; expect noise" if max(m["load_before"]) > 0.8 else ""),
        f"- Repetitions: {results['reps']} varied inputs per query (seed {results['seed']}); exports and HTML "
        "fewer, and an operation stops repeating after its time budget at large sizes (the *n* in the JSON).",
        "",
    ]
    lines += _targets(results)
    lines += _ingest(results)
    lines += [*render_section(results.get("ingest")), ""]
    lines += walks_section(results)
    lines += _loaders(results)
    lines += _browser(results)
    lines += isolation_section(results.get("isolation"))
    lines += literature_section(results.get("literature"))
    if results.get("notes"):
        lines += ["## Analysis", "", results["notes"].strip(), ""]
    return "\n".join(lines) + "\n"


def _targets(results: dict[str, Any]) -> list[str]:
    metrics = _metrics(results)
    size = _measured_size(results)
    wanted = max((int(s) for s in results["sizes"]), default=None)
    lines = [f"## Targets (at {size:,} requested edges)" if size else "## Targets", ""]
    if size != wanted and wanted is not None:
        lines += [f"**The {wanted:,}-edge run did not finish; these are the {size or 0:,}-edge numbers.**", ""]
    lines += [
        "| Target | Goal | Measured | Met |",
        "|---|---|---|---|",
    ]
    for label, key, op, limit, unit in TARGETS:
        value = metrics.get(key)
        if value is None:
            lines.append(f"| {label} | {op} {limit:,} {unit} | not measured | – |")
            continue
        ok = value >= limit if op == ">=" else value <= limit
        lines.append(f"| {label} | {op} {limit:,} {unit} | {value:,} {unit} | {'yes' if ok else '**no**'} |")
    return [*lines, ""]


def _ingest(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Corpus and bulk ingest",
        "",
        "Bulk load = `LadybugStore.bulk_load` of the Arrow tables into a new on-disk store (auto-commit `COPY` "
        "into a new database file, its checkpoint and the rename into place included); *in memory* is the same "
        "tables into `:memory:` in one transaction (no checkpoint). "
        "Loading (generator + bulk load) and exploring (open the store, run every query and export) are "
        "separate processes, each with its own peak resident memory.",
        "",
        "| Requested edges | Nodes | Edges | Generate (s) | Bulk load (s) | Edges/s | In memory edges/s | "
        "Stored = generated | Peak RSS loading (MiB) | Peak RSS explorer (MiB) | Peak RSS networkx (MiB) | "
        "networkx build (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, both in results["sizes"].items():
        s, n = both["store"], both["networkx"]
        if "error" in s:
            lines.append(f"| {int(size):,} | failed: {' '.join(s['error'])[:200]} |||||||||||")
            continue
        same = s["stored"] == {"nodes": s["corpus"]["nodes"], "edges": s["corpus"]["edges"]}
        lines.append(
            f"| {int(size):,} | {s['corpus']['nodes']:,} | {s['corpus']['edges']:,} | {s['generate_s']} | "
            f"{s['bulk_load']['seconds']} | {s['bulk_load']['edges_per_s']:,} | "
            f"{n.get('bulk_load_in_memory', {}).get('edges_per_s', '–'):,} | {'yes' if same else '**no**'} | "
            f"{s.get('load_peak_rss_mib', '–'):,} | {s.get('peak_rss_mib', '–'):,} | {n.get('peak_rss_mib', '–')} | "
            f"{n.get('build_s', '–')} |"
        )
    lines.append("")
    for size, both in results["sizes"].items():
        s = both["store"]
        if "error" in s:
            continue
        phases = s["bulk_load"].get("phases_s", {})
        rss = s.get("rss_mib", {})
        lines.append(
            f"- {int(size):,}: bulk load spent "
            + ", ".join(f"{k} {v} s" for k, v in phases.items())
            + "; resident MiB "
            + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in rss.items())
        )
    return [*lines, ""]


def _latency(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Query latency (ms) and ratios",
        "",
        "*ours* is the store method; *engine* is the same Cypher statements the store sent, replayed on the bare "
        "LadybugDB connection (for concept search, the engine's `CONTAINS` scan over the same kinds, since ours "
        "answers from an in-process index); *networkx* is the reference store on the same graph and inputs "
        "(shortest paths: `nx.all_shortest_paths` on a prebuilt undirected graph).",
        "",
        "*Cypher only* answers the same walk without the adjacency index (the engine's own layer walk, "
        "`ALL SHORTEST` search and edge queries). *growth* is ours p50 against the smallest size's, with the "
        "exponent *k* of time ∝ edges^k (0 is flat, 1 grows with the graph).",
        "",
        "| Edges | Operation | n | ours p50 | ours p95 | engine p50 | engine p95 | Cypher only p50 | "
        "Cypher only p95 | networkx p50 | networkx p95 | ours ÷ engine | ours ÷ networkx | growth |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    sizes = list(results["sizes"])
    for size, both in results["sizes"].items():
        ops, nx_ops = both["store"].get("ops", {}), both["networkx"].get("ops", {})
        for key, label in _OPS:
            if key not in ops:
                continue
            ours, raw, ref = ops[key]["ours"], ops[key]["engine"], nx_ops.get(key)
            alone = ops[key].get("cypher")
            lines.append(
                f"| {int(size):,} | {label} | {ours['n']} | {_ms(ours, 'p50_ms')} | {_ms(ours, 'p95_ms')} | "
                f"{_ms(raw, 'p50_ms')} | "
                f"{_ms(raw, 'p95_ms')} | {_ms(alone, 'p50_ms')} | {_ms(alone, 'p95_ms')} | "
                f"{_ms(ref, 'p50_ms')} | {_ms(ref, 'p95_ms')} | {_ratio(ours, _engine_reference(ops[key]))} | "
                f"{_ratio(ours, ref)} | {_growth(results, sizes, size, key)} |"
            )
    lines.append("")
    index = [
        f"{int(size):,}: built in {b['store']['ops']['adjacency_index']['build_s']} s, "
        f"{b['store']['ops']['adjacency_index']['mib']} MiB" + _edge_cache(b["store"]["ops"]["adjacency_index"])
        for size, b in results["sizes"].items()
        if "adjacency_index" in b["store"].get("ops", {})
    ]
    if index:
        lines += [
            "Adjacency index (on the first walk after opening or a change), and the node and relationship columns "
            "read after it in the background (walks read them from the engine until they are in) — "
            + "; ".join(index)
            + ".",
            "",
        ]
    hubs = [
        f"{int(size):,}: {both['store']['ops']['evidence_hub'].get('items', '?')} evidence items"
        for size, both in results["sizes"].items()
        if "evidence_hub" in both["store"].get("ops", {})
    ]
    if hubs:
        lines += ["Most-studied link returns " + "; ".join(hubs) + ".", ""]
    return lines


WALKS_BEGIN, WALKS_END = "<!-- walks: begin -->", "<!-- walks: end -->"


def _edge_cache(index: dict[str, Any]) -> str:
    nodes, cache = index.get("node_cache"), index.get("edge_cache")
    out = f"; node columns in {nodes['build_s']} s more, {nodes['mib']} MiB" if nodes else ""
    if cache:
        out += f"; relationship columns in {cache['build_s']} s more, {cache['mib']} MiB"
    return out


#: The walks timed both ways in one process: properties from memory (ours) and from the engine.
_AB = (
    ("neighbourhood", "1 hop, mixed starts"),
    ("neighbourhood_drug", "1 hop, a drug with ~110 neighbours"),
    ("neighbourhood_study", "1 hop, a study"),
    ("neighbourhood_hub", "1 hop, the most-studied drug"),
    ("neighbourhood_2hops", "2 hops, 100-node cap"),
    ("neighbourhood_2hops_study", "2 hops from a study"),
    ("evidence_page", "evidence page, random pairs"),
    ("evidence_hub_page", "evidence page, hub pair"),
    ("shortest_path", "shortest paths (≤ 6 hops, 10)"),
)


def _ab(results: dict[str, Any]) -> list[str]:
    """Each walk timed with the node and relationship columns in memory and with them set aside, input by input
    in one process: the ratio holds at whatever load the machine had."""
    sizes = [s for s in results["sizes"] if results["sizes"][s]["store"].get("ops")]
    rows = []
    for size in sizes:
        store = results["sizes"][size]["store"]
        ops = store["ops"]
        for key, label in _AB:
            block = ops.get(key, {})
            ours, other = block.get("ours"), block.get("from_engine")
            if not ours or not other:
                continue
            rows.append(
                f"| {int(size):,} | {label} | {ours['n']} | {_ms(ours, 'p50_ms')} / {_ms(ours, 'p95_ms')} | "
                f"{_ms(block.get('cpu'), 'p50_ms')} | {block.get('statements', '–')} | "
                f"{_ms(other, 'p50_ms')} / {_ms(other, 'p95_ms')} | {_ratio(other, ours)} |"
            )
    if not rows:
        return []
    loads = [
        f"{int(s):,}: {results['sizes'][s]['store'].get('load_before', '?')} → "
        f"{results['sizes'][s]['store'].get('load_after', '?')}, explorer peak "
        f"{results['sizes'][s]['store'].get('watched_peak_rss_mib', results['sizes'][s]['store'].get('peak_rss_mib', 0)):,.0f} MiB"
        for s in sizes
    ]
    return [
        "### From memory against from the engine (A/B in one process)",
        "",
        "Each input timed in turn with the node and relationship columns in memory (*from memory*: the "
        "statements column is what it still sends) and with them set aside (*from the engine*: one primary-key "
        "statement per node kind drawn and the relationships by anchored statements). Load average at the "
        "queries' start → end and the explorer process's peak resident memory per size: " + "; ".join(loads) + ".",
        "",
        "*CPU* is this process's processor time per view (the engine's threads included): on a shared machine it "
        "moves far less with the load than the elapsed time does.",
        "",
        "| Edges | Walk | n | from memory p50 / p95 | CPU p50 | statements | from the engine p50 / p95 | speed-up p50 |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        *_updates(results, sizes),
    ]


def _updates(results: dict[str, Any], sizes: list[str]) -> list[str]:
    """The ingest of a few reports into the loaded store, taken into the index, against a full rebuild."""
    lines = []
    for size in sizes:
        u = results["sizes"][size]["store"]["ops"].get("index_update")
        if not u:
            continue
        how = "incrementally" if u.get("incremental") else "**by a full rebuild**"
        kept = "kept" if u.get("columns_kept") else "read again"
        lines.append(
            f"| {int(size):,} | {u['documents']} | {u['ingest_s']} | {u['update_s']} ({how}; columns {kept}) | "
            f"{u['rebuild_s']} |"
        )
    if not lines:
        return []
    return [
        "After an upload: a few synthetic reports ingested into the loaded store, then the walk that takes them "
        "into the adjacency index, against a full rebuild of the same index (seconds).",
        "",
        "| Edges | documents | ingest | index brought up to date | full rebuild |",
        "|---|---|---|---|---|",
        *lines,
        "",
    ]


def walks_section(results: dict[str, Any]) -> list[str]:
    """Local walks, query latency and exports, between markers (``--only walks`` rewrites just this)."""
    m = results.get("walks_machine")
    head = [WALKS_BEGIN]
    if m:
        head += [
            f"Walks, latency and exports measured at commit {m.get('commit') or '?'}, started {m['started']}; "
            f"load average before / after {m['load_before']} / {m.get('load_after', '?')} on {m['cores']} cores.",
            "",
        ]
    when = []
    for size, both in results["sizes"].items():
        store, measured = both.get("store", {}), both.get("measured", {})
        if measured.get("commit") and m and measured["commit"] != m.get("commit"):  # kept from an earlier run
            when.append(
                f"{int(size):,} edges: kept from an earlier run (`--keep-sizes`), measured at commit "
                f"{measured['commit']}, finished {measured.get('finished', '?')}; load average at its queries' "
                f"start / end {store.get('load_before', '?')} / {store.get('load_after', '?')}."
            )
    if when:
        head += [*when, ""]
    body = _walks(results) + _walk_targets(results) + _ab(results) + _latency(results) + _exports(results)
    return [*head, *body, WALKS_END, ""]


def replace_walks_section(markdown: str, section: list[str]) -> str:
    """``markdown`` with its walks section replaced (or appended when it has none)."""
    text = "\n".join(section)
    if WALKS_BEGIN in markdown and WALKS_END in markdown:
        head, rest = markdown.split(WALKS_BEGIN, 1)
        _, tail = rest.split(WALKS_END, 1)
        return head + text.rstrip("\n") + tail
    return markdown.rstrip("\n") + "\n\n" + text + "\n"


_WALK_TARGETS = {
    "evidence_p95",
    "evidence_hub_page_p95",
    "neighbourhood_p95",
    "neighbourhood_2hops_p95",
    "flat_1hop",
    "flat_2hops",
    "paths_p95_1m",
    "paths_p95_10m",
    "export_window_p95",
    "vs_networkx_1hop_1m",
    "peak_rss_gib",
}


def _walk_targets(results: dict[str, Any]) -> list[str]:
    """The walk targets alone (the full table at the top needs every part of the run)."""
    metrics = _metrics(results)
    size = _measured_size(results)
    lines = [f"### Walk targets (at {size:,} edges unless said)" if size else "### Walk targets", ""]
    lines += ["| Target | Goal | Measured | Met |", "|---|---|---|---|"]
    for label, key, op, limit, unit in TARGETS:
        if key not in _WALK_TARGETS:
            continue
        value = metrics.get(key)
        if value is None:
            lines.append(f"| {label} | {op} {limit:,} {unit} | not measured | – |")
            continue
        ok = value >= limit if op == ">=" else value <= limit
        lines.append(f"| {label} | {op} {limit:,} {unit} | {value:,} {unit} | {'yes' if ok else '**no**'} |")
    return [*lines, ""]


def _p50(results: dict[str, Any], size: str, key: str, pct: str = "p50_ms") -> float | None:
    """Ours at one size: an op (``key``) or an export (``export:name``)."""
    store = results["sizes"].get(size, {}).get("store", {})
    if key.startswith("export:"):
        block = store.get("exports", {}).get(key.split(":", 1)[1], {}).get("total")
    else:
        block = store.get("ops", {}).get(key, {}).get("ours")
    return block.get(pct) if block else None


def _growth(results: dict[str, Any], sizes: list[str], size: str, key: str, pct: str = "p50_ms") -> str:
    """Time at ``size`` against the smallest size, and the exponent k of time ∝ edges^k."""
    import math

    first = next((s for s in sizes if _p50(results, s, key, pct)), None)
    base, here = (_p50(results, first, key, pct), _p50(results, size, key, pct)) if first else (None, None)
    if not base or not here or first == size:
        return "–"
    k = math.log(here / base) / math.log(int(size) / int(first))
    return f"{here / base:.1f}× (k={k:.2f})"


def _walks(results: dict[str, Any]) -> list[str]:
    """The issue's table of local walks, with this run's numbers and how each grows."""
    sizes = [s for s in results["sizes"] if "error" not in results["sizes"][s]["store"]]
    if not sizes:
        return []
    nx_sizes = [s for s in sizes if results["sizes"][s]["networkx"].get("ops")]
    nx_at = nx_sizes[-1] if nx_sizes else None
    head = " | ".join(f"{int(s):,}" for s in sizes)
    lines = [
        "## Local walks (ms)",
        "",
        "What a researcher does by clicking, on the embedded store (p50, or p50 / p95), the networkx reference "
        "store at its largest size, and how the time grows from the smallest to the largest size "
        "(time ∝ edges^k: k = 0 is flat).",
        "",
        f"| p50 / p95 (ms) | {head} | networkx at {int(nx_at):,} | growth |"
        if nx_at
        else f"| p50 / p95 (ms) | {head} | growth |",
        "|---" * (len(sizes) + (3 if nx_at else 2)) + "|",
    ]
    for label, key, pcts in _WALKS:
        cells = []
        for s in sizes:
            values = [_p50(results, s, key, p) for p in pcts]
            cells.append(" / ".join(_fmt(v) for v in values))
        row = f"| {label} | " + " | ".join(cells)
        if nx_at:
            ref = results["sizes"][nx_at]["networkx"]["ops"].get(key)
            row += " | " + (" / ".join(_fmt(ref.get(p)) for p in pcts) if ref else "–")
        row += f" | {_growth(results, sizes, sizes[-1], key, pcts[0])} |"
        lines.append(row)
    return [*lines, ""]


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def _exports(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Exports",
        "",
        "GraphML: fetch the subgraph from the store and write it with networkx; HTML: the explorer's pyvis page "
        "(`graph.export.html.network_html`, offline, capped at the size given).",
        "",
        "| Edges | Export | Nodes | Edges drawn/written | Size (KiB) | n | p50 (ms) | p95 (ms) | of which fetch p50 (ms) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, both in results["sizes"].items():
        for name, e in both["store"].get("exports", {}).items():
            fetch = e.get("subgraph_fetch")
            lines.append(
                f"| {int(size):,} | {name.replace('_', ' ')} | {e['nodes']:,} | {e['edges']:,} | {e['bytes'] // 1024:,} | "
                f"{e['total']['n']} | {_ms(e['total'], 'p50_ms')} | {_ms(e['total'], 'p95_ms')} | "
                f"{_ms(fetch, 'p50_ms') if fetch else '–'} |"
            )
    return [*lines, ""]


def _loaders(results: dict[str, Any]) -> list[str]:
    loaders = results.get("loaders", {})
    lines = ["## Loader throughput", ""]
    if "skipped" in loaders or "error" in loaders:
        return [*lines, f"Not measured: {loaders.get('skipped') or loaders.get('error')}", ""]
    lines += [
        "Synthetic documents from `bench/documents.py`, parsed and validated (no store).",
        "",
        "| Format | Loader | Files | Documents | Seconds | Per second | Reader warnings |",
        "|---|---|---|---|---|---|---|",
    ]
    units = {"report": "documents/s", "ctgov": "records/s", "pubmed": "records/s"}
    for kind, r in loaders.items():
        if not isinstance(r, dict):  # the worker's own figures (peak memory), not a format
            continue
        lines.append(
            f"| {kind} | {r['loader']} | {r['files']} | {r['documents']} | {r['seconds']} | "
            f"{r['per_s']} {units.get(kind, '/s')} | {r['warnings']} |"
        )
    if "watched_peak_rss_mib" in loaders:
        lines += ["", f"Peak resident memory of the loader worker: {loaders['watched_peak_rss_mib']:,.0f} MiB."]
    return [*lines, ""]


def _browser(results: dict[str, Any]) -> list[str]:
    browser = results.get("browser", {})
    lines = ["## Browser (Playwright, headless Chromium, `evx app`)", ""]
    if "skipped" in browser or "error" in browser:
        return [*lines, f"Not measured: {browser.get('skipped') or browser.get('error')}", ""]
    lines += [
        "Page open → first graph painted (navigation start to the graph iframe reporting its first paint), and "
        "click on an outcome or condition in a drug's graph → its evidence heading and table in the page and the "
        "graph redrawn (each click on a freshly opened view, the drug's strongest links first, timed from the "
        "mouse press on the node; the page's own clock). Timed after a warm-up visit, once the server has "
        "finished warming its store (*warmed*: the wait for it). A click splits into *server* (click → the rerun's last websocket message before the paint: "
        "the script running and its output travelling) and *paint* (that message → drawn); *payload* is what "
        "the click brought over the websocket. Targets: open ≤ 2,000 ms p95, click ≤ 500 ms p95.",
        "",
    ]
    if browser.get("load_before"):
        lines += [
            f"Run {browser.get('when', '')}; load average before / after: {browser['load_before']} / "
            f"{browser.get('load_after')}"
            + "".join(
                f"; {name}: warmed {r['warmed_s']} s"
                for name, r in browser.get("stores", {}).items()
                if isinstance(r, dict) and r.get("warmed_s") is not None
            )
            + ".",
            "",
        ]
    lines += [
        "| Store | Start node | Open → painted p50 | p95 | n | Click → evidence and graph p50 | p95 | n "
        "| Click → graph p50 | p95 | Click: server p50 | paint p50 | payload p50 (KB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in browser.get("stores", {}).items():
        if "error" in r:
            lines.append(f"| {name} | failed: {r['error'][:200]} ||||||||||||")
            continue
        o, c, g = r["open_to_paint"], r["click_to_view"], r.get("click_to_graph", {})
        server, paint = r.get("click_server", {}), r.get("click_paint", {})
        kb = r.get("click_payload_kb", {}).get("p50")
        lines.append(
            f"| {name} | `{r['start']}` | {_ms(o, 'p50_ms')} | {_ms(o, 'p95_ms')} | {o['n']} | "
            f"{_ms(c, 'p50_ms')} | {_ms(c, 'p95_ms')} | {c['n']} | {_ms(g, 'p50_ms')} | {_ms(g, 'p95_ms')} | "
            f"{_ms(server, 'p50_ms')} | {_ms(paint, 'p50_ms')} | {kb if kb is not None else '–'} |"
        )
    for name, r in browser.get("stores", {}).items():
        spent = r.get("cpu_p50_ms") if isinstance(r, dict) else None
        if spent:
            lines += [
                "",
                f"{name}: CPU per open p50 {spent.get('open_browser')} ms in Chromium's processes and "
                f"{spent.get('open_server')} ms in the app's (the work done: it varies less with the load than the times); per "
                f"click {spent.get('click_browser')} and {spent.get('click_server')} ms. An open brings "
                f"{r.get('open_payload_kb')} KB over the websocket, a click {r.get('click_payload_kb', {}).get('p50')} KB.",
            ]
    notes = Path(__file__).with_name("browser_analysis.md")  # where the time goes, kept by hand
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    return [*lines, ""]


def replace_browser_section(markdown: str, results: dict[str, Any]) -> str:
    """``markdown`` with its browser section (up to the next ``## `` heading) replaced, or appended."""
    section = "\n".join(_browser(results))
    head = "## Browser ("
    if head not in markdown:
        return markdown.rstrip("\n") + "\n\n" + section
    before, rest = markdown.split(head, 1)
    after = rest.split("\n## ", 1)
    return before + section + ("\n## " + after[1] if len(after) > 1 else "")
