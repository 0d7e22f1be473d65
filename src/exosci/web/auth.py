"""Lab server mode: an access token for a server bound beyond loopback.

Every request must carry the token: ``Authorization: Bearer <token>``, an ``X-Exosci-Token``
header, or the ``exosci_token`` cookie that the login page sets (HttpOnly, SameSite=Strict).
Without it, pages redirect to ``/login`` and API routes answer 401. Only the login page, its
script and the favicon are open.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]
COOKIE = "exosci_token"
OPEN_PATHS = {"/login", "/api/login", "/static/login.js", "/static/favicon.svg", "/favicon.ico"}

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>exosci: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<style>body{font:15px system-ui,sans-serif;max-width:420px;margin:10vh auto;padding:0 16px}
input,button{font:inherit;padding:8px;width:100%;margin-top:8px;box-sizing:border-box}
button{background:#1f6f8b;color:#fff;border:0;border-radius:4px}.error{color:#b42318}</style>
</head><body><h1>exosci lab server</h1>
<p>This server is shared on the network; enter the access token it was started with
(<code>exosci serve --token</code> or <code>EXOSCI_TOKEN</code>).</p>
<form id="f-login"><label for="token">access token</label>
<input id="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form><p class="error" id="login-error" role="alert"></p>
<script src="/static/login.js"></script></body></html>
"""


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {bytes(k).lower(): bytes(v) for k, v in scope.get("headers", ())}


def presented_token(scope: Scope) -> str | None:
    h = _headers(scope)
    auth = h.get(b"authorization", b"").decode("latin-1")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if b"x-exosci-token" in h:
        return h[b"x-exosci-token"].decode("latin-1").strip()
    cookie = h.get(b"cookie")
    if cookie:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie.decode("latin-1"))
        except Exception:  # a malformed cookie header is no token
            return None
        if COOKIE in jar:
            return jar[COOKIE].value
    return None


def token_ok(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class TokenGuard:
    """Refuse requests without the access token (pages redirect to the login page)."""

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        if token_ok(presented_token(scope), self.token):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if scope["method"] == "GET" and not path.startswith(("/api/", "/openapi", "/static/")):
            headers = [(b"location", b"/login"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = json.dumps(
            {
                "error": "this lab server needs its access token: sign in at /login, or send "
                "'Authorization: Bearer <token>'.",
                "kind": "Unauthorized",
            }
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b'Bearer realm="exosci"'),
        ]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})
