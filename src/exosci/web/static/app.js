"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c]));
const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);

async function call(url, opts, errBox) {
  $(errBox).textContent = "";
  const res = await fetch(url, opts);
  const ct = res.headers.get("content-type") || "";
  const body = ct.includes("json") ? await res.json() : await res.text();
  if (!res.ok) {
    let msg = body.error || (body.detail ? JSON.stringify(body.detail) : body);
    if (body.suggestions && body.suggestions.length) msg += "\nDid you mean: " + body.suggestions.join(", ");
    $(errBox).textContent = msg;
    throw new Error(msg);
  }
  return body;
}
function table(rows, cols) {
  return "<table><tr>" + cols.map((c) => `<th>${esc(c[0])}</th>`).join("") + "</tr>" +
    rows.map((r) => "<tr>" + cols.map((c) => `<td>${c[1](r)}</td>`).join("") + "</tr>").join("") +
    "</table>";
}
const num = (x, d = 3) => (x === null || x === undefined) ? "—" : Number(x).toPrecision(d);

document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => {
  document.querySelectorAll("nav button").forEach((o) => o.setAttribute("aria-selected", o === b));
  document.querySelectorAll("main section").forEach((s) => s.hidden = s.id !== "tab-" + b.dataset.tab);
}));

fetch("/api/health").then((r) => r.json()).then((d) => {
  $("status").textContent = `v${d.version} · knowledge data ${d.data_hash} · offline`;
});

$("f-evaluate").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const btn = ev.submitter; btn.disabled = true; btn.textContent = "Evaluating…";
  const src = $("e-source").value.trim();
  const spec = {
    name: $("e-name").value, species: $("e-species").value,
    injury: {model: "contusion", level: "T10", severity: $("e-severity").value},
    exosome: src ? {source: src, preconditioning: list($("e-pre").value),
      engineering: list($("e-eng").value), cargo: list($("e-cargo").value),
      co_therapies: list($("e-co").value)} : null,
    carrier: $("e-carrier").value.trim() || "none", route: $("e-route").value,
    dose: {amount: Number($("e-dose").value), unit: "ug"},
    timing: {start_hours_post_injury: Number($("e-start").value), doses: Number($("e-doses").value),
             interval_days: Number($("e-interval").value)},
    horizon_days: Number($("e-horizon").value),
  };
  try {
    const html = await call(`/api/evaluate/report?samples=${$("e-samples").value}`,
      {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(spec)}, "e-error");
    $("e-report").hidden = false; $("e-report").srcdoc = html;
  } catch (e) { /* shown in the error box */ }
  finally { btn.disabled = false; btn.textContent = "Evaluate"; }
});

$("f-explain").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const q = new URLSearchParams({subject: $("x-subject").value, object: $("x-object").value, max_length: $("x-max").value});
  try {
    const d = await call("/api/explain?" + q, {}, "x-error");
    let html = `<p><b>${esc(d.result)}</b> — ${esc(d.subject)} → ${esc(d.object)}</p>`;
    html += (d.paths || []).map((p, i) => `<p class="path">${i + 1}. [${p.sign > 0 ? "+" : "−"}] ` +
      p.edges.map((e) => `${esc(e.source)} <i>${esc(e.predicate)}</i> ${esc(e.target)} (refs ${e.refs.join(", ")})`).join(" ; ") +
      ` <span class="muted">score ${num(p.score)}</span></p>`).join("");
    $("x-out").innerHTML = html;
  } catch (e) {}
});

