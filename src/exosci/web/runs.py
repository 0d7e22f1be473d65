"""Routes for saved runs and designs: submit a background run, poll it, cancel it, list,
search, download its files, and compare two saved runs on the same virtual subjects."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from exosci import __version__
from exosci._settings import settings
from exosci.errors import UserInputError
from exosci.evaluate.core import CLINICAL_SPECIES
from exosci.kb.store import KnowledgeBase
from exosci.limits import MAX_API_SAMPLES, MAX_NAME_CHARS, MAX_SEED
from exosci.therapy import resolve_spec
from exosci.therapy.spec import TherapySpec
from exosci.web.auth import SESSION_KEY
from exosci.web.jobs import JobRunner, log, sweep_orphans
from exosci.web.routes import _json_only
from exosci.web.schemas import ApiError
from exosci.web.store import RunStore, StoreUnavailable, default_path


class RunRequest(BaseModel):
    """A background run: ``evaluate`` or ``simulate`` one spec, or ``compare`` two saved runs."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["evaluate", "simulate", "compare"]
    spec: TherapySpec | None = Field(default=None, description="the design (evaluate/simulate)")
    runs: list[str] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="two saved run ids whose designs to compare (compare)",
    )
    samples: int = Field(default=300, ge=10, le=MAX_API_SAMPLES)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)


class RunUpdate(BaseModel):
    """A change to a saved run: its display name."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS, pattern=r"\S")


class RunLimits:
    """The queue cap and the retention of saved runs (environment variables, read at start).

    ``EXOSCI_MAX_QUEUED_RUNS``: runs waiting or computing at once (more get 429);
    ``EXOSCI_RUNS_KEEP``: finished runs kept (the oldest beyond it are deleted, 0 keeps all);
    ``EXOSCI_RUNS_MAX_AGE_DAYS``: finished runs older than this are deleted (0: no age limit).
    """

    def __init__(self) -> None:
        self.max_queued = max(1, settings.max_queued_runs)
        self.keep = settings.runs_keep
        self.max_age_days = settings.runs_max_age_days

    def prune(self, store: RunStore) -> int:
        age = self.max_age_days * 86400.0 if self.max_age_days else None
        return store.prune(keep=self.keep or 2**62, max_age_s=age)


#: Seconds a client is asked to wait when the queue is full.
RETRY_AFTER_S = 30


class DesignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: TherapySpec


class RunsState:
    """The store and the worker pool, created on first use (the data folder is read then)."""

    def __init__(self, path: Path | None, workers: int | None) -> None:
        self._path = path
        self._workers = workers
        self._store: RunStore | None = None
        self._runner: JobRunner | None = None
        self._lock = threading.Lock()
        self.limits = RunLimits()

    @property
    def store(self) -> RunStore:
        with self._lock:
            if self._store is None:
                store = RunStore(self._db_path())
                store.mark_interrupted()
                self.limits.prune(store)
                self._store = store
            return self._store

    @property
    def runner(self) -> JobRunner:
        store = self.store
        with self._lock:
            if self._runner is None:
                self._runner = JobRunner(store, self._workers)
            return self._runner

    def _db_path(self) -> Path:
        if self._path is not None:
            return self._path
        try:
            return default_path()
        except UserInputError as exc:  # EXOSCI_DATA_DIR names no usable folder
            raise StoreUnavailable(Path(settings.raw("data_dir") or "?"), str(exc)) from None

    def registry(self) -> Path:
        """Where worker processes record their pids (beside the runs database)."""
        return self._db_path().parent / "workers"

    def worker_registry(self) -> Path | None:
        """:meth:`registry`, or None when the data folder is unusable (workers record nothing)."""
        try:
            return self.registry()
        except StoreUnavailable:
            return None

    def startup(self) -> None:
        """End the orphaned workers of a server on this data folder that was killed."""
        try:
            sweep_orphans(self.registry())
        except (OSError, StoreUnavailable) as exc:  # the runs routes report an unusable folder
            log.warning("could not look for orphaned workers: %s", exc)

    def shutdown(self) -> None:
        if self._runner is not None:
            self._runner.shutdown()


def _json_only_dep() -> Any:
    return Depends(_json_only)


def index_page() -> str:
    return (resources.files("exosci.web") / "static" / "index.html").read_text(encoding="utf-8")


def _check_names(spec: TherapySpec, kb: KnowledgeBase) -> None:
    """Resolve every name now, so a typo is a 422 with suggestions before any work starts."""
    if spec.species.strip().lower() in CLINICAL_SPECIES:
        spec = spec.model_copy(update={"species": "rat"})
    resolve_spec(spec, kb)


#: Routes addressing one saved run answer 404 when the id is unknown (documented for clients).
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ApiError, "description": "No saved run (or run file) with this id."}
}
#: Routes changing a run: only the session that created it may (when it was made in one).
OWNED: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    403: {"model": ApiError, "description": "The run belongs to another signed-in session."},
}
QUEUE_FULL: dict[int | str, dict[str, Any]] = {
    429: {"model": ApiError, "description": "The run queue is full (see Retry-After)."}
}


def _session(request: Request) -> str | None:
    """The signed-in session's owner key (lab server mode), else None."""
    owner = request.scope.get(SESSION_KEY)
    return owner if isinstance(owner, str) else None


