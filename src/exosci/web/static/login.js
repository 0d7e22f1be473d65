"use strict";
document.getElementById("f-login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const res = await fetch("/api/login", {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({token: document.getElementById("token").value})});
  if (res.ok) { location.href = "/"; return; }
  const body = await res.json().catch(() => ({}));
  document.getElementById("login-error").textContent = body.error || "sign-in failed";
});
