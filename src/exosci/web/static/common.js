"use strict";
/* Shared helpers: element lookup, escaping, API calls with error display, tables, tabs. */
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c]));
const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
/* A number to d significant digits, in plain notation from 0.001 to a million (1500, not 1.50e+3). */
const num = (x, d = 3) => {
  if (x === null || x === undefined || x === "" || !Number.isFinite(Number(x))) return "—";
  const v = Number(x), a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(d - 1) : String(Number(v.toPrecision(d)));
};
const JSON_HEADERS = {"content-type": "application/json"};

class ApiError extends Error {
  constructor(body, status) { super(body.error || String(status)); this.body = body; this.status = status; }
}

/* The message of an error body, once: the API's text already names the closest known names. */
function errorText(body) {
  if (typeof body === "string") return body;
  return body.error || (body.detail ? JSON.stringify(body.detail) : "request failed");
}

async function api(url, opts = {}) {
  const res = await fetch(url, opts);
  const ct = res.headers.get("content-type") || "";
  const body = ct.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(typeof body === "string" ? {error: body} : body, res.status);
  return body;
}

/* Call the API; on error write its message into the box (cleared first) and rethrow. */
async function call(url, opts, errBox) {
  if (errBox) $(errBox).textContent = "";
  try { return await api(url, opts); } catch (e) {
    if (errBox) $(errBox).textContent = e.body ? errorText(e.body) : String(e.message || e);
    throw e;
  }
}

/* Predicates, result codes and evidence fields as a reader says them (exosci.web.evidence). */
const PREDICATE_WORDS = {increases_amount: "increases the amount of", decreases_amount: "decreases the amount of",
  derived_from: "is derived from", part_of: "is part of", delivered_by: "is delivered by", combined_with: "is combined with",
  has_marker: "has the marker", preconditioned_by: "is preconditioned by", engineered_with: "is engineered with",
  administered_by: "is administered by", acts_via: "acts via"};
const RESULT_WORDS = {PATHS_FOUND: "Paths found", NO_PATHS_FOUND: "No path found", SUBJECT_NOT_FOUND: "Subject not found",
  OBJECT_NOT_FOUND: "Object not found", MAX_PATH_LENGTH_EXCEEDED: "Path length limit exceeded"};
const predicateWords = (p) => PREDICATE_WORDS[p] || String(p).replace(/_/g, " ");

/* One reference: first author, year, title, journal, DOI link (opens a new tab). */
function citation(c) {
  const doi = c.doi ? ` <a href="https://doi.org/${esc(c.doi)}" target="_blank" rel="noopener noreferrer">doi:${esc(c.doi)}</a>` : "";
  const who = [c.first_author, c.year].filter(Boolean).join(" ");
  const where = c.ref ? ` <span class="muted">(review ref. ${esc(c.ref)})</span>` : (c.pmid ? ` <span class="muted">(PMID ${esc(c.pmid)})</span>` : "");
  return `${esc(who || "unpublished record")}${c.title ? ". " + esc(c.title) : ""}${c.journal ? ". <i>" + esc(c.journal) + "</i>" : ""}.${doi}${where}`;
}
function table(rows, cols, attrs = "") {
  return `<div class="table-wrap"><table ${attrs}><thead><tr>` + cols.map((c) => `<th scope="col">${esc(c[0])}</th>`).join("") + "</tr></thead><tbody>" +
    rows.map((r) => "<tr>" + cols.map((c) => `<td>${c[1](r)}</td>`).join("") + "</tr>").join("") +
    "</tbody></table></div>";
}

/* A table wider than its box scrolls inside it; a scrolling box must be reachable by keyboard. */
function markScrollable() {
  document.querySelectorAll(".table-wrap").forEach((w) => {
    if (w.scrollWidth > w.clientWidth + 1) w.tabIndex = 0; else w.removeAttribute("tabindex");
  });
}
new MutationObserver(markScrollable).observe(document.querySelector("main"), {childList: true, subtree: true});
window.addEventListener("resize", markScrollable);

function showTab(name) {
  document.querySelectorAll("nav button").forEach((o) => o.setAttribute("aria-selected", String(o.dataset.tab === name)));
  document.querySelectorAll("main > section").forEach((s) => { s.hidden = s.id !== "tab-" + name; });
  document.dispatchEvent(new CustomEvent("tab", {detail: name}));
  markScrollable();  // a hidden tab's tables had no width
}
document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
/* Arrow keys move between tabs (WAI-ARIA tabs pattern). */
document.querySelector("nav").addEventListener("keydown", (ev) => {
  if (!["ArrowLeft", "ArrowRight"].includes(ev.key)) return;
  const tabs = [...document.querySelectorAll("nav button")];
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  const next = tabs[(i + (ev.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
  next.focus(); showTab(next.dataset.tab);
});

/* Sign out (lab server mode only: the button shows when the server has sign-in). */
api("/api/session").then((d) => {
  if (!d.sign_in) return;
  $("logout").hidden = false;
  $("logout").addEventListener("click", async () => {
    try { await api("/api/logout", {method: "POST"}); } catch (e) { /* the session may have ended already */ }
    location.href = "/login";
  });
}).catch(() => {});

fetch("/api/health").then((r) => r.json()).then((d) => {
  $("status").textContent = `v${d.version} · knowledge data ${d.data_hash} · runs offline on this machine`;
}).catch(() => {});

/* Download a string or blob as a file. */
function download(name, data, type) {
  const blob = data instanceof Blob ? data : new Blob([data], {type});
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob); a.download = name;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/* Autocomplete: fill a datalist from /api/kb/search, filtered to the field's entity types. */
function autocomplete(input, datalist, types) {
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const parts = input.value.split(",");
      const term = parts[parts.length - 1].trim();
      if (term.length < 2) return;
      const q = new URLSearchParams({q: term, limit: "10"});
      if (types) q.set("types", types);
      try {
        const d = await api("/api/kb/search?" + q);
        const prefix = parts.length > 1 ? parts.slice(0, -1).join(",") + ", " : "";
        datalist.innerHTML = d.hits.map((h) => `<option value="${esc(prefix + h.name)}">${esc(h.type.replace("_", " "))}</option>`).join("");
      } catch (e) { /* no suggestions */ }
    }, 150);
  });
}
