"""``evx curate``: confirm, reject, re-label or add edges, with name, date and reason.

``evx curate FILE`` takes a curator's YAML file; ``evx curate confirm|reject|relabel|add``
record one decision; ``evx curate list DRUG TARGET`` shows the edges (with ids) to decide
on; ``evx curate log`` prints the log.  The work is :class:`graph.service.Curation`: corrections
go to the log of the store's backend (``<store>/curation.yaml`` for the embedded store), apart
from the extracted data, and are applied whenever evidence is read for a report, a bundle or
the explorer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.table import Table
from typer.core import TyperGroup

from graph.model import EdgeType
from graph.service import Curation, EvidenceService
from ui.cli.common import guarded, opened_store, settings_of
from ui.cli.console import err as _err
from ui.cli.console import out as _out
from ui.cli.console import plain

__all__ = ["curate_app"]


class _FileOrCommand(TyperGroup):
    """``evx curate FILE`` means ``evx curate import FILE``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["import", *args]
        return super().parse_args(ctx, args)


curate_app = typer.Typer(
    cls=_FileOrCommand,
    no_args_is_help=True,
    help="Curate edges: confirm, reject, re-label or add (name, date, reason).",
)

Curator = Annotated[str | None, typer.Option("--curator", help="Your name (or $EVX_CURATOR).")]
Reason = Annotated[str, typer.Option("--reason", help="Why; shown with the badge and in exports.")]
When = Annotated[
    dt.datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="Date of the decision (default today).")
]


def _curation(ctx: typer.Context) -> Curation:
    """The curation log of the command line's store, located per backend (no store is opened)."""
    return Curation.for_settings(settings_of(ctx))


def _curator(ctx: typer.Context, given: str | None) -> str | None:
    """``--curator``, else the configured curator (``EVX_CURATOR``)."""
    return given or settings_of(ctx).curator


def _record(ctx: typer.Context, **fields: object) -> None:
    fields["curator"] = _curator(ctx, fields.get("curator"))  # type: ignore[arg-type]
    if not fields["curator"]:
        _err.print("error: give --curator NAME (or set EVX_CURATOR, or curator in the settings file)")
        raise typer.Exit(2)
    date = fields.pop("date", None)
    with guarded():
        curation = _curation(ctx)
        correction = curation.record(date=date.date() if date else None, **fields)  # type: ignore[attr-defined]
    _out.print(plain(f"{correction.action} recorded for {correction.edge_id} in {curation.log.path}"))


@curate_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A curator's YAML file of corrections.")],
    curator: Annotated[str | None, typer.Option("--curator", help="Default curator (or $EVX_CURATOR).")] = None,
) -> None:
    """Add every correction of a YAML file to the store's curation log (all or nothing)."""
    with guarded():
        curation = _curation(ctx)
        corrections = curation.import_file(file, curator=_curator(ctx, curator))
    _out.print(plain(f"{len(corrections)} corrections from {file} added to {curation.log.path}"))


@curate_app.command()
def confirm(ctx: typer.Context, edge: str, curator: Curator = None, reason: Reason = "", date: When = None) -> None:
    """Confirm an extracted edge."""
    _record(ctx, action="confirm", edge=edge, curator=curator, reason=reason or None, date=date)


@curate_app.command()
def reject(ctx: typer.Context, edge: str, reason: Reason, curator: Curator = None, date: When = None) -> None:
    """Reject an extracted edge: it stays in the data, marked, and no longer counts."""
    _record(ctx, action="reject", edge=edge, curator=curator, reason=reason, date=date)


@curate_app.command()
def relabel(
    ctx: typer.Context, edge: str, new_type: EdgeType, reason: Reason, curator: Curator = None, date: When = None
) -> None:
    """Give an edge another type, e.g. SUPPORTS → CONTRADICTS."""
    _record(ctx, action="relabel", edge=edge, new_type=new_type, curator=curator, reason=reason, date=date)


@curate_app.command()
def add(
    ctx: typer.Context,
    source: str,
    type_: Annotated[EdgeType, typer.Argument(metavar="TYPE")],
    target: str,
    reason: Reason,
    curator: Curator = None,
    quote: Annotated[str | None, typer.Option("--quote", help="The sentence that shows it.")] = None,
    date: When = None,
) -> None:
    """Add an edge the extraction missed (source id, TYPE, target id)."""
    _record(
        ctx,
        action="add",
        source=source,
        type=type_,
        target=target,
        curator=curator,
        reason=reason,
        quote=quote,
        date=date,
    )


@curate_app.command("list")
def list_(ctx: typer.Context, drug: str, target: str) -> None:
    """The stance edges behind a drug → outcome link, with ids and curation status."""
    with opened_store(ctx, read_only=True) as store, guarded():
        d, t = store.resolve(drug), store.resolve(target)
        decisions = EvidenceService.for_settings(store, settings_of(ctx)).decisions(d["id"], t["id"])
    # names come from documents and ids from people: shown as text, never read as console markup
    table = Table(title=plain(f"{d.get('name')} → {t.get('name')}"))
    table.add_column("edge", no_wrap=True, min_width=25)
    for column in ("stance", "evidence", "claim", "curation"):
        table.add_column(column)
    for e in decisions:
        table.add_row(*map(plain, (e.edge_id, e.stance, e.evidence, e.claim, e.curation)))
    _out.print(table)


@curate_app.command("log")
def log_(ctx: typer.Context) -> None:
    """Print the store's curation log."""
    with guarded():
        log = _curation(ctx).log
    table = Table("action", "edge", "curator", "date", "reason", title=plain(log.path))
    for c in log.corrections:
        table.add_row(*map(plain, (c.action, c.edge_id, c.curator, c.date.isoformat(), c.reason or "")))
    _out.print(table)
