"""What the explorer shows, as plain data: the walked path, the expansion, the URL, the tables.

No Streamlit here, so every rule of the explorer is tested without a browser: how a
click extends or cuts the breadcrumb, how a view is written into and read back from
the URL's query parameters, which drug → outcome pair the evidence panel shows.  The
evidence table's HTML is in :mod:`ui.web.evidence_html`, the charts' rows in :mod:`ui.web.charts`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.export import export_bytes  # re-exported: the export page serves these bytes
from graph.model import NodeKind, kind_of
from graph.store.base import EvidenceStore

__all__ = [
    "PAGE",
    "ViewState",
    "current_subgraph",
    "decode_params",
    "encode_params",
    "evidence_pair",
    "export_bytes",
    "export_name",
    "linked_targets",
    "md_escape",
    "path_rows",
    "plural",
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


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def md_escape(text: str) -> str:
    """Text safe inside Streamlit markdown and widget labels: every markup character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


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
