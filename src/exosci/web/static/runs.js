"use strict";
/* Saved runs: progress (polled), cancel, the report in a sandboxed frame, downloads, list, compare. */
const ACTIVE = new Set(["queued", "running"]);
const STAGES = {ensemble: "simulating virtual subjects", alternatives: "ranking alternative designs",
  report: "drawing the report", candidates: "simulating candidate designs", generations: "searching (NSGA-II generations)", compare: "simulating both designs on the same subjects", "": "waiting for a worker"};
let pollToken = 0;

function when(t) { return new Date(t * 1000).toLocaleString(); }

function runHeader(r) {
  return `<p><b>${esc(r.name)}</b> <span class="muted">· ${esc(r.kind)} · run <a href="/run/${esc(r.id)}">${esc(r.id)}</a> · ` +
    `${esc(r.params.samples)} subjects · seed ${esc(r.seed)} · exosci ${esc(r.version)} · data ${esc(r.data_hash)} · ${esc(when(r.created))}</span></p>`;
}

/* Poll a run's status; while the server is unreachable, retry with a growing wait and say so. */
async function pollStatus(id, box, token) {
  let wait = 1000;
  for (let attempt = 1; ; attempt++) {
    try { return await api(`/api/runs/${id}/status`); } catch (e) {
      if (e.body && e.status && e.status < 500 && e.status !== 429) throw e;  // the run is gone: say it once
      if (token !== pollToken || !box.isConnected) return null;
      const note = box.querySelector(".poll-note");
      if (note) note.textContent = `The server is not answering (${e.body ? errorText(e.body) : "no connection"}); ` +
        `retrying in ${Math.round(wait / 1000)} s (attempt ${attempt}). The run goes on on the server.`;
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 30000);
    }
  }
}

/* External links of the embedded report open in a new tab; the report stays. */
function keepReport(frame) {
  const doc = frame.contentDocument;
  if (!doc) return;
  doc.querySelectorAll("a[href^='http']").forEach((a) => { a.target = "_blank"; a.rel = "noopener noreferrer"; });
  // the frame takes its content's height: one scroll bar (the page's), not two
  // (a report wider than a phone keeps its horizontal scroll bar: room for it below)
  const el = doc.documentElement, bar = el.scrollWidth > el.clientWidth + 1 ? 20 : 4;
  frame.style.height = (el.scrollHeight + bar) + "px";
}

