"""Web-app helpers: bundled static files, spec YAML import/export, fetched data resources."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from exosci.errors import FileFormatError
from exosci.limits import MAX_SPEC_BYTES, MAX_YAML_ALIASES
from exosci.therapy.spec import TherapySpec, parse_spec
from exosci.web.auth import Sessions
from exosci.web.routes import _json_only

#: Every file the page may load (a fixed table: no path from a client reaches the disk).
STATIC_FILES: dict[str, str] = {
    "common.js": "text/javascript; charset=utf-8",
    "builder.js": "text/javascript; charset=utf-8",
    "runs.js": "text/javascript; charset=utf-8",
    "design.js": "text/javascript; charset=utf-8",
    "tools.js": "text/javascript; charset=utf-8",
    "explore.js": "text/javascript; charset=utf-8",
    "docs.js": "text/javascript; charset=utf-8",
    "login.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    "vendor/cytoscape.min.js": "text/javascript; charset=utf-8",
    "vendor/cytoscape.LICENSE.txt": "text/plain; charset=utf-8",
    "vendor/swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "vendor/swagger-ui.css": "text/css; charset=utf-8",
    "vendor/swagger-ui.LICENSE.txt": "text/plain; charset=utf-8",
}


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>exosci API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script></body></html>
"""


def static_bytes(name: str) -> bytes:
    return (resources.files("exosci.web") / "static" / name).read_bytes()


def _spec_body(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("application/octet-stream", "application/yaml", "application/json") and (
        not media.startswith("text/")
    ):
        raise HTTPException(415, "send the spec file's bytes (application/octet-stream).")


def mount_extra(app: FastAPI) -> None:
    # imported once here, not in the routes (first imports from pool threads can race)
    import yaml

    from exosci.datasets import available
    from exosci.yamlsafe import load_yaml

    @app.get("/static/{name:path}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC_FILES:
            raise HTTPException(404, "no such static file")
        return Response(
            static_bytes(name),
            media_type=STATIC_FILES[name],
            headers={"cache-control": "public, max-age=3600"},
        )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> str:
        return DOCS_PAGE

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(static_bytes("favicon.svg"), media_type="image/svg+xml")

    @app.post(
        "/api/spec/yaml",
        dependencies=[Depends(_json_only)],
        response_class=Response,
        responses={200: {"content": {"application/yaml": {}}, "description": "the spec as YAML"}},
    )
    def spec_yaml(spec: TherapySpec) -> Response:
        """A validated therapy spec as YAML (what `exosci evaluate design.yaml` reads)."""
        doc = spec.model_dump(mode="json", exclude_none=True)
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        return Response(text, media_type="application/yaml")

    @app.post(
        "/api/spec/parse",
        dependencies=[Depends(_spec_body)],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {
                        "schema": {
                            "type": "string",
                            "format": "binary",
                            "maxLength": MAX_SPEC_BYTES,
                        }
                    }
                },
            }
        },
    )
    async def spec_parse(request: Request) -> dict[str, Any]:
        """Read an uploaded spec file (YAML or JSON) and return it validated, as JSON."""
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_SPEC_BYTES:
                raise HTTPException(413, f"a spec file is at most {MAX_SPEC_BYTES} bytes.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"spec file: not UTF-8 text (bad byte at offset {exc.start}); expected YAML or JSON."
            ) from None
        if not text.strip():
            raise FileFormatError("spec file: empty; expected a YAML or JSON therapy spec.")
        data = load_yaml(text, where="spec file", max_aliases=MAX_YAML_ALIASES)  # JSON is YAML
        return parse_spec(data, where="spec file").model_dump(mode="json")

    @app.get("/api/data/available")
    def data_available(
        kind: Literal["targets", "genesets", "mirbase", "vesicle"] | None = Query(None),
    ) -> dict[str, Any]:
        """Data resources fetched into the data folder (`exosci data fetch`), usable by name."""
        return {"resources": available(kind)}


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=512)


def mount_login(app: FastAPI, token: str, sessions: Sessions) -> None:
    """The lab server's sign-in page: a right token starts a server-side session whose random
    id travels in an HttpOnly, SameSite=Strict cookie; failed tries are rate-limited."""
    from exosci.web.auth import (
        COOKIE,
        LOGIN_FAILURES,
        LOGIN_PAGE,
        LOGIN_WINDOW_SECONDS,
        LoginLimiter,
        session_id,
        token_ok,
    )

    limiter = LoginLimiter()

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page() -> str:
        return LOGIN_PAGE

    @app.post("/api/login", dependencies=[Depends(_json_only)], include_in_schema=False)
    def login(body: LoginRequest, request: Request) -> Response:
        client = request.client.host if request.client else "?"
        wait = limiter.retry_after(client)
        if wait:
            raise HTTPException(
                429,
                f"too many failed sign-ins (more than {LOGIN_FAILURES} in "
                f"{LOGIN_WINDOW_SECONDS:.0f} s); try again in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
        if not token_ok(body.token, token):
            limiter.failed(client)
            raise HTTPException(401, "wrong access token.")
        res = Response('{"ok": true}', media_type="application/json")
        res.set_cookie(
            COOKIE, sessions.new(), httponly=True, samesite="strict", max_age=int(sessions.seconds)
        )
        return res

    @app.post("/api/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        ended = sessions.end(session_id(request.scope))
        res = Response(json.dumps({"ok": True, "ended": ended}), media_type="application/json")
        res.delete_cookie(COOKIE, httponly=True, samesite="strict")
        return res
