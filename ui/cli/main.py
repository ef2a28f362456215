"""``evx``: load documents, ask questions in Cypher, export subgraphs, see what is stored.

The store is ``--store DIR``, else ``$EVX_STORE``, else a per-user data directory;
``--neo4j URI`` (or ``$EVX_NEO4J_URI``) selects a Neo4j server instead.  Every failure
the user can fix is printed as one line starting with ``error:`` and a non-zero exit.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from graph.export import FORMATS, format_of
from graph.reading import MAX_UPLOAD_BYTES
from graph.service import EvidenceService
from graph.settings import Settings
from graph.store import EvidenceStore
from loaders import sample_paths
from ui.cli.common import guarded, opened_store, settings_of
from ui.cli.console import err, out
from ui.cli.curate import curate_app
from ui.cli.fetch import fetch_app
from ui.cli.load import load
from ui.cli.report import bundle, report
from ui.cli.sync import sync
from ui.cli.vocab import eval_app, vocab_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="evx",
    help="Evidence Explorer: clinical and pharmacological evidence as a graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(fetch_app, name="fetch")
app.add_typer(vocab_app, name="vocab")
app.add_typer(eval_app, name="eval")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


@app.callback()
def _options(
    ctx: typer.Context,
    store: Annotated[
        Path | None, typer.Option("--store", help="Directory of the embedded store (or $EVX_STORE).")
    ] = None,
    neo4j: Annotated[
        str | None,
        typer.Option("--neo4j", help="Use a Neo4j server (bolt:// or neo4j:// URI; or $EVX_NEO4J_URI)."),
    ] = None,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Open the store read-only (while another process writes to it).")
    ] = False,
) -> None:
    # the one place the command line's settings are read: defaults ← EVX_CONFIG file ← environment ← options
    ctx.obj = Settings.from_env(store=store, neo4j_uri=neo4j, read_only=read_only or None)


@app.command()
def query(
    ctx: typer.Context,
    cypher: Annotated[str, typer.Argument(help="A Cypher query (read-only unless --write).")],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = OutputFormat.table,
    write_: Annotated[bool, typer.Option("--write", help="Allow the query to change the store.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Row cap (default 1000).")] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0.1, help="Seconds before the query is stopped.")
    ] = None,
) -> None:
    """Run a Cypher query; read-only with a row cap and a timeout unless told otherwise."""
    # Without --write the text runs as a console query: a read-only worker process, so it can
    # neither write nor read files, and this command works while the explorer holds the store.
    with opened_store(ctx, read_only=True if not write_ else None) as store, guarded():
        if write_:
            result = store.query(cypher, write=True, row_limit=limit, timeout_s=timeout)
        else:
            result = store.console_query(cypher, row_limit=limit, timeout_s=timeout)
    if fmt is OutputFormat.json:
        rows = [dict(zip(result.columns, row, strict=False)) for row in result.rows]
        out.print_json(
            json.dumps({"columns": result.columns, "rows": rows, "truncated": result.truncated}, default=str)
        )
        return
    table = Table(*result.columns)
    for row in result.rows:
        table.add_row(*(_cell(v) for v in row))
    out.print(table)
    note = f"{len(result.rows)} rows" + (" (truncated: raise --limit to see more)" if result.truncated else "")
    err.print(note)


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(sorted(FORMATS))}.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    all_: Annotated[bool, typer.Option("--all", help="Export the whole store.")] = False,
    from_: Annotated[str | None, typer.Option("--from", help="Start node: an id, a name or a synonym.")] = None,
    hops: Annotated[int, typer.Option("--hops", min=0, max=6, help="How far from --from to go.")] = 1,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most nodes to take around --from.")] = 10_000,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Export the whole store or the neighbourhood of a node (GraphML, GEXF, JSON, CSV, Cypher)."""
    if all_ == (from_ is not None):
        err.print("error: give exactly one of --all or --from ID")
        raise typer.Exit(2)
    with opened_store(ctx, read_only=None) as store, guarded():
        if from_ is not None:
            start = store.resolve(from_)
            graph = store.neighbourhood(start["id"], hops=hops, limit=limit)
        else:
            graph = store.subgraph()
        # curators' corrections travel with every export (marked, never silently applied)
        path, graph = EvidenceService.for_settings(store, settings_of(ctx)).export(graph, fmt, output, force=force)
    suffix = format_of(fmt).suffix
    hint = f" (usual suffix {suffix})" if path.suffix != suffix else ""
    out.print(f"wrote {graph.number_of_nodes()} nodes and {graph.number_of_edges()} edges to {path}{hint}")


@app.command()
def stats(ctx: typer.Context) -> None:
    """Count what the store holds: nodes by kind, edges by type, documents.

    Read-only, like ``query``: counting must not create an empty store where none was, and works beside
    the explorer or a load holding the store."""
    with opened_store(ctx, read_only=True) as store, guarded():
        result = store.stats()
    title = f"{result.documents:,} document{'' if result.documents == 1 else 's'}"
    table = Table("kind / type", "count", title=title)
    for name, count in {**result.nodes, **result.edges}.items():
        table.add_row(name, str(count))
    table.add_row("[b]nodes[/]", str(result.total_nodes))
    table.add_row("[b]edges[/]", str(result.total_edges))
    out.print(table)


