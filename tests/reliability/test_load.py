"""Issue 13: a bounded load test on 127.0.0.1 and peak memory with 200 MB inputs.

The server runs in its own process (uvicorn, one worker, loopback), so its peak resident memory
(``VmHWM``) can be read from /proc. 16 clients send search/explain requests on keep-alive
connections while an evaluation runs; every answer must be 200 and p99 stays loose (the CI box
is shared). ``EXOSCI_LOAD_REQUESTS`` sets requests per client (default 100; the issue's
16 x 500 is ``EXOSCI_LOAD_REQUESTS=500``).
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
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = yaml.safe_load((EXAMPLES / "iv-bmsc-exos-rat.yaml").read_text())
MB = 1024 * 1024
pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads peak memory from /proc (Linux)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


class _Env:
    @staticmethod
    def env() -> dict[str, str]:
        src = str(Path(__file__).resolve().parents[2] / "src")
        env = dict(os.environ)
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        return env


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, int]]:
    port = _free_port()
    code = (
        "import uvicorn; from exosci.web import create_app; "
        f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=_Env.env())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("server did not start")
    yield port, proc.pid
    proc.terminate()
    proc.wait(timeout=30)


def test_load_search_and_explain_while_an_evaluate_runs(server: tuple[int, int]) -> None:
    port, _ = server
    per_client = int(os.environ.get("EXOSCI_LOAD_REQUESTS", "100"))
    clients = 16
    paths = [
        "/api/kb/search?q=nfkb",
        "/api/explain?subject=BMSC-HSEV&object=NF-kB",
        "/api/kb/search?q=miR-21",
        "/api/explain?subject=BMSC-HSEV&object=axon%20regeneration",
    ]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    evaluate: dict[str, object] = {}

    def run_evaluate() -> None:
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request(
            "POST",
            "/api/evaluate?samples=10",
            body=json.dumps(SPEC),
            headers={"content-type": "application/json"},
        )
        res = conn.getresponse()
        evaluate["status"] = res.status
        evaluate["body"] = res.read()[:200]
        evaluate["seconds"] = time.perf_counter() - t0

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        for i in range(per_client):
            path = paths[(i + k) % len(paths)]
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                res = conn.getresponse()
                res.read()
                if res.status != 200:
                    with lock:
                        errors.append(f"{path}: {res.status}")
            except OSError as exc:
                with lock:
                    errors.append(f"{path}: {exc!r}")
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    heavy = threading.Thread(target=run_evaluate)
    heavy.start()
    time.sleep(0.2)  # the evaluation is under way when the clients start
    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    heavy.join(timeout=600)
    p99 = statistics.quantiles(latencies, n=100)[98]
    print(
        f"\n{len(latencies)} requests in {elapsed:.1f} s ({len(latencies) / elapsed:.0f} req/s), "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; "
        f"the evaluation took {evaluate.get('seconds', float('nan')):.1f} s"
    )
    assert errors == []
    assert len(latencies) == clients * per_client
    assert evaluate.get("status") == 200, evaluate
    assert p99 < 10.0  # loose: a shared 2-core CI box; the point is no starvation and no errors


def test_peak_memory_of_the_server_with_200_mb_bodies(server: tuple[int, int]) -> None:
    port, pid = server
    before = _peak_rss_mb(pid)
    declared = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    declared.putrequest("POST", "/api/release/fit")
    declared.putheader("content-type", "application/octet-stream")
    declared.putheader("content-length", str(200 * MB))
    declared.endheaders()
    assert declared.getresponse().status == 413  # refused before a byte of the body is read

    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    head = (
        "POST /api/qc/nta HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    sock.sendall(head.encode())
    chunk = b"%x\r\n" % MB + b"7" * MB + b"\r\n"
    sent = 0
    try:
        for _ in range(200):  # 200 MB, streamed without a declared length
            sock.sendall(chunk)
            sent += MB
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered 413 and closed: it stops reading at the cap
    reply = sock.recv(4096).decode("latin-1")
    sock.close()
    assert reply.startswith("HTTP/1.1 413"), reply[:200]
    peak = _peak_rss_mb(pid)
    print(
        f"\nserver peak RSS {before:.0f} MB before, {peak:.0f} MB after a 200 MB declared and "
        f"a {sent // MB} MB streamed body"
    )
    assert peak < 1024
    assert peak - before < 100  # neither body was held in memory


@pytest.mark.parametrize(
    ("args", "head"),
    [
        (["release", "fit"], b"time_h,pct\n0,0\n"),
        (["qc", "nta"], b"Version,3.4\n"),
        (["cargo", "enrich"], b"miR-21-5p\n"),
    ],
)
def test_peak_memory_of_the_cli_with_a_200_mb_input(
    tmp_path: Path, args: list[str], head: bytes
) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # a real 200 MB file (sparse on disk: quick to make)
        fh.write(head)
        fh.truncate(200 * MB)
    probe = (
        "import resource, subprocess, sys; "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    cmd = [sys.executable, "-c", "from exosci.cli import main; main()", *args, str(big)]
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd],
        capture_output=True,
        text=True,
        timeout=300,
        env=_Env.env(),
    ).stdout.split()
    code, peak_kb = int(out[0]), int(out[1])
    assert code == 2
    assert peak_kb / 1024 < 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
