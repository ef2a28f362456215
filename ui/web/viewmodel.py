"""What the explorer shows, as plain data: the walked path, the expansion, the URL, the tables.

No Streamlit here, so every rule of the explorer is tested without a browser: how a
click extends or cuts the breadcrumb, how a view is written into and read back from
the URL's query parameters, which drug → outcome pair the evidence panel shows, and the
rows and chart data derived from :class:`graph.store.base.Evidence`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.evidence_view import EvidenceRow, ForestPoint, RecommendationRow
from graph.export import export_bytes  # re-exported: the export page serves these bytes
from graph.model import NodeKind, kind_of
from graph.store.base import EvidenceStore

__all__ = [
    "PAGE",
    "ViewState",
    "current_subgraph",
    "decode_params",
    "encode_params",
    "evidence_html",
    "evidence_pair",
    "export_bytes",
    "export_name",
    "forest_records",
    "linked_targets",
    "md_escape",
    "passage_html",
    "path_rows",
    "plural",
    "pooled_records",
    "table_cell",
]

#: Neighbours added per expansion; "show more" adds another page.
PAGE = 100
#: Most expansions a URL may ask for (a hand-edited link must not make the server crawl).
MAX_EXPANDED = 50
_TARGET_KINDS = (NodeKind.OUTCOME, NodeKind.CONDITION)


@dataclass
class ViewState:
    """The breadcrumb (nodes walked, in order) and which nodes show how many neighbours."""

    trail: list[str] = field(default_factory=list)
    expanded: dict[str, int] = field(default_factory=dict)

    @property
    def selected(self) -> str | None:
        return self.trail[-1] if self.trail else None

    def start(self, node_id: str) -> None:
        """A new walk from a searched node, with its neighbours shown."""
        self.trail = [node_id]
        self.expanded = {node_id: PAGE}

    def walk(self, node_id: str) -> None:
        """Select ``node_id``: a node already on the path cuts the path back to it."""
        if node_id in self.trail:
            self.trail = self.trail[: self.trail.index(node_id) + 1]
        else:
            self.trail.append(node_id)

    def step_back(self, index: int) -> None:
        """Return to the ``index``-th crumb; expansions of nodes walked after it are dropped."""
        if not 0 <= index < len(self.trail):
            return
        dropped = set(self.trail[index + 1 :])
        self.trail = self.trail[: index + 1]
        self.expanded = {n: k for n, k in self.expanded.items() if n not in dropped}

    def expand(self, node_id: str) -> None:
        """Show ``node_id``'s neighbours, or one more page of them when already shown."""
        self.expanded[node_id] = self.expanded.get(node_id, 0) + PAGE
        if node_id not in self.trail:
            self.walk(node_id)

    def collapse(self, node_id: str) -> None:
        self.expanded.pop(node_id, None)


def encode_params(state: ViewState) -> dict[str, list[str]]:
    """Query parameters for a shareable link: ``trail`` and ``expand`` (``id`` or ``id@limit``)."""
    params: dict[str, list[str]] = {}
    if state.trail:
        params["trail"] = list(state.trail)
    if state.expanded:
        params["expand"] = [n if k == PAGE else f"{n}@{k}" for n, k in state.expanded.items()]
    return params


def decode_params(params: Mapping[str, str | Sequence[str]]) -> ViewState:
    """The view a link describes; malformed entries are dropped, never trusted."""
    state = ViewState()
    for node_id in _values(params, "trail"):
        if _is_id(node_id) and node_id not in state.trail:
            state.trail.append(node_id)
    for entry in _values(params, "expand")[:MAX_EXPANDED]:
        node_id, limit = entry, PAGE
        head, sep, tail = entry.rpartition("@")
        if sep and tail.isdigit():
            node_id, limit = head, max(1, min(int(tail), 10 * PAGE))
        if _is_id(node_id):
            state.expanded[node_id] = limit
    return state