async function showEntity(name) {
  const d = await call("/api/kb/show?name=" + encodeURIComponent(name), {}, "k-error");
  let html = `<h3>${esc(d.name)} <span class="muted">${esc(d.type)} · ${esc(d.id)} · ${esc(d.curie || "")}</span></h3>`;
  if (d.synonyms.length) html += `<p class="muted">synonyms: ${esc(d.synonyms.join(", "))}</p>`;
  if (d.description) html += `<p>${esc(d.description)}</p>`;
  html += table(d.statements, [["subject", (s) => esc(s.subject)], ["predicate", (s) => esc(s.predicate)],
    ["object", (s) => esc(s.object)], ["refs", (s) => esc([...new Set(s.evidence.flatMap((e) => e.ref))].join(", "))],
    ["evidence", (s) => esc(s.evidence.map((e) => `${e.species}, ${e.model}` +
      (e.grade && e.grade !== "experimental" ? ` [${e.grade.replace("_", " ")}]` : "") + `: ${e.text}`).join(" | "))]]);
  if (["cell_source", "exosome", "mirna", "rna", "gene", "small_molecule", "material", "delivery_system", "intervention"].includes(d.type)) {
    try {
      const prof = await call("/api/kb/profile?name=" + encodeURIComponent(d.id), {}, "k-error");
      html += `<h4>Mechanism profile (Table 2 axes)</h4>` + table(Object.entries(prof.axes), [
        ["mechanism", ([a]) => esc(a.replace(/_/g, " "))],
        ["score", ([, v]) => `<meter min="0" max="1" value="${v.score}"></meter> ${num(v.score, 2)}`],
        ["studies (+/−)", ([, v]) => `${v.n_support}/${v.n_oppose}`],
        ["confidence", ([, v]) => esc(v.confidence)],
        ["best for (↑) / against (↓)", ([, v]) => [["↑", v.best_supporting], ["↓", v.best_opposing]]
          .filter(([, e]) => e).map(([m, e]) => `${m} ` + esc(e.path.join(" → ")) +
            ` <span class="muted">(studies ${esc(e.studies.join(", "))}${e.gathered ? "; for " + esc(e.observed_for_name) : ""})</span>`)
          .join("<br>") || "—"]]);
    } catch (e) { /* profile is optional */ }
  }
  $("k-show").innerHTML = html;
}
$("f-kb").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const d = await call("/api/kb/search?q=" + encodeURIComponent($("k-q").value), {}, "k-error");
    $("k-out").innerHTML = table(d.hits, [["name", (h) => `<a class="hit" data-name="${esc(h.id)}">${esc(h.name)}</a>`],
      ["type", (h) => esc(h.type)], ["id", (h) => esc(h.id)], ["identifier", (h) => esc(h.curie || "")]]);
    document.querySelectorAll("a.hit").forEach((a) => a.addEventListener("click", () => showEntity(a.dataset.name).catch(() => {})));
  } catch (e) {}
});

$("f-cargo").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const mirnas = $("c-mirnas").value.split("\n").map((x) => x.trim()).filter(Boolean);
  try {
    const d = await call("/api/cargo/enrich", {method: "POST", headers: {"content-type": "application/json"},
      body: JSON.stringify({mirnas, species: $("c-species").value})}, "c-error");
    let html = `<p>recognised: ${esc(d.mirnas.recognized.join(", "))}</p>`;
    if (d.mirnas.unrecognized.length) html += `<p class="error">not recognised: ` +
      d.mirnas.unrecognized.map((u) => `${esc(u.name)} (closest: ${esc(u.suggestions.join(", "))})`).join("; ") + "</p>";
    html += table(d.results, [["gene set", (r) => esc(r.set)], ["size", (r) => r.size], ["overlap", (r) => r.overlap],
      ["p", (r) => num(r.pvalue)], ["q (BH)", (r) => num(r.qvalue)], ["genes", (r) => esc(r.genes.join(", "))]]);
    $("c-out").innerHTML = html;
  } catch (e) {}
});

$("f-qc").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = $("q-file").files[0]; if (!f) { $("q-error").textContent = "choose an NTA export first"; return; }
  const q = new URLSearchParams({filename: f.name}); if ($("q-dil").value) q.set("dilution", $("q-dil").value);
  try {
    const d = await call("/api/qc/nta?" + q, {method: "POST", headers: {"content-type": "application/octet-stream"}, body: await f.arrayBuffer()}, "q-error");
    const keys = ["format", "sample", "dilution", "concentration_per_ml", "mean_nm", "mode_nm", "d10_nm", "d50_nm", "d90_nm", "fraction_in_30_150_nm"];
    $("q-out").innerHTML = table(keys.map((k) => [k, d[k]]), [["field", (r) => esc(r[0])], ["value", (r) => esc(typeof r[1] === "number" ? num(r[1], 4) : r[1])]]);
  } catch (e) {}
});

$("f-release").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = $("r-file").files[0]; if (!f) { $("r-error").textContent = "choose a release CSV first"; return; }
  const q = new URLSearchParams(); if ($("r-unit").value) q.set("time_unit", $("r-unit").value);
  try {
    const d = await call("/api/release/fit?" + q, {method: "POST", headers: {"content-type": "application/octet-stream"}, body: await f.arrayBuffer()}, "r-error");
    $("r-out").innerHTML = `<p>best model (lowest AIC): <b>${esc(d.best)}</b></p>` + table(d.models, [["model", (m) => esc(m.name)],
      ["parameters", (m) => esc(Object.entries(m.params || {}).map(([k, v]) => `${k}=${num(v)}`).join(", "))],
      ["R² adj", (m) => num(m.r2_adj, 4)], ["AIC", (m) => num(m.aic, 4)], ["MSC", (m) => num(m.msc, 3)]]);
  } catch (e) {}
});
