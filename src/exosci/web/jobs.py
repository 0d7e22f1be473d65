"""Heavy work in worker processes the server owns: background runs and interactive requests.

The server process only writes a queued row and hands its id to the pool, so it stays
responsive while a run computes. A worker reads the run from the database, writes its
progress there (the page polls it) and checks the run's cancel flag at each progress step;
a run still waiting in the pool is cancelled before it starts. The synchronous routes
(``/api/evaluate``, ``/api/simulate``) compute in a second pool (:class:`HeavyWork`), so no
evaluation holds the GIL of the process whose event loop answers search.

The server owns its workers (:class:`OwnedPool`): they are spawned from one long-lived thread
and ask the kernel to kill them when it dies (``PR_SET_PDEATHSIG`` on Linux, so ``kill -9`` of
the server takes them along); they ignore Ctrl-C, which the server handles by terminating them;
each records its pid under ``<data folder>/web/workers/`` so a server starting later ends the
orphans of one that could not (:func:`sweep_orphans`).
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from exosci import errors
from exosci.errors import UnknownNameError, UserInputError
from exosci.web.store import RunStore

log = logging.getLogger("exosci.web")

KINDS = ("evaluate", "simulate", "compare", "design")


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


def _design(constraints: dict[str, Any], params: dict[str, Any], report: Any) -> Any:
    from exosci.design import search

    result = search(
        constraints, seed=int(params["seed"]), samples=int(params["samples"]), progress=report
    )
    files: dict[str, tuple[str, bytes]] = {}
    if result.front:
        with tempfile.TemporaryDirectory() as tmp:
            png = result.plot(Path(tmp) / "front.png").read_bytes()
        files["front.png"] = ("image/png", png)
    return result.to_dict(), files


_KIND_FUNCS: dict[str, Callable[..., Any]] = {
    "evaluate": _evaluate,
    "simulate": _simulate,
    "compare": _compare,
    "design": _design,
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
    """Worker processes of the server (``exosci.settings.web_workers``)."""
    from exosci._settings import settings

    return settings.web_workers


# -- worker processes the server owns ---------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when the thread that spawned it exits (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (tells a process from a later one with its pid)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _block_sigint() -> None:
    """Block Ctrl-C in the spawning thread: a signal mask survives fork and exec, so a worker
    starts with SIGINT blocked and a Ctrl-C sent to the terminal's process group while it is
    still importing cannot end it with a traceback (the server stops its workers itself)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _worker_init(registry: str | None, parent: int) -> None:
    """Run first in every worker: die with the server, leave Ctrl-C to it, record the pid."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    if hasattr(signal, "pthread_sigmask"):  # a Ctrl-C pending since start-up is dropped
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent()
    if os.getppid() != parent:  # the server died before the line above took effect
        os._exit(1)
    if registry:
        me = os.getpid()
        record = {
            "pid": me,
            "started": _start_time(me),
            "server_pid": parent,
            "server_started": _start_time(parent),
        }
        try:
            folder = Path(registry)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{me}.json").write_text(json.dumps(record))
        except OSError:  # an unusable data folder: the runs routes report it; work goes on
            pass


def sweep_orphans(registry: Path) -> list[int]:
    """End the workers of servers that are gone (killed before they could); returns their pids.

    A worker is killed only when its recorded start time matches the live process (Linux), so
    a pid reused by another program is never touched; workers of a live server are left alone.
    """
    ended: list[int] = []
    if not registry.is_dir():
        return ended
    for path in registry.glob("*.json"):
        try:
            rec = json.loads(path.read_text())
            pid, server = int(rec["pid"]), int(rec["server_pid"])
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            continue
        server_live = server != os.getpid() and _alive(server)
        if server_live and _start_time(server) == rec.get("server_started"):
            continue  # another server on this data folder still owns it
        started = rec.get("started")
        if _alive(pid) and started is not None and _start_time(pid) == started:
            try:
                os.kill(pid, signal.SIGKILL)
                ended.append(pid)
            except OSError:
                pass
        path.unlink(missing_ok=True)
    if ended:
        log.warning(
            "ended %d orphaned worker process(es) of a previous server: %s", len(ended), ended
        )
    return ended


class OwnedPool:
    """A spawn-context process pool whose workers cannot outlive this server.

    Every submission goes through one dedicated thread, so each worker is a child of a thread
    that lives as long as the pool (``PR_SET_PDEATHSIG`` fires when the spawning *thread* exits;
    the request threads of the server come and go). :meth:`shutdown` terminates the workers
    (a computing run included) instead of waiting for them.
    """

    def __init__(self, workers: int, registry: Path | None = None) -> None:
        self.workers = workers
        self.registry = registry
        self._pool: ProcessPoolExecutor | None = None
        self._spawner: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.closing = False

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn: the server runs threads, and forking a threaded process is unsafe
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(None if self.registry is None else str(self.registry), os.getpid()),
        )

    def _submit_here(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Future[Any]:
        if self._pool is None:
            self._pool = self._new_pool()
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool:  # a worker died earlier: start a fresh pool
            self._pool = self._new_pool()
            return self._pool.submit(fn, *args)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        with self._lock:
            if self.closing:
                raise RuntimeError("the server is stopping")
            if self._spawner is None:
                self._spawner = ThreadPoolExecutor(
                    1, thread_name_prefix="exosci-spawner", initializer=_block_sigint
                )
            spawner = self._spawner
        return spawner.submit(self._submit_here, fn, args).result()

    def shutdown(self, grace: float = 2.0) -> None:
        """Stop every worker now: SIGTERM, then SIGKILL after ``grace`` seconds."""
        with self._lock:
            self.closing = True
            pool, self._pool = self._pool, None
            spawner, self._spawner = self._spawner, None
        if pool is not None:
            procs = list((pool._processes or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in procs:
                if proc.is_alive():
                    proc.terminate()
            end = time.monotonic() + grace
            for proc in procs:
                proc.join(max(0.0, end - time.monotonic()))
                if proc.is_alive():
                    proc.kill()
                    proc.join(1.0)
                if self.registry is not None and proc.pid is not None:
                    (self.registry / f"{proc.pid}.json").unlink(missing_ok=True)
        if spawner is not None:
            spawner.shutdown(wait=False)


class JobRunner:
    """Saved runs by id, computed in an :class:`OwnedPool` (spawned lazily)."""

    def __init__(self, store: RunStore, workers: int | None = None) -> None:
        self.store = store
        self.workers = workers or default_workers()
        self.pool = OwnedPool(self.workers, registry=store.path.parent / "workers")
        self._futures: dict[str, Future[str]] = {}

    def submit(self, run_id: str) -> None:
        fut = self.pool.submit(run_job, str(self.store.path), run_id)
        self._futures[run_id] = fut
        fut.add_done_callback(functools.partial(self._done, run_id))

    def _done(self, run_id: str, fut: Future[str]) -> None:
        self._futures.pop(run_id, None)
        if fut.cancelled():
            if self.pool.closing:
                return  # left queued: the next server marks it interrupted
            self.store.end(run_id, "cancelled", "cancelled before it started")
        elif fut.exception() is not None:  # the worker process died (killed, or stopped)
            row = self.store.get(run_id, result=False)
            if row and row["status"] in ("queued", "running"):
                if self.pool.closing:
                    self.store.end(
                        run_id, "interrupted", "the server stopped before this run finished."
                    )
                else:
                    self.store.end(run_id, "failed", f"worker process failed: {fut.exception()!s}")

    def cancel(self, run_id: str) -> str | None:
        status = self.store.request_cancel(run_id)
        fut = self._futures.get(run_id)
        if fut is not None:
            fut.cancel()  # only succeeds while it waits in the pool
        return status

    def shutdown(self) -> None:
        self.pool.shutdown()


# -- interactive requests ---------------------------------------------------------------------


def _interactive(kind: str, args: tuple[Any, ...], kb: Any) -> tuple[str, Any]:
    """Run one synchronous API request's computation in a worker; never raises.

    Errors travel back as plain values: an ``UnknownNameError`` does not survive pickling
    (its constructor takes three arguments), and an exception that cannot be unpickled in the
    server would break the whole pool.
    """
    try:
        return "ok", _INTERACTIVE[kind](*args, kb=kb)
    except UnknownNameError as exc:
        return "unknown", (exc.name, exc.kind, exc.suggestions, str(exc))
    except UserInputError as exc:
        return "input", (type(exc).__name__, str(exc))
    except Exception as exc:  # noqa: BLE001 - re-raised in the server as an internal error
        return "error", f"{type(exc).__name__}: {str(exc)[:500]}"


def _simulate_doc(spec: Any, samples: int, seed: int, band: str, *, kb: Any) -> Any:
    from exosci.kb.store import default_kb
    from exosci.therapy.simulate import simulate_run

    run = simulate_run(spec, kb=kb or default_kb(), samples=samples, seed=seed, band=band)
    return run.to_dict()


def _evaluate_doc(spec: Any, samples: int, seed: int, *, kb: Any) -> Any:
    from exosci.evaluate import evaluate_design
    from exosci.kb.store import default_kb

    alt = min(samples, 200)
    ev = evaluate_design(
        spec, kb=kb or default_kb(), samples=samples, seed=seed, alternative_samples=alt
    )
    return ev.to_dict()


def _evaluate_report(spec: Any, samples: int, seed: int, *, kb: Any) -> str:
    from exosci.evaluate import evaluate
    from exosci.evaluate.render import make_plots, render_html
    from exosci.kb.store import default_kb

    alt = min(samples, 200)
    doc = evaluate(spec, kb=kb or default_kb(), samples=samples, seed=seed, alternative_samples=alt)
    return render_html(doc, make_plots(doc))


_INTERACTIVE: dict[str, Callable[..., Any]] = {
    "simulate": _simulate_doc,
    "evaluate": _evaluate_doc,
    "report": _evaluate_report,
}


class Busy(Exception):
    """Too many synchronous computations waiting (the app answers 429 with Retry-After)."""


_STOPPING = "the server is stopping; this computation was not finished."


class Stopping(Exception):
    """The server stopped while a computation was in flight (the app answers 503)."""


class HeavyWork:
    """Synchronous evaluate/simulate requests, computed in worker processes the server owns.

    The route awaits the result, so neither the event loop nor a request thread spends CPU on
    it; at most ``4 x workers`` wait at once (more get :class:`Busy`).
    """

    def __init__(
        self, workers: int, kb: Any = None, registry: Callable[[], Path | None] | None = None
    ) -> None:
        self.kb = kb  # None: each worker uses the curated knowledge base
        self.workers = workers
        self.max_waiting = 4 * workers
        self._registry = registry
        self._pool: OwnedPool | None = None
        self._waiting = 0
        self._lock = threading.Lock()

    @property
    def pool(self) -> OwnedPool:
        with self._lock:
            if self._pool is None:
                self._pool = OwnedPool(self.workers, self._registry() if self._registry else None)
            return self._pool

    async def run(self, kind: str, *args: Any) -> Any:
        import asyncio

        with self._lock:
            if self._waiting >= self.max_waiting:
                raise Busy(
                    f"{self._waiting} evaluations or simulations are already computing or "
                    "waiting; try again shortly, or submit a background run (POST /api/runs)."
                )
            self._waiting += 1
        try:
            fut = self.pool.submit(_interactive, kind, args, self.kb)
            try:
                status, value = await asyncio.wrap_future(fut)
            except asyncio.CancelledError:  # the server is stopping (graceful timeout)
                fut.cancel()
                raise Stopping(_STOPPING) from None
            except BrokenProcessPool:
                if self.pool.closing:
                    raise Stopping(_STOPPING) from None
                raise Stopping(
                    "the worker process computing this request died (out of memory?); "
                    "try again, with fewer samples."
                ) from None
        finally:
            with self._lock:
                self._waiting -= 1
        if status == "ok":
            return value
        if status == "unknown":
            name, what, suggestions, message = value
            exc = UnknownNameError(name, what, suggestions)
            exc.args = (message,)
            raise exc
        if status == "input":
            cls = getattr(errors, value[0], UserInputError)
            raise (
                cls if isinstance(cls, type) and issubclass(cls, UserInputError) else UserInputError
            )(value[1])
        raise RuntimeError(f"the computation failed in its worker process ({value})")

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
