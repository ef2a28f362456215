"""The explorer's staged graph: which nodes a walk shows, and where they are drawn.

A researcher starts at a drug and sees only its outcomes and conditions (the ``LINKED_TO``
shortcut: one edge per pair, its width the weight of evidence, its colour the net stance,
its label the counts).  Opening an outcome adds the studies and guidelines behind that
link, for and against in two groups, with the figures they report.  Claims (``Finding``)
and provenance (``Source``, ``FROM_SOURCE``) stay hidden unless asked for: they are how
the evidence is stored, not what a researcher reads.

The layout is layered, not simulated: the starting node in the first column, what it links
to in the next, and so on, each column as wide as its longest label and each row one label
high, so no two labels overlap and the same walk is always drawn the same way.  Opening a
node only adds columns to the right (or rows below), so what was on screen stays put.

Pure functions over a store and a link's evidence (:class:`graph.link_page.LinkPage`); no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.errors import EvidenceError, RecordError
from graph.evidence_view import EvidenceRow, figure_line, population_key
from graph.link_page import LinkPage
from graph.model import EdgeType, NodeKind, kind_of
from graph.service import LinkEvidence
from graph.store.base import EvidenceStore

__all__ = [
    "DEFAULT_KINDS",
    "EVIDENCE_PAGE",
    "TARGET_PAGE",
    "GraphFilters",
    "layered_positions",
    "net_stance",
    "row_passes",
    "staged_graph",
]

#: Kinds drawn unless the researcher asks for more: no claims, no provenance.
DEFAULT_KINDS: frozenset[str] = frozenset(k.value for k in NodeKind) - {NodeKind.FINDING.value, NodeKind.SOURCE.value}
#: Outcomes and conditions of a drug drawn per "show more" step (strongest links first).
TARGET_PAGE = 12
#: Studies and guidelines of an opened link drawn per step.
EVIDENCE_PAGE = 20
#: Neighbours of any other opened node drawn per step.
NEIGHBOUR_PAGE = 20
#: Most neighbours read from the store to find a drug's linked outcomes among them.
_SCAN = 500

_TARGET_KINDS = (NodeKind.OUTCOME.value, NodeKind.CONDITION.value)
_EVIDENCE_KINDS = (NodeKind.STUDY.value, NodeKind.GUIDELINE.value)


@dataclass(frozen=True)
class GraphFilters:
    """What the researcher chose to see: node kinds, and which evidence (stance, design, population, year)."""

    kinds: frozenset[str] = DEFAULT_KINDS
    stances: frozenset[str] = frozenset({"supports", "contradicts"})
    designs: frozenset[str] | None = None  # None: every design
    populations: frozenset[str] | None = None
    years: tuple[int, int] | None = None

    @property
    def show_claims(self) -> bool:
        return NodeKind.FINDING.value in self.kinds

    @property
    def show_provenance(self) -> bool:
        return NodeKind.SOURCE.value in self.kinds


def row_passes(row: EvidenceRow, filters: GraphFilters) -> bool:
    """Whether one study or guideline is shown under ``filters`` (graph and table alike)."""
    if row.stance not in filters.stances or row.kind not in filters.kinds:
        return False
    if filters.designs is not None and (row.design or "design not stated") not in filters.designs:
        return False
    if filters.populations is not None:
        keys = {population_key(p) for p in row.populations} or {""}
        if not keys & {population_key(p) for p in filters.populations}:
            return False
    if filters.years is not None and row.year is not None:
        low, high = filters.years
        if not low <= row.year <= high:
            return False
    return True


def net_stance(supporting: int, contradicting: int) -> str:
    """``supports``, ``contradicts`` or ``mixed``: which way a link's evidence leans."""
    if supporting > contradicting:
        return "supports"
    if contradicting > supporting:
        return "contradicts"
    return "mixed"


@dataclass
class _Drawing:
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    more: dict[str, int] = field(default_factory=dict)

    def node(self, node_id: str, data: Mapping[str, Any] | None) -> bool:
        if data is None:
            return False
        if node_id not in self.graph:
            self.graph.add_node(node_id, **dict(data))
        return True


