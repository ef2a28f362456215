"""Click bridges from the browser to Python, built on ``streamlit.components.v2`` (no build step).

``graph_canvas`` hosts the pyvis page in a sandboxed iframe (scripts only, no same-origin
access: document text drawn there can never reach the app) and forwards the node a
researcher clicks.  ``clickable_html`` shows HTML that :mod:`ui.web.evidence_html` built with every
document value escaped, and reports clicks on elements marked ``data-evx-click``.
Both keep their DOM between reruns and only reload when the content changes, so a rerun
that changes nothing redraws nothing.  When only the graph changes (a click, an expand), the
graph frame is not reloaded: the page is sent once, and later only its nodes and edges, which
are posted to the page already drawn and update vis-network in place (see
:mod:`graph.export.html`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from ui.web.evidence_html import EVIDENCE_CSS

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
    state = {
      frame: frame, page: null, pageShell: null, pageSig: null, shell: null, sig: null, update: null,
      ready: false, pending: null, asked: null, generation: 0, painted: 0, timer: null, send: null,
    };
    state.reload = function () {
      // A fresh page: vis-network is parsed again and lays the graph out from scratch.  When the
      // page holds older nodes and edges than the latest update, the update follows its first paint.
      clearTimeout(state.timer);
      state.ready = false;
      state.shell = state.pageShell;
      state.pending = state.update && state.sig !== state.pageSig ? state.update : null;
      state.frame.srcdoc = state.page;
    };
    state.post = function (update) {
      // Same page shell, already drawn: only the nodes and edges travel (data, never markup).
      clearTimeout(state.timer);
      state.timer = setTimeout(state.reload, 5000);  // no answer: reload instead
      state.frame.contentWindow.postMessage(Object.assign({}, update, { evx: "update", generation: state.generation }), "*");
    };
    state.onMessage = function (event) {
      if (event.source !== state.frame.contentWindow || !event.data) { return; }
      const msg = event.data;
      if (msg.evx === "click" && typeof msg.node === "string" && state.send) {
        state.send("clicked", msg.node);
      } else if (msg.evx === "painted") {
        // An in-place update names its generation; a (re)loaded page paints the latest one.
        let generation = msg.generation;
        if (typeof generation !== "number") {
          state.ready = true;
          if (state.pending) { const update = state.pending; state.pending = null; state.post(update); return; }
          generation = state.generation;
        }
        if (generation < state.painted) { return; }
        if (generation === state.generation) { clearTimeout(state.timer); }
        state.painted = generation;
        state.frame.setAttribute("data-painted-at", String(performance.now()));
        state.frame.setAttribute("data-painted-generation", String(generation));
      } else if (msg.evx === "stale" && msg.generation === state.generation) {
        state.reload();
      }
    };
    // The pointer moves over the page, so it is not over the graph: its tooltip goes (a frame is not
    // always told the pointer left it, and vis-network hides a tooltip only on a move inside).
    state.hideTip = function () {
      // at most one message a quarter second, and the last move is always told
      const tell = function () {
        if (state.frame.contentWindow) { state.frame.contentWindow.postMessage({ evx: "hide-tip" }, "*"); }
      };
      if (state.tipTimer) { state.tipAgain = true; return; }
      tell();
      state.tipTimer = setTimeout(function () {
        state.tipTimer = null;
        if (state.tipAgain) { state.tipAgain = false; tell(); }
      }, 250);
    };
    state.tipTimer = null;
    state.tipAgain = false;
    window.addEventListener("message", state.onMessage);
    document.addEventListener("mousemove", state.hideTip, { passive: true });
    frame.addEventListener("mouseleave", state.hideTip);
    parentElement.__evx = state;
  }
  state.send = setTriggerValue;
  state.frame.style.height = String(data.height || 620) + "px";
  const update = data.update || null;
  if (typeof data.html === "string" && data.html !== state.page) {
    state.page = data.html;
    state.pageShell = update ? update.shell : null;
    state.pageSig = update ? JSON.stringify(update) : data.html;
  }
  const sig = update ? JSON.stringify(update) : data.html;
  if (sig !== state.sig) {
    if (update && !(state.page && state.pageShell === update.shell)) {
      // The app sends the page once per shell; this frame has none (it was just created): ask again.
      if (state.asked !== sig) { state.asked = sig; setTriggerValue("need_page", update.shell); }
    } else {
      state.sig = sig;
      state.update = update;
      state.generation += 1;
      state.frame.setAttribute("data-generation", String(state.generation));
      if (update && state.shell === update.shell && state.ready) {
        state.post(update);
      } else if (update && state.shell === update.shell && !state.ready) {
        state.pending = update;  // the page is loading: update it once drawn
      } else {
        state.reload();
      }
    }
  }
  return function () {
    clearTimeout(state.timer);
    clearTimeout(state.tipTimer);
    window.removeEventListener("message", state.onMessage);
    document.removeEventListener("mousemove", state.hideTip);
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
    root.innerHTML = data.html;  // built by ui.web.evidence_html with every document value escaped
  }
}
"""

_graph_component = st.components.v2.component("evx_graph_canvas", js=_GRAPH_JS, isolate_styles=True)
_html_component = st.components.v2.component("evx_clickable_html", js=_HTML_JS, css=EVIDENCE_CSS, isolate_styles=True)


def _clicked(key: str) -> Any:
    value = st.session_state.get(key)
    return value.get("clicked") if hasattr(value, "get") else None


def graph_canvas(
    page_html: str,
    *,
    key: str,
    height: int = 620,
    on_click: Callable[[str], None] | None = None,
    update: Mapping[str, Any] | None = None,
) -> None:
    """Draw a page from :func:`graph.export.html.network_html`; ``on_click(node_id)`` runs before the rerun.

    With ``update`` (:attr:`graph.export.html.DrawnGraph.update`) the page (about 700 KB, most
    of it vis-network) is sent once per page shell and session; later reruns send only the
    nodes and edges, and the frame already showing the page redraws them in place.  A frame
    that has no page yet (new, or mounted again) asks for it, and that rerun sends it.
    """
    sent = f"_evx_page_shell_{key}"

    def forward() -> None:
        node = _clicked(key)
        if isinstance(node, str) and on_click is not None:
            on_click(node)

    def need_page() -> None:
        st.session_state.pop(sent, None)

    data: dict[str, Any] = {"height": height}
    shell = update.get("shell") if update else None
    if update:
        data["update"] = dict(update)
    if not shell or st.session_state.get(sent) != shell:
        data["html"] = page_html
        if shell:
            st.session_state[sent] = shell
    _graph_component(key=key, data=data, on_clicked_change=forward, on_need_page_change=need_page)


def clickable_html(page_html: str, *, key: str, on_click: Callable[[str], None] | None = None) -> None:
    """Show escaped HTML; ``on_click(value)`` gets the ``data-evx-click`` value of what was clicked."""

    def forward() -> None:
        value = _clicked(key)
        if isinstance(value, str) and on_click is not None:
            on_click(value)

    _html_component(key=key, data={"html": page_html}, on_clicked_change=forward)