def _values(params: Mapping[str, str | Sequence[str]], key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _is_id(text: str) -> bool:
    try:
        kind_of(text)
    except Exception:
        return False
    return len(text) <= 500


def current_subgraph(store: EvidenceStore, state: ViewState) -> nx.MultiDiGraph:
    """The trail nodes and the neighbours of every expanded node, with all edges among them.

    ``graph["more"]`` maps each expanded node to how many of its neighbours are not shown.
    """
    ids: dict[str, None] = {}
    more: dict[str, int] = {}
    for node_id, limit in state.expanded.items():
        if store.node(node_id) is None:
            continue
        window, hidden = store.neighbourhood_ids(node_id, limit=limit)  # ids only: one subgraph fetch below
        ids.update(dict.fromkeys([node_id, *window]))
        more[node_id] = hidden
    ids.update(dict.fromkeys(n for n in state.trail if store.node(n) is not None))
    graph = store.subgraph(list(ids))
    graph.graph["more"] = more
    return graph


def evidence_pair(state: ViewState, kinds: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The drug → outcome (or condition) link the walk is about, if it has reached one.

    The latest outcome or condition on the path, with the latest drug walked before it:
    mecasermine → hypoglycemia → Bang 2021 → 51% still reads the mecasermine → hypoglycemia
    evidence.
    """
    kinds = kinds or {}

    def kind(node_id: str) -> str | None:
        if node_id in kinds:
            return kinds[node_id]
        try:
            return kind_of(node_id).value
        except Exception:
            return None

    for i in range(len(state.trail) - 1, -1, -1):
        if kind(state.trail[i]) in _TARGET_KINDS:
            for j in range(i - 1, -1, -1):
                if kind(state.trail[j]) == NodeKind.DRUG:
                    return state.trail[j], state.trail[i]
    return None


def linked_targets(graph: nx.MultiDiGraph, drug_id: str) -> list[tuple[str, str, int, int]]:
    """Outcomes and conditions a drug is linked to in ``graph``: (id, name, supporting, contradicting)."""
    found: dict[str, tuple[str, str, int, int]] = {}
    if drug_id not in graph:
        return []
    for _, target, data in graph.out_edges(drug_id, data=True):
        if data.get("type") == "LINKED_TO":
            name = str(graph.nodes[target].get("name") or target)
            found[target] = (target, name, int(data.get("supporting") or 0), int(data.get("contradicting") or 0))
    return sorted(found.values(), key=lambda t: (-(t[2] + t[3]), t[1]))


def forest_records(points: Sequence[ForestPoint]) -> list[dict[str, Any]]:
    """Rows for the forest-style chart: one per study and population, with n and interval."""
    return [
        {
            "row": p.row_label,
            "study": p.study,
            "population": p.population,
            "value": p.value,
            "low": p.low if p.low is not None else p.value,
            "high": p.high if p.high is not None else p.value,
            "n": p.n,
            "unit": p.unit or "(no unit)",
            "stance": p.stance,
            "text": f"{p.value:g}{p.unit if p.unit == '%' else ' ' + p.unit}".strip()
            + (f" (n={p.n})" if p.n is not None else ""),
        }
        for p in points
    ]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def md_escape(text: str) -> str:
    """Text safe inside Streamlit markdown and widget labels: every markup character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _e(value: Any) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def _links_html(links: Sequence[Any]) -> str:
    return " ".join(
        f'<a href="{_e(link.url)}" target="_blank" rel="noopener noreferrer">{_e(link.label)}</a>' for link in links
    )


def path_rows(paths: Sequence[Any], graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Paths as a table of named steps: path, step, node, kind, and the edge that reached it."""
    rows: list[dict[str, Any]] = []
    for i, path in enumerate(paths, 1):
        for step, node in enumerate(path.nodes):
            data = graph.nodes[node] if node in graph else {}
            via = ""
            if step:
                src, etype, _dst, _eid = path.edges[step - 1]
                via = f"—{etype}→" if src != node else f"←{etype}—"
            rows.append(
                {
                    "path": i,
                    "step": step,
                    "reached by": via,
                    "node": str(data.get("name") or node),
                    "kind": str(data.get("kind") or ""),
                }
            )
    return rows


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 path``, ``2 paths``, ``1 hop``: a count with the right form of its noun."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def evidence_html(rows: Sequence[EvidenceRow], recommendations: Sequence[RecommendationRow]) -> str:
    """The evidence table as HTML, every document value escaped.

    One row per study or guideline and stance.  Each quote carries
    ``data-evx-click="quote:<row>:<quote>"`` so the click bridge can open the source
    document at that passage.  A figure shows the number the source reported; anything
    computed from it is set apart and marked "derived".
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
                for j, q in enumerate(row.quotes)
                if q.text
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
        items = "".join(
            f"<li><b>{_e(r.source)}</b>"
            + (f' <span class="evx-strength">{_e(r.strength)}</span>' if r.strength else "")
            + (f" — {_e(r.text)}" if r.text else "")
            + (f" {_links_html(r.links)}" if r.links else "")
            + "</li>"
            for r in recommendations
        )
        recs = f'<h4>Guideline recommendations</h4><ul class="evx-recs">{items}</ul>'
    return f'<div class="evx-panel">{table}{recs}</div>'


_COLS = "<colgroup>" + "".join(f'<col class="evx-c-{c}">' for c in ("stance", "name", "fig", "quotes")) + "</colgroup>"


def pooled_records(estimates: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of the incidence chart: each study's proportion, then its population's pooled estimate (a diamond).

    ``headline`` is the study's own reported percentage where it gave one; the plotted
    proportion uses the counts (derived where marked), with its 95% interval.
    """
    out: list[dict[str, Any]] = []
    for e in estimates:
        group = e.population + ("" if e.outcome == "any" else f" — {e.outcome}")
        for s in e.studies:
            reported = f"{s.reported_value:g}% reported; " if s.reported_value is not None else ""
            counts = f"{s.events}/{s.total}" + (" derived" if s.events_derived else "")
            out.append(
                {
                    "row": f"{s.study} · {group}",
                    "group": group,
                    "what": "study",
                    "stance": s.stance,
                    "value": round(s.proportion * 100, 2),
                    "low": round(s.low * 100, 2),
                    "high": round(s.high * 100, 2),
                    "text": f"{reported}{counts}",
                }
            )
        if e.k == 1:
            continue  # one study: its own row is the estimate
        out.append(
            {
                "row": f"{group}: pooled, k={e.k}",
                "group": group,
                "what": "estimate",
                "stance": "estimate",
                "value": round(e.proportion * 100, 2),
                "low": round(e.low * 100, 2),
                "high": round(e.high * 100, 2),
                "text": f"{e.proportion:.1%} ({e.low:.1%}–{e.high:.1%})",
            }
        )
    return out


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
"""


def passage_html(before: str, quote: str, after: str) -> str:
    """The passage with its quote highlighted; the document text is escaped."""
    return (
        '<div class="evx-passage" style="white-space: pre-wrap; font-size: 14px; line-height: 1.5;">'
        f'{_e(before)}<mark id="evx-mark" style="background:#ffe066">{_e(quote)}</mark>{_e(after)}</div>'
    )


def export_name(graph: nx.MultiDiGraph, state: ViewState, fmt: str, suffix: str) -> str:
    """A file name that says what is inside: ``mecasermin-neighbourhood-12-nodes-20-edges.graphml``."""
    start = state.trail[0] if state.trail else None
    name = str(graph.nodes[start].get("name") or start) if start and start in graph else "evidence"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "evidence"
    what = "neighbourhood" if state.trail else "graph"
    base = f"{slug}-{what}-{graph.number_of_nodes()}-nodes-{graph.number_of_edges()}-edges"
    return f"{base}-csv{suffix}" if fmt == "csv" else f"{base}{suffix}"


def table_cell(value: Any) -> str:
    """A query result value as table text: nodes and lists as JSON, ``None`` as empty."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
