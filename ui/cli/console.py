"""The CLI's two consoles and its progress bar, shared by every ``evx`` command module."""

from __future__ import annotations

import re

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

__all__ = ["err", "out", "plain", "progress_bar"]

#: Results go to stdout, so `evx query --format json > file` stays clean.
out = Console(highlight=False, soft_wrap=True)
#: Errors, warnings and progress go to stderr.
err = Console(stderr=True, highlight=False, soft_wrap=True)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain(value: object) -> Text:
    """Text from documents or people, shown as typed: no console markup, no terminal control codes.

    An escape sequence in a reason could clear the terminal or rewrite earlier lines, and a
    bidirectional override could make an edge id read backwards; each becomes ``\ufffd``.
    """
    return Text(_CONTROL.sub("\ufffd", str(value)))


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
