"""``evx load``: files and folders of documents into the store, in batches, with progress that tells the truth.

The work is :meth:`graph.service.EvidenceService.load` (format detection over the store's open
vocabulary, batches); this module shows documents/s, records/s, the current file and the time
left, and prints a summary.  Re-running the same command after an interruption skips what is stored.
"""

from __future__ import annotations

import resource
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.errors import EvidenceError
from graph.pipeline import BATCH_DOCUMENTS, LoadProgress, LoadSummary
from ui.cli.console import err, out

__all__ = ["ALREADY_LOADED_EDITED", "load", "load_paths"]

#: What `evx load` says of a document it already holds in another version (same text, other records).
ALREADY_LOADED_EDITED = "already loaded; its other changes were not applied — use --replace"
#: Formats whose claims are read over the open vocabulary (the bundled one names only the samples' concepts).
_OPEN_VOCABULARY_FORMATS = frozenset({"pubmed", "ctgov"})
NO_VOCABULARY = (
    "no vocabulary is imported into this store, so {name} records were read only for the bundled "
    "vocabulary's concepts; import MeSH (`evx vocab import mesh desc20XX.xml`, and annotated abstracts with "
    "`evx vocab import pubtator FILE` if you have them), then `evx load --replace` the same files"
)
#: Above this many files the summary gives totals, not a row per file.
TABLE_MAX_FILES = 50


def _say_no_vocabulary(files: list[Path], *, look_at: int = 1000) -> None:
    """Tell a user whose literature found few concepts why, and what fixes it (once per load)."""
    from loaders import detect

    for path in files[:look_at]:
        try:
            name = detect(path).name
        except (EvidenceError, OSError):
            continue
        if name in _OPEN_VOCABULARY_FORMATS:
            err.print(f"note: {NO_VOCABULARY.format(name=name)}", markup=False)
            return


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        else:
            files.append(path)
    return files


def _eta(progress: LoadProgress) -> str:
    eta = progress.eta_s
    if eta is None:
        return "–"
    minutes, seconds = divmod(int(eta + 0.5), 60)
    return f"{minutes}:{seconds:02d}"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}", style="bold"),
        BarColumn(),
        TextColumn("{task.fields[files]}"),
        TextColumn(
            "{task.fields[documents]:,} docs read ({task.fields[docs_per_s]:,.0f}/s), {task.fields[stored]:,} stored"
        ),
        TextColumn("{task.fields[records]:,} records ({task.fields[records_per_s]:,.0f}/s)"),
        TimeElapsedColumn(),
        TextColumn("ETA {task.fields[eta]}"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _summary(summary: LoadSummary) -> None:
    files = summary.files
    if len(files) <= TABLE_MAX_FILES:
        table = Table("file", "documents", "new nodes", "new edges", "warnings", title="Loaded")
        for f in files:
            if f.error is None:
                table.add_row(
                    f.path.name, str(f.documents), str(f.nodes_added), str(f.edges_added), str(len(f.warnings))
                )
        out.print(table)
    seconds = max(summary.seconds, 1e-9)
    documents = summary.new + summary.already
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    edited = len(summary.unapplied)
    out.print(
        f"{summary.new} documents loaded, {summary.already} already loaded"
        + (f" ({edited} of them edited: changes not applied, see --replace)" if edited else "")
        + (f", {summary.replaced} replaced" if summary.replaced else "")
        + " "
        f"({len(files)} files, {summary.records:,} new records in {summary.seconds:.1f} s: "
        f"{documents / seconds:,.0f} documents/s, {summary.records / seconds:,.0f} records/s; "
        f"parsed {'in this process' if not summary.workers else f'by {summary.workers} worker processes'}; "
        f"peak memory {peak_mib:,.0f} MiB)"
    )


def load(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or directories of documents.")] = None,
    samples: Annotated[bool, typer.Option("--samples", help="Load the sample documents bundled with evx.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            max=64,
            help="Parsing worker processes (default 0: parse in this process; helps only with idle cores).",
        ),
    ] = None,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=100_000, help="Documents written per transaction.")
    ] = BATCH_DOCUMENTS,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Swap the records of documents already loaded for this reading when they differ "
            "(an edited file with the same text, or a newer loader); one transaction per document.",
        ),
    ] = False,
) -> None:
    """Load documents into the store (the format is detected from each file); re-running resumes."""
    from loaders import sample_paths

    files = _expand(list(paths or [])) + (sample_paths() if samples else [])
    if not files:
        err.print("error: nothing to load; give files or directories, or --samples")
        raise typer.Exit(2)
    load_paths(ctx, files, workers=workers, batch=batch, replace=replace)


def load_paths(
    ctx: typer.Context,
    files: list[Path],
    *,
    workers: int | None = None,
    batch: int = BATCH_DOCUMENTS,
    replace: bool = False,
) -> None:
    """Load ``files`` through the evidence service with progress and a summary (``evx load``, ``evx fetch``)."""
    from graph.service import EvidenceService
    from ui.cli.common import opened_store, settings_of
    from ui.cli.vocab import open_vocabulary

    settings = settings_of(ctx)
    recognizer = open_vocabulary(settings)  # warns once here if the vocabulary is unusable
    with opened_store(ctx) as store, _progress() as bar:
        task = bar.add_task(
            "loading",
            total=sum(_size(p) for p in files) or None,
            files=f"0/{len(files)} files",
            documents=0,
            stored=0,
            docs_per_s=0.0,
            records=0,
            records_per_s=0.0,
            eta="–",
        )

        def show(p: LoadProgress) -> None:
            bar.update(
                task,
                completed=p.bytes_done,
                description=(p.current_file or "done")[:32],
                files=f"{p.files_done}/{p.files_total} files",
                documents=p.documents,
                stored=p.stored,
                docs_per_s=p.documents_per_s,
                records=p.records,
                records_per_s=p.records_per_s,
                eta=_eta(p),
            )

        summary = EvidenceService(store, settings=settings).load(
            files, progress=show, workers=workers, batch_documents=batch, replace=replace
        )
    _summary(summary)
    for f in summary.files:
        for warning in f.warnings:
            err.print(f"warning: {f.path.name}: {warning}", markup=False)
    for path, title in summary.unapplied:
        err.print(f"warning: {path.name}: {title!r}: {ALREADY_LOADED_EDITED}", markup=False)
    if recognizer is None:
        _say_no_vocabulary(files)
    failed = summary.failed_files
    for f in failed:
        err.print(f"error: {f.error}", markup=False)
    refused = summary.refused
    for message in refused:
        err.print(f"error: {message}", markup=False)
    if failed:
        err.print(f"{len(failed)} of {len(files)} files could not be loaded; nothing from them was stored")
    if refused:
        err.print(f"{len(refused)} documents were refused by the store; the other documents of their files are stored")
    if failed or refused:
        raise typer.Exit(1)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
