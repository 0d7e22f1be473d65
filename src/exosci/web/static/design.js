"use strict";
/* Design search (issue 24): constraints in, a background run, the front as a table; each front
   design starts (or opens) its full evaluation run. */
/* The bundled example, examples/design-rat-contusion-lab.yaml, as JSON. */
const DS_EXAMPLE = {"name": "rat moderate-contusion lab, no extra surgery, 200 ug budget", "species": "rat", "injury": {"model": "contusion", "level": "T10", "severity": "moderate"}, "horizon_days": 42, "routes": ["intravenous", "intranasal", "intrathecal", "local implantation"], "max_surgeries": 0, "dose_budget_ug": 200, "exclude_immunogenicity": ["moderate"], "baseline": {"name": "BMSC-Exos, single intravenous dose", "exosome": {"source": "BMSC-Exos"}, "route": "intravenous", "dose": {"amount": 200, "unit": "ug"}, "timing": {"start_hours_post_injury": 1, "doses": 1, "interval_days": 0}}, "space": {"sources": ["umbilical cord MSC", "adipose-derived MSC", "bone marrow MSC", "neural stem cell", "Schwann cell", "M2 macrophage", "induced pluripotent stem cells"], "preconditioning": ["none", "hypoxia"], "carriers": ["none", "hyaluronic acid hydrogel"], "doses_ug": [100, 200], "start_hours": [1, 24], "number_of_doses": [1, 2]}};
const dsEvaluations = new Map();  // "<search run id>/<front row>" -> evaluation run id

function dsReset() { $("ds-constraints").value = JSON.stringify(DS_EXAMPLE, null, 1); }
dsReset();
$("ds-reset").addEventListener("click", dsReset);

function dsFieldErrors(body) {
  if (!body.detail || !Array.isArray(body.detail)) return errorText(body);
  return "invalid constraints: " + body.detail.map((d) => `${d.loc.replace(/^body\.?/, "") || "(the whole file)"}: ${d.msg}${d.got ? " (got " + d.got + ")" : ""}`).join("; ");
}

$("f-dsearch").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("ds-error").textContent = "";
  let constraints;
  try { constraints = JSON.parse($("ds-constraints").value); } catch (e) {
    $("ds-error").textContent = "The constraints are not valid JSON: " + e.message; return;
  }
  const q = new URLSearchParams({samples: $("ds-samples").value || "300", seed: $("ds-seed").value || "0"});
  try {
    const r = await api("/api/design/search?" + q, {method: "POST", headers: JSON_HEADERS, body: JSON.stringify(constraints)});
    history.pushState({run: r.id}, "", r.url);
    showRun(r.id, $("ds-view"));
  } catch (e) { $("ds-error").textContent = e.body ? dsFieldErrors(e.body) : "The server is not answering: " + String(e.message || e); }
});

function dsDesign(r) {
  const parts = [r.source || "vehicle", r.preconditioning && r.preconditioning !== "none" ? r.preconditioning + "-preconditioned" : "",
    r.engineering, r.cargo, r.carrier !== "none" ? "in " + r.carrier : "", r.route,
    `${num(r.dose_ug)} µg × ${r.doses}, first at ${num(r.start_hours)} h`].filter(Boolean);
  return `<b>${esc(r.name)}</b>${r.is_baseline ? ' <span class="muted">(baseline)</span>' : ""}<br><span class="muted">${esc(parts.join(" · "))}</span>`;
}

/* The front of a finished design-search run: one row per design, each with its evaluation button. */
function designView(id, d) {
  const m = d.method, score = m.score_name, thr = num(m.min_difference, 2), front = d.front || [];
  let html = `<p class="muted">${esc(d.label)}</p>`;
  html += `<p>${front.length} designs on the front of ${esc(d.counts.simulated)} simulated (${esc(d.counts.space)} in the space; search: ${esc(m.search)}).</p>`;
  html += table(front.map((r, i) => ({...r, i})), [
    ["design", dsDesign],
    [`Δ ${score} vs baseline, median (5–95 %)`, (r) => `${num(r.delta.median)} (${num(r.delta.p05)} – ${num(r.delta.p95)})`],
    [`P(Δ ≥ ${thr})`, (r) => num(r.delta.p_at_least_min, 2)],
    ["certainty", (r) => `<span title="${esc(r.certainty_reason)}">${esc(r.certainty)}</span>`],
    ["feasibility", (r) => `<span title="${esc(r.feasibility_reason)}">${num(r.feasibility)}</span>`],
    ["risk", (r) => `<span title="${esc((r.risks || []).map((x) => typeof x === "string" ? x : (x.title || x.id || JSON.stringify(x))).join("; "))}">${esc(r.risk)}</span>`],
    ["domain", (r) => r.outside_domain.length ? `<span class="status-failed">outside: ${esc(r.outside_domain.join(", "))}</span>` : "in"],
    ["tie group", (r) => r.tie_group ? esc(r.tie_group) : ""],
    ["", (r) => `<button type="button" class="alt ds-eval" data-i="${r.i}">${dsEvaluations.has(id + "/" + r.i) ? "Open evaluation" : "Evaluate"}</button>`],
  ], 'id="ds-front"');
  html += `<details><summary>how the front is judged</summary><ul><li>${esc(m.dominance)}</li><li>certainty: ${esc(m.certainty)}</li>` +
    `<li>feasibility: ${esc(m.feasibility)}</li><li>risk: ${esc(m.risk)}</li><li>gain: ${esc(m.gain)}</li></ul></details>`;
  if (front.length) html += `<img alt="the front: gain over the baseline against certainty and feasibility (model prediction)" src="/api/runs/${esc(id)}/files/front.png" style="max-width:100%">`;
  const box = document.createElement("div");
  box.innerHTML = html;
  box.querySelectorAll("button.ds-eval").forEach((b) => b.addEventListener("click", () => dsEvaluate(id, d, Number(b.dataset.i), b)));
  return box;
}
window.designView = designView;

/* Start the full evaluation of one front design on the search's subjects (or open the one started). */
async function dsEvaluate(searchId, d, i, button) {
  const key = `${searchId}/${i}`, row = d.front[i];
  let runId = dsEvaluations.get(key);
  if (!runId) {
    button.disabled = true;
    try {
      const body = {kind: "evaluate", spec: row.spec, samples: d.provenance.samples, seed: d.provenance.seed};
      runId = (await api("/api/runs", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body)})).id;
      dsEvaluations.set(key, runId);
    } catch (e) { $("ds-error").textContent = e.body ? errorText(e.body) : String(e.message || e); button.disabled = false; return; }
    button.disabled = false; button.textContent = "Open evaluation";
  }
  history.pushState({run: runId}, "", "/run/" + runId);
  showTab("design"); fillSpec(row.spec);
  $("e-samples").value = d.provenance.samples; $("e-seed").value = d.provenance.seed;
  showRun(runId, $("run-view"));
}
