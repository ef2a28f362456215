"""A subgraph as one self-contained, offline HTML page drawn by pyvis / vis-network.

The same builder draws the explorer's graph view and the "html" export, so what a
researcher saves is what they saw.  It lives in ``graph/`` (not ``ui/``) because exports
must work without Streamlit and data flows one way, from ``graph`` to ``ui``.

Three things pyvis does not do for us, done here:

* **Offline.**  ``cdn_resources="in_line"`` inlines vis-network, but pyvis's template
  still links Bootstrap from a CDN; those tags are removed, and :func:`remote_references`
  lists anything left that a browser would fetch (tests assert it is empty).
* **Untrusted text.**  Labels are drawn on the canvas (text by construction) and reach
  the page only through pyvis's ``tojson`` (which escapes ``<``, ``>``, ``&``).  Tooltips
  are never given to pyvis as ``title``: pyvis switches to an ``innerHTML`` popup when a
  title contains "href", and older vis-network versions parse titles as HTML.  They
  travel as a ``tip`` property and a small script turns them into DOM text nodes.
* **Large graphs.**  At most ``max_nodes`` nodes are drawn (pinned nodes first, then by
  degree); physics stabilises in a bounded number of iterations and is then switched off,
  and smooth curves, edge labels and the improved layout are dropped for big graphs.

Two more, for the explorer's speed:

* **The page shell is rendered once.**  pyvis compiles its Jinja template on every call
  (about 80 ms for a 700 KB page); the page around the data depends only on the height and
  on the drawing options, so it is rendered once per (height, options) with marked slots,
  and each call fills in the node and edge JSON, escaped exactly as pyvis's ``tojson`` does.
* **In-place updates.**  :attr:`DrawnGraph.update` carries the same nodes and edges as plain
  data.  A page already showing a graph with the same shell accepts them by ``postMessage``
  from its parent and updates its vis DataSets in place (nodes that stay keep their
  positions, new ones start next to the selected node, a short bounded stabilisation, then
  physics off), instead of being reloaded, re-parsed and laid out from scratch.  Labels are
  still drawn on the canvas, tooltips are still DOM text nodes, the caption is set as text.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, BinaryIO

import networkx as nx
from jinja2.utils import htmlsafe_json_dumps
from pyvis.network import Network

from graph.export.html_assets import BRIDGE, EXTRA_STYLE

__all__ = [
    "EDGE_STYLE",
    "KIND_STYLE",
    "DrawnGraph",
    "capped",
    "drawn_label",
    "network_html",
    "node_label",
    "remote_references",
    "write",
]

#: Colour and vis-network shape per node kind.
KIND_STYLE: dict[str, tuple[str, str]] = {
    "Drug": ("#6a3d9a", "diamond"),
    "Condition": ("#ff7f00", "triangle"),
    "Outcome": ("#e7298a", "star"),
    "Study": ("#1f78b4", "box"),
    "Guideline": ("#a6761d", "ellipse"),
    "Finding": ("#17a2b8", "square"),
    "Figure": ("#e6ab02", "dot"),
    "Source": ("#888888", "triangleDown"),
}
_OTHER_KIND = ("#999999", "dot")

#: Edge colours: the stances a researcher reads at a glance, everything else quiet.
EDGE_STYLE: dict[str, str] = {
    "SUPPORTS": "#2ca02c",
    "CONTRADICTS": "#d62728",
    "RECOMMENDS": "#1f77b4",
    "LINKED_TO": "#8c564b",
}
_OTHER_EDGE = "#b8b8b8"
_LABELLED_EDGES = frozenset(EDGE_STYLE)

#: Height of the legend strip above the drawing.
_LEGEND_PX = 36
#: Above this many drawn nodes the cheap drawing options are used.
_BIG = 300
#: Stabilisation iterations after an in-place update (positions of the nodes that stay are kept).
_UPDATE_ITERATIONS = 100
_UPDATE_ITERATIONS_BIG = 50
#: pyvis's template shows a stabilisation progress bar above this many nodes.
_LOADING_BAR = 100

_TIP_KEYS = ("title", "year", "design", "n", "population", "value", "unit", "strength", "statement", "source_type")


@dataclass(frozen=True)
class DrawnGraph:
    """The page, and how much of the graph it shows.

    ``update`` is what a page already showing a graph needs to show this one instead
    (see :func:`ui.web.components.graph_canvas`): ``shell`` (pages with a different shell must be
    reloaded), ``nodes``, ``edges``, ``selected`` and ``caption``.
    """

    html: str
    drawn_nodes: int
    drawn_edges: int
    hidden_nodes: int
    update: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def capped(graph: nx.MultiDiGraph, *, max_nodes: int, keep: Iterable[str] = ()) -> nx.MultiDiGraph:
    """A new graph of at most ``max_nodes`` nodes: the ``keep`` nodes, then the best connected."""
    if graph.number_of_nodes() <= max_nodes:
        return graph.copy()
    chosen: list[str] = [n for n in dict.fromkeys(keep) if n in graph][:max_nodes]
    taken = set(chosen)
    rest = sorted((n for n in graph if n not in taken), key=lambda n: (-graph.degree(n), str(n)))
    chosen.extend(rest[: max_nodes - len(chosen)])
    sub = graph.subgraph(chosen).copy()
    sub.graph.update(graph.graph)
    return sub


def network_html(
    graph: nx.MultiDiGraph,
    *,
    selected: str | None = None,
    pinned: Iterable[str] = (),
    max_nodes: int = 1500,
    height_px: int = 620,
    caption: str | None = None,
    positions: Mapping[str, tuple[float, float]] | None = None,
) -> DrawnGraph:
    """The graph as a standalone HTML page (pyvis, vis-network inlined, no network access).

    With ``positions`` (:func:`graph.walk_view.layered_positions`) nodes are drawn where
    they are given, out of the physics simulation, labels inside their boxes, and the view
    is fitted to them; without, vis-network lays the graph out and stops once stable.
    """
    pinned = [selected, *pinned] if selected else list(pinned)
    drawn = capped(graph, max_nodes=max_nodes, keep=pinned)
    big = drawn.number_of_nodes() > _BIG
    nodes = [_node(str(node_id), data, selected=node_id == selected) for node_id, data in drawn.nodes(data=True)]
    counted = {str(n) for n, d in drawn.nodes(data=True) if d.get("evx_counts")}
    if positions:
        for node in nodes:
            if node["id"] in positions:
                node["x"], node["y"] = positions[node["id"]]
                node["physics"] = False
                # a two-line label (a drug's outcome with its counts) in a box: an ellipse doubles its height
                node["shape"] = "box" if "\n" in node["label"] else _BOXED.get(node["kind"], "box")
                node["font"] = {"color": "#222222" if node["kind"] in _DARK_TEXT else "#ffffff"}
    edges = [
        _edge(str(source), str(target), str(key), data, big=big, counted=str(target) in counted)
        for source, target, key, data in drawn.edges(keys=True, data=True)
    ]
    hidden = graph.number_of_nodes() - drawn.number_of_nodes()
    if caption is None:
        caption = f"{drawn.number_of_nodes()} nodes, {drawn.number_of_edges()} edges"
        if hidden:
            caption += f" drawn; {hidden} more nodes not drawn"
    values = {_NODES: _tojson(nodes), _EDGES: _tojson(edges), _CAPTION: html.escape(caption)}
    loading = len(nodes) > _LOADING_BAR  # pyvis's template adds a progress bar above this
    pieces = _shell(height_px, big, loading)
    # Slots sit at the odd positions; document text never goes through a replace.
    page = "".join(values[piece] if i % 2 else piece for i, piece in enumerate(pieces))
    update = {
        "shell": f"{height_px}:{int(big)}:{int(loading)}",
        "nodes": nodes,
        "edges": edges,
        "selected": str(selected) if selected is not None else None,
        "caption": caption,
        "iterations": _UPDATE_ITERATIONS_BIG if big else _UPDATE_ITERATIONS,
        "fit": bool(positions),
    }
    return DrawnGraph(page, drawn.number_of_nodes(), drawn.number_of_edges(), max(hidden, 0), update)


#: Shapes with the label inside, for laid-out graphs: a label's box is the node's box.
_BOXED = {"Drug": "ellipse", "Outcome": "ellipse", "Condition": "ellipse"}
_DARK_TEXT = frozenset({"Figure", "Condition"})
#: Colours of a link by the way its evidence leans.
NET_STANCE_STYLE = {"supports": "#2ca02c", "contradicts": "#d62728", "mixed": "#d08c00"}


_NODES = "@@EVX_NODES@@"
_EDGES = "@@EVX_EDGES@@"
_CAPTION = "@@EVX_CAPTION@@"
_SLOT = re.compile(f"({_NODES}|{_EDGES}|{_CAPTION})")


def _tojson(value: Any) -> str:
    """JSON as pyvis's template writes it (Jinja's ``tojson``: sorted keys, ``<>&'`` escaped)."""
    return str(htmlsafe_json_dumps(value, sort_keys=True))


