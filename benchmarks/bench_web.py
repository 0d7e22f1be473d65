"""Web app responsiveness: /api/kb/search latency at 16 concurrent clients on 127.0.0.1,
first with the server idle, then while a background evaluation runs in the worker pool.

    PYTHONPATH=src python benchmarks/bench_web.py [--clients 16] [--requests 200] [--samples 300]

The server is a real uvicorn process (the one `exosci serve` runs) with a private data folder;
the idle phase is the baseline measured in the same run. Latency is per request, wall clock,
from the client side; the machine's other load is whatever it is (say so when quoting).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["nfkb", "bmsc", "mir-146a", "hydrogel", "irak1", "treg", "macrophage", "tsg101"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load(base: str, clients: int, requests: int) -> tuple[list[float], int]:
    times: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(k: int) -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=base, timeout=30) as c:
            for i in range(requests):
                q = QUERIES[(k + i) % len(QUERIES)]
                t0 = time.perf_counter()
                r = c.get("/api/kb/search", params={"q": q})
                mine.append(time.perf_counter() - t0)
                bad += r.status_code != 200
        with lock:
            times.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors


def _pct(xs: list[float], p: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[int(p) - 1] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=200, help="per client per phase")
    ap.add_argument("--samples", type=int, default=300, help="virtual subjects of the evaluation")
    args = ap.parse_args()
    port = _port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "EXOSCI_DATA_DIR": data, "PYTHONPATH": str(ROOT / "src")}
        cmd = [sys.executable, "-c", "from exosci.cli import main; main()", "serve"]
        cmd += ["--port", str(port)]
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            httpx.get(base + "/api/kb/search", params={"q": "warm"})
            idle, idle_err = _load(base, args.clients, args.requests)
            spec = yaml.safe_load((ROOT / "examples/hypoxia-bmsc-ha-hydrogel-rat.yaml").read_text())
            run = httpx.post(
                base + "/api/runs",
                json={"kind": "evaluate", "spec": spec, "samples": args.samples},
                timeout=60,
            ).json()
            while httpx.get(f"{base}/api/runs/{run['id']}/status").json()["status"] != "running":
                time.sleep(0.2)
            busy, busy_err = _load(base, args.clients, args.requests)
            status = httpx.get(f"{base}/api/runs/{run['id']}/status").json()
            still = status["status"] == "running"
        finally:
            server.terminate()
            server.wait(30)
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
    print(f"{args.clients} clients x {args.requests} requests of /api/kb/search per phase")
    for name, xs, err in (("idle", idle, idle_err), ("evaluate running", busy, busy_err)):
        print(
            f"{name:>17}: n={len(xs)} errors={err} p50={_pct(xs, 50):.1f} ms "
            f"p95={_pct(xs, 95):.1f} ms p99={_pct(xs, 99):.1f} ms max={max(xs) * 1000:.1f} ms"
        )
    print(f"evaluation still running at the end of the busy phase: {still} ({status['stage']})")


if __name__ == "__main__":
    main()