async function showRun(id, box, {scroll = true} = {}) {
  const token = ++pollToken;
  box.innerHTML = `<div class="progress" aria-live="polite"><span id="run-stage">starting…</span>` +
    `<progress id="run-progress" max="1" value="0" aria-label="run progress"></progress><button class="alt" type="button" id="run-cancel">Cancel</button></div>` +
    `<p class="muted poll-note" role="status"></p><div id="run-body"></div>`;
  if (scroll) box.scrollIntoView({block: "start", behavior: "instant"});
  box.querySelector("#run-cancel").addEventListener("click", () => api(`/api/runs/${id}/cancel`, {method: "POST"}).catch(() => {}));
  for (;;) {
    if (token !== pollToken || !box.isConnected) return;  // another run is shown now
    let s;
    try { s = await pollStatus(id, box, token); } catch (e) { box.innerHTML = `<p class="error">${esc(e.body ? errorText(e.body) : e)}</p>`; return; }
    if (s === null || token !== pollToken) return;
    const stageBox = box.querySelector("#run-stage"), bar = box.querySelector("#run-progress"), note = box.querySelector(".poll-note");
    if (!stageBox || !bar) return;  // the view was replaced
    if (note) note.textContent = "";
    if (!ACTIVE.has(s.status)) break;
    const stage = STAGES[s.stage] ?? s.stage;
    stageBox.textContent = `${s.status}: ${stage}` + (s.total ? ` (${s.done}/${s.total})` : "");
    if (s.total) { bar.max = s.total; bar.value = s.done; } else bar.removeAttribute("value");
    await new Promise((r) => setTimeout(r, 600));
  }
  let r;
  try { r = await api(`/api/runs/${id}`); } catch (e) { box.innerHTML = `<p class="error">${esc(e.body ? errorText(e.body) : e)}</p>`; return; }
  if (token !== pollToken || !box.isConnected) return;
  box.innerHTML = runHeader(r) + `<p class="status-${esc(r.status)}" id="run-status">${esc(r.status)}${r.error ? ": " + esc(r.error) : ""}</p><div id="run-body"></div>`;
  if (r.status !== "done") return;
  const body = box.querySelector("#run-body");
  const links = [`<a href="/api/runs/${id}/result.json" download>result (JSON)</a>`].concat(
    r.files.map((f) => `<a href="/api/runs/${id}/files/${encodeURIComponent(f.name)}?download=true" download>${esc(f.name)}</a>`));
  body.innerHTML = `<p class="downloads">Download: ${links.join(" ")}</p>`;
  if (r.kind === "evaluate") {
    const html = await api(`/api/runs/${id}/files/report.html`);
    const frame = document.createElement("iframe");
    frame.id = "e-report"; frame.title = "evaluation report";
    // same origin (so the page can size the frame and route its links), never scripts
    frame.setAttribute("sandbox", "allow-same-origin allow-popups allow-popups-to-escape-sandbox");
    frame.referrerPolicy = "no-referrer";
    frame.addEventListener("load", () => keepReport(frame));
    frame.srcdoc = html; body.appendChild(frame);
  } else if (r.kind === "simulate") {
    body.insertAdjacentHTML("beforeend", simulateView(r.result));
  } else if (r.kind === "design") {
    body.appendChild(window.designView(id, r.result));
  } else {
    const own = await Promise.all(((r.params && r.params.runs) || []).map((rid) => api(`/api/runs/${rid}`).catch(() => null)));
    if (token !== pollToken || !box.isConnected) return;
    body.insertAdjacentHTML("beforeend", compareView(id, r.result, own));
  }
}
window.addEventListener("resize", () => { const f = $("e-report"); if (f) keepReport(f); });

/* Model outputs in words with their units (the units of exosci.model.simulate.OUTPUTS). */
const OUTPUT_WORDS = {score: ["locomotor score", "points"], neutrophils: ["neutrophils in the lesion", "normalised"],
  cytokines: ["pro-inflammatory cytokines", "normalised"], m1: ["M1 (pro-inflammatory) macrophages", "normalised"],
  m2: ["M2 (pro-repair) macrophages", "normalised"], barrier: ["blood–spinal cord barrier integrity", "integrity 0-1"],
  vessels: ["perfused vessels", "fraction of uninjured"], neurons: ["surviving neurons", "surviving at-risk tissue 0-1"],
  apoptosis_loss: ["tissue lost to apoptosis", "fraction"], ferroptosis_loss: ["tissue lost to ferroptosis", "fraction"],
  scar: ["glial scar", "normalised"], axons: ["regrowing axons", "fraction of regrowable pool"], function: ["function", "fraction"],
  plasma: ["vesicles in plasma", "ug"], csf: ["vesicles in cerebrospinal fluid", "ug"], lesion_free: ["free vesicles in the lesion", "ug"],
  lesion_cargo: ["cargo taken up in the lesion", "ug-eq"], exposure: ["lesion exposure (Emax response)", "0-1"],
  lesion_auc: ["lesion exposure over time (area under the curve)", "ug*day"]};
const outputName = (k, scoreName) => {
  const [name, unit] = OUTPUT_WORDS[k] || [k.replace(/_/g, " "), ""];
  return k === "score" && scoreName ? `${scoreName} locomotor score (points)` : `${name}${unit ? " (" + unit.replace("ug", "µg") + ")" : ""}`;
};

