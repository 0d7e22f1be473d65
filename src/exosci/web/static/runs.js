"use strict";
/* Saved runs: progress (polled), cancel, the report in a sandboxed frame, downloads, list, compare. */
const ACTIVE = new Set(["queued", "running"]);
const STAGES = {ensemble: "simulating virtual subjects", alternatives: "ranking alternative designs",
  report: "drawing the report", compare: "simulating both designs on the same subjects", "": "waiting for a worker"};
let pollToken = 0;

function when(t) { return new Date(t * 1000).toLocaleString(); }

function runHeader(r) {
  return `<p><b>${esc(r.name)}</b> <span class="muted">· ${esc(r.kind)} · run <a href="/run/${esc(r.id)}">${esc(r.id)}</a> · ` +
    `${esc(r.params.samples)} subjects · seed ${esc(r.seed)} · exosci ${esc(r.version)} · data ${esc(r.data_hash)} · ${esc(when(r.created))}</span></p>`;
}

async function showRun(id, box) {
  const token = ++pollToken;
  box.innerHTML = `<div class="progress" aria-live="polite"><span id="run-stage">starting…</span>` +
    `<progress id="run-progress" max="1" value="0"></progress><button class="alt" type="button" id="run-cancel">Cancel</button></div><div id="run-body"></div>`;
  $("run-cancel").addEventListener("click", () => api(`/api/runs/${id}/cancel`, {method: "POST"}).catch(() => {}));
  for (;;) {
    if (token !== pollToken) return;  // another run is shown now
    let s;
    try { s = await api(`/api/runs/${id}/status`); } catch (e) { box.innerHTML = `<p class="error">${esc(e.body ? errorText(e.body) : e)}</p>`; return; }
    if (!ACTIVE.has(s.status)) break;
    const stage = STAGES[s.stage] ?? s.stage;
    $("run-stage").textContent = `${s.status}: ${stage}` + (s.total ? ` (${s.done}/${s.total})` : "");
    const bar = $("run-progress");
    if (s.total) { bar.max = s.total; bar.value = s.done; } else bar.removeAttribute("value");
    await new Promise((r) => setTimeout(r, 600));
  }
  const r = await api(`/api/runs/${id}`);
  if (token !== pollToken) return;
  box.innerHTML = runHeader(r) + `<p class="status-${esc(r.status)}" id="run-status">${esc(r.status)}${r.error ? ": " + esc(r.error) : ""}</p><div id="run-body"></div>`;
  if (r.status !== "done") return;
  const body = box.querySelector("#run-body");
  const links = [`<a href="/api/runs/${id}/result.json" download>result (JSON)</a>`].concat(
    r.files.map((f) => `<a href="/api/runs/${id}/files/${encodeURIComponent(f.name)}?download=true" download>${esc(f.name)}</a>`));
  body.innerHTML = `<p class="downloads">Download: ${links.join(" ")}</p>`;
  if (r.kind === "evaluate") {
    const html = await api(`/api/runs/${id}/files/report.html`);
    const frame = document.createElement("iframe");
    frame.id = "e-report"; frame.title = "evaluation report"; frame.setAttribute("sandbox", ""); frame.referrerPolicy = "no-referrer";
    frame.srcdoc = html; body.appendChild(frame);
  } else if (r.kind === "simulate") {
    body.insertAdjacentHTML("beforeend", simulateView(r.result));
  } else {
    body.insertAdjacentHTML("beforeend", compareView(id, r.result));
  }
}

