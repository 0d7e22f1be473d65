"use strict";
/* Evidence explorer: explain paths and an entity's neighbourhood as a network (Cytoscape.js,
   bundled under /static/vendor). Node -> entity card; edge -> its evidence. */
let cy = null;
const SIGN_STYLE = {"1": {color: "#1f6f8b", style: "solid"}, "-1": {color: "#c2410c", style: "dashed"}};

function graph(elements, legend) {
  $("x-legend").innerHTML = legend;
  if (typeof cytoscape !== "function") { $("x-error").textContent = "the network view could not load"; return; }
  if (cy) cy.destroy();
  cy = cytoscape({
    container: $("graph"), elements, wheelSensitivity: 0.3,
    style: [
      {selector: "node", style: {"label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 120,
        "background-color": "#8fb8c9", "width": 18, "height": 18, "text-valign": "bottom", "color": "#1d2733"}},
      {selector: "node.end", style: {"background-color": "#12394a", "width": 26, "height": 26, "font-weight": "bold"}},
      {selector: "edge", style: {"width": 2, "curve-style": "bezier", "target-arrow-shape": "triangle",
        "line-color": "data(color)", "target-arrow-color": "data(color)", "line-style": "data(style)",
        "label": "data(label)", "font-size": 10, "text-rotation": "autorotate", "color": "#3d4852",
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1}},
      {selector: "edge.inhibits", style: {"target-arrow-shape": "tee"}},
      {selector: ":selected", style: {"overlay-opacity": 0.15, "overlay-color": "#f2b632"}},
    ],
  });
  // Roots as a collection, not "#id" selectors: entity ids contain colons (exo:bmsc), which
  // are invalid in a CSS id selector, and Cytoscape then lays every node out on one line.
  const roots = cy.nodes(".root");
  cy.layout({name: "breadthfirst", directed: true, spacingFactor: 1.1, avoidOverlap: true, nodeDimensionsIncludeLabels: true,
    roots: roots.nonempty() ? roots : undefined}).run();
  window.exosciGraph = cy;  // for scripting and tests
  cy.on("tap", "node", (ev) => showEntity(ev.target.data("name"), "x-card", "x-error").catch(() => {}));
  cy.on("tap", "edge", (ev) => edgeCard(ev.target.data()));
  graphList(elements);
}

/* Statements in words, each line of evidence with species, model, grade and its references. */
function statementList(sts) {
  return `<ol class="evidence">` + sts.map((s) => s.evidence.map((e) =>
    `<li><p>${esc(e.text)}</p><p class="muted">${esc(s.subject)} ${esc(s.predicate)} ${esc(s.object)} · species: ${esc(e.species)} · ` +
    `model: ${esc(e.model)} · grade: ${esc(e.grade)}${e.route ? " · route: " + esc(e.route) : ""}</p>` +
    `<ul class="refs">${e.references.map((c) => `<li>${citation(c)}</li>`).join("")}</ul></li>`).join("")).join("") + "</ol>";
}
async function edgeCard(d) {
  const head = `<div class="card" id="edge-card" tabindex="-1"><h3>${esc(d.sourceName)} <i>${esc(d.label)}</i> ${esc(d.targetName)}</h3>` +
    `<p class="muted">${d.sign > 0 ? "increases (+)" : (d.sign < 0 ? "decreases (−)" : "no direction")}${d.pathSigns ? " · on paths that " + esc(d.pathSigns) : ""}</p>`;
  $("x-card").innerHTML = head + `<p class="muted">loading the evidence…</p></div>`;
  try {
    const r = await call("/api/kb/statements?" + new URLSearchParams(d.statements.map((i) => ["id", i])), {}, "x-error");
    $("x-card").innerHTML = head + `<h4>Supporting evidence (${r.statements.reduce((n, s) => n + s.evidence.length, 0)})</h4>` + statementList(r.statements) + "</div>";
  } catch (e) { $("x-card").innerHTML = head + "</div>"; }
}
window.edgeCard = edgeCard;

/* The network as a list (the same nodes, edges and cards, reachable by keyboard and screen reader). */
function graphList(elements) {
  const nodes = elements.filter((e) => !e.data.source), edges = elements.filter((e) => e.data.source);
  const name = new Map(nodes.map((n) => [n.data.id, n.data.label]));
  $("x-list").innerHTML = `<h3>The network as a list</h3><p class="muted">${nodes.length} entities, ${edges.length} links; ` +
    `each opens the same card as a click on the picture.</p><h4>Links</h4><ul>` + edges.map((e) =>
      `<li><button type="button" class="linkish" data-edge="${esc(e.data.id)}">${esc(name.get(e.data.source))} <i>${esc(e.data.label)}</i> ` +
      `${esc(name.get(e.data.target))}</button> <span class="muted">(${e.data.statements.length} statement${e.data.statements.length === 1 ? "" : "s"})</span></li>`).join("") +
    `</ul><h4>Entities</h4><ul class="inline">` + nodes.map((n) => `<li><button type="button" class="linkish" data-node="${esc(n.data.name)}">${esc(n.data.label)}</button></li>`).join("") + "</ul>";
  const byId = new Map(edges.map((e) => [e.data.id, e.data]));
  $("x-list").querySelectorAll("button[data-edge]").forEach((b) => b.addEventListener("click", () => edgeCard(byId.get(b.dataset.edge)).then(() => $("edge-card") && $("edge-card").focus())));
  $("x-list").querySelectorAll("button[data-node]").forEach((b) => b.addEventListener("click", () => showEntity(b.dataset.node, "x-card", "x-error").catch(() => {})));
}

