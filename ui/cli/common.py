"""What every ``evx`` command shares: the settings of the command line, the opened store, clear errors.

Its own module so the command modules (``ui/cli/*.py``) and the application (``ui/cli/main.py``)
both import it and never each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from graph.errors import EvidenceError
from graph.settings import Settings
from graph.store import EvidenceStore, open_store
from ui.cli.console import err

__all__ = ["guarded", "opened_store", "settings_of"]


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the ``evx`` callback built once (defaults ← ``EVX_CONFIG`` file ← environment ← options)."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings.from_env()


@contextmanager
def opened_store(ctx: typer.Context, *, read_only: bool | None = None) -> Iterator[EvidenceStore]:
    """Open the store of the command line; errors become one clear line and exit code 1."""
    settings = settings_of(ctx)
    if read_only is not None and read_only != settings.read_only:
        settings = settings.model_copy(update={"read_only": read_only})
    with guarded(), open_store(settings) as store:
        yield store


@contextmanager
def guarded() -> Iterator[None]:
    """Turn the project's errors into ``error: …`` and exit code 1, without a traceback."""
    try:
        yield
    except EvidenceError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
