"""``evx sync``: copy the embedded store into Neo4j (``--to neo4j``) or back (``--from neo4j``).

Registered in :mod:`ui.cli.main`; the store directory and the server come from the settings
(``--store``, ``--neo4j``, or ``EVX_STORE``, ``EVX_NEO4J_URI``).  The copy is
:meth:`graph.service.EvidenceService.sync`; this module opens the two stores and shows progress.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from graph.errors import EvidenceError
from graph.service import EvidenceService
from graph.store import BACKENDS
from ui.cli.common import settings_of
from ui.cli.console import err as _err
from ui.cli.console import out as _out
from ui.cli.console import progress_bar

__all__ = ["sync"]


class Server(StrEnum):
    neo4j = "neo4j"


def sync(
    ctx: typer.Context,
    to: Annotated[Server | None, typer.Option("--to", help="Copy the embedded store into this server.")] = None,
    from_: Annotated[Server | None, typer.Option("--from", help="Copy this server into the embedded store.")] = None,
) -> None:
    """Copy evidence between the embedded store and Neo4j, document by document (safe to re-run)."""
    if (to is None) == (from_ is None):
        _err.print("error: give exactly one of --to neo4j or --from neo4j")
        raise typer.Exit(2)
    settings = settings_of(ctx)
    if not settings.neo4j_uri:
        _err.print("error: no Neo4j server: pass --neo4j bolt://HOST:7687 (before `sync`) or set EVX_NEO4J_URI")
        raise typer.Exit(2)
    try:
        embedded = BACKENDS["ladybug"](settings.model_copy(update={"read_only": to is not None}))
        with embedded, BACKENDS["neo4j"](settings) as server, progress_bar() as progress:
            task = progress.add_task("copying", total=None)

            def advance(done: int, total: int, source_id: str) -> None:
                progress.update(task, completed=done, total=total, description=source_id[:40])

            service = EvidenceService(embedded, settings=settings)
            report = service.sync(server, to_server=to is not None, progress=advance)
    except EvidenceError as exc:
        _err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    where = f"into Neo4j at {settings.neo4j_uri}" if to is not None else f"from Neo4j at {settings.neo4j_uri}"
    _out.print(
        f"copied {report.copied} of {report.documents} documents {where}"
        + (f" ({report.already_there} were already there)" if report.already_there else "")
    )
