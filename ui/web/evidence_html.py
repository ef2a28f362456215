"""The evidence table and the quoted passage as HTML, every document value escaped.

Built here (no Streamlit) and shown by :func:`ui.web.components.clickable_html`, which reports
clicks on the elements marked ``data-evx-click`` (a quote opens its source document).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from graph.evidence_view import EvidenceRow, RecommendationRow

__all__ = ["EVIDENCE_CSS", "RECOMMENDATIONS_SHOWN", "buttons_html", "evidence_html", "passage_html", "trail_html"]

#: Guideline recommendations listed under the evidence table (a hub link can have hundreds).
RECOMMENDATIONS_SHOWN = 10


def _e(value: Any) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def _links_html(links: Sequence[Any]) -> str:
    return " ".join(
        f'<a href="{_e(link.url)}" target="_blank" rel="noopener noreferrer">{_e(link.label)}</a>' for link in links
    )


def evidence_html(
    rows: Sequence[EvidenceRow],
    recommendations: Sequence[RecommendationRow],
    *,
    recommendations_total: int | None = None,
) -> str:
    """The evidence table as HTML, every document value escaped.

    One row per study or guideline and stance.  Each quote carries
    ``data-evx-click="quote:<row>:<quote>"`` so the click bridge can open the source
    document at that passage.  A figure shows the number the source reported; anything
    computed from it is set apart and marked "derived".  ``recommendations_total``: how many
    recommendations the link has, when ``recommendations`` are the strongest of them (a page's).
    """
    head = "".join(f"<th>{h}</th>" for h in ("", "Study / guideline", "Population and figures", "Quotes"))
    body = []
    for i, row in enumerate(rows):
        badge = "supports" if row.stance == "supports" else "contradicts"
        facts = " · ".join(
            _e(v) for v in (row.design, f"n={row.n}" if row.n is not None else None, row.year) if v is not None
        )
        if row.doses:
            facts += f"<div class='evx-dose'>dose: {_e('; '.join(row.doses))}</div>"
        title = f'<div class="evx-title">{_e(row.title)}</div>' if row.title and row.title != row.name else ""
        curation = "".join(f'<div class="evx-curated">curated: {_e(c)}</div>' for c in row.curation)
        figures = "".join(
            f'<div class="evx-figure"><b>{_e(f.reported)}</b>'
            + (f" <span class='evx-group'>{_e(f.group)}</span>" if f.group else "")
            + (f'<div class="evx-derived" title="computed, not reported">{_e(f.derived)}</div>' if f.derived else "")
            + "</div>"
            for f in row.figures
        )
        quotes = (
            "".join(
                f'<button type="button" class="evx-quote" data-evx-click="quote:{i}:{j}" '
                f'title="{_e(q.text)} (click: open the source document at this passage)">“{_e(q.text)}”</button>'
                for j, q in row.shown_quotes  # each passage once, indexed as in row.quotes
            )
            or '<span class="evx-none">no quote</span>'
        )
        body.append(
            f'<tr class="evx-{row.stance}">'
            f'<td><span class="evx-badge evx-badge-{badge}">{badge}</span></td>'
            f"<td><b>{_e(row.name)}</b> <span class='evx-kind'>{_e(row.kind)}</span>"
            f"<div class='evx-facts'>{facts}</div>{title}{curation}"
            f"<div class='evx-links'>{_links_html(row.links)}</div></td>"
            f"<td>{''.join(f'<div class=evx-pop>{_e(p)}</div>' for p in row.populations)}{figures}</td>"
            f"<td>{quotes}</td></tr>"
        )
    table = (
        f'<table class="evx-evidence">{_COLS}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        if rows
        else '<p class="evx-none">No study or guideline takes a stance on this link yet.</p>'
    )
    recs = ""
    if recommendations:
        every = len(recommendations) if recommendations_total is None else recommendations_total  # a page's: the link's
        more = max(every, len(recommendations)) - RECOMMENDATIONS_SHOWN
        recommendations = recommendations[:RECOMMENDATIONS_SHOWN]
        items = "".join(
            f"<li><b>{_e(r.source)}</b>"
            + (f' <span class="evx-strength">{_e(r.strength)}</span>' if r.strength else "")
            + (f" — {_e(r.text)}" if r.text else "")
            + (f" {_links_html(r.links)}" if r.links else "")
            + "</li>"
            for r in recommendations
        )
        if more > 0:
            items += f'<li class="evx-none">and {more:,} more</li>'
        recs = f'<h4>Guideline recommendations</h4><ul class="evx-recs">{items}</ul>'
    return f'<div class="evx-panel">{table}{recs}</div>'


_COLS = "<colgroup>" + "".join(f'<col class="evx-c-{c}">' for c in ("stance", "name", "fig", "quotes")) + "</colgroup>"


EVIDENCE_CSS = """
.evx-panel { font-family: var(--st-font, system-ui, sans-serif); font-size: 14px; color: var(--st-text-color, #222); }
.evx-evidence { border-collapse: collapse; width: 100%; table-layout: fixed; overflow-wrap: anywhere; }
.evx-evidence col.evx-c-stance { width: 92px; } .evx-evidence col.evx-c-name { width: 30%; }
.evx-evidence col.evx-c-fig { width: 30%; }
.evx-pop { font-weight: 600; font-size: 12px; margin-bottom: 2px; }
.evx-links { font-size: 12px; }
.evx-evidence th, .evx-evidence td { border-bottom: 1px solid #e3e3e3; padding: 6px 8px; text-align: left;
  vertical-align: top; }
.evx-evidence th { font-weight: 600; background: #f6f6f8; }
.evx-badge { display: inline-block; border-radius: 4px; padding: 1px 6px; font-size: 12px; font-weight: 600;
  white-space: nowrap; color: #fff; }
.evx-badge-supports { background: #1e7b1e; }
.evx-badge-contradicts { background: #b42020; }
.evx-facts { color: #555; font-size: 12px; }
.evx-figure { margin-bottom: 4px; }
.evx-group { color: #555; font-size: 12px; white-space: normal; }
.evx-derived { color: #777; font-size: 11px; font-style: italic; }
.evx-curated { color: #8a5a00; font-size: 12px; }

.evx-kind { color: #777; font-size: 12px; }
.evx-title { color: #555; font-size: 12px; }
.evx-quote { all: unset; display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden;
  margin-bottom: 4px; cursor: pointer; font-style: italic; color: #1f4e99; }
.evx-quote:hover { text-decoration: underline; }
.evx-strength { background: #e8f0fe; border-radius: 4px; padding: 0 4px; font-size: 12px; }
.evx-none { color: #888; }

.evx-buttons { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.evx-btn { font: inherit; display: inline-flex; align-items: center; min-height: 2.5rem; padding: 0.25rem 0.75rem;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: #fff; color: inherit; cursor: pointer;
  text-align: left; line-height: 1.4; }
.evx-btn:hover { border-color: #ff4b4b; color: #ff4b4b; }
.evx-btn:focus-visible { outline: 2px solid #ff4b4b; outline-offset: 1px; }
.evx-btn-here, .evx-btn-here:hover { background: #ff4b4b; border-color: #ff4b4b; color: #fff; }
.evx-arrow, .evx-trail-label { color: inherit; }
"""


def buttons_html(items: Sequence[tuple[str, str]], *, label: str) -> str:
    """A row of buttons as one piece of HTML: ``(click value, text)`` each, the text escaped.

    One component instead of one Streamlit button each: every element on the page is a React
    subtree that Streamlit draws on open and on every rerun (a drug lists up to a dozen links).
    """
    buttons = "".join(
        f'<button type="button" class="evx-btn" data-evx-click="{_e(value)}">{_e(text)}</button>'
        for value, text in items
    )
    return f'<div class="evx-panel evx-buttons" role="group" aria-label="{_e(label)}">{buttons}</div>'


def trail_html(names: Sequence[str]) -> str:
    """The breadcrumb: each step a button (``data-evx-click="step:<i>"``), the last one where the researcher is."""
    steps = []
    for i, name in enumerate(names):
        if i:
            steps.append('<span class="evx-arrow" aria-hidden="true">→</span>')
        if i == len(names) - 1:
            steps.append(
                f'<button type="button" class="evx-btn evx-btn-here" aria-current="page" title="You are here" '
                f'data-evx-click="step:{i}">{_e(name)}</button>'
            )
        else:
            steps.append(
                f'<button type="button" class="evx-btn" title="Step back to here" data-evx-click="step:{i}">'
                f"{_e(name)}</button>"
            )
    return (
        '<nav class="evx-panel evx-buttons evx-trail" aria-label="Path">'
        f'<b class="evx-trail-label">Path:</b>{"".join(steps)}</nav>'
    )


def passage_html(before: str, quote: str, after: str) -> str:
    """The passage with its quote highlighted; the document text is escaped."""
    return (
        '<div class="evx-passage" style="white-space: pre-wrap; font-size: 14px; line-height: 1.5;">'
        f'{_e(before)}<mark id="evx-mark" style="background:#ffe066">{_e(quote)}</mark>{_e(after)}</div>'
    )