def staged_graph(
    store: EvidenceStore,
    trail: Sequence[str],
    expanded: Mapping[str, int],
    *,
    link: LinkEvidence | LinkPage | None = None,
    filters: GraphFilters | None = None,
    page: int = 100,
) -> nx.MultiDiGraph:
    """The graph a walk shows: the trail, each opened node's staged neighbours, the opened link's evidence.

    ``expanded`` maps opened nodes to how much of them is shown, in steps of ``page``
    (one step: :data:`TARGET_PAGE` outcomes, :data:`EVIDENCE_PAGE` studies, ...).
    ``graph["more"]`` maps each opened node to how many of its neighbours are not drawn.
    """
    filters = filters or GraphFilters()
    drawing = _Drawing()
    for node_id in trail:
        drawing.node(node_id, store.node(node_id))
    for node_id, limit in expanded.items():
        data = store.node(node_id)
        if data is None:
            continue
        drawing.node(node_id, data)
        steps = max(1, math.ceil(limit / max(page, 1)))
        if data.get("kind") == NodeKind.DRUG.value:
            # an opened link focuses the drawing on itself (the drug's other links are a step back),
            # drawn in the row it had in the drug's list, so it stays where the researcher clicked it
            focus = str(link.target.get("id")) if link is not None and link.drug.get("id") == node_id else None
            _drug_targets(store, drawing, node_id, steps * TARGET_PAGE, filters, only=focus)
        elif link is not None and node_id == link.target.get("id"):
            continue  # the link's own evidence is drawn below
        else:
            _neighbours(store, drawing, node_id, steps * NEIGHBOUR_PAGE, filters)
    if link is not None:
        limit = expanded.get(str(link.target.get("id")), page)
        _link_evidence(drawing, link, max(1, math.ceil(limit / max(page, 1))) * EVIDENCE_PAGE, filters)
    graph = drawing.graph
    graph.graph["more"] = drawing.more
    return graph


def _drug_targets(
    store: EvidenceStore, drawing: _Drawing, drug_id: str, cap: int, filters: GraphFilters, *, only: str | None = None
) -> None:
    found, unseen = _linked(store, drug_id)
    links = [(t, key, data) for t, key, data in found if t.get("kind") in filters.kinds]
    links.sort(key=lambda t: (-_weight(t[2]), str(t[0].get("name") or t[0]["id"])))
    shown = links[:cap]
    for row, (target, key, data) in enumerate(shown):
        if only is not None and target["id"] != only:
            continue
        drawing.node(target["id"], target)
        drawing.graph.nodes[target["id"]].update(evx_row=row, evx_rows=len(shown), evx_counts=_counts(data))
        drawing.graph.add_edge(drug_id, target["id"], key=key, **data)
    if only is None:
        drawing.more[drug_id] = max(len(links) - cap, 0) + unseen


#: A drug's linked outcomes and conditions in one indexed hop (a store with Cypher); the same
#: text runs on the embedded store and on Neo4j.
_LINKED = (
    "MATCH (d:Drug {id: $id})-[l:LINKED_TO]->(t) RETURN t.id, t.name, l.id, l.supporting, l.contradicting LIMIT $limit"
)
_LINKED_LIMIT = 10_000


def _linked(store: EvidenceStore, drug_id: str) -> tuple[list[tuple[dict[str, Any], str, dict[str, Any]]], int]:
    """(target node, edge key, edge data) of every ``LINKED_TO`` edge of a drug, and how many were not read.

    One indexed hop where the store speaks Cypher (about 1 ms against about 100 ms for reading
    the drug's whole neighbourhood on the samples); otherwise read from the neighbourhood.
    """
    if store.supports_cypher:
        try:
            rows = store.query(_LINKED, {"id": drug_id, "limit": _LINKED_LIMIT}, row_limit=_LINKED_LIMIT).rows
        except EvidenceError:
            rows = None
        if rows is not None:
            out = []
            for target_id, name, edge_id, sup, con in rows:
                try:
                    kind = kind_of(str(target_id)).value
                except RecordError:
                    continue
                node = {"id": str(target_id), "kind": kind, "name": name}
                data = {"type": EdgeType.LINKED_TO.value, "supporting": sup, "contradicting": con}
                out.append((node, str(edge_id), data))
            return out, 0
    hood = store.neighbourhood(drug_id, limit=_SCAN)
    found = [
        ({**hood.nodes[target], "id": target}, str(key), data)
        for _, target, key, data in hood.out_edges(drug_id, keys=True, data=True)
        if data.get("type") == EdgeType.LINKED_TO.value
    ]
    return found, int(hood.graph.get("more", 0))


def _neighbours(store: EvidenceStore, drawing: _Drawing, node_id: str, cap: int, filters: GraphFilters) -> None:
    hood = store.neighbourhood(node_id, limit=cap * 3)
    shown = [n for n in hood if n != node_id and hood.nodes[n].get("kind") in filters.kinds]
    for other in shown[:cap]:
        drawing.node(other, hood.nodes[other])
    drawing.more[node_id] = max(len(shown) - cap, 0) + int(hood.graph.get("more", 0))
    for source, target, key, data in hood.edges(keys=True, data=True):
        etype = data.get("type")
        if source not in drawing.graph or target not in drawing.graph or drawing.graph.has_edge(source, target, key):
            continue
        if etype == EdgeType.FROM_SOURCE.value and not filters.show_provenance:
            continue
        drawing.graph.add_edge(source, target, key=key, **data)


