"""Click bridges from the browser to Python, built on ``streamlit.components.v2`` (no build step).

``graph_canvas`` hosts the pyvis page in a sandboxed iframe (scripts only, no same-origin
access: document text drawn there can never reach the app) and forwards the node a
researcher clicks.  ``clickable_html`` shows HTML that :mod:`ui.viewmodel` built with every
document value escaped, and reports clicks on elements marked ``data-evx-click``.
Both keep their DOM between reruns and only reload when the content changes, so a rerun
that changes nothing redraws nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.viewmodel import EVIDENCE_CSS

__all__ = ["clickable_html", "graph_canvas"]

_GRAPH_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let state = parentElement.__evx;
  if (!state) {
    const frame = document.createElement("iframe");
    // allow-scripts without allow-same-origin: vis-network runs, the page stays out of reach.
    frame.setAttribute("sandbox", "allow-scripts");
    frame.setAttribute("title", "evidence graph");
    frame.setAttribute("data-testid", "evx-graph-frame");
    frame.style.cssText = "width:100%;border:1px solid #e3e3e3;border-radius:6px;display:block;";
    parentElement.appendChild(frame);
    state = { frame: frame, html: null, generation: 0, send: null };
    state.onMessage = function (event) {
      if (event.source !== state.frame.contentWindow || !event.data) { return; }
      const msg = event.data;
      if (msg.evx === "click" && typeof msg.node === "string" && state.send) {
        state.send("clicked", msg.node);
      } else if (msg.evx === "painted") {
        state.frame.setAttribute("data-painted-at", String(performance.now()));
        state.frame.setAttribute("data-painted-generation", String(state.generation));
      }
    };
    window.addEventListener("message", state.onMessage);
    parentElement.__evx = state;
  }
  state.send = setTriggerValue;
  state.frame.style.height = String(data.height || 620) + "px";
  if (state.html !== data.html) {
    state.html = data.html;
    state.generation += 1;
    state.frame.setAttribute("data-generation", String(state.generation));
    state.frame.srcdoc = data.html;
  }
  return function () {
    window.removeEventListener("message", state.onMessage);
    delete parentElement.__evx;
  };
}
"""

_HTML_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector("div.evx-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "evx-root";
    root.addEventListener("click", function (event) {
      const el = event.target.closest("[data-evx-click]");
      if (el && root.__send) { event.preventDefault(); root.__send("clicked", el.getAttribute("data-evx-click")); }
    });
    parentElement.appendChild(root);
  }
  root.__send = setTriggerValue;
  if (root.__html !== data.html) {
    root.__html = data.html;
    root.innerHTML = data.html;  // built by ui.viewmodel with every document value escaped
  }
}
"""

_graph_component = st.components.v2.component("evx_graph_canvas", js=_GRAPH_JS, isolate_styles=True)
_html_component = st.components.v2.component("evx_clickable_html", js=_HTML_JS, css=EVIDENCE_CSS, isolate_styles=True)


def _clicked(key: str) -> Any:
    value = st.session_state.get(key)
    return value.get("clicked") if hasattr(value, "get") else None


def graph_canvas(page_html: str, *, key: str, height: int = 620, on_click: Callable[[str], None] | None = None) -> None:
    """Draw a page from :func:`graph.export.html.network_html`; ``on_click(node_id)`` runs before the rerun."""

    def forward() -> None:
        node = _clicked(key)
        if isinstance(node, str) and on_click is not None:
            on_click(node)

    _graph_component(key=key, data={"html": page_html, "height": height}, on_clicked_change=forward)


def clickable_html(page_html: str, *, key: str, on_click: Callable[[str], None] | None = None) -> None:
    """Show escaped HTML; ``on_click(value)`` gets the ``data-evx-click`` value of what was clicked."""

    def forward() -> None:
        value = _clicked(key)
        if isinstance(value, str) and on_click is not None:
            on_click(value)

    _html_component(key=key, data={"html": page_html}, on_clicked_change=forward)