function simulateView(d) {
  const days = d.days || [], last = days.length - 1;
  const outs = Object.keys(d.treated || {});
  const at = (blk, k) => blk && blk[k] ? blk[k] : null;
  let html = `<p class="muted">${esc(d.label)} · ${esc(d.band_label || "")}</p>`;
  html += table(outs, [["output", (k) => esc(outputName(k, d.score_name))],
    [`treated, day ${esc(days[last])} (median)`, (k) => num(at(d.treated, k).median[last])],
    ["control (median)", (k) => num(at(d.control, k).median[last])],
    ["treated − control (median, 5–95 %)", (k) => { const x = at(d.difference, k); return x ? `${num(x.median[last])} (${num(x.p05[last])} – ${num(x.p95[last])})` : "—"; }]], 'id="simulate-table"');
  if (d.treated && d.treated.score) {
    html += svgPlot([{name: "treated (median)", x: days, y: d.treated.score.median, color: "#1f6f8b"},
      {name: "treated 5 %", x: days, y: d.treated.score.p05, color: "#8fb8c9", dash: true},
      {name: "treated 95 %", x: days, y: d.treated.score.p95, color: "#8fb8c9", dash: true},
      {name: "control (median)", x: days, y: d.control.score.median, color: "#c2410c"}],
      {xlabel: "days after injury", ylabel: `${d.score_name} score (model prediction)`, id: "simulate-plot"});
  }
  html += (d.assumptions || []).length ? `<details><summary>assumptions</summary><ul>${d.assumptions.map((a) => `<li>${esc(a)}</li>`).join("")}</ul></details>` : "";
  return html;
}

/* A saved run's own final-day numbers (what its report shows): treated, control, gain. */
function ownFinals(r) {
  const x = r && r.result;
  if (!x) return null;
  if (x.prediction) return {treated: x.prediction.treated_final.median, control: x.prediction.control_final.median, gain: x.prediction.gain};
  if (x.treated && x.treated.score) {
    const last = x.days.length - 1, dif = x.difference && x.difference.score;
    return {treated: x.treated.score.median[last], control: x.control.score.median[last],
      gain: dif ? {median: dif.median[last], p05: dif.p05[last], p95: dif.p95[last]} : null};
  }
  return null;
}

function compareView(id, d, own = []) {
  let html = `<p class="muted">${esc(d.label)}</p>`;
  html += (d.warnings || []).map((w) => `<p class="error">${esc(w)}</p>`).join("");
  // each design's own numbers are those of its saved run (its report); the paired differences
  // below come from both designs simulated again on the same virtual subjects
  const mine = (i) => ownFinals(own[i]);
  const rows = d.designs.map((r, i) => ({...r, own: mine(i)}));
  html += table(rows, [["design", (r) => esc(r.name)], ["species", (r) => esc(r.species)],
    ["score", (r) => esc(r.score_name)], ["treated (median)", (r) => num(r.own ? r.own.treated : r.treated_final)],
    ["control (median)", (r) => num(r.own ? r.own.control : r.control_final)],
    ["gain (median, 5–95 %)", (r) => { const g = r.own && r.own.gain ? r.own.gain : r.gain; return `${num(g.median)} (${num(g.p05)} – ${num(g.p95)})`; }],
    ["evidence statements", (r) => esc(r.evidence_statements)]], 'id="compare-designs"');
  html += `<p class="muted">Treated, control and gain are each run's own results (as in its report).</p>`;
  html += "<h3>Paired differences (A − B, same virtual subjects)</h3>" + table(d.differences, [["A", (x) => esc(x.a)], ["B", (x) => esc(x.b)],
    ["A − B (median, 5–95 %)", (x) => x.delta ? `${num(x.delta.median)} (${num(x.delta.p05)} – ${num(x.delta.p95)}) ${esc(x.score_name)}` : esc(x.skipped)],
    ["verdict", (x) => esc(x.verdict || "not computed")]]);
  html += `<p class="muted">${esc(d.method)}</p><img alt="recovery curves of the compared designs, one panel per species" src="/api/runs/${esc(id)}/files/compare.png" style="max-width:100%">`;
  return html;
}