def _link_evidence(drawing: _Drawing, link: LinkEvidence | LinkPage, cap: int, filters: GraphFilters) -> None:
    drug_id, target_id = str(link.drug.get("id")), str(link.target.get("id"))
    drawing.node(drug_id, link.drug)
    drawing.node(target_id, link.target)
    _curated_counts(drawing, link, drug_id, target_id)
    rows = [r for r in link.rows if row_passes(r, filters)]
    drawing.more[target_id] = max(len(rows) - cap, 0) + (link.more_rows if isinstance(link, LinkPage) else 0)
    nodes = {str(i.evidence.get("id")): i.evidence for i in link.evidence.items}
    items: dict[tuple[str, str], list[Any]] = {}
    for item in link.evidence.items:
        items.setdefault((str(item.evidence.get("id")), _stance(item.stance)), []).append(item)
    for row in rows[:cap]:
        drawing.node(row.evidence_id, nodes.get(row.evidence_id))
        edge_type = EdgeType.SUPPORTS.value if row.stance == "supports" else EdgeType.CONTRADICTS.value
        if filters.show_claims:
            for item in items.get((row.evidence_id, row.stance), []):
                finding = str(item.finding.get("id"))
                drawing.node(finding, item.finding)
                drawing.graph.add_edge(
                    row.evidence_id, finding, key=f"stance:{row.evidence_id}:{finding}", type=edge_type
                )
                drawing.graph.add_edge(finding, target_id, key=f"about:{finding}", type=EdgeType.ABOUT.value)
        else:
            drawing.graph.add_edge(
                row.evidence_id,
                target_id,
                key=f"stance:{row.evidence_id}:{row.stance}",
                type=edge_type,
                quote=row.quote,
                claims="; ".join(row.claims),
                evx_via_claim=True,
            )
        drawing.graph.nodes[row.evidence_id]["evx_stance"] = row.stance
        if NodeKind.FIGURE.value not in filters.kinds:
            continue
        seen: set[tuple[str, str]] = set()
        for item in items.get((row.evidence_id, row.stance), []):
            for fig in item.figures:
                line = figure_line(fig)
                key = (line.reported, population_key(fig.get("population")) or "")
                if key in seen or not fig.get("id"):
                    continue
                seen.add(key)
                fig_id = str(fig["id"])
                drawing.node(fig_id, {**fig, "kind": NodeKind.FIGURE.value})
                drawing.graph.add_edge(
                    row.evidence_id, fig_id, key=f"reports:{row.evidence_id}:{fig_id}", type="REPORTS"
                )


def _curated_counts(drawing: _Drawing, link: LinkEvidence | LinkPage, drug_id: str, target_id: str) -> None:
    """The opened link's edge counts what its table counts (after the curator's corrections)."""
    graph = drawing.graph
    data = graph.get_edge_data(drug_id, target_id) or {}
    found = next((k for k, d in data.items() if d.get("type") == EdgeType.LINKED_TO.value), None)
    counts = {"supporting": link.supporting, "contradicting": link.contradicting}
    if found is not None:
        graph.edges[drug_id, target_id, found].update(counts)
    else:
        graph.add_edge(drug_id, target_id, key=f"linked:{drug_id}:{target_id}", type=EdgeType.LINKED_TO.value, **counts)
    graph.nodes[target_id]["evx_counts"] = _counts(counts)


def _counts(data: Mapping[str, Any]) -> str:
    """A link's counts as its target's second label line."""
    return f"{int(data.get('supporting') or 0):,} for · {int(data.get('contradicting') or 0):,} against"


def _weight(data: Mapping[str, Any]) -> int:
    return int(data.get("supporting") or 0) + int(data.get("contradicting") or 0)


def _stance(stance: EdgeType) -> str:
    return "supports" if stance is EdgeType.SUPPORTS else "contradicts"


# -- layout -------------------------------------------------------------------------------

#: Pixels per label character at the drawn font size (14 px system-ui), and a box's padding.
CHAR_PX = 7.2
_PAD_PX = 22.0
_GAP_PX = 40.0
_LINK_GAP_PX = 90.0
#: Height of a row of one-line labels, and what each further line of a label adds.
ROW_PX = 40.0
LINE_PX = 14.0
_GROUP_GAP_PX = 20.0
_STANCE_ORDER = {"supports": 0, "contradicts": 1}


