"""Background runs: evaluate, simulate and compare in a pool of worker processes.

The server process only writes a queued row and hands its id to the pool, so it stays
responsive while a run computes. A worker reads the run from the database, writes its
progress there (the page polls it) and checks the run's cancel flag at each progress step;
a run still waiting in the pool is cancelled before it starts.
"""

from __future__ import annotations

import base64
import functools
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from exosci.errors import UserInputError
from exosci.web.store import RunStore

KINDS = ("evaluate", "simulate", "compare")


class Cancelled(Exception):
    """Raised inside a worker when the run's cancel flag is set."""


def _evaluate(spec: dict[str, Any], params: dict[str, Any], report: Any) -> Any:
    from exosci.evaluate import evaluate
    from exosci.evaluate.render import make_plots, render_html
    from exosci.therapy.spec import parse_spec

    samples, seed = int(params["samples"]), int(params["seed"])
    doc = evaluate(
        parse_spec(spec),
        samples=samples,
        seed=seed,
        alternative_samples=min(samples, 200),
        sensitivity_trajectories=int(params.get("sensitivity", 8)),
        progress=report,
    )
    report("report", 0, 1)
    plots = make_plots(doc)
    files: dict[str, tuple[str, bytes]] = {
        "report.html": ("text/html; charset=utf-8", render_html(doc, plots).encode())
    }
    for name, png in plots.items():
        if png:
            files[f"{name}.png"] = ("image/png", png)
    doc.pop("design_rows", None)
    return doc, files


def _simulate(spec: dict[str, Any], params: dict[str, Any], report: Any) -> Any:
    from exosci.therapy.simulate import simulate_run

    samples, seed = int(params["samples"]), int(params["seed"])
    report("ensemble", 0, samples)
    run = simulate_run(
        spec, samples=samples, seed=seed, progress=lambda n: report("ensemble", n, samples)
    )
    return run.to_dict(), {}


def _compare(specs: list[dict[str, Any]], params: dict[str, Any], report: Any) -> Any:
    from exosci.evaluate.compare import compare_specs
    from exosci.therapy.spec import parse_spec

    report("compare", 0, len(specs))
    with tempfile.TemporaryDirectory() as tmp:
        plot = Path(tmp) / "compare.png"
        doc = compare_specs(
            [parse_spec(s, where=f"design {i + 1}") for i, s in enumerate(specs)],
            samples=int(params["samples"]),
            seed=int(params["seed"]),
            plot=plot,
            files=params.get("labels"),
        )
        png = plot.read_bytes()
    doc["plot_png"] = base64.b64encode(png).decode()
    return doc, {"compare.png": ("image/png", png)}


_KIND_FUNCS: dict[str, Callable[..., Any]] = {
    "evaluate": _evaluate,
    "simulate": _simulate,
    "compare": _compare,
}


def run_job(db_path: str, run_id: str) -> str:
    """Run one saved run to completion in this (worker) process; returns its final status."""
    store = RunStore(db_path)
    row = store.get(run_id)
    if row is None or not store.start(run_id):
        return "skipped"
    last = [0.0]

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.25 and done not in (0, total):
            return
        last[0] = now
        if store.progress(run_id, stage, int(done), int(total)):
            raise Cancelled

    try:
        fn = _KIND_FUNCS[row["kind"]]
        result, files = fn(row["spec"], row["params"], report)
        store.finish(run_id, result, files)
        return "done"
    except Cancelled:
        store.end(run_id, "cancelled", "cancelled on request")
        return "cancelled"
    except UserInputError as exc:
        store.end(run_id, "failed", str(exc)[:4000])
        return "failed"
    except Exception as exc:  # a worker never dies silently: the run says what happened
        store.end(run_id, "failed", f"internal error ({type(exc).__name__}): {str(exc)[:500]}")
        return "failed"


def default_workers() -> int:
    env = os.environ.get("EXOSCI_WEB_WORKERS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(2, (os.cpu_count() or 2) - 1))


class JobRunner:
    """A process pool (spawned lazily) that runs saved runs by id."""

    def __init__(self, store: RunStore, workers: int | None = None) -> None:
        self.store = store
        self.workers = workers or default_workers()
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[str, Future[str]] = {}
        self._lock = threading.Lock()

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: the server runs threads, and forking a threaded process is unsafe
                ctx = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
            return self._pool

    def submit(self, run_id: str) -> None:
        try:
            fut = self._get_pool().submit(run_job, str(self.store.path), run_id)
        except BrokenProcessPool:  # a worker died earlier: start a fresh pool
            with self._lock:
                self._pool = None
            fut = self._get_pool().submit(run_job, str(self.store.path), run_id)
        self._futures[run_id] = fut
        fut.add_done_callback(functools.partial(self._done, run_id))

    def _done(self, run_id: str, fut: Future[str]) -> None:
        self._futures.pop(run_id, None)
        if fut.cancelled():
            self.store.end(run_id, "cancelled", "cancelled before it started")
        elif fut.exception() is not None:  # the worker process died (e.g. killed)
            row = self.store.get(run_id, result=False)
            if row and row["status"] in ("queued", "running"):
                self.store.end(run_id, "failed", f"worker process failed: {fut.exception()!s}")

    def cancel(self, run_id: str) -> str | None:
        status = self.store.request_cancel(run_id)
        fut = self._futures.get(run_id)
        if fut is not None:
            fut.cancel()  # only succeeds while it waits in the pool
        return status

    def shutdown(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
