"""Cypher: ask anything, read-only, in a worker process with a row cap and a capped timeout."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.cypher_examples import EXAMPLE_QUERIES
from graph.errors import QueryError, WriteRefusedError
from graph.export.html import network_html
from ui.web.components import graph_canvas
from ui.web.state import get_settings, get_store
from ui.web.viewmodel import md_escape, table_cell

__all__ = ["render"]

_EDITOR = "evx_cypher"


def _use_example() -> None:
    st.session_state[_EDITOR] = EXAMPLE_QUERIES[st.session_state["evx_cypher_example"]]


def render() -> None:
    store = get_store()
    st.title("Query in Cypher")
    if not store.supports_cypher:
        st.warning("This store does not run Cypher; open the embedded store or a Neo4j server.")
        return
    st.session_state.setdefault(_EDITOR, next(iter(EXAMPLE_QUERIES.values())))
    st.selectbox("Example queries", list(EXAMPLE_QUERIES), key="evx_cypher_example", on_change=_use_example)
    cypher = st.text_area("Query (read-only)", key=_EDITOR, height=160)
    settings = get_settings()
    most_rows, longest = settings.console_row_cap, settings.console_timeout_cap_s
    c1, c2 = st.columns(2)
    limit = c1.number_input(
        "Row cap", min_value=1, max_value=most_rows, value=min(1000, most_rows), step=100, key="evx_cypher_limit"
    )
    timeout = c2.number_input(
        "Timeout (seconds)",
        min_value=1.0,
        max_value=longest,
        value=min(10.0, longest),
        key="evx_cypher_timeout",
        help=f"At most {longest:g} s; the query runs in its own process, other visitors are not held up.",
    )
    if not st.button("Run query", type="primary", key="evx_cypher_run"):
        return
    status = st.empty()

    def running(elapsed: float) -> None:
        # every update is a point where Streamlit stops this run when the visitor reruns or leaves,
        # which kills the query's worker (see graph.store.query_worker)
        status.caption(f"Running… {elapsed:.1f} s")

    try:
        result = store.console_query(
            cypher, row_limit=min(int(limit), most_rows), timeout_s=min(float(timeout), longest), on_wait=running
        )
    except WriteRefusedError as exc:
        st.error(md_escape(str(exc).split("\nHint:")[0]))
        st.info("Hint: the explorer only reads. Change the store with `evx load` or `evx query --write`.")
        return
    except QueryError as exc:
        st.error(md_escape(str(exc).split("\nHint:")[0]))
        st.info(
            "Hint: "
            + md_escape(
                exc.hint
                or "check the names against the example queries; labels are "
                "Drug, Condition, Outcome, Study, Guideline, Finding, Figure, Source"
            )
        )
        return
    finally:
        status.empty()
    note = f"{len(result.rows)} rows" + (" (truncated at the row cap)" if result.truncated else "")
    st.caption(note)
    frame = pd.DataFrame([[table_cell(v) for v in row] for row in result.rows], columns=result.columns)
    st.dataframe(frame, hide_index=True, width="stretch")
    if result.graph is not None and result.graph.number_of_nodes():
        st.caption(f"As a graph: {result.graph.number_of_nodes()} nodes, {result.graph.number_of_edges()} edges")
        graph_canvas(network_html(result.graph, height_px=480).html, key="evx_cypher_graph", height=480)
