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

/* Show an API error beside the field it names, with the closest names as buttons. */
function showSpecError(body) {
  clearFieldErrors();
  $("run-view").innerHTML = "";  // the previous design's report must not stay under the error
  const path = body.field || (body.detail && body.detail[0] && body.detail[0].loc.replace(/^body\.(spec\.)?/, ""));
  const el = FIELDS.find((f) => f.dataset.path === path || (path && path.startsWith(f.dataset.path + ".")));
  let text = errorText(body);
  const sugg = body.suggestions || [];
  if (sugg.length) text = text.replace(/\s*Closest known: .*$/, "");
  if (!el) { $("e-error").textContent = text + (sugg.length ? " Closest known: " + sugg.join(", ") + "." : ""); return; }
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
        if (el.dataset.list) {
          const parts = list(el.value); const bad = (body.error.match(/'([^']+)'/) || [])[1];
          el.value = parts.map((x) => (x === bad ? s : x)).join(", ");
        } else el.value = s;
        clearFieldErrors(); el.focus();
      });
      p.appendChild(b);
    }
    box.appendChild(p);
  }
  el.closest("div").appendChild(box);
  el.focus();
}

async function submitRun(kind) {
  clearFieldErrors();
  $("run-view").innerHTML = "";
  const body = {kind, spec: collectSpec(), samples: Number($("e-samples").value), seed: Number($("e-seed").value || 0)};
  try {
    const r = await api("/api/runs", {method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body)});
    history.pushState({run: r.id}, "", r.url);
    showRun(r.id, $("run-view"));
  } catch (e) {
    if (e.body) showSpecError(e.body); else $("e-error").textContent = String(e);
  }
}

$("f-design").addEventListener("submit", (ev) => { ev.preventDefault(); submitRun("evaluate"); });
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
    $("e-error").textContent = ""; $("run-view").innerHTML = `<p class="muted">design saved (${esc(r.id)})</p>`;
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