def mount_runs(app: FastAPI, get_kb: Callable[[], KnowledgeBase], state: RunsState) -> None:
    json_only = [_json_only_dep()]

    @app.post("/api/runs", status_code=202, dependencies=json_only, responses=QUEUE_FULL)
    def submit(body: RunRequest, request: Request) -> dict[str, Any]:
        pending = state.store.pending()
        if pending >= state.limits.max_queued:
            raise HTTPException(
                429,
                f"{pending} runs are already waiting or computing (the cap is "
                f"{state.limits.max_queued}, EXOSCI_MAX_QUEUED_RUNS); try again when one "
                "finishes, or cancel one.",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        kb = get_kb()
        data_hash = str(kb.meta()["content_hash"])
        if body.kind == "compare":
            if not body.runs:
                raise UserInputError("compare: give `runs`, the ids of two saved runs.")
            specs, names = [], []
            for rid in body.runs:
                row = state.store.get(rid, result=False)
                if row is None:
                    raise UserInputError(f"compare: no saved run {rid[:20]!r}.")
                if row["kind"] == "compare":
                    raise UserInputError(f"compare: run {rid} is itself a comparison.")
                specs.append(row["spec"])
                names.append(f"{row['name']} [{rid[:6]}]")
            spec_doc: Any = specs
            name = " vs ".join(names)
            params = {"samples": body.samples, "seed": body.seed, "runs": body.runs}
            params["labels"] = names
        else:
            if body.spec is None:
                raise UserInputError(f"{body.kind}: give `spec`, the therapy design.")
            _check_names(body.spec, kb)
            spec_doc = body.spec.model_dump(mode="json")
            name = body.spec.name
            params = {"samples": body.samples, "seed": body.seed}
        run_id = state.store.create(
            kind=body.kind,
            name=name,
            spec=spec_doc,
            params=params,
            version=__version__,
            seed=body.seed,
            data_hash=data_hash,
            owner=_session(request),
        )
        state.limits.prune(state.store)
        state.runner.submit(run_id)
        return {"id": run_id, "status": "queued", "url": f"/run/{run_id}"}

    @app.get("/api/runs")
    def list_runs(
        q: str = Query("", max_length=MAX_NAME_CHARS),
        limit: int = Query(100, ge=1, le=1000),
    ) -> dict[str, Any]:
        return {"runs": state.store.search(q, limit=limit)}

    def _row(run_id: str, result: bool) -> dict[str, Any]:
        row = state.store.get(run_id, result=result)
        if row is None:
            raise HTTPException(404, "no saved run with this id")
        return row

    @app.get("/api/runs/{run_id}", responses=NOT_FOUND)
    def get_run(run_id: str) -> dict[str, Any]:
        return _row(run_id, True)

    @app.get("/api/runs/{run_id}/status", responses=NOT_FOUND)
    def run_status(run_id: str) -> dict[str, Any]:
        row = _row(run_id, False)
        row.pop("spec", None)
        return row

    def _owned(run_id: str, request: Request, verb: str) -> None:
        exists, owner = state.store.owner(run_id)
        if not exists:
            raise HTTPException(404, "no saved run with this id")
        if owner is not None and owner != _session(request):
            raise HTTPException(
                403, f"this run was started in another signed-in session; only it may {verb} it."
            )

    @app.post("/api/runs/{run_id}/cancel", responses=OWNED)
    def cancel(run_id: str, request: Request) -> dict[str, Any]:
        _owned(run_id, request, "cancel")
        status = state.runner.cancel(run_id)
        return {"id": run_id, "status_before": status}

    @app.delete("/api/runs/{run_id}", responses=OWNED)
    def delete_run(run_id: str, request: Request) -> dict[str, Any]:
        """Delete a saved run and its files (a run still computing is cancelled first)."""
        _owned(run_id, request, "delete")
        status = state.runner.cancel(run_id)
        state.store.delete(run_id)
        return {"id": run_id, "deleted": True, "status_before": status}

    @app.patch("/api/runs/{run_id}", responses=OWNED, dependencies=json_only)
    def rename_run(run_id: str, body: RunUpdate, request: Request) -> dict[str, Any]:
        """Rename a saved run."""
        _owned(run_id, request, "rename")
        state.store.rename(run_id, body.name.strip())
        return {"id": run_id, "name": body.name.strip()}

    @app.get("/api/runs/{run_id}/result.json", responses=NOT_FOUND)
    def result_json(run_id: str) -> Response:
        row = _row(run_id, True)
        body = json.dumps(row, indent=1, default=str)
        return Response(
            body,
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="exosci-run-{run_id}.json"'},
        )

    @app.get("/api/runs/{run_id}/files/{name}", responses=NOT_FOUND)
    def run_file(run_id: str, name: str, download: bool = False) -> Response:
        got = state.store.file(run_id, name)
        if got is None:
            raise HTTPException(404, "no such file for this run")
        media, data = got
        headers = {}
        if download:
            headers["content-disposition"] = f'attachment; filename="exosci-{run_id}-{name}"'
        return Response(data, media_type=media, headers=headers)

    @app.post("/api/designs", status_code=201, dependencies=json_only)
    def save_design(body: DesignRequest) -> dict[str, Any]:
        spec = body.spec.model_dump(mode="json")
        return {"id": state.store.save_design(body.spec.name, spec)}

    @app.get("/api/designs")
    def list_designs(q: str = Query("", max_length=MAX_NAME_CHARS)) -> dict[str, Any]:
        return {"designs": state.store.designs(q)}

    @app.get("/run/{run_id}", response_class=HTMLResponse, include_in_schema=False)
    def run_page(run_id: str) -> str:
        return index_page()