@lru_cache(maxsize=16)
def _shell(height_px: int, big: bool, loading: bool) -> tuple[str, ...]:
    """The page around the data, split at its slots (text, slot, text, …)."""
    net = Network(
        height=f"{height_px - _LEGEND_PX}px", width="100%", directed=True, cdn_resources="in_line", heading=""
    )
    stand_in = {_NODES: [{"evx": _NODES}] * (_LOADING_BAR + 1 if loading else 1), _EDGES: [{"evx": _EDGES}]}
    net.nodes, net.edges = stand_in[_NODES], stand_in[_EDGES]
    net.options = _options(_BIG + 1 if big else 0)
    page = _finish(net.generate_html(notebook=False), caption=_CAPTION)
    for marker, value in stand_in.items():
        page = page.replace(_tojson(value), marker, 1)
    pieces = tuple(_SLOT.split(page))
    assert [pieces[i] for i in range(1, len(pieces), 2)] == [_CAPTION, _NODES, _EDGES], "pyvis template changed"
    return pieces


def write(graph: nx.MultiDiGraph, out: BinaryIO) -> None:
    """The subgraph as a standalone page that opens offline in any browser, to the binary stream ``out``."""
    drawn = network_html(graph, max_nodes=5000, height_px=800)
    out.write(drawn.html.encode("utf-8"))


