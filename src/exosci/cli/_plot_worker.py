"""Draw the report's figures in a forked worker while the evaluation runs (``exosci evaluate``).

Importing matplotlib and drawing a first figure (fonts, FreeType) is a fixed cost of about half
a second that does not depend on the evaluation. The CLI forks a worker before the evaluation
starts. The worker pays that cost under ``SCHED_IDLE`` (on CPU time the evaluation leaves idle,
e.g. the second core while the parent resolves the spec and loads the engine, so it never slows
the evaluation), then waits for the evaluation document on a pipe. Once the document is sent the
parent returns the worker to normal scheduling; the worker draws half of the figures and a
helper forked from it the other half (the parent only waits then), with
:func:`exosci.evaluate.render.make_plots` (the same code as in-process, so the same PNG bytes),
renders the HTML page around them and sends both back.

It is an optimisation only: :meth:`PlotWorker.start` returns None where forking is not safe
(no ``os.fork``, not Linux, or the process already runs more than one thread — a fork then
may copy a lock held by another thread), and :meth:`PlotWorker.report` returns None when the
worker died, timed out or answered something that is not the four figures and a page holding
them; the caller then renders in-process. :meth:`PlotWorker.close` (also on an exception or Ctrl-C in the parent) kills
the worker's process group and reaps the worker, and the worker and its helper die with their
parent (``PR_SET_PDEATHSIG``, and end of file on the pipe), so no process outlives the command.

The web server and ``Evaluation.to_html`` draw in-process (a server has threads; a notebook
call gains nothing from a fork after the evaluation). This module lives in ``cli`` rather than
``evaluate`` because importing anything under ``exosci.evaluate`` imports numpy, whose BLAS
starts a thread: the fork must come before that.
"""

from __future__ import annotations

import base64
import contextlib
import os
import pickle
import select
import signal
import sys
import time
from types import TracebackType
from typing import Any

#: Environment variable that turns the worker off (``EXOSCI_PLOT_WORKER=0``): in-process drawing.
ENV_SWITCH = "EXOSCI_PLOT_WORKER"
#: Seconds the parent waits for the figures once the document is sent, before drawing them
#: itself (the worker needs well under a second; this only bounds a stuck worker).
TIMEOUT_S = 30.0
PLOT_NAMES = ("mechanisms", "recovery", "delivery", "sensitivity")
#: Drawn by the worker's helper process (about half of the drawing time).
HELPER_PLOTS = ("recovery", "delivery")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PR_SET_PDEATHSIG = 1
#: Seconds a running worker has to end itself (and its helper) on SIGTERM before SIGKILL.
_TERM_GRACE_S = 1.0
#: The worker's helper process, while it runs (read by the worker's SIGTERM handler).
_HELPER = [0]


def fork_is_safe() -> bool:
    """Whether this process may fork a plot worker: Linux, ``os.fork``, one OS thread only,
    and a second CPU to run it on (on one CPU the worker would only add its own overhead)."""
    from exosci._settings import settings

    if not settings.plot_worker:
        return False
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return False
    if len(os.sched_getaffinity(0)) < 2:
        return False
    return _one_thread()


def valid_report(plots: Any, html: Any) -> bool:
    """Whether ``plots, html`` is what :func:`~exosci.evaluate.render.render_report` returns:
    the four figures as PNG (or None) and a page in which each figure is inlined."""
    if not (isinstance(plots, dict) and list(plots) == list(PLOT_NAMES) and isinstance(html, str)):
        return False
    for png in plots.values():
        if png is None:
            continue
        if not (isinstance(png, bytes) and png.startswith(_PNG_SIGNATURE)):
            return False
        if base64.b64encode(png).decode() not in html:
            return False
    return True


