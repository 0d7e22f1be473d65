"""REST API and web app: a thin FastAPI layer over the same library functions as the CLI."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from exosci import __version__
from exosci._settings import settings
from exosci.errors import UnknownNameError, UserInputError
from exosci.kb.store import KnowledgeBase, default_kb
from exosci.limits import MAX_NAME_CHARS, short
from exosci.web import routes
from exosci.web.auth import Sessions, TokenGuard, check_token
from exosci.web.designsearch import mount_design
from exosci.web.extra import mount_extra, mount_login
from exosci.web.jobs import Busy, HeavyWork, Stopping, default_workers
from exosci.web.middleware import (
    AllowHeader,
    BodyLimit,
    ContentTypeGuard,
    HeadAsGet,
    HostCheck,
    InternalErrors,
    JsonDepthLimit,
    SecurityHeaders,
)
from exosci.web.runs import RunsState, mount_runs
from exosci.web.schemas import ERROR_RESPONSES, ApiError
from exosci.web.store import StoreUnavailable

#: Host names answered by default: loopback only (``EXOSCI_ALLOWED_HOSTS`` adds more).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1", "testserver")


def _static(name: str) -> str:
    return (resources.files("exosci.web") / "static" / name).read_text(encoding="utf-8")


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    details = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        got = err.get("input")
        shown = "" if isinstance(got, dict | list | bytes) or got is None else short(got)
        details.append({"loc": loc, "msg": err.get("msg", ""), "got": shown})
    text = "; ".join(
        f"{d['loc']}: {d['msg']}" + (f" (got {d['got']})" if d["got"] else "") for d in details
    )
    return f"invalid request: {text[:2000]}.", details


def create_app(
    kb: KnowledgeBase | None = None,
    *,
    allowed_hosts: Iterable[str] | None = None,
    runs_db: Path | None = None,
    workers: int | None = None,
    token: str | None = None,
) -> FastAPI:
    """The exosci web application; ``kb`` defaults to the curated in-memory store.

    ``runs_db`` is the saved-runs database (default: under the data folder, opened on first
    use); ``workers`` the size of the background-run process pool.
    ``token`` (lab server mode) makes every request carry that access token (see
    :mod:`exosci.web.auth`); ``exosci serve`` requires one when binding beyond loopback.
    ``allowed_hosts`` are the Host names answered (loopback by default, plus any in
    ``EXOSCI_ALLOWED_HOSTS``, comma-separated); other names get 421 (DNS-rebinding guard).
    """
    if token is not None:
        check_token(token, where="access token")
    state = RunsState(runs_db, workers)
    heavy = HeavyWork(default_workers(), kb=kb, registry=state.worker_registry)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state.startup()
        yield
        heavy.shutdown()
        state.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # /docs is served from the bundled Swagger UI (exosci.web.extra)
        redoc_url=None,
        title="exosci",
        version=__version__,
        description="Exosome therapies for spinal cord injury: knowledge graph, mechanism "
        "reasoning, cargo enrichment, therapy simulation, evaluation, vesicle QC, release fits. "
        "Model outputs are hypothesis-generating predictions, labelled as such. "
        "Every body is size-capped as it streams (413); JSON routes take application/json, "
        "file routes application/octet-stream; the server opens no path a client names.",
        responses=ERROR_RESPONSES,
    )
    get_kb = (lambda: kb) if kb is not None else default_kb
    hosts = list(allowed_hosts if allowed_hosts is not None else LOOPBACK_HOSTS)
    hosts += list(settings.allowed_hosts)
    sessions = Sessions()
    # Added innermost first: headers wrap everything (500s included), then HEAD, Host, token,
    # content type, body size, JSON depth.
    app.add_middleware(AllowHeader, methods_for=lambda path: _methods_for(app, path))
    app.add_middleware(JsonDepthLimit)
    app.add_middleware(BodyLimit, limit_for=routes.body_limit)
    app.add_middleware(ContentTypeGuard)
    if token:
        app.add_middleware(TokenGuard, token=token, sessions=sessions)
    app.add_middleware(HostCheck, allowed=hosts)
    app.add_middleware(HeadAsGet)
    app.add_middleware(InternalErrors)
    # /docs loads the bundled Swagger UI, so it keeps the strict policy (no CDN exception).
    app.add_middleware(SecurityHeaders, path_headers={})

    @app.exception_handler(Busy)
    async def _busy(_: Request, exc: Busy) -> JSONResponse:
        return JSONResponse(
            status_code=429,
            content={"error": str(exc), "kind": "Busy"},
            headers={"Retry-After": "10"},
        )

    @app.exception_handler(Stopping)
    async def _stopping(_: Request, exc: Stopping) -> JSONResponse:
        return JSONResponse(status_code=503, content={"error": str(exc), "kind": "Stopping"})

    @app.exception_handler(StoreUnavailable)
    async def _store_unavailable(_: Request, exc: StoreUnavailable) -> JSONResponse:
        return JSONResponse(
            status_code=503, content={"error": str(exc), "kind": "StoreUnavailable"}
        )

    @app.exception_handler(UserInputError)
    async def _bad_input(_: Request, exc: UserInputError) -> JSONResponse:
        # The CLI's "try `exosci kb search`" means nothing in a browser: the page has a search.
        text = str(exc).replace("; try `exosci kb search`", "")
        body: dict[str, Any] = {"error": text[:4000], "kind": type(exc).__name__}
        if isinstance(exc, UnknownNameError):
            body["suggestions"] = exc.suggestions
            field = re.search(r"in field `([\w.]+)`", exc.kind)
            if field:
                body["field"] = field.group(1)
        return JSONResponse(status_code=422, content=body)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": str(exc.detail)[:2000], "kind": "HTTPError"},
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc)
        return JSONResponse(
            status_code=422,
            content={"error": message, "kind": "ValidationError", "detail": details},
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> str:
        return _static("index.html")

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        meta = get_kb().meta()
        return {"status": "ok", "version": __version__, "data_hash": meta["content_hash"]}

    @app.get("/api/kb/stats")
    def kb_stats() -> dict[str, Any]:
        return get_kb().stats()

    # async: a search takes well under a millisecond (names capped at MAX_NAME_CHARS), so it
    # runs on the event loop instead of paying a thread-pool hop per keystroke of autocomplete.
    @app.get("/api/kb/search")
    async def kb_search(
        q: str = Query(..., min_length=1, max_length=MAX_NAME_CHARS),
        limit: int = Query(20, ge=1, le=200),
        types: str | None = Query(
            None,
            max_length=200,
            description="comma-separated entity types to keep (e.g. material,delivery_system)",
        ),
    ) -> dict[str, Any]:
        if not types:
            return {"query": q, "hits": get_kb().search(q, limit=limit)}
        keep = {t.strip() for t in types.split(",") if t.strip()}
        hits = [h for h in get_kb().search(q, limit=200) if h["type"] in keep]
        return {"query": q, "hits": hits[:limit]}

    @app.get("/api/kb/show")
    def kb_show(name: str = Query(..., min_length=1, max_length=MAX_NAME_CHARS)) -> dict[str, Any]:
        return get_kb().show(name)

    @app.get(
        "/api/kb/references/{number}",
        responses={404: {"model": ApiError, "description": "Not in the review's list."}},
    )
    def kb_reference(number: int) -> dict[str, Any]:
        kb = get_kb()
        if number not in kb.curated.references:
            raise HTTPException(404, f"reference {number} is not in the review's list (1-194)")
        return kb.reference(number)

    routes.mount(app, get_kb, heavy)
    mount_runs(app, get_kb, state)
    mount_design(app, get_kb, state)
    mount_extra(app)
    if token:
        mount_login(app, token, sessions)
    app.state.runs = state
    app.state.heavy = heavy
    return app


def _methods_for(app: FastAPI, path: str) -> set[str]:
    """Every method some route of ``app`` serves at ``path`` (for the 405 ``Allow`` header)."""
    from starlette.routing import Match

    scope = {"type": "http", "path": path, "method": "", "root_path": ""}
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return methods
