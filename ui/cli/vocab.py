"""``evx vocab …`` (the open vocabulary kept with the store) and ``evx eval cdr`` (measured reading)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from graph.errors import EvidenceError
from graph.settings import Settings
from graph.vocab_store import VocabularyStore
from ui.cli.common import settings_of
from ui.cli.console import err, out

__all__ = ["eval_app", "open_vocabulary", "vocab_app", "with_open_vocabulary"]

vocab_app = typer.Typer(
    help="The open vocabulary: MeSH and names learned from annotated abstracts.", no_args_is_help=True
)
import_app = typer.Typer(
    help="Import a vocabulary file into the store's vocabulary (all or nothing).", no_args_is_help=True
)
vocab_app.add_typer(import_app, name="import")
eval_app = typer.Typer(help="Measure recognition and claims on annotated abstracts.", no_args_is_help=True)


def _settings(ctx: typer.Context) -> Settings:
    return settings_of(ctx)


def _fail(exc: EvidenceError) -> None:
    err.print(f"error: {exc}; nothing was imported", markup=False, highlight=False)
    raise typer.Exit(1)


def open_vocabulary(settings: Settings) -> Any:
    """The recogniser over the store's imported vocabulary, or ``None`` when none was imported."""
    from loaders.text.recognize import store_recognizer

    try:
        return store_recognizer(VocabularyStore.for_store(settings.store))
    except EvidenceError as exc:
        err.print(f"warning: the open vocabulary is not used: {exc}", markup=False)
        return None


def with_open_vocabulary(loader: Any, recognizer: Any) -> Any:
    """The loader reading over the open vocabulary, when it can."""
    if recognizer is not None and hasattr(loader, "with_recognizer"):
        return loader.with_recognizer(recognizer)
    return loader


@import_app.command("mesh")
def import_mesh(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="desc20XX.xml / supp20XX.xml, or mesh_id/mesh_name[/tree] TSV.")],
) -> None:
    """MeSH descriptors: names, entry terms (synonyms) and tree numbers (which decide the kind)."""
    from loaders.mesh import read_mesh_table, read_mesh_xml

    store = VocabularyStore.for_store(_settings(ctx).store)
    for path in files:
        reader = read_mesh_xml if _is_xml(path) else read_mesh_table
        try:
            report = store.import_mesh(reader(path), file=str(path))
        except EvidenceError as exc:
            _fail(exc)
        out.print(f"{path.name}: {report.records:,} records, {report.terms:,} names")


@import_app.command("pubtator")
def import_pubtator(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="PubTator files with MeSH-normalised mentions.")],
) -> None:
    """Mention → MeSH id synonyms, and how often each name is annotated where it occurs."""
    from loaders.pubtator import read_pubtator

    store = VocabularyStore.for_store(_settings(ctx).store)
    for path in files:
        try:
            report = store.import_annotations(read_pubtator(path), file=str(path))
        except EvidenceError as exc:
            _fail(exc)
        out.print(f"{path.name}: {report.records:,} abstracts, {report.terms:,} annotated mentions")


@vocab_app.command("stats")
def stats(ctx: typer.Context) -> None:
    """What the store's open vocabulary holds, and which files it came from."""
    try:
        result = VocabularyStore.for_store(_settings(ctx).store).stats()
    except EvidenceError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    if not result.imports:
        out.print("no vocabulary imported; only the bundled one is used (see `evx vocab import`)")
        return
    table = Table("", "count", title="Open vocabulary")
    for kind, n in sorted(result.concepts.items()):
        table.add_row(f"concepts: {kind or 'other MeSH branches (not looked for)'}", f"{n:,}")
    table.add_row("names", f"{result.terms:,}")
    table.add_row("names with learned use", f"{result.learned_uses:,}")
    out.print(table)
    for imp in result.imports:
        out.print(f"  {imp.what}: {imp.file} ({imp.records:,} records)")


def _is_xml(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(512).lstrip().startswith(b"<")
    except OSError:
        return path.suffix.lower() == ".xml"


@eval_app.command("cdr")
def cdr(
    test: Annotated[Path, typer.Argument(help="PubTator file to measure on (e.g. CDR_DevelopmentSet.PubTator.txt).")],
    mesh: Annotated[list[Path], typer.Option("--mesh", help="MeSH files to import first (XML or TSV).")],
    train: Annotated[
        list[Path] | None, typer.Option("--train", help="Annotated PubTator files to learn names from.")
    ] = None,
) -> None:
    """Relation and concept F1 of PubTator abstracts loaded as PubMed XML (title and abstract only)."""
    from graph.evaluation import evaluate_cdr

    try:
        result = evaluate_cdr(test, mesh=list(mesh), annotations=list(train or []))
    except EvidenceError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    table = Table("", "precision", "recall", "F1", "tp", "fp", "fn", title=f"{result.abstracts} abstracts")
    for name, score in (
        ("relations", result.relations),
        ("chemicals", result.chemicals),
        ("diseases", result.diseases),
    ):
        table.add_row(
            name,
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            f"{score.f1:.3f}",
            str(score.tp),
            str(score.fp),
            str(score.fn),
        )
    out.print(table)
    rate = result.abstracts / result.load_seconds if result.load_seconds else 0.0
    out.print(
        f"loaded in {result.load_seconds:.1f} s ({rate:.0f} abstracts/s into the store); "
        f"{result.contradicted} contradicted claims, {result.figures} figures, {len(result.warnings)} warnings"
    )