def remote_references(page: str) -> list[str]:
    """Every URL the page would fetch from elsewhere (script/link/img/iframe sources, CSS)."""
    found: list[str] = []
    for match in _FETCHING_ATTR.finditer(page):
        found.append(match.group(2))
    found.extend(m.group(1) for m in _CSS_URL.finditer(page))
    found.extend(m.group(1) for m in _CSS_IMPORT.finditer(page))
    return found


_FETCHING_ATTR = re.compile(
    r"<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\b(src|href|data)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"url\(\s*[\"']?((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+[\"']((?:https?:)?//[^\"']+)", re.IGNORECASE)
_REMOTE_TAG = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"'](?:https?:)?//[^>]*>|<script\b[^>]*\bsrc\s*=\s*[\"'](?:https?:)?//[^>]*>\s*</script>",
    re.IGNORECASE | re.DOTALL,
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)


def _node(node_id: str, data: dict[str, Any], *, selected: bool) -> dict[str, Any]:
    kind = str(data.get("kind") or "")
    colour, shape = KIND_STYLE.get(kind, _OTHER_KIND)
    node = {
        "id": node_id,
        "label": drawn_label(data, node_id),
        "shape": shape,
        "color": colour,
        "kind": kind,
        "tip": _tip(data, node_id),
        "font": {"color": "#ffffff" if shape in ("box", "ellipse") else "#222222"},
    }
    if selected:
        node.update(borderWidth=4, size=30, color={"background": colour, "border": "#000000"})
    return node


def _edge(
    source: str, target: str, key: str, data: dict[str, Any], *, big: bool, counted: bool = False
) -> dict[str, Any]:
    etype = str(data.get("type") or "")
    edge: dict[str, Any] = {
        "id": key,
        "from": source,
        "to": target,
        "color": EDGE_STYLE.get(etype, _OTHER_EDGE),
        "width": 2.5 if etype in _LABELLED_EDGES else 1,
        "arrows": "to",
    }
    if etype in _LABELLED_EDGES and not big:
        edge["label"] = etype.lower()
    if etype == "LINKED_TO":
        edge["dashes"] = True
        sup, con = int(data.get("supporting") or 0), int(data.get("contradicting") or 0)
        if data.get("supporting") is not None or data.get("contradicting") is not None:
            # width by weight of evidence, colour by the way it leans, the counts on the edge
            net = "supports" if sup > con else "contradicts" if con > sup else "mixed"
            edge.update(color=NET_STANCE_STYLE[net], width=round(1.5 + 2.0 * math.log2(1 + sup + con), 2))
            edge["dashes"] = False
            edge["smooth"] = False
            if counted:
                edge.pop("label", None)  # the counts are the target's second line: a drug's fan of labels collides
                # leave the drug and reach each outcome sideways: a straight fan crosses the boxes above and below
                edge["smooth"] = {
                    "enabled": True,
                    "type": "cubicBezier",
                    "forceDirection": "horizontal",
                    "roundness": 0.6,
                }
            else:
                edge["label"] = f"{sup} for · {con} against"
                edge["font"] = {"align": "horizontal", "size": 12}
    if data.get("evx_via_claim"):
        edge.pop("label", None)  # many meet at the outcome: colour and grouping say it, the tooltip details it
    tip = [etype]
    if data.get("supporting") is not None or data.get("contradicting") is not None:
        tip.append(f"{data.get('supporting') or 0} supporting, {data.get('contradicting') or 0} contradicting")
    if data.get("strength"):
        tip.append(f"strength: {data['strength']}")
    if data.get("claims"):
        tip.append(f"claim: {_shorten(str(data['claims']), 300)}")
    if data.get("quote"):
        tip.append(f"“{_shorten(str(data['quote']), 400)}”")
    edge["tip"] = "\n".join(tip)
    return edge


def drawn_label(data: dict[str, Any], node_id: str) -> str:
    """The label as drawn: :func:`node_label`, and a drug's outcome also carries the link's counts
    (``evx_counts``, "12 for · 3 against") on a second line, where no other label can cover them."""
    label = node_label(data, node_id)
    counts = data.get("evx_counts")
    return f"{label}\n{counts}" if isinstance(counts, str) and counts else label


def node_label(data: dict[str, Any], node_id: str) -> str:
    """The short text a node is drawn and listed with (figures as ``51% (n=21)``)."""
    if data.get("kind") == "Figure" and isinstance(data.get("value"), int | float):
        unit = str(data.get("unit") or "")
        text = f"{data['value']:g}{unit if unit == '%' else ' ' + unit}".strip()
        if data.get("denominator") is not None:
            text += f" (n={data['denominator']})"
        return text
    return _shorten(str(data.get("name") or node_id), 40)


def _tip(data: dict[str, Any], node_id: str) -> str:
    lines = [f"{data.get('kind') or '?'}: {data.get('name') or node_id}"]
    for key in _TIP_KEYS:
        value = data.get(key)
        if value is not None and value != "":
            lines.append(f"{key}: {_shorten(str(value), 300)}")
    lines.append(f"id: {node_id}")
    return "\n".join(lines)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _options(count: int) -> dict[str, Any]:
    big = count > _BIG
    return {
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -6000,
                "springLength": 140,
                "springConstant": 0.04,
                "damping": 0.35,
                "avoidOverlap": 0.1,
            },
            "stabilization": {"enabled": True, "iterations": 120 if big else 300, "updateInterval": 25, "fit": True},
            "minVelocity": 1.0,
        },
        "layout": {"improvedLayout": not big, "randomSeed": 7},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "navigationButtons": False,
            "keyboard": False,
        },
        "edges": {
            "smooth": False if big else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "font": {"size": 10, "align": "middle", "color": "#444444", "strokeWidth": 3},
        },
        "nodes": {"font": {"size": 14}, "borderWidth": 1},
    }


def _legend() -> str:
    kinds = "".join(
        f'<span><span class="sw" style="background:{colour}"></span>{html.escape(kind)}</span>'
        for kind, (colour, shape) in KIND_STYLE.items()
    )
    edges = "".join(
        f'<span><span class="ln" style="background:{colour}"></span>{html.escape(etype.lower())}</span>'
        for etype, colour in EDGE_STYLE.items()
    )
    return f'<div id="evx-legend" aria-label="legend">{kinds}{edges}</div>'


def _finish(page: str, *, caption: str) -> str:
    page = _REMOTE_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    page = page.replace("<html>", '<!DOCTYPE html>\n<html lang="en">', 1)
    page = page.replace("</head>", EXTRA_STYLE + "</head>", 1)
    overlay = _legend() + f'<div id="evx-caption">{html.escape(caption)}</div>'
    page = page.replace("<body>", '<body style="position:relative">' + overlay, 1)
    return page.replace("</body>", BRIDGE + "</body>", 1)
