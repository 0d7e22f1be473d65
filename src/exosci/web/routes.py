"""API routes over reasoning, cargo, therapy simulation, evaluation, QC and release fitting.

Each route parses, calls the same library function as the CLI and returns its document;
bad input raises ``UserInputError`` which the app turns into HTTP 422 with the message.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import Body, FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from exosci.errors import UserInputError
from exosci.kb.store import KnowledgeBase

MAX_UPLOAD = 20 * 1024 * 1024  # bytes; NTA exports and release tables are far smaller


async def _body(request: Request) -> bytes:
    data = await request.body()
    if not data:
        raise UserInputError("empty request body; send the file's bytes as the body.")
    if len(data) > MAX_UPLOAD:
        raise UserInputError(f"upload of {len(data)} bytes exceeds the {MAX_UPLOAD}-byte limit.")
    return data


def mount(app: FastAPI, get_kb: Callable[[], KnowledgeBase]) -> None:
    """Attach the analysis routes to ``app``."""

    @app.get("/api/explain")
    def explain(
        subject: str = Query(..., min_length=1),
        object: str = Query(..., min_length=1, alias="object"),
        max_length: int = Query(6, ge=1, le=10),
        sign: Literal["up", "down"] | None = None,
        limit: int = Query(10, ge=1, le=100),
    ) -> dict[str, Any]:
        from exosci.reason.explain import explain as run

        return run(
            get_kb(), subject, object, max_length=max_length, sign=sign, limit=limit
        ).to_dict()

    @app.get("/api/kb/profile")
    def profile(name: str = Query(..., min_length=1)) -> dict[str, Any]:
        from exosci.reason.profile import profile_of

        ent, prof = profile_of(get_kb(), name)
        return {"id": ent.id, "name": ent.name, "type": ent.type, **prof.to_dict()}

    @app.post("/api/simulate")
    def simulate(
        spec: dict[str, Any] = Body(..., description="A therapy spec (DESIGN.md) as JSON."),
        samples: int = Query(500, ge=10, le=5000),
        seed: int = 0,
    ) -> dict[str, Any]:
        from exosci.model.simulate import ensemble
        from exosci.therapy import parse_spec, resolve_spec

        res = resolve_spec(parse_spec(spec, where="request body"), get_kb())
        return ensemble(res.design, samples=samples, seed=seed).to_dict()

    def _evaluate(spec: dict[str, Any], samples: int, seed: int) -> dict[str, Any]:
        from exosci.evaluate import evaluate as run
        from exosci.therapy import parse_spec

        spec_model = parse_spec(spec, where="request body")
        alt = min(samples, 200)
        return run(spec_model, kb=get_kb(), samples=samples, seed=seed, alternative_samples=alt)

    @app.post("/api/evaluate")
    def evaluate(
        spec: dict[str, Any] = Body(..., description="A therapy spec (DESIGN.md) as JSON."),
        samples: int = Query(300, ge=10, le=5000),
        seed: int = 0,
    ) -> dict[str, Any]:
        doc = _evaluate(spec, samples, seed)
        doc.pop("design_rows", None)
        return doc

    @app.post("/api/evaluate/report", response_class=HTMLResponse)
    def evaluate_report(
        spec: dict[str, Any] = Body(...),
        samples: int = Query(300, ge=10, le=5000),
        seed: int = 0,
    ) -> str:
        from exosci.evaluate.render import make_plots, render_html

        doc = _evaluate(spec, samples, seed)
        return render_html(doc, make_plots(doc))

    @app.post("/api/cargo/enrich")
    def cargo_enrich(
        body: dict[str, Any] = Body(
            ..., examples=[{"mirnas": ["miR-146a-5p", "miR-21-5p"], "species": "rat"}]
        ),
    ) -> dict[str, Any]:
        from exosci.cargo.pipeline import run_enrich

        mirnas = body.get("mirnas")
        if not isinstance(mirnas, list) or not all(isinstance(m, str) for m in mirnas):
            raise UserInputError("field `mirnas`: expected a list of miRNA names.")
        species = body.get("species")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "mirnas.txt"
            path.write_text("\n".join(mirnas) + "\n", encoding="utf-8")
            result, _ = run_enrich(path, species=species, mechanisms=True)
        return result.to_dict(top=int(body.get("top", 50)))

    @app.post("/api/qc/nta")
    async def qc_nta(
        request: Request,
        filename: str = Query("upload.txt", description="The export's file name (for messages)."),
        dilution: float | None = Query(None, gt=0),
    ) -> dict[str, Any]:
        from exosci.qc import read_nta_bytes

        report = read_nta_bytes(
            await _body(request), name=filename, dilution=dilution, on_empty="report"
        )
        return report.model_dump()

    @app.post("/api/qc/check")
    def qc_check(prep: dict[str, Any] = Body(...)) -> dict[str, Any]:
        from exosci.qc import check_prep

        return check_prep(prep).model_dump()

    @app.post("/api/release/fit")
    async def release_fit(
        request: Request,
        time_unit: str | None = Query(None, description="h or d when the header does not say."),
        allow_over_100: bool = False,
    ) -> dict[str, Any]:
        from exosci.release import fit_release, parse_profile

        profile = parse_profile(
            await _body(request),
            source="upload",
            time_unit=time_unit,
            allow_over_100=allow_over_100,
        )
        return fit_release(profile).to_dict()
