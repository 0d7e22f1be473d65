"""Design search as a background run (``POST /api/design/search``, issue 24).

The constraints are the body, validated by :class:`exosci.design.Constraints` (a bad field is a
422 naming it); the run goes through the same store and worker pool as evaluate runs, with
progress and cancel, and its stored result is the ``exosci design search --json`` document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Body, FastAPI, HTTPException, Query, Request

from exosci import __version__
from exosci.design import Constraints
from exosci.kb.store import KnowledgeBase
from exosci.limits import MAX_API_SAMPLES, MAX_SEED
from exosci.web.runs import (
    QUEUE_FULL,
    RETRY_AFTER_S,
    RunsState,
    _check_names,
    _json_only_dep,
    _session,
)

#: Fewest paired subjects a search accepts (``exosci design search`` refuses fewer too).
MIN_SAMPLES = 20


def _check_queue(state: RunsState) -> None:
    pending = state.store.pending()
    if pending >= state.limits.max_queued:
        raise HTTPException(
            429,
            f"{pending} runs are already waiting or computing (the cap is "
            f"{state.limits.max_queued}, EXOSCI_MAX_QUEUED_RUNS); try again when one "
            "finishes, or cancel one.",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )


def mount_design(app: FastAPI, get_kb: Callable[[], KnowledgeBase], state: RunsState) -> None:
    """Attach ``POST /api/design/search`` (a background run of kind ``design``)."""

    @app.post(
        "/api/design/search",
        status_code=202,
        dependencies=[_json_only_dep()],
        responses=QUEUE_FULL,
    )
    def design_search(
        request: Request,
        constraints: Constraints = Body(
            ..., description="A lab's constraints as JSON (the `exosci design search` YAML)."
        ),
        samples: int = Query(300, ge=MIN_SAMPLES, le=MAX_API_SAMPLES),
        seed: int = Query(0, ge=0, le=MAX_SEED, description="random seed, 0 to 2**32-1"),
    ) -> dict[str, Any]:
        """Queue a design search; poll ``/api/runs/{id}/status``, read ``/api/runs/{id}``."""
        _check_queue(state)
        kb = get_kb()
        _check_names(constraints.baseline_spec(), kb)  # a baseline typo: 422 now, not later
        run_id = state.store.create(
            kind="design",
            name=constraints.name,
            spec=constraints.model_dump(mode="json"),
            params={"samples": samples, "seed": seed},
            version=__version__,
            seed=seed,
            data_hash=str(kb.meta()["content_hash"]),
            owner=_session(request),
        )
        state.limits.prune(state.store)
        state.runner.submit(run_id)
        return {"id": run_id, "status": "queued", "url": f"/run/{run_id}"}
