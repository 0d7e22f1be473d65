"""API routes over reasoning, cargo, therapy simulation, evaluation, QC and release fitting.

Each route parses, calls the same library function as the CLI and returns its document;
bad input raises ``UserInputError`` which the app turns into HTTP 422 with the message.
Bodies are pydantic models (JSON routes) or the raw bytes of one uploaded file (file routes);
no route opens a server path named by a client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from exosci.errors import UserInputError
from exosci.evaluate.document import EVALUATION_RESPONSE
from exosci.kb.store import KnowledgeBase
from exosci.limits import (
    MAX_API_SAMPLES,
    MAX_NAME_CHARS,
    MAX_PATH_LENGTH,
    MAX_SEED,
    UPLOAD_BYTES_CEILING,
    check_upload,
    max_body_bytes,
    max_upload_bytes,
)
from exosci.qc.prep import PrepUpload
from exosci.therapy.spec import TherapySpec
from exosci.web.evidence import MAX_IDS, citations, field_errors, statement_cards
from exosci.web.jobs import HeavyWork
from exosci.web.schemas import ApiError, CargoEnrichRequest

#: Routes whose body is one uploaded file (raw bytes).
FILE_ROUTES = ("/api/qc/nta", "/api/release/fit")
#: Routes whose JSON body may carry an uploaded file inline (base64 is 4/3 of the bytes).
INLINE_FILE_ROUTES = ("/api/qc/check",)

_FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": f"The file's bytes (at most {UPLOAD_BYTES_CEILING} bytes).",
        "content": {
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary", "maxLength": UPLOAD_BYTES_CEILING}
            }
        },
    }
}
#: Evaluate/simulate routes refuse more waiting computations than their workers can take.
BUSY: dict[int | str, dict[str, Any]] = {
    429: {"model": ApiError, "description": "Too many computations waiting (see Retry-After)."}
}
_SEED = Query(0, ge=0, le=MAX_SEED, description="random seed, 0 to 2**32-1")


def body_limit(path: str) -> int:
    """The byte cap on a request body to ``path`` (see :mod:`exosci.limits`)."""
    if path in FILE_ROUTES:
        return max_upload_bytes()
    if path in INLINE_FILE_ROUTES:
        return max_upload_bytes() * 4 // 3 + max_body_bytes()
    return max_body_bytes()


def _json_only(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise HTTPException(415, "this route takes a JSON body (content-type: application/json).")


def _file_only(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/octet-stream" and not media.startswith("text/"):
        raise HTTPException(
            415, "this route takes the file's bytes (content-type: application/octet-stream)."
        )


JSON = [Depends(_json_only)]
FILE = [Depends(_file_only)]


async def _body(request: Request) -> bytes:
    chunks: list[bytes] = []
    total = 0
    limit = max_upload_bytes()
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:  # the middleware stops it first; this guards direct mounting
            raise HTTPException(413, f"upload exceeds the {limit}-byte limit.")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise UserInputError("empty request body; send the file's bytes as the body.")
    return check_upload(data)


def mount(app: FastAPI, get_kb: Callable[[], KnowledgeBase], heavy: HeavyWork) -> None:
    """Attach the analysis routes to ``app``, one router per area.

    The library modules are imported when the routers are built, once, not inside the routes:
    the routes run in a thread pool, and two threads importing a package's modules for the
    first time at the same moment can see one of them half-initialised (an ImportError under
    load).
    """
    for router in (
        kb_router(get_kb),
        meta_router(app),
        computation_router(heavy),
        cargo_router(),
        qc_router(),
        release_router(),
    ):
        app.include_router(router)


def kb_router(get_kb: Callable[[], KnowledgeBase]) -> APIRouter:
    """The knowledge graph: mechanism paths, statements, citations, names of a spec, profiles."""
    from exosci.reason.explain import explain as run_explain
    from exosci.reason.profile import profile_of

    router = APIRouter()

    @router.get("/api/explain")
    def explain(
        subject: str = Query(..., min_length=1, max_length=MAX_NAME_CHARS),
        object: str = Query(..., min_length=1, max_length=MAX_NAME_CHARS, alias="object"),
        max_length: int = Query(6, ge=1, le=MAX_PATH_LENGTH),
        sign: Literal["up", "down"] | None = None,
        limit: int = Query(10, ge=1, le=100),
        context: Literal["strict", "loose"] = Query(
            "strict", description="strict: never join steps from incompatible cell types"
        ),
    ) -> dict[str, Any]:
        # the document `exosci explain --json` prints, with the same options
        return run_explain(
            get_kb(),
            subject,
            object,
            max_length=max_length,
            sign=sign,
            limit=limit,
            context=context,
        ).to_dict()

    @router.get("/api/kb/statements")
    def kb_statements(
        id: list[str] = Query(..., min_length=1, max_length=MAX_IDS, description="statement ids"),
    ) -> dict[str, Any]:
        """Statements in words: each line of evidence with its titled references."""
        return {"statements": statement_cards(get_kb(), id)}

    @router.get("/api/kb/citations")
    def kb_citations(
        ref: list[int] = Query([], max_length=MAX_IDS, description="review reference numbers"),
        paper: list[str] = Query([], max_length=MAX_IDS, description="paper ids (pmid:, doi:)"),
    ) -> dict[str, Any]:
        """Review references and papers beyond the review with first author, year and title."""
        return {"citations": citations(get_kb(), ref, paper)}

    @router.post("/api/spec/check", dependencies=JSON)
    def spec_check(
        spec: TherapySpec = Body(
            ..., description="A therapy spec as JSON (the TherapySpec schema)."
        ),
    ) -> dict[str, Any]:
        """Every unknown name of the design at once (an empty list: all names are known)."""
        return {"errors": field_errors(spec, get_kb())}

    @router.get("/api/kb/profile")
    def profile(name: str = Query(..., min_length=1, max_length=MAX_NAME_CHARS)) -> dict[str, Any]:

        ent, prof = profile_of(get_kb(), name)
        return {"id": ent.id, "name": ent.name, "type": ent.type, **prof.to_dict()}

    return router


def meta_router(app: FastAPI) -> APIRouter:
    """What the page needs to know about this server."""
    router = APIRouter()

    @router.get("/api/session", include_in_schema=False)
    def session() -> dict[str, Any]:
        """Whether this server has sign-in (token mode), so the page offers "Sign out"."""
        paths = {getattr(r, "path", "") for r in app.router.routes}
        return {"sign_in": "/api/login" in paths}

    return router


def computation_router(heavy: HeavyWork) -> APIRouter:
    """Simulations, evaluations and reports, computed in worker processes."""
    router = APIRouter()

    # Evaluations and simulations compute in worker processes (exosci.web.jobs.HeavyWork):
    # the route only awaits, so search and the other routes answer while one runs.
    @router.post("/api/simulate", dependencies=JSON, responses=BUSY)
    async def simulate(
        spec: TherapySpec = Body(
            ..., description="A therapy spec as JSON (the TherapySpec schema)."
        ),
        samples: int = Query(500, ge=10, le=MAX_API_SAMPLES),
        seed: int = _SEED,
        band: Literal["mean", "animal"] = Query("mean", description="mean or animal spread"),
    ) -> dict[str, Any]:
        # the document `exosci simulate --json` prints (one library function for both)
        doc: dict[str, Any] = await heavy.run("simulate", spec, samples, seed, band)
        return doc

    @router.post("/api/evaluate", dependencies=JSON, responses={**BUSY, **EVALUATION_RESPONSE})
    async def evaluate(
        spec: TherapySpec = Body(
            ..., description="A therapy spec as JSON (the TherapySpec schema)."
        ),
        samples: int = Query(300, ge=10, le=MAX_API_SAMPLES),
        seed: int = _SEED,
    ) -> dict[str, Any]:
        # the document `exosci evaluate --json` prints and writes
        doc: dict[str, Any] = await heavy.run("evaluate", spec, samples, seed)
        return doc

    @router.post(
        "/api/evaluate/report", response_class=HTMLResponse, dependencies=JSON, responses=BUSY
    )
    async def evaluate_report(
        spec: TherapySpec = Body(
            ..., description="A therapy spec as JSON (the TherapySpec schema)."
        ),
        samples: int = Query(300, ge=10, le=MAX_API_SAMPLES),
        seed: int = _SEED,
    ) -> str:
        html: str = await heavy.run("report", spec, samples, seed)
        return html

    return router


def cargo_router() -> APIRouter:
    """Cargo enrichment over the fetched target and gene-set resources."""
    from exosci.cargo.pipeline import enrich as run_cargo_enrich
    from exosci.datasets import available

    router = APIRouter()

    @router.post("/api/cargo/enrich", dependencies=JSON)
    def cargo_enrich(body: CargoEnrichRequest) -> dict[str, Any]:

        for kind, names in (("targets", body.targets), ("genesets", body.genesets)):
            known = [r["name"] for r in available(kind)]
            for name in names:
                if name not in known:
                    raise UserInputError(
                        f"{kind}: {name!r} is not a fetched {kind} resource; fetched: "
                        f"{', '.join(known) or 'none (exosci data fetch NAME adds one)'}."
                    )
        # ex.cargo.enrich on the list itself (no temp file): the document of `cargo enrich --json`
        result = run_cargo_enrich(
            body.mirnas,
            species=body.species,
            targets=body.targets,
            genesets=body.genesets,
            mechanisms=not body.genesets,
        )
        return result.to_dict(top=body.top)

    return router


def qc_router() -> APIRouter:
    """Vesicle QC: an NTA export, a whole preparation."""
    from exosci.qc import check_prep, read_nta_bytes

    router = APIRouter()

    @router.post("/api/qc/nta", dependencies=FILE, openapi_extra=_FILE_BODY)
    async def qc_nta(
        request: Request,
        filename: str = Query(
            "upload.txt",
            min_length=1,
            max_length=MAX_NAME_CHARS,
            description="The export's file name (for messages).",
        ),
        dilution: float | None = Query(None, gt=0, le=1e9, allow_inf_nan=False),
    ) -> dict[str, Any]:

        report = read_nta_bytes(
            await _body(request), name=filename, dilution=dilution, on_empty="report"
        )
        return report.model_dump()

    @router.post("/api/qc/check", dependencies=JSON)
    def qc_check(prep: PrepUpload) -> dict[str, Any]:

        model, upload = prep.split()
        nta = None
        if upload is not None:
            data = check_upload(upload.data(), what="particles.nta_export")
            nta = read_nta_bytes(data, name=upload.filename, on_empty="report")
        return check_prep(model, nta=nta).model_dump()

    return router


def release_router() -> APIRouter:
    """Release kinetics fitted to an uploaded profile."""
    import numpy as np

    from exosci.release import MODELS, fit_release, parse_profile

    router = APIRouter()

    @router.post("/api/release/fit", dependencies=FILE, openapi_extra=_FILE_BODY)
    async def release_fit(
        request: Request,
        time_unit: Literal["min", "h", "d", "w"] | None = Query(
            None, description="the time unit when the header does not say."
        ),
        allow_over_100: bool = False,
    ) -> dict[str, Any]:

        profile = parse_profile(
            await _body(request),
            source="upload",
            time_unit=time_unit,
            allow_over_100=allow_over_100,
        )
        doc = fit_release(profile).to_dict()
        doc["observed"] = {
            "t_days": profile.t_days.tolist(),
            "percent": profile.percent.tolist(),
            "sd": None if profile.sd is None else profile.sd.tolist(),
        }
        grid = np.linspace(0.0, float(profile.t_days.max()), 120)
        doc["curves"] = []
        for m in doc["models"]:
            y = MODELS[m["name"]].percent(grid, m["params"])
            ok = np.isfinite(y)
            doc["curves"].append(
                {
                    "name": m["name"],
                    "label": m.get("label", m["name"]),
                    "t_days": grid[ok].round(6).tolist(),
                    "percent": y[ok].round(4).tolist(),
                }
            )
        return doc

    return router