function simulateView(d) {
  const days = d.days || [], last = days.length - 1;
  const outs = Object.keys(d.treated || {});
  const at = (blk, k) => blk && blk[k] ? blk[k] : null;
  let html = `<p class="muted">${esc(d.label)} · ${esc(d.band_label || "")}</p>`;
  html += table(outs, [["output", (k) => esc(k.replace(/_/g, " "))],
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

function compareView(id, d) {
  let html = `<p class="muted">${esc(d.label)}</p>`;
  html += (d.warnings || []).map((w) => `<p class="error">${esc(w)}</p>`).join("");
  html += table(d.designs, [["design", (r) => esc(r.name)], ["species", (r) => esc(r.species)],
    ["score", (r) => esc(r.score_name)], ["treated (median)", (r) => num(r.treated_final)], ["control (median)", (r) => num(r.control_final)],
    ["paired gain (median, 5–95 %)", (r) => `${num(r.gain.median)} (${num(r.gain.p05)} – ${num(r.gain.p95)})`],
    ["evidence statements", (r) => esc(r.evidence_statements)]], 'id="compare-designs"');
  html += "<h3>Paired differences (A − B, same virtual subjects)</h3>" + table(d.differences, [["A", (x) => esc(x.a)], ["B", (x) => esc(x.b)],
    ["A − B (median, 5–95 %)", (x) => x.delta ? `${num(x.delta.median)} (${num(x.delta.p05)} – ${num(x.delta.p95)}) ${esc(x.score_name)}` : esc(x.skipped)],
    ["verdict", (x) => esc(x.verdict || "not computed")]]);
  html += `<p class="muted">${esc(d.method)}</p><img alt="recovery curves of the compared designs, one panel per species" src="/api/runs/${esc(id)}/files/compare.png" style="max-width:100%">`;
  return html;
}

async function loadRuns() {
  const q = $("r-q").value.trim();
  let d;
  try { d = await call("/api/runs?" + new URLSearchParams({q}), {}, "runs-error"); } catch (e) { return; }
  $("runs-list").innerHTML = d.runs.length ? table(d.runs, [
    ["", (r) => r.kind === "compare" ? "" : `<input type="checkbox" class="run-pick" value="${esc(r.id)}" aria-label="select ${esc(r.name)}">`],
    ["run", (r) => `<a href="/run/${esc(r.id)}" class="run-link" data-id="${esc(r.id)}">${esc(r.id)}</a>`],
    ["name", (r) => esc(r.name)], ["kind", (r) => esc(r.kind)],
    ["status", (r) => `<span class="status-${esc(r.status)}">${esc(r.status)}</span>`],
    ["subjects · seed", (r) => `${esc(r.params.samples)} · ${esc(r.seed)}`], ["exosci · data", (r) => `${esc(r.version)} · ${esc(r.data_hash)}`],
    ["created", (r) => esc(when(r.created))]], 'id="runs-table"') : `<p class="muted">no saved runs${q ? " match" : " yet"}.</p>`;
  document.querySelectorAll(".run-pick").forEach((c) => c.addEventListener("change", pickChanged));
  pickChanged();
}
function picked() { return [...document.querySelectorAll(".run-pick:checked")].map((c) => c.value); }
function pickChanged() { $("runs-compare").disabled = picked().length !== 2; }

$("f-runs").addEventListener("submit", (ev) => { ev.preventDefault(); loadRuns(); });
$("runs-compare").addEventListener("click", async () => {
  const runs = picked();
  try {
    const r = await call("/api/runs", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify({kind: "compare", runs, samples: 200})}, "runs-error");
    history.pushState({run: r.id}, "", r.url);
    showRun(r.id, $("compare-view"));
  } catch (e) {}
});
document.addEventListener("tab", (ev) => { if (ev.detail === "runs") loadRuns(); });

/* A stable URL per run: /run/<id> opens it (the design tab for evaluate/simulate). */
async function openFromLocation() {
  const m = location.pathname.match(/^\/run\/([0-9a-f]{12})$/);
  if (!m) return;
  try {
    const r = await api(`/api/runs/${m[1]}/status`);
    if (r.kind === "compare") { showTab("runs"); showRun(m[1], $("compare-view")); return; }
    showTab("design");
    const full = await api(`/api/runs/${m[1]}`);
    fillSpec(full.spec); $("e-samples").value = full.params.samples; $("e-seed").value = full.params.seed;
    showRun(m[1], $("run-view"));
  } catch (e) { $("e-error").textContent = "no saved run " + m[1]; }
}
window.addEventListener("popstate", openFromLocation);
openFromLocation();
