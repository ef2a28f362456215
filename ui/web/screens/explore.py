"""Explore: start at a drug, open an outcome, read the evidence behind the link beside the graph."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import threading

import networkx as nx
import streamlit as st

from graph.errors import EvidenceError
from graph.evidence_view import EvidenceRow, link_outs, node_facts
from graph.export.html import drawn_label, network_html, node_label
from graph.link_page import LinkPage, link_page
from graph.link_page import warm as warm_links
from graph.model import NodeKind
from graph.service import EvidenceService, LinkEvidence, curation_log
from graph.store.base import EvidenceStore
from graph.walk_view import GraphFilters, layered_positions, row_passes, staged_graph
from ui.web.components import clickable_html, graph_canvas
from ui.web.evidence_html import buttons_html, trail_html
from ui.web.panels import evidence as evidence_panel
from ui.web.panels.evidence import render_evidence, rows_wanted
from ui.web.panels.landing import render_landing
from ui.web.state import get_settings, get_store, sync_url, view_state
from ui.web.viewmodel import PAGE, ViewState, evidence_pair, linked_targets, md_escape, plural

__all__ = ["SEARCH_KINDS", "render"]

#: What the search box finds: concepts first, and studies and guidelines by name.
SEARCH_KINDS = (NodeKind.DRUG, NodeKind.CONDITION, NodeKind.OUTCOME, NodeKind.STUDY, NodeKind.GUIDELINE)
#: Most nodes drawn at once; the rest are counted in the caption.
MAX_DRAWN = 1500
#: Height of the graph box: with the evidence beside it, both fit a 1000 px high window.
GRAPH_PX = 560
_KIND_ORDER = [k.value for k in NodeKind]
_FILTERS_KEPT = "evx_filters_kept"
_FILTER_OPEN = "evx_filter_open"
#: Less empty space above the page, so the graph and the evidence fit the window together.
_COMPACT = "<style>.stMainBlockContainer { padding-top: 3.5rem; }</style>"


def _warm(store: EvidenceStore) -> None:
    """Once per server process, in the background: load the statistics library (the first link opened
    would otherwise wait ~2.6 s for the Wilson intervals of its chart and table) and read one link's
    page of evidence (the store builds what every link's page needs first: seconds at 1M edges)."""
    global _WARMING
    if _WARMING is None:

        def work() -> None:
            importlib.import_module("statsmodels.stats.proportion")
            warm_links(store)

        _WARMING = threading.Thread(target=work, name="evx-warm", daemon=True)
        _WARMING.start()


_WARMING: threading.Thread | None = None


def render() -> None:
    store = get_store()
    try:
        _render(store)
    finally:
        _warm(store)  # after the page is out: the researcher reads it while the store warms up


def _render(store: EvidenceStore) -> None:
    state = view_state()
    st.html(_COMPACT)
    if not state.trail:
        st.title("Evidence Explorer")
    _search(store, state)
    if not state.trail:
        render_landing(store, state)
        sync_url(state)
        return
    settings = get_settings()
    service = EvidenceService.for_settings(store, settings)
    link = _link(service, state)
    _breadcrumb(store, state)
    if link is not None:
        left, right = st.columns([11, 9], gap="medium")
        with left:
            filters = _filters(service, link)
            # a design, population or year chosen: the studies that have it among the whole link's
            whole = _whole(service, link) if _narrows(filters) else None
            graph = _graph(store, state, whole or link, filters)
            # Open when the researcher selected something other than the link itself; its content runs only
            # while open (one expander per selected node, so a new selection opens as it should).
            selected = st.expander(
                "Selected node",
                expanded=state.selected not in (link.drug.get("id"), link.target.get("id")),
                key="evx_selected_" + hashlib.blake2b(str(state.selected).encode(), digest_size=6).hexdigest(),
                on_change="rerun",
            )
            if selected.open:
                with selected:
                    _details(store, state, graph)
        with right:
            rows = [r for r in (whole or link).rows if row_passes(r, filters)]
            render_evidence(
                store,
                link,
                rows[: len(link.rows)],
                filtered=len(rows) != len((whole or link).rows),
                passing=len(rows),
                whole=whole,
                log=curation_log(settings),
            )
    else:
        left, right = st.columns([3, 2], gap="medium")
        with left:
            filters = _filters(service, None)
            graph = _graph(store, state, None, filters)
        with right:
            _details(store, state, graph)
        if state.selected and NodeKind.DRUG.value == (store.node(state.selected) or {}).get("kind"):
            _read_ahead(service, state.selected, [t for t, *_ in linked_targets(graph, state.selected)])
    sync_url(state)


#: Links of a drug whose pages are read ahead once its view is out (its strongest, drawn at the top).
READ_AHEAD = 6
_READ_AHEAD: set[tuple[object, str, str]] = set()
_READ_AHEAD_LOCK = threading.Lock()


def _read_ahead(service: EvidenceService, drug: str, targets: list[str]) -> None:
    """Read the pages of a drug's strongest links in the background, once per store version and curation
    state: opening a drug is most often followed by opening one of them, and the click then finds its
    rows read (the store's part of a click, about 20 ms of CPU per link at 1M edges)."""
    version = service.store.version()
    if version is None:
        return
    corrections = repr(service.corrections)
    key = (version, corrections, drug)
    with _READ_AHEAD_LOCK:
        if key in _READ_AHEAD:
            return
        if len(_READ_AHEAD) > 1000:  # a long-running explorer over a store that keeps changing
            _READ_AHEAD.clear()
        _READ_AHEAD.add(key)
    rows = evidence_panel.TABLE_ROWS  # what a first click asks for (rows_wanted before any "show more")

    def work() -> None:
        for target in targets[:READ_AHEAD]:
            try:
                _link_page(service, version, corrections, drug, target, rows)
            except EvidenceError:
                continue

    threading.Thread(target=work, name="evx-read-ahead", daemon=True).start()


def _link(service: EvidenceService, state: ViewState) -> LinkPage | None:
    """The strongest rows of the link the walk reached (one page; "show more" asks for the next)."""
    pair = evidence_pair(state)
    if pair is None:
        return None
    rows = rows_wanted(*pair, first=evidence_panel.TABLE_ROWS)
    try:
        version = service.store.version()
        if version is None:  # a store that cannot tell when it changed: read afresh
            return link_page(service, *pair, rows=rows)
        return _link_page(service, version, repr(service.corrections), *pair, rows)
    except EvidenceError as exc:
        st.error(md_escape(str(exc)))
        return None


@st.cache_resource(max_entries=16, show_spinner=False)
def _link_page(
    _service: EvidenceService, version: object, corrections: str, drug: str, target: str, rows: int
) -> LinkPage:
    """A link's page, read once per store version and curation state: every rerun of the link's view (a
    node selected, an expander opened, a filter chosen) would read the same rows again."""
    return link_page(_service, drug, target, rows=rows)


def _search(store: EvidenceStore, state: ViewState) -> None:
    text = st.text_input(
        "Find a drug, condition or outcome (Dutch or English)",
        key="evx_search",
        placeholder="mecasermine, Increlex, hypoglykemie…",
    )
    if not text.strip():
        return
    hits = store.search(text, kinds=SEARCH_KINDS, limit=8)
    if not hits:
        st.caption(f"Nothing called “{md_escape(text)}”. Try a shorter part of the name.")
        return
    row = st.container(horizontal=True)
    for hit in hits:
        matched = f" (as {hit.matched})" if hit.matched.lower() != hit.name.lower() else ""
        row.button(
            md_escape(f"{hit.name} · {hit.kind.value}{matched}"),
            key=f"evx_hit_{hit.id}",
            on_click=state.start,
            args=(hit.id,),
        )


def _breadcrumb(store: EvidenceStore, state: ViewState) -> None:
    """The trail as one component, not a button and an arrow per step (fewer elements for Streamlit to
    draw; and, being the page's first component, it has the browser load the component code early)."""

    def step_back(value: str) -> None:
        kind, _, index = value.partition(":")
        if kind == "step" and index.isdigit():
            state.step_back(int(index))

    names = [node_label(store.node(node_id) or {}, node_id) for node_id in state.trail]
    clickable_html(trail_html(names), key="evx_trail", on_click=step_back)


def _filters(service: EvidenceService, link: LinkPage | None) -> GraphFilters:
    """What to draw: node kinds, and which studies and guidelines (stance, design, population, year).

    The popover's widgets run only while it is open (it reads the whole link for its designs,
    populations and years: a second or so on a link of thousands); the choice is kept apart from
    them, so it holds while the popover is closed and on the way back from another page.  Kinds
    and stances hold from link to link; designs, populations and years belong to the link they
    were chosen on.
    """
    pair = (str(link.drug.get("id")), str(link.target.get("id"))) if link else None
    kept_pair, kept = st.session_state.get(_FILTERS_KEPT, (None, GraphFilters()))
    if kept_pair != pair:
        kept = dataclasses.replace(kept, designs=None, populations=None, years=None)
    popover = st.popover("Filter the graph", width="content", key=_FILTER_OPEN, on_change="rerun")
    if popover.open:
        with popover:
            kept = _filter_widgets(_whole(service, link) if link else None, kept)
    st.session_state[_FILTERS_KEPT] = (pair, kept)
    return kept


def _filter_widgets(link: LinkEvidence | LinkPage | None, kept: GraphFilters) -> GraphFilters:
    rows: list[EvidenceRow] = list(link.rows) if link else []
    kinds = st.multiselect(
        "Kinds of node",
        _KIND_ORDER,
        default=[k for k in _KIND_ORDER if k in kept.kinds],
        key="evx_f_kinds",
        help="Claims (Finding) and documents (Source) are how evidence is stored; add them to see it.",
    )
    stances = st.pills(
        "Stance",
        ["supports", "contradicts"],
        selection_mode="multi",
        default=[s for s in ("supports", "contradicts") if s in kept.stances],
        key="evx_f_stance",
    )
    designs = _narrowing(
        "Design",
        {r.design or "design not stated" for r in rows},
        kept.designs,
        key="evx_f_design",
        help=f"Designs of all {plural(len(rows), 'row')} of the link",
    )
    populations = _narrowing("Population", {p for r in rows for p in r.populations}, kept.populations, key="evx_f_pop")
    years = sorted({r.year for r in rows if r.year is not None})
    span = None
    if len(years) > 1:
        low, high = kept.years or (years[0], years[-1])
        low, high = max(low, years[0]), min(high, years[-1])
        span = st.slider(
            "Year", years[0], years[-1], (low, high) if low <= high else (years[0], years[-1]), key="evx_f_year"
        )
    return GraphFilters(
        kinds=frozenset(kinds),
        stances=frozenset(stances or ()),
        designs=designs,
        populations=populations,
        years=tuple(span) if span and (span[0], span[1]) != (years[0], years[-1]) else None,  # type: ignore[arg-type]
    )


def _narrowing(
    label: str, values: set[str], kept: frozenset[str] | None, *, key: str, help: str | None = None
) -> frozenset[str] | None:
    """A multiselect over the link's ``values`` (all chosen unless ``kept`` says otherwise): the chosen ones,
    or ``None`` while every one is chosen (the filter does not narrow)."""
    options = sorted(values)
    if not options:
        return None
    chosen = st.multiselect(
        label, options, default=[v for v in options if kept is None or v in kept], key=key, help=help
    )
    return frozenset(chosen) if len(chosen) != len(options) else None


def _narrows(filters: GraphFilters) -> bool:
    """Whether the filters choose among a link's studies by what they are (then the whole link is read)."""
    return filters.designs is not None or filters.populations is not None or filters.years is not None


def _whole(service: EvidenceService, link: LinkPage) -> LinkEvidence | LinkPage:
    """Every row of the link: the page itself when it holds them all, else read once per store version
    and curation state (the filters choose among all of a link's studies, not the strongest page's)."""
    if not link.more_rows:
        return link
    drug, target = str(link.drug.get("id")), str(link.target.get("id"))
    version = service.store.version()
    if version is None:  # a store that cannot tell when it changed: read afresh
        return service.link(drug, target)
    return _whole_link(service, version, repr(service.corrections), drug, target)


@st.cache_resource(max_entries=4, show_spinner="Reading every row of the link…")
def _whole_link(_service: EvidenceService, version: object, corrections: str, drug: str, target: str) -> LinkEvidence:
    return _service.link(drug, target)


def _graph(
    store: EvidenceStore, state: ViewState, link: LinkEvidence | LinkPage | None, filters: GraphFilters
) -> nx.MultiDiGraph:
    graph = staged_graph(store, state.trail, state.expanded, link=link, filters=filters, page=PAGE)
    labels = {str(n): drawn_label(d, str(n)) for n, d in graph.nodes(data=True)}
    big = graph.number_of_nodes() > MAX_DRAWN
    positions = None if big else layered_positions(graph, state.trail[0], labels=labels, order=state.trail)
    drawn = network_html(
        graph, selected=state.selected, pinned=state.trail, max_nodes=MAX_DRAWN, height_px=GRAPH_PX, positions=positions
    )
    more = graph.graph.get("more", {})
    hidden = sum(more.values())
    st.caption(
        f"{plural(drawn.drawn_nodes, 'node')}, {plural(drawn.drawn_edges, 'edge')}"
        + (f"; {plural(drawn.hidden_nodes + hidden, 'more node')} not drawn" if drawn.hidden_nodes or hidden else "")
        + ". Click a node to select it."
    )
    graph_canvas(drawn.html, key="evx_graph", height=GRAPH_PX, on_click=state.walk, update=drawn.update)
    return graph


def _details(store: EvidenceStore, state: ViewState, graph: nx.MultiDiGraph) -> None:
    node_id = state.selected
    node = store.node(node_id) if node_id else None
    if node is None:
        st.warning("The selected node is no longer in the store.")
        return
    st.subheader(md_escape(node_label(node, node_id or "")))
    st.caption(md_escape(node.get("kind") or ""))
    more = graph.graph.get("more", {})
    row = st.container(horizontal=True)
    if node_id not in state.expanded:
        row.button("Show neighbours", key="evx_expand", on_click=state.expand, args=(node_id,), type="primary")
    else:
        if more.get(node_id):
            row.button(f"Show more ({more[node_id]} not shown)", key="evx_more", on_click=state.expand, args=(node_id,))
        row.button("Hide neighbours", key="evx_collapse", on_click=state.collapse, args=(node_id,))
    for link in link_outs(node):
        row.link_button(link.label, link.url)
    if node.get("kind") == NodeKind.DRUG.value:
        targets = linked_targets(graph, node_id)  # type: ignore[arg-type]
        if targets:
            st.markdown("**Linked outcomes and conditions** — open one to read its evidence:")

            def open_link(value: str) -> None:
                kind, _, target = value.partition(":")
                if kind == "link" and target:
                    state.walk(target)

            items = [(f"link:{t}", f"{name}: {sup} supporting, {con} contradicting") for t, name, sup, con in targets]
            clickable_html(
                buttons_html(items, label="Linked outcomes and conditions"), key="evx_links", on_click=open_link
            )
    facts = node_facts(node)
    if facts:
        # lines of text, not st.table: a table would make every opened view load Streamlit's table
        # code (about 850 KB of script) for these few lines
        st.markdown("  \n".join(f"**{md_escape(label)}:** {md_escape(value)}" for label, value in facts))
    if node.get("kind") == NodeKind.SOURCE.value and isinstance(node.get("text"), str):
        with st.expander("Document text"):
            st.text(node["text"])
    st.caption(f"id: {md_escape(node_id or '')}")
