"""REST API and web app: a thin FastAPI layer over the same library functions as the CLI."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from exosci import __version__
from exosci.errors import UnknownNameError, UserInputError
from exosci.kb.store import KnowledgeBase, default_kb
from exosci.web import routes


def _static(name: str) -> str:
    return (resources.files("exosci.web") / "static" / name).read_text(encoding="utf-8")


def create_app(kb: KnowledgeBase | None = None) -> FastAPI:
    """The exosci web application; ``kb`` defaults to the curated in-memory store."""
    app = FastAPI(
        title="exosci",
        version=__version__,
        description="Exosome therapies for spinal cord injury: knowledge graph, mechanism "
        "reasoning, cargo enrichment, therapy simulation, evaluation, vesicle QC, release fits. "
        "Model outputs are hypothesis-generating predictions, labelled as such.",
    )
    get_kb = (lambda: kb) if kb is not None else default_kb

    @app.exception_handler(UserInputError)
    async def _bad_input(_: Request, exc: UserInputError) -> JSONResponse:
        body: dict[str, Any] = {"error": str(exc), "kind": type(exc).__name__}
        if isinstance(exc, UnknownNameError):
            body["suggestions"] = exc.suggestions
        return JSONResponse(status_code=422, content=body)

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

    @app.get("/api/kb/search")
    def kb_search(
        q: str = Query(..., min_length=1), limit: int = Query(20, ge=1, le=200)
    ) -> dict[str, Any]:
        return {"query": q, "hits": get_kb().search(q, limit=limit)}

    @app.get("/api/kb/show")
    def kb_show(name: str = Query(..., min_length=1)) -> dict[str, Any]:
        return get_kb().show(name)

    @app.get("/api/kb/references/{number}")
    def kb_reference(number: int) -> dict[str, Any]:
        kb = get_kb()
        if number not in kb.curated.references:
            raise HTTPException(404, f"reference {number} is not in the review's list (1-194)")
        return kb.reference(number)

    routes.mount(app, get_kb)
    return app
