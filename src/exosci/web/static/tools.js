"use strict";
/* Knowledge search, cargo enrichment, NTA batch QC, MISEV check and release fits. */
const OCTET = {"content-type": "application/octet-stream"};

/* A small SVG line/point plot (no library): series = [{name, x:[], y:[], color, points?, dash?}]. */
function svgPlot(series, {xlabel, ylabel, width = 640, height = 300, id = ""} = {}) {
  const pad = {l: 78, r: 16, t: 12, b: 40};
  const xs = series.flatMap((s) => s.x), ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  if (!xs.length || !ys.length) return "";
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(0, ...ys), y1 = Math.max(...ys) * 1.05 || 1;
  const X = (x) => pad.l + (x - x0) / ((x1 - x0) || 1) * (width - pad.l - pad.r);
  const Y = (y) => height - pad.b - (y - y0) / ((y1 - y0) || 1) * (height - pad.t - pad.b);
  let out = `<svg class="plot" ${id ? `id="${id}"` : ""} viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(ylabel)} against ${esc(xlabel)}">`;
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + (y1 - y0) * i / 4, xv = x0 + (x1 - x0) * i / 4;
    out += `<line x1="${pad.l}" x2="${width - pad.r}" y1="${Y(yv)}" y2="${Y(yv)}" stroke="#e5e9ee"/>`;
    out += `<text x="${pad.l - 6}" y="${Y(yv) + 4}" text-anchor="end">${esc(tick(yv))}</text>`;
    out += `<text x="${X(xv)}" y="${height - pad.b + 16}" text-anchor="middle">${esc(tick(xv))}</text>`;
  }
  out += `<text x="${(width + pad.l) / 2}" y="${height - 6}" text-anchor="middle">${esc(xlabel)}</text>`;
  out += `<text transform="translate(13 ${(height - pad.b) / 2}) rotate(-90)" text-anchor="middle">${esc(ylabel)}</text>`;
  for (const s of series) {
    if (s.points) out += s.x.map((x, i) => `<circle cx="${X(x)}" cy="${Y(s.y[i])}" r="3.5" fill="${s.color}"><title>${esc(s.name)}: ${num(x)}, ${num(s.y[i])}</title></circle>`).join("");
    else out += `<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dash ? 'stroke-dasharray="6 4"' : ""} points="${s.x.map((x, i) => `${X(x)},${Y(s.y[i])}`).join(" ")}"><title>${esc(s.name)}</title></polyline>`;
  }
  out += "</svg>";
  out += `<p class="muted">${series.map((s) => `<span class="legend-swatch" style="border-top-color:${s.color};${s.dash ? "border-top-style:dashed" : ""}"></span>${esc(s.name)}`).join("")}</p>`;
  return out;
}
/* An axis tick: at most 4 characters of mantissa (1.5e+8 -> "1.5e8"), plain numbers below a million. */
function tick(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(1).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}
const PALETTE = ["#1f6f8b", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207", "#475569"];

/* ---- knowledge ---- */
async function showEntity(name, box = "k-show", errBox = "k-error") {
  const d = await call("/api/kb/show?name=" + encodeURIComponent(name), {}, errBox);
  let html = `<h3>${esc(d.name)} <span class="muted">${esc(d.type.replace(/_/g, " "))}${d.curie ? " · " + esc(d.curie) : ""}</span></h3>`;
  if (d.synonyms.length) html += `<p class="muted">synonyms: ${esc(d.synonyms.join(", "))}</p>`;
  if (d.description) html += `<p>${esc(d.description)}</p>`;
  // references with first author, year and title (the cards never show bare reference numbers)
  const refs = [...new Set(d.statements.flatMap((s) => s.evidence.flatMap((e) => e.ref)))];
  const papers = [...new Set(d.statements.flatMap((s) => s.evidence.flatMap((e) => e.papers || [])))];
  let cites = new Map();
  if (refs.length || papers.length) {
    try {
      const q = new URLSearchParams([...refs.slice(0, 100).map((n) => ["ref", n]), ...papers.slice(0, 100).map((p) => ["paper", p])]);
      const c = await api("/api/kb/citations?" + q);
      cites = new Map(c.citations.map((x) => [x.ref ? "r" + x.ref : "p" + x.paper, x]));
    } catch (e) { /* the statements still show */ }
  }
  const refsOf = (e) => [...e.ref.map((n) => cites.get("r" + n) || {ref: n}), ...(e.papers || []).map((p) => cites.get("p" + p) || {paper: p})];
  html += table(d.statements, [["statement", (s) => `${esc(s.subject)} <i>${esc(predicateWords(s.predicate))}</i> ${esc(s.object)}`],
    ["evidence", (s) => s.evidence.map((e) => `<p>${esc(e.text)}<br><span class="muted">species: ${esc(e.species)} · model: ${esc(String(e.model).replace(/_/g, " "))} · ` +
      `grade: ${esc(String(e.grade).replace(/_/g, " "))}</span></p><ul class="refs">${refsOf(e).map((c) => `<li>${citation(c)}</li>`).join("")}</ul>`).join("")]],
    'class="evidence-table"');
  if (["cell_source", "exosome", "mirna", "rna", "gene", "small_molecule", "material", "delivery_system", "intervention"].includes(d.type)) {
    try {
      const prof = await api("/api/kb/profile?name=" + encodeURIComponent(d.id));
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
  $(box).innerHTML = html;
}
window.showEntity = showEntity;
$("f-kb").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const d = await call("/api/kb/search?q=" + encodeURIComponent($("k-q").value), {}, "k-error");
    $("k-out").innerHTML = table(d.hits, [["name", (h) => `<a href="#" class="hit" data-name="${esc(h.id)}">${esc(h.name)}</a>`],
      ["type", (h) => esc(h.type.replace(/_/g, " "))], ["identifier", (h) => esc(h.curie || "")]]);
    document.querySelectorAll("a.hit").forEach((a) => a.addEventListener("click", (e) => { e.preventDefault(); showEntity(a.dataset.name).catch(() => {}); }));
  } catch (e) {}
});

