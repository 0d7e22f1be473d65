"use strict";
document.getElementById("f-login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const res = await fetch("/api/login", {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({token: document.getElementById("token").value})});
  if (res.ok) {
    // back to the page that asked for sign-in (a same-site path only), else the start page
    const next = new URLSearchParams(location.search).get("next") || "";
    location.href = /^\/(?![\/\\])/.test(next) ? next : "/";
    return;
  }
  const body = await res.json().catch(() => ({}));
  document.getElementById("login-error").textContent = body.error || "sign-in failed";
});