let runsTimer = null;
async function loadRuns() {
  clearTimeout(runsTimer);
  const q = $("r-q").value.trim(), kind = $("r-kind").value, status = $("r-status").value;
  const keep = new Set(picked());
  let d;
  try { d = await call("/api/runs?" + new URLSearchParams({q}), {}, "runs-error"); } catch (e) { return; }
  const runs = d.runs.filter((r) => (!kind || r.kind === kind) && (!status || (status === "active" ? ACTIVE.has(r.status) : r.status === status)));
  $("runs-list").innerHTML = runs.length ? table(runs, [
    ["", (r) => r.kind === "compare" ? "" : `<input type="checkbox" class="run-pick" value="${esc(r.id)}" aria-label="select ${esc(r.name)}"${keep.has(r.id) ? " checked" : ""}>`],
    ["name", (r) => `<a href="/run/${esc(r.id)}" class="run-link" data-id="${esc(r.id)}">${esc(r.name)}</a>`], ["kind", (r) => esc(r.kind)],
    ["status", (r) => `<span class="status-${esc(r.status)}">${esc(r.status)}</span>`],
    ["subjects · seed", (r) => `${esc(r.params.samples)} · ${esc(r.seed)}`], ["exosci · data", (r) => `${esc(r.version)} · ${esc(r.data_hash)}`],
    ["created", (r) => esc(when(r.created))],
    ["", (r) => `<span class="nowrap"><button type="button" class="linkish run-rename" data-id="${esc(r.id)}" data-name="${esc(r.name)}" aria-label="rename ${esc(r.name)}">Rename</button> ` +
      `<button type="button" class="linkish run-delete" data-id="${esc(r.id)}" aria-label="delete ${esc(r.name)}">Delete</button></span>`]],
    'id="runs-table"') : `<p class="muted">no saved runs${q || kind || status ? " match" : " yet"}.</p>`;
  document.querySelectorAll(".run-pick").forEach((c) => c.addEventListener("change", pickChanged));
  document.querySelectorAll(".run-rename").forEach((b) => b.addEventListener("click", () => renameRow(b)));
  document.querySelectorAll(".run-delete").forEach((b) => b.addEventListener("click", () => deleteRun(b)));
  pickChanged();
  // the list refreshes while runs are queued or running and the tab is open
  if (d.runs.some((r) => ACTIVE.has(r.status))) runsTimer = setTimeout(() => { if (!$("tab-runs").hidden && !document.querySelector(".rename-box")) loadRuns(); }, 3000);
}
function renameRow(b) {
  const cell = b.closest("tr").querySelector(".run-link").parentElement;
  cell.innerHTML = `<span class="rename-box row"><input aria-label="new name" value="${esc(b.dataset.name)}" maxlength="200">` +
    `<button type="button" class="alt">Save</button></span>`;
  const input = cell.querySelector("input");
  const save = async () => {
    try {
      await call(`/api/runs/${b.dataset.id}`, {method: "PATCH", headers: JSON_HEADERS, body: JSON.stringify({name: input.value})}, "runs-error");
      cell.innerHTML = ""; loadRuns();
    } catch (e) { input.focus(); }
  };
  cell.querySelector("button").addEventListener("click", save);
  input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); save(); } if (ev.key === "Escape") loadRuns(); });
  input.focus(); input.select();
}
async function deleteRun(b) {
  if (b.dataset.armed !== "1") { b.dataset.armed = "1"; b.textContent = "Delete run and its files?"; return; }
  try { await call(`/api/runs/${b.dataset.id}`, {method: "DELETE"}, "runs-error"); } catch (e) { return; }
  loadRuns();
}
function picked() { return [...document.querySelectorAll(".run-pick:checked")].map((c) => c.value); }
function pickChanged() { $("runs-compare").disabled = picked().length !== 2; }

