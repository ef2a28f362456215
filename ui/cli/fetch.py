"""``evx fetch``: download records from ClinicalTrials.gov and PubMed, save them, load them.

Fetching and loading stay separate steps: the raw responses are saved under the cache
directory first (``--cache-dir``, else the ``fetch`` settings: ``$EVX_CACHE``), then loaded
by :func:`ui.cli.load.load_paths`, the same call into the evidence service as ``evx load``.  Offline, a fetch fails at once with one clear line and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from fetch import FetchResult, fetch_ctgov, fetch_pubmed
from graph.errors import EvidenceError
from ui.cli.common import settings_of
from ui.cli.console import err, progress_bar
from ui.cli.load import load_paths

__all__ = ["fetch_app"]

fetch_app = typer.Typer(
    help="Download trial records (ClinicalTrials.gov) or articles (PubMed), save them, and load them.",
    no_args_is_help=True,
)

CacheOption = Annotated[Path | None, typer.Option("--cache-dir", help="Where raw responses are saved (or $EVX_CACHE).")]
QueryOption = Annotated[str | None, typer.Option("--query", help="Search text instead of ids.")]
LimitOption = Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Most records to fetch for --query.")]
RefreshOption = Annotated[bool, typer.Option("--refresh", help="Download again even when the cache has the record.")]
NoLoadOption = Annotated[bool, typer.Option("--no-load", help="Only download and save; do not load into the store.")]


@fetch_app.command()
def ctgov(
    ctx: typer.Context,
    ids: Annotated[list[str] | None, typer.Argument(help="NCT ids, e.g. NCT00330668.", show_default=False)] = None,
    query: QueryOption = None,
    limit: LimitOption = 100,
    cache_dir: CacheOption = None,
    refresh: RefreshOption = False,
    no_load: NoLoadOption = False,
) -> None:
    """Fetch ClinicalTrials.gov studies (API v2) by NCT id or by search, then load them."""
    _run(ctx, fetch_ctgov, ids, query, limit, cache_dir, refresh, no_load, what="studies", ids_are="NCT ids")


@fetch_app.command()
def pubmed(
    ctx: typer.Context,
    ids: Annotated[list[str] | None, typer.Argument(help="PMIDs, e.g. 33434161.", show_default=False)] = None,
    query: QueryOption = None,
    limit: LimitOption = 100,
    cache_dir: CacheOption = None,
    refresh: RefreshOption = False,
    no_load: NoLoadOption = False,
) -> None:
    """Fetch PubMed articles (E-utilities efetch) by PMID or by search, then load them."""
    _run(ctx, fetch_pubmed, ids, query, limit, cache_dir, refresh, no_load, what="articles", ids_are="PMIDs")


def _run(
    ctx: typer.Context,
    fetch: Callable[..., FetchResult],
    ids: list[str] | None,
    query: str | None,
    limit: int,
    cache_dir: Path | None,
    refresh: bool,
    no_load: bool,
    *,
    what: str,
    ids_are: str,
) -> None:
    if bool(ids) == bool(query):
        err.print(f"error: give {ids_are} or --query TEXT (one of them)")
        raise typer.Exit(2)
    with _guarded():
        settings = settings_of(ctx).fetch
        if cache_dir is not None:
            settings = settings.model_copy(update={"cache_dir": cache_dir})
        with progress_bar() as progress:
            task = progress.add_task(f"fetching {what}", total=None)

            def report(done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=total)

            result = fetch(ids=ids, query=query, limit=limit, settings=settings, refresh=refresh, progress=report)
    err.print(
        f"fetched {len(result.files)} files ({result.downloaded} downloaded, {result.cached} from the cache) "
        f"into {settings.cache_dir}"
    )
    if no_load or not result.files:
        for path in result.files:
            print(path)
        return
    load_paths(ctx, list(result.files))


@contextmanager
def _guarded() -> Iterator[None]:
    try:
        yield
    except EvidenceError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
