"""Benchmark: scale-out on a local Dask cluster, and peak memory of a streamed ensemble.

1. ``--part dask``: ``ensemble_summary`` of ``--subjects`` paired subjects (default 100,000) x 42
   days (score), run (a) in this process with the engine on one thread, (b) in this process on
   every core (numba threads), (c) on a local cluster of 2 single-threaded process workers that
   return quantile summaries. The three results must be identical (checked). The cluster is
   started and warmed (engine loaded in each worker) before the clock starts; its start-up time
   is reported separately. Each time is the median of ``--repeats`` runs.
2. ``--part memory``: a fresh Python process runs ``ensemble_summary`` of ``--subjects`` x 180
   days and reports its peak resident memory (``ru_maxrss``), with the raw-trajectory size the
   same run would have needed for comparison (computed, not run).

Results go to ``benchmarks/results/bench_scale.json``.
Run: ``.venv/bin/python benchmarks/bench_scale.py [--subjects 100000] [--part all]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from exosci.model import cengine, reference_design
from exosci.model.simulate import EnsembleSummary, ensemble_summary

RESULTS = Path(__file__).parent / "results"
BATCH = 5000


def _same(a: EnsembleSummary, b: EnsembleSummary) -> bool:
    return all(
        np.array_equal(getattr(s, q), getattr(b.arms[arm][name], q))
        for arm in a.arms
        for name, s in a.arms[arm].items()
        for q in ("median", "p05", "p95")
    )


def dask_part(n: int, repeats: int) -> dict[str, Any]:
    import distributed
    import numba

    design = reference_design()

    def local(threads: int) -> tuple[float, EnsembleSummary]:
        numba.set_num_threads(threads)
        cengine.set_threads(threads)
        times, res = [], None
        for _ in range(repeats):
            t0 = time.perf_counter()
            res = ensemble_summary(design, samples=n, seed=0, batch_size=BATCH)
            times.append(time.perf_counter() - t0)
        assert res is not None
        return statistics.median(times), res

    ensemble_summary(design, samples=10, seed=0, batch_size=BATCH)  # engine loaded
    t1, r1 = local(1)
    cores = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    tn, rn = local(cores)
    t0 = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    ensemble_summary(design, samples=10, seed=0, batch_size=BATCH, scheduler=client)
    start = time.perf_counter() - t0
    times, rd = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        rd = ensemble_summary(design, samples=n, seed=0, batch_size=BATCH, scheduler=client)
        times.append(time.perf_counter() - t0)
    client.close()
    cluster.close()
    td = statistics.median(times)
    assert rd is not None
    identical = _same(r1, rn) and _same(r1, rd)
    print(f"{n} paired subjects x 42 d, batches of {BATCH}:")
    print(f"  one process, 1 engine thread:   {t1:.2f} s")
    print(f"  one process, {cores} engine threads:  {tn:.2f} s ({t1 / tn:.2f}x)")
    print(
        f"  Dask, 2 process workers x 1 thread: {td:.2f} s ({t1 / td:.2f}x; start-up {start:.1f} s)"
    )
    print(f"  results identical: {identical}")
    return {
        "subjects": n,
        "batch_size": BATCH,
        "one_thread_s": t1,
        "threads": cores,
        "threads_s": tn,
        "dask_2proc_s": td,
        "dask_startup_s": start,
        "speedup_dask_vs_one_thread": t1 / td,
        "speedup_threads_vs_one_thread": t1 / tn,
        "identical": identical,
    }


def memory_child(n: int, days: int) -> None:
    import resource

    design = replace(reference_design(), horizon_days=days)
    t0 = time.perf_counter()
    res = ensemble_summary(design, samples=n, seed=0, batch_size=BATCH)
    took = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB (Linux)
    print(
        json.dumps(
            {
                "peak_mib": peak,
                "seconds": took,
                "median_final": float(res.arms["treated"]["score"].median[-1]),
            }
        )
    )


def memory_part(n: int, days: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(n), str(days)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    raw_all = n * 2 * (days + 1) * 19 * 8 / 2**20  # 19 outputs, both arms, float64
    raw_score = n * 2 * (days + 1) * 8 / 2**20
    print(
        f"{n} subjects x {days} d streamed (score): peak {doc['peak_mib']:.0f} MiB in "
        f"{doc['seconds']:.1f} s; kept raw it would need {raw_score:.0f} MiB (score only) or "
        f"{raw_all:.0f} MiB (the 19 outputs the old ensemble kept)"
    )
    return {
        "subjects": n,
        "days": days,
        **doc,
        "raw_score_mib": raw_score,
        "raw_all_outputs_mib": raw_all,
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child-memory":
        memory_child(int(sys.argv[2]), int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--part", choices=("dask", "memory", "all"), default="all")
    ap.add_argument("--out", default=str(RESULTS / "bench_scale.json"))
    args = ap.parse_args()
    path = Path(args.out)
    doc: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    doc["benchmark"] = "bench_scale"
    doc["machine"] = f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    if args.part in ("dask", "all"):
        doc["dask"] = dask_part(args.subjects, args.repeats)
    if args.part in ("memory", "all"):
        doc["memory"] = memory_part(args.subjects, args.days)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