/* ---- cargo ---- */
let resourcesLoaded = false;
document.addEventListener("tab", async (ev) => {
  if (ev.detail !== "cargo" || resourcesLoaded) return;
  resourcesLoaded = true;
  for (const [kind, sel] of [["targets", "c-targets"], ["genesets", "c-genesets"]]) {
    try {
      const d = await api("/api/data/available?kind=" + kind);
      for (const r of d.resources) $(sel).insertAdjacentHTML("beforeend", `<option value="${esc(r.name)}">${esc(r.title)} (${esc(r.release || "")})</option>`);
    } catch (e) {}
  }
});
$("f-cargo").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const mirnas = $("c-mirnas").value.split("\n").map((x) => x.trim()).filter(Boolean);
  const body = {mirnas, species: $("c-species").value};
  if ($("c-targets").value) body.targets = [$("c-targets").value];
  if ($("c-genesets").value) body.genesets = [$("c-genesets").value];
  try {
    const d = await call("/api/cargo/enrich", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body)}, "c-error");
    const rec = d.mirnas.recognized;
    let html = `<p>recognised (${rec.length}, ${esc(d.mirnas.reference || "")}):</p>` + table(rec, [["you wrote", (m) => esc(m.input)],
      ["miRBase name", (m) => esc(m.name)], ["accession", (m) => esc(m.accession || "")], ["matched by", (m) => esc(m.how || "")]], 'id="c-recognised"');
    if (d.mirnas.unrecognized.length) html += `<p class="error">not recognised: ` +
      d.mirnas.unrecognized.map((u) => `${esc(u.name)} (closest: ${esc((u.suggestions || []).join(", ") || "none")})`).join("; ") + "</p>";
    html += table(d.results, [["gene set", (r) => esc(r.set)], ["size", (r) => r.size], ["overlap", (r) => r.overlap],
      ["fold", (r) => num(r.fold_enrichment)], ["p", (r) => num(r.pvalue)], ["q (BH)", (r) => num(r.qvalue)], ["genes", (r) => esc(r.genes.join(", "))]]);
    $("c-out").innerHTML = html;
  } catch (e) { $("c-out").innerHTML = ""; }
});

/* ---- NTA batch ---- */
const NTA_LABELS = [["sample", "sample"], ["format", "file format"],
  ["mean_nm", "mean size (nm)"], ["mode_nm", "mode (nm)"],
  ["d10_nm", "D10 (nm)"], ["d50_nm", "D50, median (nm)"], ["d90_nm", "D90 (nm)"],
  ["fraction_in_30_150_nm", "share 30–150 nm (small EV range)"], ["fraction_below_200_nm", "share below 200 nm"]];
