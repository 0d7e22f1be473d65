"""Issue 26 item 6: the server owns its workers.

``exosci serve`` runs as a real process after a background run finished (an idle run worker
and multiprocessing's resource tracker), with or without a synchronous evaluation computing.
After a plain ``kill`` (SIGTERM), Ctrl-C (SIGINT to the whole process group, as a terminal
sends it) or ``kill -9``, no process of that server may remain after 5 s; Ctrl-C prints no
traceback. Before: the spawn worker and the resource tracker outlived SIGTERM for > 10 min,
the worker outlived ``kill -9`` for good, and Ctrl-C ended in a KeyboardInterrupt traceback.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from exosci.web import create_app
from exosci.web.jobs import _start_time

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = yaml.safe_load((EXAMPLES / "iv-bmsc-exos-rat.yaml").read_text())
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process tree from /proc (Linux)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(port: int, method: str, path: str, body: Any = None, timeout: float = 10) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"content-type": "application/json"} if body is not None else {}
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    res = conn.getresponse()
    data = res.read()
    return res.status, (json.loads(data) if data[:1] in (b"{", b"[") else data)


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def _descendants(root: int) -> dict[int, str | None]:
    """Every process below ``root`` (pid -> kernel start time)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, str | None] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found[pid] = _start_time(pid)
        todo += children.get(pid, [])
    return found


def _running(pid: int, started: str | None) -> bool:
    """Still a live process (a zombie waiting for its reaper is not running)."""
    return _start_time(pid) == started and _state(pid) not in (None, "Z", "X")


def _serve(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.update(EXOSCI_DATA_DIR=str(tmp_path / "data"), EXOSCI_WEB_WORKERS="1")
    env.pop("EXOSCI_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from exosci.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a shell job
    )
    end = time.monotonic() + 120
    while time.monotonic() < end:
        try:
            if _request(port, "GET", "/api/health")[0] == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("how", "busy"),
    [("sigterm", False), ("sigterm", True), ("ctrl-c", False), ("ctrl-c", True),
     ("kill-9", False), ("kill-9", True)],
)  # fmt: skip
def test_item6_no_process_of_the_server_survives_it(tmp_path: Path, how: str, busy: bool) -> None:
    proc, port = _serve(tmp_path)
    try:
        # a background run that finished (its worker idles) ...
        status, run = _request(
            port, "POST", "/api/runs", {"kind": "simulate", "spec": SPEC, "samples": 20}
        )
        assert status == 202, run
        end = time.monotonic() + 180
        while _request(port, "GET", f"/api/runs/{run['id']}/status")[1]["status"] != "done":
            assert time.monotonic() < end, "the background run did not finish"
            time.sleep(0.3)
        if busy:  # ... and a synchronous evaluation still computing
            threading.Thread(
                target=lambda: _request(port, "POST", "/api/evaluate?samples=2000", SPEC, 300),
                daemon=True,
            ).start()
            time.sleep(1.0)
        while len(_descendants(proc.pid)) < 2:  # the workers and the resource tracker
            assert time.monotonic() < end, f"workers did not start: {_descendants(proc.pid)}"
            time.sleep(0.3)
        before = _descendants(proc.pid)
        if how == "sigterm":
            os.kill(proc.pid, signal.SIGTERM)
        elif how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGKILL)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5 and (
            proc.poll() is None or any(_running(p, s) for p, s in before.items())
        ):
            time.sleep(0.1)
        left = {p: Path(f"/proc/{p}/cmdline").read_bytes()[:120] for p, s in before.items()
                if _running(p, s)}  # fmt: skip
        assert proc.poll() is not None, "the server itself is still running"
        assert left == {}, f"still running 5 s after {how}: {left}"
        err = proc.stderr.read() if proc.stderr else ""
        if how != "kill-9":
            assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-2000:]
    finally:
        # whatever is left of its process group (the server started a new session)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_item6_a_starting_server_ends_the_orphans_of_a_killed_one(tmp_path: Path) -> None:
    """A worker recorded by a server that is gone is ended when the next server starts; a
    live process whose start time does not match the record (a reused pid) is left alone."""
    data = tmp_path / "data"
    registry = data / "web" / "workers"
    registry.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a server pid that no longer exists
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        for proc, started in ((orphan, _start_time(orphan.pid)), (bystander, "1")):
            record = {"pid": proc.pid, "started": started, "server_pid": dead.pid}
            (registry / f"{proc.pid}.json").write_text(json.dumps(record))
        with TestClient(create_app(runs_db=data / "web" / "exosci-runs.sqlite")) as client:
            assert client.get("/api/health").status_code == 200
        assert orphan.wait(10) == -signal.SIGKILL
        assert bystander.poll() is None  # its pid was recorded, but it is another process
        assert list(registry.iterdir()) == []  # both records were dealt with
    finally:
        for proc in (orphan, bystander):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
