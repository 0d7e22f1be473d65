"""Generic ASGI middleware guarding every route: body size, content type, Host, headers.

Each class wraps any ASGI app and knows nothing about exosci's routes, so new routes (a job
queue, saved runs) are covered without registering anything.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

log = logging.getLogger("exosci.web")

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Content types a cross-site page can send without a CORS preflight: refusing them (and a
# missing type) on every body means no blind cross-site POST reaches a route.
_SIMPLE_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}

#: No inline script anywhere; styles may be inline (the report and the page carry a <style>),
#: images may be data: URIs (the report's plots). Nothing may frame the app.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-src 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes its cap (FastAPI re-raises HTTP errors)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds the {limit}-byte limit for this route.")
        self.limit = limit


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_error(send: Send, status: int, message: str, kind: str) -> None:
    body = json.dumps({"error": message, "kind": kind}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse a body over its cap: at once from Content-Length, else by a running total.

    ``limit_for(path)`` gives a route's cap; the body is never buffered here, so memory stays at
    one chunk whatever the client sends.
    """

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _send_error(send, 400, "Content-Length is not a number.", "BadRequest")
                return
            if int(declared) > limit:
                await _send_error(
                    send,
                    413,
                    f"request body of {int(declared)} bytes exceeds the {limit}-byte limit "
                    "for this route.",
                    "BodyTooLarge",
                )
                return
        total = 0
        started = False

        async def limited() -> Message:
            nonlocal total
            message: Message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except BodyTooLarge as exc:
            if started:
                raise
            await _send_error(send, 413, str(exc.detail), "BodyTooLarge")


class ContentTypeGuard:
    """Refuse bodies without a content type or with a form/plain type (CSRF-able types).

    A request without a body passes (routes that need one refuse it themselves).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = _header(scope, b"content-length")
        has_body = _header(scope, b"transfer-encoding") is not None or (
            length is not None and length.strip() not in ("", "0")
        )
        if scope["type"] == "http" and scope["method"] in _BODY_METHODS and has_body:
            raw = _header(scope, b"content-type")
            media = (raw or "").split(";")[0].strip().lower()
            if not media or media in _SIMPLE_TYPES:
                shown = repr(media[:60]) if media else "no content type"
                await _send_error(
                    send,
                    415,
                    f"{shown} is not accepted; send JSON bodies as application/json and files "
                    "as application/octet-stream (or text/csv).",
                    "UnsupportedMediaType",
                )
                return
        await self.app(scope, receive, send)


#: ``name[:port]`` or ``[ipv6][:port]`` (RFC 9110 §7.2 / RFC 3986 §3.2.2); nothing else.
_HOST = re.compile(
    r"(?P<name>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
    r"|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?"
)


def host_name(header: str) -> str | None:
    """The name in a Host header, or None when the header is not ``name[:port]``.

    Strict: ``localhost:evil.example`` (a port that is not a number), user info, paths and
    ports above 65535 are refused instead of being cut at the last colon.
    """
    m = _HOST.fullmatch(header.strip().lower())
    if m is None or (m["port"] is not None and int(m["port"]) > 65535):
        return None
    return m["name"]


class HostCheck:
    """Answer only requests whose Host is an allowed name (defeats DNS rebinding)."""

    def __init__(self, app: ASGIApp, *, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed}
        # "::1" is written "[::1]" in a Host header
        self.allowed |= {f"[{h}]" for h in self.allowed if ":" in h and not h.startswith("[")}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            name = host_name(_header(scope, b"host") or "")
            if name is None:
                if scope["type"] == "http":
                    await _send_error(
                        send,
                        400,
                        "malformed Host header: expected a host name or [IPv6 address], "
                        "optionally followed by :port (a number).",
                        "BadRequest",
                    )
                return
            if name not in self.allowed:
                if scope["type"] == "http":
                    await _send_error(
                        send,
                        421,
                        "this server answers only for its configured host names "
                        "(exosci serve --allow-host NAME adds one).",
                        "MisdirectedRequest",
                    )
                return
        await self.app(scope, receive, send)


#: FastAPI's interactive docs load Swagger UI / ReDoc from a CDN with an inline start-up
#: script; they show no user data, so only these two pages get a looser policy.
DOCS_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self' 'unsafe-inline' "
    "https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
    "https://fonts.googleapis.com; font-src https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src blob:; frame-ancestors 'none'"
}


def _encode(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeaders:
    """Add ``headers`` to every response that does not set them itself.

    ``path_headers`` replaces some of them on exact paths (e.g. a looser CSP for /docs).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        headers: Mapping[str, str] = SECURITY_HEADERS,
        path_headers: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.app = app
        self.headers = _encode(headers)
        paths = {"/docs": DOCS_HEADERS, "/redoc": DOCS_HEADERS} if path_headers is None else {}
        self.by_path = {
            path: _encode({**headers, **over}) for path, over in (path_headers or paths).items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = self.by_path.get(scope["path"], self.headers)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {bytes(k).lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


class AllowHeader:
    """On a 405, list in ``Allow`` every method the path supports (RFC 9110 §15.5.6).

    Starlette answers 405 from the first route whose path matches, so a path served by two
    routes (``GET /api/runs`` and ``POST /api/runs``) would advertise only one method.
    ``methods_for(path)`` gives the full set; it is computed from the app's routes.
    """

    def __init__(self, app: ASGIApp, *, methods_for: Callable[[str], Iterable[str]]) -> None:
        self.app = app
        self.methods_for = methods_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def fix_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 405:
                allowed = sorted(set(self.methods_for(scope["path"])))
                if allowed:
                    kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                    kept.append((b"allow", ", ".join(allowed).encode()))
                    message = {**message, "headers": kept}
            await send(message)

        await self.app(scope, receive, fix_allow)


class JsonDepthLimit:
    """Refuse a JSON body nested deeper than :data:`exosci.limits.MAX_NESTING_DEPTH` (422).

    The parser recurses once per level, so a body of ``[[[[...]]]]`` a few thousand deep would
    reach Python's recursion limit inside FastAPI (a 400 or a 500 depending on the stack). The
    body is measured before any parser sees it; it is held in memory only up to the route's
    cap, which the :class:`BodyLimit` around this class enforces as it streams.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        media = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        json_body = media == "application/json" or media.endswith("+json")
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS or not json_body:
            await self.app(scope, receive, send)
            return
        from exosci.errors import UserInputError
        from exosci.limits import check_json_depth

        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        try:
            check_json_depth(body, where="request body")
        except UserInputError as exc:
            await _send_error(send, 422, str(exc), "NestingTooDeep")
            return
        replay = iter(messages)

        async def replayed() -> Message:
            try:
                return next(replay)
            except StopIteration:
                return await receive()  # after the body: wait for the disconnect

        await self.app(scope, replayed, send)


class InternalErrors:
    """Answer an unexpected exception with a JSON 500 instead of letting it reach the server.

    Starlette's outermost error middleware sends a bare 500 and re-raises, so the response
    skipped every middleware (no security headers) and uvicorn then closed the keep-alive
    connection. This class sits inside :class:`SecurityHeaders`: the 500 gets the headers,
    the traceback goes to the log, and the connection stays open for the next request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            if started:  # half a response is out: only closing the connection ends it
                raise
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            await _send_error(
                send,
                500,
                f"internal error ({type(exc).__name__}); the server log has the details. "
                "Please report it with the request that caused it.",
                "InternalError",
            )


class HeadAsGet:
    """Serve ``HEAD`` wherever ``GET`` is served: the GET response's headers, no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def no_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, no_body)