$("f-runs").addEventListener("submit", (ev) => { ev.preventDefault(); loadRuns(); });
$("r-kind").addEventListener("change", loadRuns);
$("r-status").addEventListener("change", loadRuns);
$("runs-compare").addEventListener("click", async () => {
  const runs = picked();
  try {
    // the runs' own subjects and seed, so the comparison's numbers are those of the two reports
    const rows = await Promise.all(runs.map((id) => api(`/api/runs/${id}/status`)));
    const samples = rows[0].params.samples, seed = rows[0].params.seed;
    if (rows.some((r) => r.params.samples !== samples || r.params.seed !== seed)) {
      $("runs-error").textContent = "These runs used different virtual subjects (" + rows.map((r) => `${r.params.samples} subjects, seed ${r.params.seed}`).join(" vs ") +
        "): a paired comparison needs the same subjects; re-run one of them with the other's subjects and seed.";
      return;
    }
    const r = await call("/api/runs", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify({kind: "compare", runs, samples, seed})}, "runs-error");
    history.pushState({run: r.id}, "", r.url);
    showRun(r.id, $("compare-view"));
  } catch (e) {}
});
document.addEventListener("tab", (ev) => { if (ev.detail === "runs") loadRuns(); });

/* Saved designs: listed, searchable, loaded into the builder. */
async function loadDesigns() {
  let d;
  try { d = await call("/api/designs?" + new URLSearchParams({q: $("d-q").value.trim()}), {}, "d-error"); } catch (e) { return; }
  $("d-list").innerHTML = d.designs.length ? `<ul class="designs">` + d.designs.map((x, i) =>
    `<li><button type="button" class="linkish" data-i="${i}">${esc(x.name)}</button> <span class="muted">${esc(x.spec.species)} · ` +
    `${esc((x.spec.exosome && x.spec.exosome.source) || "vehicle")} · ${esc(when(x.created))}</span></li>`).join("") + "</ul>" :
    `<p class="muted">no saved designs${$("d-q").value.trim() ? " match" : " yet: “Save design” keeps the one in the form"}.</p>`;
  $("d-list").querySelectorAll("button[data-i]").forEach((b) => b.addEventListener("click", () => {
    fillSpec(d.designs[Number(b.dataset.i)].spec); $("run-view").innerHTML = "";
    $("e-error").textContent = ""; $("d-status").textContent = `loaded “${d.designs[Number(b.dataset.i)].name}” into the form`;
    $("e-name").focus();
  }));
}
window.loadDesigns = loadDesigns;
$("d-panel").addEventListener("toggle", () => { if ($("d-panel").open) loadDesigns(); });
$("f-designs").addEventListener("submit", (ev) => { ev.preventDefault(); loadDesigns(); });

/* A stable URL per run: /run/<id> opens it (the design tab for evaluate/simulate). */
async function openFromLocation() {
  const m = location.pathname.match(/^\/run\/([0-9a-f]{12})$/);
  if (!m) return;
  try {
    const r = await api(`/api/runs/${m[1]}/status`);
    if (r.kind === "compare") { showTab("runs"); showRun(m[1], $("compare-view")); return; }
    if (r.kind === "design") {
      showTab("dsearch");
      const full = await api(`/api/runs/${m[1]}`);
      $("ds-constraints").value = JSON.stringify(full.spec, null, 1);
      $("ds-samples").value = full.params.samples; $("ds-seed").value = full.params.seed;
      showRun(m[1], $("ds-view"));
      return;
    }
    showTab("design");
    const full = await api(`/api/runs/${m[1]}`);
    fillSpec(full.spec); $("e-samples").value = full.params.samples; $("e-seed").value = full.params.seed;
    showRun(m[1], $("run-view"));
  } catch (e) { $("e-error").textContent = "no saved run " + m[1]; }
}
window.addEventListener("popstate", openFromLocation);
openFromLocation();