def label_width(label: str) -> float:
    """A generous estimate of a drawn label's width (box padding included; its longest line)."""
    return max(len(line) for line in label.split("\n")) * CHAR_PX + _PAD_PX


def row_height(labels: Iterable[str]) -> float:
    """The height of a column's rows: room for its tallest label."""
    return ROW_PX + LINE_PX * (max((label.count("\n") for label in labels), default=0))


def layered_positions(
    graph: nx.MultiDiGraph, root: str | None, *, labels: Mapping[str, str], order: Iterable[str] = ()
) -> dict[str, tuple[float, float]]:
    """Columns by distance from ``root``; rows under their neighbours, for before against.

    Each column is left-aligned and as wide as its widest label plus a gap, each row one
    label high, so labels cannot overlap, and a node's place depends only on the columns
    before it: opening a node never moves what is already drawn.  Nodes not connected to ``root`` go to the columns of the
    nodes in ``order`` (the trail) or to a last column.
    """
    if not graph.number_of_nodes():
        return {}
    undirected = nx.Graph(graph)
    roots = [n for n in [root, *order] if n is not None and n in graph]
    depth: dict[str, int] = {}
    for start in dict.fromkeys(roots):
        if start in depth:
            continue
        base = 0 if not depth else max(depth.values()) + 1
        for node, d in nx.single_source_shortest_path_length(undirected, start).items():
            depth.setdefault(node, base + d)
    last = max(depth.values(), default=-1) + 1
    for node in graph:
        depth.setdefault(node, last)
    columns: dict[int, list[str]] = {}
    for node in graph:
        columns.setdefault(depth[node], []).append(node)
    y: dict[str, float] = {}
    x: dict[str, float] = {}
    left = 0.0  # the left edge of the current column: columns are left-aligned, like an outline
    for col in sorted(columns):
        members = columns[col]
        anchors: dict[str, float | None] = {}
        for node in members:
            parents = [y[p] for p in undirected.neighbors(node) if p in y and depth.get(p, col) < col]
            anchors[node] = sum(parents) / len(parents) if parents else None
        if all(graph.nodes[n].get("kind") in _TARGET_KINDS for n in members):
            members.sort(key=lambda n: (-_link_weight(graph, n), _sort_name(graph, n)))
        else:
            members.sort(
                key=lambda n: (
                    anchors[n] if anchors[n] is not None else math.inf,
                    _STANCE_ORDER.get(str(graph.nodes[n].get("evx_stance")), 0),
                    _sort_name(graph, n),
                )
            )
        widths = {n: label_width(labels.get(n, n)) for n in members}
        row_px = row_height(labels.get(n, n) for n in members)
        # Rows: each as near its neighbours in the previous column as the rows above allow,
        # centred as a block on their anchors; for and against apart by a visible gap.
        offsets, at, prev_stance = [], 0.0, None
        for node in members:
            stance = graph.nodes[node].get("evx_stance")
            if prev_stance is not None and stance != prev_stance:
                at += _GROUP_GAP_PX
            offsets.append(at)
            at += row_px
            prev_stance = stance
        known = [a for a in anchors.values() if a is not None]
        centre = (min(known) + max(known)) / 2 if known else 0.0
        shift = centre - (offsets[-1] / 2 if offsets else 0.0)
        rows = [graph.nodes[n].get("evx_row") for n in members]
        for node, offset in zip(members, offsets, strict=True):
            x[node] = left + widths[node] / 2
            y[node] = offset + shift
        if all(isinstance(r, int) for r in rows):  # a drug's links: each in its row of the drug's list
            for node in members:
                data = graph.nodes[node]
                y[node] = (data["evx_row"] - (int(data.get("evx_rows") or 1) - 1) / 2) * row_px
        left += max(widths.values()) + _column_gap(graph, members)
    return {n: (round(x[n], 1), round(y[n], 1)) for n in graph}


def _column_gap(graph: nx.MultiDiGraph, members: Iterable[str]) -> float:
    """Room after a column: a drug's fan of links needs more than a straight line."""
    if any(graph.nodes[n].get("kind") == NodeKind.DRUG.value for n in members):
        return _LINK_GAP_PX
    return _GAP_PX


def _link_weight(graph: nx.MultiDiGraph, node: str) -> int:
    return max(
        (_weight(d) for _, _, d in graph.in_edges(node, data=True) if d.get("type") == EdgeType.LINKED_TO.value),
        default=0,
    )


def _sort_name(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph.nodes[node].get("name") or node).casefold()