const pct = (x) => (x === null || x === undefined) ? "—" : (100 * x).toFixed(1) + " %";
function ntaValue(k, v) {
  if (k.startsWith("fraction")) return pct(v);
  if (k.endsWith("_nm")) return v == null ? "—" : esc(Math.round(v).toString());  // whole nanometres, never 1.50e+3
  return typeof v === "number" ? num(v, 4) : esc(v ?? "—");
}
/* 1.97e+8 as "1.97 × 10⁸" (how a lab writes a particle concentration). */
function sci(v) {
  const [m, e] = Number(v).toExponential(2).split("e");
  const sup = {"-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹"};
  return `${m} × 10${[...String(Number(e))].map((c) => sup[c]).join("")}`;
}
/* The concentration and, per sample, whether and by what it was corrected for dilution. */
function ntaConcentration(d) {
  if (d.concentration_per_ml == null) return "—";
  const c = esc(sci(d.concentration_per_ml));
  if (!d.concentration_corrected_for_dilution)
    return `${c}<br><span class="status-failed">as measured: NOT corrected for dilution (the file records none; enter it above)</span>`;
  const by = d.dilution_source === "caller" ? "the dilution you entered" : (d.dilution_source === "inferred" ? "the instrument (inferred)" : "the dilution in the file");
  return `${c}<br><span class="muted">corrected for dilution ×${esc(num(d.dilution, 4))} (${by})</span>`;
}
/* Repeated instrument warnings once each, with a count, in a box that scrolls instead of growing. */
function ntaFlags(r) {
  if (r.error) return `<span class="error flag" tabindex="0">unreadable: ${esc(r.error)}</span>`;
  if (r.d.empty) return `<span class="error flag">empty run: no particles tracked</span>`;
  const counts = new Map();
  for (const w of r.d.warnings || []) { const k = w.replace(/,? video \d+/g, ""); counts.set(k, (counts.get(k) || 0) + 1); }
  const items = [...counts].map(([w, n]) => esc(w) + (n > 1 ? ` (${n} videos)` : ""));
  return items.length ? `<span class="muted flag" tabindex="0">${items.join("<br>")}</span>` : "";
}
/* The diameter range holding the particles of every series (0.5–99.5 % of each), padded. */
function sizeRange(series) {
  let lo = Infinity, hi = -Infinity;
  for (const s of series) {
    const total = s.y.reduce((a, b) => a + (b > 0 ? b : 0), 0);
    if (!(total > 0)) continue;
    let cum = 0;
    s.x.forEach((x, i) => {
      const before = cum; cum += s.y[i] > 0 ? s.y[i] : 0;
      if (before <= 0.005 * total && cum > 0.005 * total) lo = Math.min(lo, x);
      if (before < 0.995 * total && cum >= 0.995 * total) hi = Math.max(hi, x);
    });
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  const pad = 0.1 * (hi - lo);
  return [Math.max(0, lo - pad), hi + pad];
}
$("f-qc").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const files = [...$("q-file").files];
  $("q-error").textContent = ""; $("q-out").innerHTML = "";
  if (!files.length) { $("q-error").textContent = "choose one or more NTA exports first"; return; }
  const rows = [];
  for (const f of files) {
    const q = new URLSearchParams({filename: f.name}); if ($("q-dil").value) q.set("dilution", $("q-dil").value);
    try {
      rows.push({file: f.name, d: await api("/api/qc/nta?" + q, {method: "POST", headers: OCTET, body: await f.arrayBuffer()})});
    } catch (e) { rows.push({file: f.name, error: e.body ? errorText(e.body) : String(e)}); }
  }
  let html = table(rows, [["file", (r) => esc(r.file)],
    ...NTA_LABELS.slice(0, 2).map(([k, label]) => [label, (r) => r.error ? "" : ntaValue(k, r.d[k])]),
    ["particles per mL", (r) => r.error || !r.d ? "" : ntaConcentration(r.d)],
    ...NTA_LABELS.slice(2).map(([k, label]) => [label, (r) => r.error ? "" : ntaValue(k, r.d[k])]),
    ["flags", ntaFlags]], 'id="nta-table"');
  const mixed = rows.filter((r) => r.d && r.d.concentration_per_ml != null);
  if (new Set(mixed.map((r) => r.d.concentration_corrected_for_dilution)).size > 1)
    html = `<p class="status-failed">Concentrations below are on different bases: some are corrected for dilution and some are not; compare them only after entering the missing dilution.</p>` + html;
  // each file as its share of particles per bin: files on different concentration bases compare
  const series = rows.filter((r) => r.d && r.d.bins && r.d.bins.size_nm.length).map((r, i) => {
    const total = r.d.bins.concentration.reduce((a, b) => a + (b > 0 ? b : 0), 0) || 1;
    return {name: r.file, x: r.d.bins.size_nm, y: r.d.bins.concentration.map((c) => 100 * c / total), color: PALETTE[i % PALETTE.length]};
  });
  const range = sizeRange(series);
  if (series.length && range) {
    const clipped = series.map((s) => { const keep = s.x.map((x, i) => i).filter((i) => s.x[i] >= range[0] && s.x[i] <= range[1]); return {...s, x: keep.map((i) => s.x[i]), y: keep.map((i) => s.y[i])}; });
    html += `<h3>Size distribution</h3>` + svgPlot(clipped, {xlabel: "particle diameter (nm)", ylabel: "share of the file's particles per bin (%)", id: "nta-plot"});
  }
  const ok = rows.filter((r) => r.d && !r.d.empty).length;
  html = `<p>${ok} of ${rows.length} file(s) read with particles; ${rows.length - ok} flagged.</p>` + html;
  $("q-out").innerHTML = html;
});

