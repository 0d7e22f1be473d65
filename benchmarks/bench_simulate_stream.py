"""Benchmark: `exosci simulate` memory and CPU per subject vs the engine alone (issue 26, item 9).

Two measurements, each printed and written to ``benchmarks/results/bench_simulate_stream.json``:

* **memory**: peak RSS (``ru_maxrss`` of the child, from ``os.wait4``) of
  ``exosci simulate SPEC -n N --json`` at 2,000 and 20,000 subjects: all 19 outputs' quantiles
  are streamed, so the 20,000-subject peak must stay within 1.2x of the 2,000-subject one;
* **CPU per subject**: the command's marginal CPU per subject, (CPU(20,000) - CPU(5,000)) /
  15,000 (user + system of the child; start-up and the fixed work cancel: both runs have
  several batches, so both load the compiled merge kernel), against the engine
  alone: ``exosci.model.solver.integrate`` on the same paired treated/control batches (2,500
  subjects, daily records of the 19 outputs), parameter draws made before the clock starts.
  The acceptance is 1.3x.

Run: ``.venv/bin/python benchmarks/bench_simulate_stream.py [--check]`` (about a minute on one
core; ``--check`` exits 1 when a ratio is over its limit).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SPEC = ROOT / "examples" / "iv-bmsc-exos-rat.yaml"
RSS_LIMIT, CPU_LIMIT = 1.2, 1.3


def run_cli(samples: int) -> dict[str, float]:
    """Peak RSS (MB) and CPU seconds of one ``exosci simulate`` in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    cmd = [sys.executable, "-c", "from exosci.cli import main; main()"]
    args = ["simulate", str(SPEC), "-n", str(samples), "--json"]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"exosci simulate -n {samples} failed: {proc.stderr.read().decode()}")
    return {
        "samples": samples,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "wall_s": wall,
    }


def engine_alone(samples: int, batch: int = 2500) -> dict[str, float]:
    """CPU of the engine on the command's work: paired batches, 19 outputs recorded daily."""
    sys.path.insert(0, str(ROOT / "src"))
    from exosci.model.simulate import OUTPUTS, batch_params, batch_plan
    from exosci.model.solver import integrate
    from exosci.therapy import load_spec
    from exosci.therapy.resolve import resolve_spec

    design = resolve_spec(load_spec(SPEC), None).design
    from exosci.model.parameters import default_parameters

    table = default_parameters()
    symbols = [OUTPUTS[o][0] for o in OUTPUTS]
    work = []
    for size, ss in batch_plan(samples, 0, batch):  # the draws, outside the clock
        params = batch_params(table, size, ss)
        both = {k: np.concatenate([np.broadcast_to(v, (size,))] * 2) for k, v in params.items()}
        scale = np.broadcast_to(np.asarray(params.get("dose_scale", 1.0), float), (size,))
        both["dose_scale"] = np.concatenate([scale, np.zeros(size)])
        work.append((size, both))
    integrate(design, work[0][1], 2 * work[0][0], outputs=symbols)  # compile/warm outside
    cpu = time.process_time()
    for size, both in work:
        integrate(design, both, 2 * size, outputs=symbols)
    return {"samples": samples, "cpu_s": time.process_time() - cpu}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--middle", type=int, default=5000)
    ap.add_argument("--large", type=int, default=20000)
    ap.add_argument("--check", action="store_true", help="exit 1 when a ratio is over its limit")
    a = ap.parse_args()
    run_cli(2600)  # warm the compile caches (engine, merge kernel) outside the measurements
    small, middle, large = run_cli(a.small), run_cli(a.middle), run_cli(a.large)
    engine = engine_alone(a.large)
    rss_ratio = large["peak_rss_mb"] / small["peak_rss_mb"]
    cli_per = (large["cpu_s"] - middle["cpu_s"]) / (a.large - a.middle)
    engine_per = engine["cpu_s"] / a.large
    doc: dict[str, Any] = {
        "what": "exosci simulate (19 outputs streamed) vs the engine alone",
        "spec": SPEC.name,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "cli": [small, middle, large],
        "engine_alone": engine,
        "peak_rss_ratio": rss_ratio,
        "peak_rss_limit": RSS_LIMIT,
        "cli_cpu_ms_per_subject": 1e3 * cli_per,
        "engine_cpu_ms_per_subject": 1e3 * engine_per,
        "cpu_per_subject_ratio": cli_per / engine_per,
        "cpu_limit": CPU_LIMIT,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_simulate_stream.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(
        f"peak RSS: {small['peak_rss_mb']:.0f} MB at {a.small}, {large['peak_rss_mb']:.0f} MB at "
        f"{a.large} subjects: x{rss_ratio:.2f} (limit {RSS_LIMIT})"
    )
    print(
        f"CPU per subject: simulate {1e3 * cli_per:.3f} ms, engine alone {1e3 * engine_per:.3f} "
        f"ms: x{cli_per / engine_per:.2f} (limit {CPU_LIMIT})"
    )
    ok = rss_ratio <= RSS_LIMIT and cli_per / engine_per <= CPU_LIMIT
    return 0 if ok or not a.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
