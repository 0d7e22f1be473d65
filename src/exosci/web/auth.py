"""Lab server mode: an access token for a server bound beyond loopback.

Every request must carry the token (``Authorization: Bearer <token>`` or an ``X-Exosci-Token``
header) or a session: signing in at ``/login`` with the token sets the ``exosci_session``
cookie (HttpOnly, SameSite=Strict), a random id known only to this server process, never the
token itself; ``POST /api/logout`` ends it. Without either, pages redirect to ``/login`` and
API routes answer 401. Only the login and logout routes, the login script and the favicon are
open; failed sign-ins are rate-limited per client.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from exosci.errors import UserInputError

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]
COOKIE = "exosci_session"
OPEN_PATHS = {
    "/login",
    "/api/login",
    "/api/logout",
    "/static/login.js",
    "/static/favicon.svg",
    "/favicon.ico",
}
#: The scope key holding the signed-in session's owner key (see :meth:`Sessions.owner_key`).
SESSION_KEY = "exosci.session"
#: A session lasts this long after sign-in (then the page asks for the token again).
SESSION_SECONDS = 12 * 3600
#: Shortest token and least estimated entropy accepted (``openssl rand -hex 16``: 32, ~165 bits).
MIN_TOKEN_CHARS = 16
MIN_TOKEN_BITS = 64
#: Failed sign-ins allowed per client address within the window, and for all clients together.
LOGIN_FAILURES = 5
LOGIN_FAILURES_ALL = 30
LOGIN_WINDOW_SECONDS = 60.0


def check_token(token: str, *, where: str = "--token") -> str:
    """Refuse a guessable access token (too short, blank, few distinct characters)."""
    hint = "generate one with `openssl rand -hex 16` or `python -c 'import secrets; print(secrets.token_urlsafe(24))'`"
    if not token or any(c.isspace() or not c.isprintable() for c in token):
        raise UserInputError(
            f"{where}: the token is empty or holds spaces or control characters; {hint}."
        )
    if len(token) < MIN_TOKEN_CHARS:
        raise UserInputError(
            f"{where}: the token has {len(token)} characters; use at least {MIN_TOKEN_CHARS} ({hint})."
        )
    alphabet = sum(
        size
        for size, member in (
            (26, str.islower),
            (26, str.isupper),
            (10, str.isdigit),
            (33, lambda c: not c.isalnum()),
        )
        if any(member(c) for c in token)
    )
    distinct = len(set(token))
    bits = min(len(token), 4 * distinct) * math.log2(max(alphabet, 2))
    if distinct < 8 or bits < MIN_TOKEN_BITS:
        raise UserInputError(
            f"{where}: the token is too easy to guess ({distinct} distinct characters, about "
            f"{bits:.0f} bits; at least 8 distinct and {MIN_TOKEN_BITS} bits needed); {hint}."
        )
    return token


class Sessions:
    """Server-side sessions: random ids mapped to their expiry (at most ``limit`` at once)."""

    def __init__(self, seconds: float = SESSION_SECONDS, limit: int = 10_000) -> None:
        self.seconds = seconds
        self.limit = limit
        self._ids: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def new(self) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._ids[sid] = time.monotonic() + self.seconds
            while len(self._ids) > self.limit:
                self._ids.popitem(last=False)
        return sid

    def valid(self, sid: str | None) -> bool:
        if not sid:
            return False
        with self._lock:
            expiry = self._ids.get(sid)
            if expiry is not None and expiry < time.monotonic():
                del self._ids[sid]
                expiry = None
        return expiry is not None

    def end(self, sid: str | None) -> bool:
        with self._lock:
            return self._ids.pop(sid or "", None) is not None

    @staticmethod
    def owner_key(sid: str) -> str:
        """What the runs database records as a run's creator (a hash: the id stays secret)."""
        return hashlib.sha256(sid.encode()).hexdigest()[:32]


class LoginLimiter:
    """Failed sign-ins per client address in a sliding window (and for everyone together)."""

    def __init__(
        self,
        per_client: int = LOGIN_FAILURES,
        total: int = LOGIN_FAILURES_ALL,
        window: float = LOGIN_WINDOW_SECONDS,
    ) -> None:
        self.per_client, self.total, self.window = per_client, total, window
        self._fails: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def _trim(self, q: deque[float], now: float) -> None:
        while q and q[0] <= now - self.window:
            q.popleft()

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            mine = self._fails.get(client, deque())
            self._trim(mine, now)
            self._trim(self._all, now)
            waits = [
                q[0] + self.window - now
                for q, cap in ((mine, self.per_client), (self._all, self.total))
                if len(q) >= cap
            ]
        return math.ceil(max(waits)) if waits else 0

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._fails) > 10_000:  # forget idle addresses rather than grow
                self._fails = {
                    k: q for k, q in self._fails.items() if q and q[-1] > now - self.window
                }
            self._fails.setdefault(client, deque()).append(now)
            self._all.append(now)


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>exosci: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<style>body{font:15px system-ui,sans-serif;max-width:420px;margin:10vh auto;padding:0 16px}
input,button{font:inherit;padding:8px;width:100%;margin-top:8px;box-sizing:border-box}
button{background:#1f6f8b;color:#fff;border:0;border-radius:4px}.error{color:#b42318}</style>
</head><body><h1>exosci lab server</h1>
<p>This server is shared on the network; enter the access token it was started with
(<code>EXOSCI_TOKEN</code> or <code>exosci serve --token-file</code>).</p>
<form id="f-login"><label for="token">access token</label>
<input id="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form><p class="error" id="login-error" role="alert"></p>
<script src="/static/login.js"></script></body></html>
"""


def _headers(scope: Mapping[str, Any]) -> dict[bytes, bytes]:
    return {bytes(k).lower(): bytes(v) for k, v in scope.get("headers", ())}


def presented_token(scope: Scope) -> str | None:
    h = _headers(scope)
    auth = h.get(b"authorization", b"").decode("latin-1")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if b"x-exosci-token" in h:
        return h[b"x-exosci-token"].decode("latin-1").strip()
    return None


def session_id(scope: Mapping[str, Any]) -> str | None:
    """The session cookie's value, if the request carries one."""
    cookie = _headers(scope).get(b"cookie")
    if not cookie:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie.decode("latin-1"))
    except Exception:  # a malformed cookie header is no session
        return None
    return jar[COOKIE].value if COOKIE in jar else None


def token_ok(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class TokenGuard:
    """Refuse requests without the access token or a session (pages redirect to the login page).

    A request signed in through a session carries its owner key in ``scope[SESSION_KEY]``
    (the runs routes restrict cancel, rename and delete to the run's creator session).
    """

    def __init__(self, app: ASGIApp, *, token: str, sessions: Sessions) -> None:
        self.app = app
        self.token = token
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sid = session_id(scope)
        if self.sessions.valid(sid):
            assert sid is not None
            await self.app({**scope, SESSION_KEY: Sessions.owner_key(sid)}, receive, send)
            return
        if scope["path"] in OPEN_PATHS or token_ok(presented_token(scope), self.token):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if scope["method"] == "GET" and not path.startswith(("/api/", "/openapi", "/static/")):
            # the page asked for comes back after sign-in (login.js follows same-site paths only)
            back = b"" if path == "/" else b"?next=" + quote(path, safe="/").encode()
            headers = [(b"location", b"/login" + back), (b"content-length", b"0")]
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