/* ---- release ---- */
$("f-release").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = $("r-file").files[0]; if (!f) { $("r-error").textContent = "choose a release CSV first"; return; }
  const q = new URLSearchParams(); if ($("r-unit").value) q.set("time_unit", $("r-unit").value);
  try {
    const d = await call("/api/release/fit?" + q, {method: "POST", headers: OCTET, body: await f.arrayBuffer()}, "r-error");
    const best = d.models.find((m) => m.name === d.best);
    let html = `<p>best model (lowest AIC): <b>${esc(best ? best.label : d.best)}</b> <span class="muted">${esc(d.ranking)}; ${esc(d.criteria)}</span></p>`;
    html += table(d.models, [["rank", (m) => esc(m.rank ?? "—")], ["model", (m) => `${esc(m.label)}<br><span class="muted">${esc(m.formula)}</span>`],
      ["parameters (± SE)", (m) => esc(Object.entries(m.params || {}).map(([k, v]) => `${k} = ${num(v)}` +
        (m.params_se && m.params_se[k] != null ? ` ± ${num(m.params_se[k], 2)}` : "") + ` ${m.param_units && m.param_units[k] && m.param_units[k] !== "1" ? m.param_units[k] : ""}`).join("; "))],
      ["R² adjusted", (m) => num(m.r2_adj, 4)], ["AIC", (m) => num(m.aic, 4)], ["MSC", (m) => num(m.msc, 3)]], 'id="release-table"');
    if (d.observed) {
      const series = [{name: "measured (mean of replicates)", x: d.observed.t_days, y: d.observed.percent, color: "#111", points: true}];
      (d.curves || []).slice(0, 4).forEach((c, i) => series.push({name: c.label + (c.name === d.best ? " (best)" : ""), x: c.t_days, y: c.percent, color: PALETTE[i], dash: c.name !== d.best}));
      html += svgPlot(series, {xlabel: `time (${d.time_unit}s)`, ylabel: "cumulative release (% of load)", id: "release-plot"});
    }
    html += `<p class="muted">${esc(d.note)}</p>`;
    $("r-out").innerHTML = html;
  } catch (e) { $("r-out").innerHTML = ""; }
});

/* ---- MISEV preparation check ---- */
function b64(buf) {
  const bytes = new Uint8Array(buf); let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
$("f-prep").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const numOr = (id) => $(id).value === "" ? undefined : Number($(id).value);
  const settings = {};
  for (const kv of $("p-settings").value.split(";")) { const [k, v] = kv.split("="); if (k && v) settings[k.trim()] = v.trim(); }
  const prep = {
    name: $("p-name").value,
    source: {material: $("p-material").value, cell_source: $("p-cells").value,
      amount: {value: Number($("p-amount").value), unit: $("p-amount-unit").value}, culture: $("p-culture").value},
    separation: {method: list($("p-sep").value), settings},
    particles: {method: $("p-pmethod").value, per_ml: numOr("p-perml")},
    protein: {method: $("p-prot").value, ug_per_ml: numOr("p-protconc")},
    markers: {method: $("p-mmethod").value, detected: list($("p-pos").value), not_detected: list($("p-neg").value)},
    imaging: $("p-em").value ? [{method: $("p-em").value}] : [],
    storage: {temperature_c: numOr("p-temp"), freeze_thaw_cycles: numOr("p-ft")},
    claims: {term: $("p-term").value},
  };
  const f = $("p-nta").files[0];
  if (f) prep.particles.nta_export = {filename: f.name, content: b64(await f.arrayBuffer()), encoding: "base64"};
  try {
    const d = await call("/api/qc/check", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify(prep)}, "p-error");
    const counts = {};
    d.requirements.forEach((r) => { counts[r.status] = (counts[r.status] || 0) + 1; });
    let html = `<p><b>${esc(d.prep)}</b>: ` + Object.entries(counts).map(([k, v]) => `${v} ${esc(k.replace(/_/g, " "))}`).join(", ") + "</p>";
    html += table(d.requirements, [["requirement", (r) => esc(r.text)], ["guidelines", (r) => esc(r.guidelines.join(", "))],
      ["status", (r) => `<span class="${r.status === "met" ? "status-done" : (r.status === "not_met" || r.status === "missing" ? "status-failed" : "status-running")}">${esc(r.status.replace(/_/g, " "))}</span>`],
      ["detail", (r) => esc(r.detail || "")]], 'id="prep-table"');
    $("p-out").innerHTML = html;
  } catch (e) { $("p-out").innerHTML = ""; }
});
