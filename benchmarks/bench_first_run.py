"""The first `exosci evaluate` after an install: time to the first line and to the end.

Each run is a fresh `exosci evaluate examples/<spec> -o report.html` process with its own empty
cache folder (``EXOSCI_CACHE_DIR`` = a new temporary directory), i.e. what a user meets after
``pip install``: the engine is compiled, the knowledge-base store is built, the Morris design is
drawn. Measured per run: seconds until the first line on stderr (the progress line that says the
engine is being compiled), wall seconds to the end; then one more run on the same, now warm,
cache. The median of ``--repeats`` runs is reported with the load average before and after,
because the machine is shared.

``--engines c,numba:1`` times the C engine (the default, compiled by the system C compiler) and the
numba fallback (``EXOSCI_ENGINE=numba``; its first compile is ~30-80 s on a busy 2-core box).

Run: .venv/bin/python benchmarks/bench_first_run.py [--repeats 3] [--engines c,numba:1]
(``engine:N`` runs that engine N times instead of ``--repeats``).
Writes ``benchmarks/results/bench_first_run.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
SPEC = "examples/hypoxia-bmsc-ha-hydrogel-rat.yaml"
_ENTRY = "import sys; from exosci.cli import main; sys.argv[0] = 'exosci'; sys.exit(main())"


def _command(spec: str, out: Path) -> list[str]:
    exe = Path(sys.executable).with_name("exosci")
    base = [str(exe)] if exe.is_file() else [sys.executable, "-c", _ENTRY]
    return [*base, "evaluate", spec, "-o", str(out), "--force"]


def one_run(spec: str, out: Path, env: dict[str, str]) -> dict[str, Any]:
    """Wall seconds, seconds to the first stderr line, and that line, of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        _command(spec, out),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first: list[tuple[float, str]] = []
    err: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if not first and line.strip():
                first.append((time.perf_counter() - t0, line.strip()))
            err.append(line)

    reader = threading.Thread(target=read)
    reader.start()
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    proc.wait()
    reader.join()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"exosci evaluate failed ({proc.returncode}):\n{''.join(err)[-3000:]}")
    first_out = first[0][0] if first else wall  # nothing on stderr: the first output is the end
    return {
        "wall_s": wall,
        "first_output_s": first_out,
        "first_line": first[0][1] if first else stdout.splitlines()[0] if stdout else "",
    }


def measure(spec: str, engine: str, repeats: int) -> dict[str, Any]:
    cold, warm = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="exosci-first-run-") as cache:
            env = {**os.environ, "EXOSCI_CACHE_DIR": cache, "EXOSCI_ENGINE": engine}
            out = Path(cache) / "report.html"
            cold.append(one_run(spec, out, env))
            warm.append(one_run(spec, out, env))
            print(
                f"{engine}: first {cold[-1]['wall_s']:.1f} s (first line at "
                f"{cold[-1]['first_output_s']:.2f} s), warm {warm[-1]['wall_s']:.1f} s",
                flush=True,
            )
    return {
        "engine": engine,
        "runs": repeats,
        "first_wall_s": statistics.median(r["wall_s"] for r in cold),
        "first_output_s": statistics.median(r["first_output_s"] for r in cold),
        "first_line": cold[0]["first_line"],
        "warm_wall_s": statistics.median(r["wall_s"] for r in warm),
        "all_first_wall_s": [round(r["wall_s"], 2) for r in cold],
        "all_warm_wall_s": [round(r["wall_s"], 2) for r in warm],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--engines", default="c")
    ap.add_argument("--spec", default=SPEC)
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    rows = []
    for item in args.engines.split(","):
        engine, _, times = item.strip().partition(":")  # "numba:1": one run of that engine
        rows.append(measure(args.spec, engine, int(times) if times else args.repeats))
    load1 = os.getloadavg()[0]
    doc = {
        "spec": args.spec,
        "rows": rows,
        "load_before": round(load0, 1),
        "load_after": round(load1, 1),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "compiler": shutil.which(os.environ.get("CC", "cc")),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_first_run.json").write_text(json.dumps(doc, indent=2) + "\n")
    for r in rows:
        print(
            f"{r['engine']}: first run {r['first_wall_s']:.1f} s wall, first line at "
            f"{r['first_output_s']:.2f} s ({r['first_line']!r}), warm {r['warm_wall_s']:.1f} s "
            f"(median of {r['runs']}; load {doc['load_before']} -> {doc['load_after']})"
        )


if __name__ == "__main__":
    main()
