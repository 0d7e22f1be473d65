"""Issue 26 item 8: search stays fast while evaluations compute.

The server runs in its own process (uvicorn, loopback). Four synchronous evaluations are in
flight while 4 clients search; the p99 of ``/api/kb/search`` must stay under 250 ms, and the
evaluations must still be computing when the searches end (else the test measured an idle
server; the server is then stopped without waiting for them). Before: the evaluations ran in
the server's thread pool and held its GIL, and search p99 went past a second.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = yaml.safe_load((EXAMPLES / "iv-bmsc-exos-rat.yaml").read_text())
P99_LIMIT_S = 0.250


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _evaluate(port: int, samples: int, horizon_days: int = 42) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(
        "POST",
        f"/api/evaluate?samples={samples}",
        body=json.dumps({**SPEC, "horizon_days": horizon_days}),
        headers={"content-type": "application/json"},
    )
    res = conn.getresponse()
    res.read()
    return res.status


@pytest.mark.slow
def test_item8_search_p99_under_250_ms_while_four_evaluations_run(tmp_path: Path) -> None:
    port = _free_port()
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env["EXOSCI_DATA_DIR"] = str(tmp_path / "data")
    code = (
        "import uvicorn; from exosci.web import create_app; "
        f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        end = time.monotonic() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                assert time.monotonic() < end, "server did not start"
                time.sleep(0.2)
        assert _evaluate(port, 10) == 200  # warm: workers started, engine compiled
        # each heavy client evaluates again and again until the searches end: one evaluation
        # takes about a second with the compiled C engine, shorter than the searches
        done = threading.Event()
        evaluations: list[int] = []

        def busy() -> None:
            while not done.is_set():
                status = _evaluate(port, 2000, 365)
                with lock:
                    evaluations.append(status)

        lock = threading.Lock()
        heavy = [threading.Thread(target=busy, daemon=True) for _ in range(4)]
        for t in heavy:
            t.start()
        time.sleep(1.0)  # the evaluations are computing when the searches start
        latencies: list[float] = []
        errors: list[str] = []

        def client(k: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for i in range(40):
                q = ("nfkb", "miR-21", "axon", "BMSC")[(i + k) % 4]
                t0 = time.perf_counter()
                conn.request("GET", f"/api/kb/search?q={q}")
                res = conn.getresponse()
                res.read()
                with lock:
                    latencies.append(time.perf_counter() - t0)
                    if res.status != 200:
                        errors.append(f"{q}: {res.status}")
                time.sleep(0.01)

        clients = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for t in clients:
            t.start()
        for t in clients:
            t.join()
        still_computing = all(t.is_alive() for t in heavy)
        done.set()
        p99 = statistics.quantiles(latencies, n=100)[98]
        print(
            f"\nsearch under 4 evaluations: {len(latencies)} requests, p50 "
            f"{statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms"
        )
        assert errors == []
        assert still_computing, "the evaluations ended before the searches: nothing measured"
        assert p99 < P99_LIMIT_S, f"search p99 {p99 * 1000:.0f} ms while evaluations run"
    finally:
        proc.kill()  # no wait for the evaluations: its workers die with it (item 6)
        proc.wait(30)
