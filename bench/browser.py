"""The browser side: page open → first graph painted, and node click → updated view, in Chromium.

``evx app`` (Streamlit) runs on a store; Playwright drives Debian's Chromium (never a
downloaded one) with every non-local request blocked.  The graph component stamps its
iframe with ``data-painted-at`` (``performance.now()`` when vis-network drew) and a
generation counter, so the times are the page's own clock, not polling latency.

Where a click's time goes is read from the same clock: every message the server sends over
the page's websocket is stamped on arrival, so a click splits into *server* (click → the
rerun's last message, which is the script running and its output travelling) and *paint*
(last message → evidence and graph drawn), with the bytes the click brought (*payload*).

Run the browser part alone with ``python -m bench.browser --store DIR`` (an existing store) or
``--size 1000000`` (a generated store, as ``make bench`` builds it); ``--write BENCHMARKS.md``
replaces that file's browser section.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import urlopen

from bench.timing import summary

__all__ = ["CHROMIUM", "main", "run_browser"]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000
_FIND_FRAME = """(gen) => {
  const find = (root) => {
    const f = root.querySelector('iframe[title="evidence graph"]');
    if (f) return f;
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) { const g = find(el.shadowRoot); if (g) return g; }
    }
    return null;
  };
  const f = find(document);
  return f && Number(f.getAttribute('data-painted-generation') || 0) >= gen;
}"""


#: Stamps every websocket message the page receives (page clock, bytes): where a click's time goes.
_STAMP_FRAMES = """(() => {
  const Native = window.WebSocket;
  window.__evxFrames = [];
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener("message", (event) => {
      const d = event.data;
      const size = typeof d === "string" ? d.length : (d.byteLength ?? d.size ?? 0);
      window.__evxFrames.push([performance.now(), size]);
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_app(store: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    evx = Path(sys.executable).with_name("evx")
    command = [str(evx), "--store", str(store), "app", "--no-samples", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    with log.open("wb") as sink:
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"evx app exited with {proc.returncode}: {log.read_text()[-500:]}")
        try:
            with urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310 - our local server
                if response.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("evx app did not become healthy in 90 s")


def _local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about", "file"} or (parts.hostname or "") in {"127.0.0.1", "localhost"}


def _wait_painted(page: Any, generation: int, timeout_ms: int = TIMEOUT_MS) -> float:
    page.wait_for_function(_FIND_FRAME, arg=generation, timeout=timeout_ms)
    return float(page.locator('iframe[title="evidence graph"]').first.get_attribute("data-painted-at"))


def _drawn(page: Any) -> list[str]:
    inner = page.frame_locator('iframe[title="evidence graph"]').first.locator("body")
    return inner.evaluate("() => window.evxNetwork.body.data.nodes.getIds()")


#: The time (the page's clock) at which a link's evidence (its heading and table) is in the page.
_EVIDENCE_SHOWN = """() => {
  const has = (root, test) => {
    if (test(root)) return true;
    for (const el of root.querySelectorAll('*')) { if (el.shadowRoot && has(el.shadowRoot, test)) return true; }
    return false;
  };
  const heading = (root) => [...root.querySelectorAll('h3')].some((h) => h.textContent.trim().startsWith('Evidence: '));
  const table = (root) => root.querySelector('table.evx-evidence') !== null;
  return has(document, heading) && has(document, table) ? performance.now() : false;
}"""


def _click_point(page: Any, node_id: str) -> tuple[float, float]:
    """Where vis-network drew ``node_id``, in the page's coordinates (looked up before the clock starts:
    the two round trips to the browser are the harness's time, not the researcher's)."""
    frame = page.locator('iframe[title="evidence graph"]').first
    box = frame.bounding_box()
    inner = page.frame_locator('iframe[title="evidence graph"]').first.locator("body")
    pos = inner.evaluate(
        """(body, id) => {
          const n = window.evxNetwork;
          const p = n.canvasToDOM(n.getPositions([id])[id]);
          const r = n.canvas.frame.canvas.getBoundingClientRect();  // the legend sits above the canvas
          return {x: r.left + p.x, y: r.top + p.y};
        }""",
        node_id,
    )
    return box["x"] + pos["x"], box["y"] + pos["y"]


def _cpu_ticks(pid: int) -> int:
    """CPU ticks (user + system) of a process and its threads so far; 0 where /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _browser_ticks(root: int) -> int:
    """CPU ticks of the Chromium processes under ``root`` (this process: Playwright's driver starts them)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            try:
                children.setdefault(int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]), []).append(
                    int(entry.name)
                )
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [root]
    while todo:
        for pid in children.get(todo.pop(), []):
            todo.append(pid)
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip().startswith("chrom"):
                    total += _cpu_ticks(pid)
            except OSError:
                continue
    return total


def _ms_of(ticks: list[int]) -> int | None:
    """The median of CPU tick counts, in ms."""
    if not ticks:
        return None
    return round(sorted(ticks)[len(ticks) // 2] * 1000 / os.sysconf("SC_CLK_TCK"))


def _wait_idle(pid: int, *, quiet_s: float = 1.0, most_s: float = 90.0) -> float:
    """Wait until the app's process stays idle for ``quiet_s`` (its store builds its walk index and reads
    its caches in the background after the first visit: seconds at 1M edges); returns the seconds waited."""
    began = time.monotonic()
    ticks = _cpu_ticks(pid)
    while time.monotonic() - began < most_s:
        time.sleep(quiet_s)
        now = _cpu_ticks(pid)
        if now - ticks <= 2:  # at most 20 ms of CPU in a second: nothing left to warm
            break
        ticks = now
    return time.monotonic() - began


def _measure(browser: Any, url: str, start: str, *, opens: int, clicks: int, pid: int | None = None) -> dict[str, Any]:
    """Open the drug's view ``opens`` times (after one warm-up visit, and once the server is done warming
    its store); then, each on a freshly opened view, click ``clicks`` of its outcomes and conditions in the
    graph and wait for the link's evidence table and the redrawn graph (the researcher's click → evidence).
    A click is timed from the moment the mouse is pressed on the node."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    opened, clicked, graph_only, server, paint, payload = [], [], [], [], [], []
    # CPU spent (the browser's processes, the app's) per open and per click: the work, whatever the load
    cpu: dict[str, list[int]] = {"open_browser": [], "open_server": [], "click_browser": [], "click_server": []}
    me = os.getpid()
    log: list[dict[str, Any]] = []  # per click, wall-clock ms (to set beside the server's own log)
    blocked: list[str] = []
    missed: list[str] = []
    targets: list[str] = []

    def visit() -> tuple[Any, Any, float]:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", lambda route: route.continue_() if _local(route.request.url) else route.abort())
        context.on("request", lambda req: None if _local(req.url) else blocked.append(req.url))
        context.add_init_script(_STAMP_FRAMES)
        page = context.new_page()
        ticks = (_browser_ticks(me), _cpu_ticks(pid) if pid else 0)
        page.goto(f"{url}/?trail={start}&expand={start}", wait_until="commit")
        painted = _wait_painted(page, 1)
        spent["open"] = (_browser_ticks(me) - ticks[0], (_cpu_ticks(pid) if pid else 0) - ticks[1])
        return context, page, painted

    spent: dict[str, tuple[int, int]] = {}

    first_frame, last_frame = [], []
    open_bytes = 0
    warmed = 0.0
    for i in range(opens + 1):  # the first visit warms the server's caches and is not counted
        if i == 1 and pid is not None:
            warmed = _wait_idle(pid)
        context, page, painted = visit()
        if i:
            opened.append(painted / 1000)
            cpu["open_browser"].append(spent["open"][0])
            cpu["open_server"].append(spent["open"][1])
            stamped = page.evaluate("() => window.__evxFrames")
            open_bytes = sum(n for t, n in stamped if t <= painted)
            frames = [t for t, _ in stamped if t <= painted]
            first_frame.append(min(frames, default=painted) / 1000)
            last_frame.append(max(frames, default=painted) / 1000)
        if not targets:  # the drug's outcomes and conditions, strongest first (as drawn, top to bottom)
            targets = [n for n in _drawn(page) if n.startswith(("outcome:", "condition:"))][:clicks]
        context.close()
    for target in targets:
        context, page, _ = visit()
        page.wait_for_timeout(300)  # the fit after the first paint
        x, y = _click_point(page, target)
        ticks = (_browser_ticks(me), _cpu_ticks(pid) if pid else 0)
        begin = page.evaluate("() => performance.now()")
        page.mouse.click(x, y)
        try:
            shown = page.wait_for_function(_EVIDENCE_SHOWN, timeout=30_000, polling="raf").json_value()
            done = _wait_painted(page, 2, timeout_ms=30_000)
        except PlaywrightTimeout:
            missed.append(target)  # the click landed between nodes
            context.close()
            continue
        cpu["click_browser"].append(_browser_ticks(me) - ticks[0])
        cpu["click_server"].append((_cpu_ticks(pid) if pid else 0) - ticks[1])
        end = max(float(shown), done)
        clicked.append((end - begin) / 1000)
        graph_only.append((done - begin) / 1000)
        page.wait_for_timeout(500)  # messages still arriving after the paint (the rest of the page)
        frames = [(t, n) for t, n in page.evaluate("() => window.__evxFrames") if t >= begin]
        before = [t for t, _ in frames if t <= end]
        last = max(before, default=begin)
        server.append((last - begin) / 1000)
        paint.append((end - last) / 1000)
        payload.append(sum(n for _, n in frames))
        origin = float(page.evaluate("() => performance.timeOrigin"))
        log.append(
            {
                "target": target,
                "click_wall_ms": round(origin + begin, 1),
                "first_message_ms": round(min((t for t, _ in frames), default=begin) - begin, 1),
                "last_message_ms": round(last - begin, 1),
                "painted_ms": round(end - begin, 1),
                "bytes": sum(n for _, n in frames),
            }
        )
        context.close()
    return {
        "start": start,
        "warmed_s": round(warmed, 1),
        "open_to_paint": summary(opened),
        "open_first_message": summary(first_frame),
        "open_last_message": summary(last_frame),
        "click_to_view": summary(clicked),
        "click_to_graph": summary(graph_only),
        "click_server": summary(server),
        "click_paint": summary(paint),
        "click_payload_kb": {
            "p50": round(sorted(payload)[len(payload) // 2] / 1024, 1) if payload else None,
            "max": round(max(payload) / 1024, 1) if payload else None,
        },
        "cpu_p50_ms": {name: _ms_of(ticks) for name, ticks in cpu.items()},
        "open_payload_kb": round(open_bytes / 1024, 1) if open_bytes else None,
        "clicked": targets,
        "click_log": log,
        "blocked_requests": sorted(set(blocked)),
        "missed_clicks": missed,
    }


def _sample_store(directory: Path) -> Path:
    from graph.errors import UnsupportedFormatError
    from graph.settings import Settings
    from graph.store import open_store
    from loaders import load_path, sample_paths

    with open_store(Settings(store=directory)) as store:
        for path in sample_paths():
            try:
                documents = load_path(path)
            except UnsupportedFormatError:
                continue
            for document in documents:
                store.ingest(document)
    return directory


def run_browser(
    stores: dict[str, Path | None], *, workdir: Path, opens: int = 5, clicks: int = 6, start: str = "drug:mecasermin"
) -> dict[str, Any]:
    """Times per store (``None`` = a fresh store of the bundled samples); skips with a reason when it cannot run."""
    if not (Path(__file__).resolve().parents[1] / "ui" / "web" / "app.py").exists():
        return {"skipped": "ui/web/app.py does not exist yet"}
    if not CHROMIUM.exists():
        return {"skipped": "Debian's chromium is not at /usr/bin/chromium"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed (pip install -e '.[dev]')"}
    workdir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"stores": {}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            for name, path in stores.items():
                store = path or _sample_store(workdir / "samples")
                log = workdir / f"app-{len(out['stores'])}.log"
                try:
                    proc, url = _start_app(store, log)
                except RuntimeError as exc:
                    out["stores"][name] = {"error": str(exc)}
                    continue
                try:
                    out["stores"][name] = _measure(browser, url, start, opens=opens, clicks=clicks, pid=proc.pid)
                except Exception as exc:
                    out["stores"][name] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
                finally:
                    proc.terminate()
                    try:
                        proc.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        proc.kill()
        finally:
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.browser``: the browser timings alone, on a given or generated store."""
    import argparse
    import json
    import shutil
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=main.__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, help="an existing embedded store directory")
    where.add_argument("--size", type=int, help="generate and bulk-load a store of this many edges first")
    parser.add_argument("--name", help="the store's name in the table (default: its size or directory name)")
    parser.add_argument("--samples", action="store_true", help="also time a store of the bundled samples")
    parser.add_argument("--opens", type=int, default=5)
    parser.add_argument("--clicks", type=int, default=6)
    parser.add_argument("--out", type=Path, default=Path("browser-results.json"))
    parser.add_argument("--write", type=Path, help="replace this BENCHMARKS.md's browser section")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="evx-bench-browser-"))
    try:
        store, name = args.store, f"{args.size or 0:,} edges"
        if args.size:
            store = scratch / "store"
            command = [sys.executable, "-m", "bench.run", "--worker", "load", "--size", str(args.size)]
            command += ["--reps", "5", "--store-dir", str(store), "--plan", str(scratch / "plan.json")]
            subprocess.run([*command, "--result", str(scratch / "load.json")], check=True)
        elif store is not None:
            name = store.name
        name = args.name or name
        stores: dict[str, Path | None] = {"samples": None} if args.samples else {}
        stores[name] = store
        load_before = [round(x, 2) for x in os.getloadavg()]
        result = run_browser(stores, workdir=scratch / "browser", opens=args.opens, clicks=args.clicks)
        result["load_before"], result["load_after"] = load_before, [round(x, 2) for x in os.getloadavg()]
        result["when"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if args.write:
        from bench.report import replace_browser_section

        markdown = args.write.read_text(encoding="utf-8") if args.write.exists() else "# Benchmarks\n"
        args.write.write_text(replace_browser_section(markdown, {"browser": result}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