#: Streamlit defaults for ``evx app`` (later options override): no usage statistics, no dev mode,
#: and no lookup of the external IP.
STREAMLIT_DEFAULTS: tuple[str, ...] = (
    "--browser.gatherUsageStats",
    "false",
    "--global.developmentMode",
    "false",
    "--browser.serverAddress",  # else a headless Streamlit asks the internet for its external IP
    "localhost",
    "--client.toolbarMode",
    "minimal",
    "--server.maxUploadSize",  # megabytes: the upload limit graph.reading.UploadParser enforces too
    str(MAX_UPLOAD_BYTES // (1024 * 1024)),  # the browser refuses bigger files before sending them
    "--client.showErrorDetails",  # an unexpected error shows a generic message; its traceback goes to the log
    "none",
    "--runner.postScriptGC",  # no full collection after every run: over a 1M-edge store's caches it took
    "false",  # 60-300 ms of CPU per page open, holding up the script files and messages the page waits for
)


@app.command("app", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def app_(
    ctx: typer.Context,
    samples: Annotated[
        bool, typer.Option("--samples/--no-samples", help="Load the bundled samples when the store is empty.")
    ] = True,
    share: Annotated[
        bool,
        typer.Option(
            "--share", help="Listen on every network interface, so others can open it (default: this machine)."
        ),
    ] = False,
) -> None:
    """Open the explorer (Streamlit); other options go to `streamlit run`, e.g. --server.port 8600."""
    settings = settings_of(ctx)
    env = dict(os.environ, EVX_STORE=str(settings.store))
    if settings.neo4j_uri:
        env["EVX_NEO4J_URI"] = settings.neo4j_uri
    if settings.read_only:  # the explorer opens the store read-only and offers no page that writes to it
        env["EVX_READ_ONLY"] = "1"
    if samples and not settings.read_only:
        with opened_store(ctx) as store:
            if store.stats().total_nodes == 0:
                _load_samples(store, settings)
    script = Path(__file__).resolve().parents[1] / "web" / "app.py"
    given = list(ctx.args)
    address = _streamlit_option(given, "--server.address") or ("0.0.0.0" if share else "127.0.0.1")  # noqa: S104
    if _streamlit_option(given, "--server.address") is None:
        given = ["--server.address", address, *given]
    port = _streamlit_option(given, "--server.port") or "8501"
    shown = "localhost" if address in ("127.0.0.1", "0.0.0.0") else address  # noqa: S104
    out.print(
        f"Evidence Explorer: http://{shown}:{port}"
        + (" (shared on every network interface)" if address == "0.0.0.0" else " (this machine only; --share to share)")  # noqa: S104
        + " — Ctrl+C stops it",
        markup=False,
        highlight=False,
    )
    # Streamlit's command line, with its connections sending at once (ui.web.serve says why)
    args = [sys.executable, "-m", "ui.web.serve", "run", str(script), *STREAMLIT_DEFAULTS, *given]
    run_streamlit(args, env)


def _streamlit_option(args: list[str], name: str) -> str | None:
    """The value of a Streamlit option in ``args`` (``--name value`` or ``--name=value``), if given."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _load_samples(store: EvidenceStore, settings: Settings) -> None:
    summary = EvidenceService(store, settings=settings).load(sample_paths())
    for message in (*(f.error for f in summary.failed_files), *summary.refused):
        err.print(f"warning: sample not loaded: {message}", markup=False)


def run_streamlit(args: list[str], env: dict[str, str]) -> None:
    """Replace this process with Streamlit, so signals and exit codes are Streamlit's own."""
    os.execve(sys.executable, args, env)  # noqa: S606 - fixed argv, no shell


app.command()(load)
app.command()(sync)
app.command()(report)
app.command()(bundle)
app.add_typer(curate_app, name="curate")


#: Options of every command that may also come after the command's name (``evx stats --store X``).
_GLOBAL_VALUED = ("--store", "--neo4j")
_GLOBAL_FLAGS = ("--read-only",)


def global_options_first(argv: list[str]) -> list[str]:
    """``argv`` with the global options moved before the command, where Typer expects them.

    Everything after a ``--`` separator is left alone.
    """
    moved: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg in _GLOBAL_VALUED and i + 1 < len(argv):
            moved.extend(argv[i : i + 2])
            i += 2
            continue
        if arg in _GLOBAL_FLAGS or any(arg.startswith(o + "=") for o in _GLOBAL_VALUED):
            moved.append(arg)
        else:
            rest.append(arg)
        i += 1
    return moved + rest


def main() -> None:
    """Console entry point."""
    try:
        app(args=global_options_first(sys.argv[1:]))
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
