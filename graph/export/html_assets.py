"""The script and style the drawn graph's page carries, kept apart from the Python that draws it.

``BRIDGE`` turns tooltips into DOM text nodes, accepts in-place updates by ``postMessage``
from the explorer and reports clicks; ``EXTRA_STYLE`` lays out the legend and caption.
Both are inserted into pyvis's page by :func:`graph.export.html.network_html`.
"""

from __future__ import annotations

__all__ = ["BRIDGE", "EXTRA_STYLE"]

BRIDGE = """
<script>
(function () {
  if (typeof network === "undefined" || typeof nodes === "undefined") { return; }
  function post(msg) { if (window.parent && window.parent !== window) { window.parent.postMessage(msg, "*"); } }
  // Tooltips as DOM text nodes: document text is untrusted and must never be parsed as HTML.
  function tip(text) { var d = document.createElement("div"); d.className = "evx-tip"; d.textContent = text; return d; }
  function withTip(item) {
    var copy = {};
    Object.keys(item).forEach(function (k) { copy[k] = item[k]; });
    if (typeof item.tip === "string" && item.tip) { copy.title = tip(item.tip); } else { delete copy.title; }
    return copy;
  }
  // A definition as stable text, to tell which nodes and edges an update changed.
  function canon(v) {
    if (v === null || typeof v !== "object") { return JSON.stringify(v); }
    if (Array.isArray(v)) { return "[" + v.map(canon).join(",") + "]"; }
    return "{" + Object.keys(v).sort().map(function (k) { return JSON.stringify(k) + ":" + canon(v[k]); }).join(",") + "}";
  }
  var known = {nodes: {}, edges: {}};
  var nu = [], eu = [];
  nodes.forEach(function (n) { known.nodes[n.id] = canon(n); if (n.tip) { nu.push({id: n.id, title: tip(n.tip)}); } });
  edges.forEach(function (e) { known.edges[e.id] = canon(e); if (e.tip) { eu.push({id: e.id, title: tip(e.tip)}); } });
  nodes.update(nu); edges.update(eu);
  // Physics only lays the graph out: once stable it stops, so a big graph stays responsive.
  var settled = false, painted = false, generation = null;
  // A laid-out graph (positions from the server, out of the physics) is fitted once it is drawn.
  var fitAfter = nodes.get().some(function (n) { return n.physics === false; });
  function still() {
    if (!settled) {
      settled = true;
      // pyvis's progress bar (pages of more than 100 nodes) would stay over a laid-out graph, taking its clicks
      var bar = document.getElementById("loadingBar");
      if (bar) { bar.style.display = "none"; }
      network.setOptions({physics: {enabled: false}});
      if (fitAfter) { fitAfter = false; network.fit({animation: false}); }
      network.redraw();
    }
  }
  network.on("stabilizationIterationsDone", still);
  network.on("stabilized", still);
  network.on("afterDrawing", function () {
    if (settled && !painted) {
      painted = true;
      document.body.setAttribute("data-evx-painted", "1");
      post(generation === null ? {evx: "painted"} : {evx: "painted", generation: generation});
    }
  });
  // A tooltip must not outlive what it describes: hidden on a click (the view is redrawn), a drag,
  // an update, and when the pointer leaves the graph (vis-network only hides it on a move inside;
  // the explorer also says so, as a frame may not hear the pointer leave it).
  function hideTip() {
    var ih = network.interactionHandler;
    if (ih) {
      if (ih.popupTimer !== undefined) { clearTimeout(ih.popupTimer); ih.popupTimer = undefined; }
      if (ih.popup) { ih.popup.hide(); }
      ih.popupObj = undefined;
    }
    document.querySelectorAll("div.vis-tooltip").forEach(function (t) { t.style.visibility = "hidden"; });
  }
  network.on("click", function (p) {
    hideTip();
    if (p.nodes && p.nodes.length) { post({evx: "click", node: String(p.nodes[0])}); }
  });
  network.on("dragStart", hideTip);
  network.body.container.addEventListener("mouseleave", hideTip);
  document.addEventListener("mouseout", function (e) { if (!e.relatedTarget) { hideTip(); } });  // left the frame
  window.addEventListener("blur", hideTip);
  window.evxNetwork = network;

  // In-place updates from the parent: same shell, new nodes and edges (plain data, never markup).
  function update(msg) {
    hideTip();
    var wantNodes = {}, wantEdges = {};
    msg.nodes.forEach(function (n) { wantNodes[String(n.id)] = n; });
    msg.edges.forEach(function (e) { wantEdges[String(e.id)] = e; });
    var pos = network.getPositions();
    var dropEdges = edges.getIds().filter(function (id) {
      return !(id in wantEdges) || known.edges[id] !== canon(wantEdges[id]);
    });
    var dropNodes = nodes.getIds().filter(function (id) {
      return !(id in wantNodes) || known.nodes[id] !== canon(wantNodes[id]);
    });
    var moved = dropNodes.some(function (id) { return !(id in wantNodes); });
    edges.remove(dropEdges);
    nodes.remove(dropNodes);
    dropEdges.forEach(function (id) { delete known.edges[id]; });
    dropNodes.forEach(function (id) { delete known.nodes[id]; });
    // Nodes that stay keep their place; a new node starts next to a neighbour that has one,
    // the selected node first, so the short stabilisation below only has to settle it.
    var view = network.getViewPosition();
    var anchorOf = {};
    msg.edges.forEach(function (e) {
      [[e.from, e.to], [e.to, e.from]].forEach(function (pair) {
        var a = String(pair[0]), b = String(pair[1]);
        if (!pos[b] && pos[a] && (!anchorOf[b] || a === msg.selected)) { anchorOf[b] = a; }
      });
    });
    var addNodes = [], fresh = 0;
    msg.nodes.forEach(function (n) {
      var id = String(n.id);
      if (id in known.nodes) { return; }
      var item = withTip(n);
      if (pos[id]) {
        item.x = pos[id].x; item.y = pos[id].y;  // what was on screen stays where it was
      } else if (typeof n.x === "number" && typeof n.y === "number") {
        item.x = n.x; item.y = n.y;  // laid out by the server next to what is already drawn
      } else {
        var at = pos[anchorOf[id]] || pos[msg.selected] || view;
        var angle = fresh * 2.39996, radius = 60 + 12 * Math.sqrt(fresh);
        item.x = at.x + radius * Math.cos(angle); item.y = at.y + radius * Math.sin(angle);
        fresh += 1;
      }
      known.nodes[id] = canon(n);
      addNodes.push(item);
    });
    nodes.add(addNodes);
    var addEdges = [];
    msg.edges.forEach(function (e) {
      var id = String(e.id);
      if (id in known.edges) { return; }
      known.edges[id] = canon(e);
      addEdges.push(withTip(e));
    });
    edges.add(addEdges);
    var caption = document.getElementById("evx-caption");
    if (caption) { caption.textContent = String(msg.caption || ""); }
    settled = false; painted = false; generation = msg.generation; fitAfter = !!msg.fit;
    // pyvis's progress bar (big pages) is for the first layout only.
    network.off("stabilizationProgress");
    var bar = document.getElementById("loadingBar");
    if (bar) { bar.style.display = "none"; }
    if (fresh || moved) {
      network.setOptions({physics: {enabled: true}});
      network.stabilize(msg.iterations || 80);
    } else {
      still();
    }
  }
  window.addEventListener("message", function (event) {
    var msg = event.data;
    if (event.source === window.parent && msg && msg.evx === "hide-tip") { hideTip(); return; }
    if (event.source !== window.parent || !msg || msg.evx !== "update") { return; }
    if (!Array.isArray(msg.nodes) || !Array.isArray(msg.edges)) { return; }
    try {
      update(msg);
    } catch (err) {
      post({evx: "stale", generation: msg.generation});  // the parent reloads the page instead
    }
  });
})();
</script>
"""

EXTRA_STYLE = """
<style>
  body { margin: 0; font-family: system-ui, sans-serif; }
  #mynetwork { float: none !important; border: 0 !important; }
  .card { border: 0; }
  div.vis-tooltip { white-space: pre-wrap; max-width: 420px; font-size: 12px; }
  #evx-legend { display: flex; flex-wrap: wrap; gap: 2px 12px; height: 36px; overflow: hidden; box-sizing: border-box;
                padding: 2px 8px; font-size: 11px; line-height: 16px; border-bottom: 1px solid #eee; }
  #evx-legend span.sw { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
  #evx-legend span.ln { display: inline-block; width: 16px; height: 3px; margin-right: 4px; vertical-align: middle; }
  #evx-caption { position: absolute; bottom: 4px; left: 8px; z-index: 5; font-size: 11px; color: #555;
                 pointer-events: none; }
</style>
"""
