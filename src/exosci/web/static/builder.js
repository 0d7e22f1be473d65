"use strict";
/* Design builder: every field of the therapy spec, autocomplete, inline validation, YAML. */
const FIELDS = [...document.querySelectorAll("#f-design [data-path]")];

function setPath(obj, path, value) {
  const keys = path.split(".");
  let o = obj;
  keys.slice(0, -1).forEach((k) => { o[k] = o[k] || {}; o = o[k]; });
  o[keys[keys.length - 1]] = value;
}
function getPath(obj, path) {
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function collectSpec() {
  const spec = {};
  for (const el of FIELDS) {
    const path = el.dataset.path;
    let v = el.value;
    if (el.type === "number") v = v === "" ? null : Number(v);
    else if (el.dataset.list) v = list(v);
    else v = v.trim();
    setPath(spec, path, v);
  }
  if (!spec.exosome.source) spec.exosome = null;
  if (!spec.carrier) spec.carrier = "none";
  for (const k of ["dose", "timing"]) for (const [f, v] of Object.entries(spec[k])) if (v === null) delete spec[k][f];
  return spec;
}

function fillSpec(spec) {
  for (const el of FIELDS) {
    let v = getPath(spec, el.dataset.path);
    if (el.dataset.path === "carrier" && v && typeof v === "object") v = v.name;
    if (v === undefined || v === null) v = el.dataset.path === "carrier" ? "none" : (el.tagName === "SELECT" ? el.options[0].value : "");
    el.value = Array.isArray(v) ? v.join(", ") : String(v);
  }
  clearFieldErrors();
}

function clearFieldErrors() {
  document.querySelectorAll("#f-design .field-error").forEach((n) => n.remove());
  FIELDS.forEach((el) => el.removeAttribute("aria-invalid"));
  $("e-error").textContent = "";
}

/* Put one error beside its field, with the closest names as buttons; false if no field matches. */
function fieldError(path, text, sugg, bad) {
  const el = FIELDS.find((f) => f.dataset.path === path || (path && path.startsWith(f.dataset.path + ".")));
  if (!el) return false;
  el.setAttribute("aria-invalid", "true");
  const box = document.createElement("div");
  box.className = "field-error"; box.setAttribute("role", "alert");
  box.textContent = text;
  if (sugg.length) {
    const p = document.createElement("div"); p.append("Closest known: ");
    for (const s of sugg) {
      const b = document.createElement("button");
      b.type = "button"; b.className = "chip"; b.textContent = s;
      b.addEventListener("click", () => {
        if (el.dataset.list) el.value = list(el.value).map((x) => (x === bad ? s : x)).join(", ");
        else el.value = s;
        box.remove();
        if (!el.closest("div").querySelector(".field-error")) el.removeAttribute("aria-invalid");
        el.focus();
      });
      p.appendChild(b);
    }
    box.appendChild(p);
  }
  el.closest("div").appendChild(box);
  return true;
}

/* Show every error of an API answer beside the field it names (all at once), the rest above. */
function showSpecErrors(errors) {
  clearFieldErrors();
  const rest = [];
  for (const e of errors) {
    let text = e.error;
    if (e.suggestions.length) text = text.replace(/\s*Closest known: .*$/, "");
    if (!fieldError(e.field, text, e.suggestions, e.value)) rest.push(e.error);
  }
  $("e-error").textContent = rest.join("\n");
  const first = document.querySelector("#f-design [aria-invalid=true]");
  if (first) first.focus();
}
function showSpecError(body) {
  if (body.detail && body.detail.length) {  // pydantic: every invalid field in one answer
    showSpecErrors(body.detail.map((d) => ({field: String(d.loc).replace(/^body\.(spec\.)?/, ""),
      error: `${String(d.loc).replace(/^body\.(spec\.)?/, "")}: ${d.msg}${d.got ? " (got " + d.got + ")" : ""}`, suggestions: []})));
    return;
  }
  showSpecErrors([{field: body.field, error: errorText(body), suggestions: body.suggestions || [], value: (String(body.error).match(/'([^']+)'/) || [])[1]}]);
}

/* Every field error at once: names are checked together before a run is queued. */
async function checkSpec(spec) {
  try {
    const d = await api("/api/spec/check", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify(spec)});
    if (d.errors.length) { showSpecErrors(d.errors); return false; }
    return true;
  } catch (e) {
    if (e.body) showSpecError(e.body); else $("e-error").textContent = "The server is not answering: " + String(e.message || e);
    return false;
  }
}

async function submitRun(kind) {
  clearFieldErrors();
  const spec = collectSpec();
  if (!(await checkSpec(spec))) return;  // a run already shown stays shown
  const body = {kind, spec, samples: Number($("e-samples").value), seed: Number($("e-seed").value || 0)};
  try {
    const r = await api("/api/runs", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body)});
    history.pushState({run: r.id}, "", r.url);
    showRun(r.id, $("run-view"));
  } catch (e) {
    if (e.body) showSpecError(e.body); else $("e-error").textContent = "The server is not answering: " + String(e.message || e);
  }
}

/* Enter in a field does not start a run (a run takes minutes): only the buttons do. */
/* (The key itself is left alone: Enter still picks an autocomplete suggestion.) */
$("f-design").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const field = document.activeElement;
  if (field && field.form === $("f-design") && ["INPUT", "SELECT"].includes(field.tagName) && field.type !== "submit") return;
  submitRun("evaluate");
});
$("e-simulate").addEventListener("click", () => submitRun("simulate"));
$("e-export").addEventListener("click", async () => {
  try {
    const text = await api("/api/spec/yaml", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify(collectSpec())});
    download((($("e-name").value || "design").replace(/[^\w.-]+/g, "-")) + ".yaml", text, "application/yaml");
  } catch (e) { if (e.body) showSpecError(e.body); }
});
$("e-save").addEventListener("click", async () => {
  try {
    const r = await api("/api/designs", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify({spec: collectSpec()})});
    $("e-error").textContent = ""; $("d-status").textContent = `design “${$("e-name").value}” saved; find it under Saved designs`;
    if ($("d-panel").open) loadDesigns();
  } catch (e) { if (e.body) showSpecError(e.body); }
});
$("e-import").addEventListener("change", async () => {
  const f = $("e-import").files[0]; if (!f) return;
  try {
    const spec = await api("/api/spec/parse", {method: "POST", headers: {"content-type": "application/octet-stream"}, body: await f.arrayBuffer()});
    fillSpec(spec); $("run-view").innerHTML = "";
  } catch (e) { clearFieldErrors(); $("e-error").textContent = e.body ? errorText(e.body) : String(e); }
});
for (const el of FIELDS) {
  if (el.dataset.types) autocomplete(el, $(el.getAttribute("list")), el.dataset.types);
  el.addEventListener("input", () => { if (el.getAttribute("aria-invalid")) { el.removeAttribute("aria-invalid"); const n = el.closest("div").querySelector(".field-error"); if (n) n.remove(); } });
}
window.fillSpec = fillSpec;