function explainElements(d) {
  const nodes = new Map(), edges = new Map();
  d.paths.forEach((p, pi) => {
    p.ids.forEach((id, i) => nodes.set(id, {data: {id, label: p.nodes[i], name: id}, classes: id === d.subject_id ? "end root" : (id === d.object_id ? "end" : "")}));
    p.edges.forEach((e, i) => {
      const key = `${p.ids[i]}|${p.ids[i + 1]}|${e.predicate}|${p.sign}`;
      const old = edges.get(key);
      if (old) { old.data.paths.push(pi + 1); return; }
      const st = SIGN_STYLE[String(p.sign)] || SIGN_STYLE["1"];
      edges.set(key, {data: {id: "e" + edges.size, source: p.ids[i], target: p.ids[i + 1], label: predicateWords(e.predicate),
        sign: e.sign, color: st.color, style: st.style, sourceName: e.source, targetName: e.target, paths: [pi + 1],
        pathSigns: p.sign > 0 ? `increase ${d.object}` : `decrease ${d.object}`, statements: e.statements || []},
        classes: e.sign < 0 ? "inhibits" : ""});
    });
  });
  return [...nodes.values(), ...edges.values()];
}

$("f-explain").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("x-card").innerHTML = "";
  const q = new URLSearchParams({subject: $("x-subject").value, object: $("x-object").value, max_length: $("x-max").value});
  try {
    const d = await call("/api/explain?" + q, {}, "x-error");
    let html = `<p><b>${esc(RESULT_WORDS[d.result] || d.result)}</b> — ${esc(d.subject)} → ${esc(d.object)}${d.message ? ": " + esc(d.message) : ""}</p>`;
    if (d.suggestions && d.suggestions.length) html += `<p class="muted">closest known: ${esc(d.suggestions.join(", "))}</p>`;
    html += (d.paths || []).map((p, i) => `<p class="path">${i + 1}. [${p.sign > 0 ? "+" : "−"}] ` +
      p.edges.map((e) => `${esc(e.source)} <i>${esc(predicateWords(e.predicate))}</i> ${esc(e.target)}` +
        (e.refs.length ? ` <span class="muted">(review ref. ${esc(e.refs.join(", "))})</span>` : "")).join(" ; ") +
      ` <span class="muted">score ${num(p.score)}</span></p>`).join("");
    $("x-out").innerHTML = html;
    if (d.paths && d.paths.length) {
      const signs = new Set(d.paths.map((p) => p.sign));
      graph(explainElements(d), `${d.paths.length} path(s). <span class="legend-swatch" style="border-top-color:#1f6f8b"></span>paths that increase the object` +
        `<span class="legend-swatch" style="border-top-color:#c2410c;border-top-style:dashed"></span>paths that decrease it` +
        (signs.size > 1 ? " — <b>opposing paths present</b>" : "") + ". Click a node for its card, an edge for its evidence.");
    } else if (cy) { cy.destroy(); cy = null; $("x-legend").textContent = ""; $("x-list").innerHTML = ""; }
  } catch (e) { $("x-out").innerHTML = ""; }
});

$("x-hood").addEventListener("click", async () => {
  $("x-out").innerHTML = ""; $("x-card").innerHTML = "";
  try {
    const d = await call("/api/kb/show?name=" + encodeURIComponent($("x-subject").value), {}, "x-error");
    const nodes = new Map([[d.name, {data: {id: "n0", label: d.name, name: d.id}, classes: "end root"}]]);
    const edges = [];
    const nid = (name) => { if (!nodes.has(name)) nodes.set(name, {data: {id: "n" + nodes.size, label: name, name}}); return nodes.get(name).data.id; };
    d.statements.slice(0, 80).forEach((s, i) => {
      const st = SIGN_STYLE[String(s.sign < 0 ? -1 : 1)];
      edges.push({data: {id: "s" + i, source: nid(s.subject), target: nid(s.object), label: predicateWords(s.predicate), sign: s.sign,
        color: st.color, style: st.style, sourceName: s.subject, targetName: s.object, statements: [s.id]}, classes: s.sign < 0 ? "inhibits" : ""});
    });
    graph([...nodes.values(), ...edges], `Neighbourhood of <b>${esc(d.name)}</b>: ${edges.length} statement(s)` +
      (d.statements.length > 80 ? ` (first 80 of ${d.statements.length})` : "") + `. <span class="legend-swatch" style="border-top-color:#1f6f8b"></span>increases` +
      `<span class="legend-swatch" style="border-top-color:#c2410c;border-top-style:dashed"></span>decreases.`);
  } catch (e) {}
});
autocomplete($("x-subject"), $("dl-x"), "");
autocomplete($("x-object"), $("dl-x"), "");
