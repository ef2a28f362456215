"""``evx report`` and ``evx bundle``: the evidence report and the evidence bundle for one link.

``evx report mecasermine hypoglycemia -o report.html`` takes names as a person types them
(Dutch or English, synonyms, ids); the suffix picks the format (``.md`` → Markdown, else
HTML).  Both apply the store's curation log, so curated edges show as such.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graph.errors import ExportError
from ui.cli.console import out as _out

__all__ = ["bundle", "report"]


def _writable(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise ExportError(f"{path} exists; choose another name or pass --force to overwrite it")
    if not path.parent.exists():
        raise ExportError(f"{path.parent} does not exist; create it first")


def report(
    ctx: typer.Context,
    drug: Annotated[str, typer.Argument(help="The drug: a name, synonym or id, e.g. mecasermine or Increlex.")],
    target: Annotated[str, typer.Argument(help="The outcome or condition, e.g. hypoglycemia or hypoglykemie.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write (.html, or .md for Markdown).")],
    population: Annotated[
        str | None,
        typer.Option("--population", help="The population asked about; other populations count as indirect."),
    ] = None,
    table: Annotated[bool, typer.Option("--table", help="Also print the evidence table (Markdown).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write the evidence report (conclusion, certainty, incidence, conflicts, evidence table, sources)."""
    from graph.report import render_html, render_markdown
    from graph.report.render import evidence_table_markdown
    from graph.service import EvidenceService
    from ui.cli.common import guarded, opened_store, settings_of

    with guarded():
        _writable(output, force)
    with opened_store(ctx, read_only=True) as store, guarded():
        service = EvidenceService.for_settings(store, settings_of(ctx))
        result = service.report(drug, target, population=population)
    text = render_markdown(result) if output.suffix.lower() in {".md", ".markdown"} else render_html(result)
    output.write_text(text, encoding="utf-8")
    o = result.synthesis.overall
    _out.print(
        f"wrote {output}: {result.synthesis.title} — {len(o.supporting)} supporting, "
        f"{len(o.contradicting)} contradicting, certainty {o.certainty}"
    )
    if table:
        _out.print(evidence_table_markdown(result), markup=False)


def bundle(
    ctx: typer.Context,
    drug: Annotated[str, typer.Argument(help="The drug: a name, synonym or id.")],
    target: Annotated[str, typer.Argument(help="The outcome or condition.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Zip file to write.")],
    population: Annotated[str | None, typer.Option("--population", help="The population asked about.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write the evidence bundle: graph (JSON, GraphML), quotes, figures, summaries and the report, zipped."""
    from graph.service import EvidenceService
    from ui.cli.common import guarded, opened_store, settings_of

    with guarded():
        _writable(output, force)
    with opened_store(ctx, read_only=True) as store, guarded():
        bundled = EvidenceService.for_settings(store, settings_of(ctx)).bundle(drug, target, population=population)
        bundled.write(output)
    graph = bundled.graph
    _out.print(
        f"wrote {output}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, report and summaries"
    )