class PlotWorker:
    """A forked process that draws the report's figures; use as a context manager."""

    def __init__(self, pid: int, to_child: int, from_child: int) -> None:
        self.pid = pid
        self._to_child = to_child
        self._from_child = from_child
        self._nonce = os.urandom(16)
        self._sent = False
        self._reaped = False

    @classmethod
    def start(cls) -> PlotWorker | None:
        """Fork a worker that warms matplotlib up, or None where forking is not safe."""
        if not fork_is_safe():
            return None
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            for fd in (down_r, down_w, up_r, up_w):
                os.close(fd)
            return None
        if pid == 0:  # the worker: never returns, never runs the parent's atexit or finally
            code = 1
            try:
                os.close(down_w)
                os.close(up_r)
                _child(parent, down_r, up_w)
                code = 0
            finally:
                os._exit(code)
        os.close(down_r)
        os.close(up_w)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)  # as the worker does itself: whichever runs first
        # Warm up on idle CPU only, never slowing the evaluation; set here, not in the worker,
        # so that it comes before the return to normal scheduling in send().
        _set_policy(pid, "SCHED_IDLE")
        return cls(pid, down_w, up_r)

    def __enter__(self) -> PlotWorker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, doc: dict[str, Any]) -> bool:
        """Hand the evaluation document to the worker; False if it cannot take it."""
        if self._sent or self._reaped:
            return False
        self._sent = True
        _set_policy(self.pid, "SCHED_OTHER")
        payload = pickle.dumps((self._nonce, doc), protocol=pickle.HIGHEST_PROTOCOL)
        data = len(payload).to_bytes(8, "little") + payload
        deadline = time.monotonic() + TIMEOUT_S
        try:
            os.set_blocking(self._to_child, False)
            view = memoryview(data)
            while view:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([], [self._to_child], [], left)[1]:
                    raise TimeoutError
                view = view[os.write(self._to_child, view) :]
        except (OSError, TimeoutError):  # BrokenPipeError: the worker is gone
            self.close()
            return False
        return True

    def report(self, timeout: float | None = None) -> tuple[dict[str, bytes | None], str] | None:
        """The figures and HTML page from the worker, or None (dead, late or wrong answer:
        render in-process)."""
        if not self._sent or self._reaped:
            return None
        chunks: list[bytes] = []
        deadline = time.monotonic() + (TIMEOUT_S if timeout is None else timeout)
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._from_child], [], [], left)[0]:
                    return None
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:  # the worker closed its end: its answer is whole
                    break
                chunks.append(chunk)
            nonce, plots, html = pickle.loads(b"".join(chunks))
        except Exception:  # any failure here means: render in-process
            return None
        finally:
            self.close()
        if nonce != self._nonce or not valid_report(plots, html):
            return None
        return dict(plots), html

    def close(self) -> None:
        """Kill (if still running) and reap the worker; close the pipes. Idempotent."""
        if self._reaped:
            return
        self._reaped = True
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self._exited(0.0):
            return
        # Still running (stuck, or the parent is failing early): SIGTERM lets the worker kill
        # and reap its helper first, so no orphan is handed to init; SIGKILL if it cannot.
        _set_policy(self.pid, "SCHED_OTHER")
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGTERM)
        if self._exited(_TERM_GRACE_S):
            return
        for kill in (os.killpg, os.kill):  # the group: the worker and its helper
            with contextlib.suppress(OSError):
                kill(self.pid, signal.SIGKILL)
        self._exited(None)

    def _exited(self, timeout: float | None) -> bool:
        """Reap the worker if it exits within ``timeout`` seconds (None: wait for it)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                pid, _ = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            except ChildProcessError:
                return True
            if pid:
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.005)


def _child(parent: int, down: int, up: int) -> None:
    """The worker's life: detach from the terminal, warm up, draw one document, answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, _end_with_helper)
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)  # its own group: the parent kills it and its helper together
    _die_with(parent)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # a caller reading the parent's output must not wait for the worker
        os.dup2(null, fd)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"  # no BLAS thread pool: the worker stays one thread, so may fork
    render = _render_module()
    render.warm_up()
    header = _read_exactly(down, 8)
    if header is None:
        return  # the parent ended without sending a document
    payload = _read_exactly(down, int.from_bytes(header, "little"))
    if payload is None:
        return
    nonce, doc = pickle.loads(payload)
    # Two cores, and the parent only waits now: a forked helper draws half of the figures.
    helper = _fork_helper(render, doc) if _one_thread() else None
    drawn = render.make_plots(doc, names=[n for n in PLOT_NAMES if n not in HELPER_PLOTS])
    theirs = _collect(helper) if helper else None
    drawn.update(theirs or render.make_plots(doc, names=HELPER_PLOTS))
    plots = {n: drawn[n] for n in PLOT_NAMES}
    _write_all(up, pickle.dumps((nonce, plots, render.render_html(doc, plots))))


def _render_module() -> Any:
    """:mod:`exosci.evaluate.render` loaded from its file alone: importing it as part of its
    package would also import the whole evaluation (knowledge base, model; ~0.15 s CPU) that
    the worker never uses. The same source, so the same figures."""
    import importlib.util

    import exosci

    path = os.path.join(os.path.dirname(exosci.__file__), "evaluate", "render.py")
    spec = importlib.util.spec_from_file_location("_exosci_plot_worker_render", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fork_helper(render: Any, doc: dict[str, Any]) -> tuple[int, int] | None:
    """Fork a process drawing :data:`HELPER_PLOTS`; its pid and the pipe to read them from."""
    me = os.getpid()
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.close(r)
            _die_with(me)
            _write_all(w, pickle.dumps(render.make_plots(doc, names=HELPER_PLOTS)))
        finally:
            os._exit(0)
    os.close(w)
    _HELPER[0] = pid
    return pid, r


def _end_with_helper(signum: int, frame: Any) -> None:
    """The worker's SIGTERM: kill and reap the helper (if any), then end."""
    if _HELPER[0]:
        with contextlib.suppress(OSError):
            os.kill(_HELPER[0], signal.SIGKILL)
            os.waitpid(_HELPER[0], 0)
    os._exit(1)


def _collect(helper: tuple[int, int]) -> dict[str, bytes | None] | None:
    """The helper's figures (None if it failed), the helper reaped."""
    pid, r = helper
    chunks = []
    try:
        while chunk := os.read(r, 1 << 20):
            chunks.append(chunk)
        got = pickle.loads(b"".join(chunks))
    except Exception:  # the worker draws them itself
        got = None
    finally:
        os.close(r)
        os.waitpid(pid, 0)
        _HELPER[0] = 0
    ok = isinstance(got, dict) and list(got) == list(HELPER_PLOTS)
    return got if ok else None


def _set_policy(pid: int, policy: str) -> None:
    """Linux scheduling policy of ``pid`` (best effort: elsewhere or refused, nothing)."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(pid, getattr(os, policy), os.sched_param(0))


def _one_thread() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _die_with(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (best effort)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
