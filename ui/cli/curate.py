"""``evx curate``: confirm, reject, re-label or add edges, with name, date and reason.

``evx curate FILE`` takes a curator's YAML file; ``evx curate confirm|reject|relabel|add``
record one decision; ``evx curate list DRUG TARGET`` shows the edges (with ids) to decide
on; ``evx curate log`` prints the log.  Corrections go to ``<store>/curation.yaml``,
apart from the extracted data, and are applied whenever evidence is read for a report,
a bundle or the explorer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import click
import typer
from pydantic import ValidationError
from rich.table import Table
from typer.core import TyperGroup

from graph.curation import Correction, CurationLog, read_corrections
from graph.errors import RecordError
from graph.model import EdgeType
from ui.cli.console import out as _out

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

Curator = Annotated[str, typer.Option("--curator", envvar="EVX_CURATOR", help="Your name (or $EVX_CURATOR).")]
Reason = Annotated[str, typer.Option("--reason", help="Why; shown with the badge and in exports.")]
When = Annotated[
    dt.datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="Date of the decision (default today).")
]


def _log(ctx: typer.Context) -> CurationLog:
    from graph.service import curation_log
    from ui.cli.common import settings_of

    return curation_log(settings_of(ctx))


def _record(ctx: typer.Context, **fields: object) -> None:
    from ui.cli.common import guarded

    date = fields.pop("date", None) or dt.datetime.now()
    with guarded():
        try:
            correction = Correction.model_validate({**fields, "date": date.date()})  # type: ignore[attr-defined]
        except ValidationError as exc:
            first = exc.errors()[0]
            raise RecordError(f"{'.'.join(map(str, first['loc'])) or 'correction'}: {first['msg']}") from None
        log = _log(ctx)
        log.add(correction)
    _out.print(f"{correction.action} recorded for {correction.edge_id} in {log.path}")


@curate_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A curator's YAML file of corrections.")],
    curator: Annotated[str | None, typer.Option("--curator", envvar="EVX_CURATOR", help="Default curator.")] = None,
) -> None:
    """Add every correction of a YAML file to the store's curation log (all or nothing)."""
    from ui.cli.common import guarded

    with guarded():
        corrections = read_corrections(file, curator=curator)
        log = _log(ctx)
        log.add(*corrections)
    _out.print(f"{len(corrections)} corrections from {file} added to {log.path}")


@curate_app.command()
def confirm(ctx: typer.Context, edge: str, curator: Curator, reason: Reason = "", date: When = None) -> None:
    """Confirm an extracted edge."""
    _record(ctx, action="confirm", edge=edge, curator=curator, reason=reason or None, date=date)


@curate_app.command()
def reject(ctx: typer.Context, edge: str, curator: Curator, reason: Reason, date: When = None) -> None:
    """Reject an extracted edge: it stays in the data, marked, and no longer counts."""
    _record(ctx, action="reject", edge=edge, curator=curator, reason=reason, date=date)


@curate_app.command()
def relabel(
    ctx: typer.Context, edge: str, new_type: EdgeType, curator: Curator, reason: Reason, date: When = None
) -> None:
    """Give an edge another type, e.g. SUPPORTS → CONTRADICTS."""
    _record(ctx, action="relabel", edge=edge, new_type=new_type, curator=curator, reason=reason, date=date)


@curate_app.command()
def add(
    ctx: typer.Context,
    source: str,
    type_: Annotated[EdgeType, typer.Argument(metavar="TYPE")],
    target: str,
    curator: Curator,
    reason: Reason,
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
    from graph.service import EvidenceService
    from ui.cli.common import guarded, opened_store

    log = _log(ctx)
    with opened_store(ctx, read_only=True) as store, guarded():
        d, t = store.resolve(drug), store.resolve(target)
        curated = EvidenceService(store, log.corrections).evidence(d["id"], t["id"])
    table = Table(title=f"{d.get('name')} → {t.get('name')}")
    table.add_column("edge", no_wrap=True, min_width=25)
    for column in ("stance", "evidence", "claim", "curation"):
        table.add_column(column)
    seen: set[str] = set()
    for item in (*curated.evidence.items, *curated.rejected):
        if item.edge_id in seen:
            continue
        seen.add(item.edge_id)
        status = "; ".join(f"{c['curation_status']} by {c['curated_by']}" for c in item.curation)
        table.add_row(item.edge_id, item.stance.value, str(item.evidence.name), str(item.finding.name), status)
    _out.print(table)


@curate_app.command("log")
def log_(ctx: typer.Context) -> None:
    """Print the store's curation log."""
    log = _log(ctx)
    table = Table("action", "edge", "curator", "date", "reason", title=str(log.path))
    for c in log.corrections:
        table.add_row(c.action, c.edge_id, c.curator, c.date.isoformat(), c.reason or "")
    _out.print(table)
