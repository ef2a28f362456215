"""The CLI's two consoles and its progress bar, shared by every ``evx`` command module."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["err", "out", "progress_bar"]

#: Results go to stdout, so `evx query --format json > file` stays clean.
out = Console(highlight=False, soft_wrap=True)
#: Errors, warnings and progress go to stderr.
err = Console(stderr=True, highlight=False, soft_wrap=True)


def progress_bar() -> Progress:
    """A transient bar on stderr, shown only on a terminal (so logs and pipes stay clean)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
