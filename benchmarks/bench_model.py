"""Benchmark: exosci's compiled engine vs libRoadRunner, scipy and a C loop, at matched accuracy.

Workload: ``--subjects`` virtual rats (default 10,000) x 42 days of the reference design
(200 ug BMSC sEVs IV at 1 h), parameters drawn from the priors (seed 0), the BBB score recorded
daily. Every tool integrates the same model:

* **reference**: scipy Radau at rtol 1e-10 / atol 1e-12 on the first ``--ref`` subjects; each
  tool's error is its largest |score - reference| over those subjects and all 43 days;
* **same model**: before any timing, every tool at a tight tolerance must reproduce the
  reference within 1e-4 BBB points on those subjects (else the script stops);
* **matched accuracy**: each tool runs a ladder of its own tolerances; the loosest one whose
  error is at most ``--target`` (BBB points) is the one timed;
* **libRoadRunner** as its experts use it: the exported SBML loaded once; per subject
  ``resetAll()``, then parameters by index (``setGlobalParameterValues``) and the subject's
  initial barrier/vessel values (``setFloatingSpeciesAmounts``; without them it simulates a
  different model), its own CVODE tolerances; the derived parameter matrix is computed before
  the clock starts (in exosci's time it is included);
* **scipy**: ``solve_ivp`` LSODA (and Radau), one call per dosing phase, days as ``t_eval``;
* **C loop**: the same scheme as exosci (closed-form delivery + Rosenbrock-W ROS34PW2, same step
  control), generated from the formula table by ``cgen.py``, ``gcc -O3 -march=native``, one
  thread.

Each time is the median of ``--repeats`` runs in this process. Tools too slow for the full
workload (libRoadRunner, scipy) are timed on ``--rr-subjects`` / ``--scipy-subjects`` subjects
and scaled linearly to ``--subjects``; the output says so. Results go to
``benchmarks/results/bench_model.json`` (``write_readme.py`` turns them into the README table).
Run: ``.venv/bin/python benchmarks/bench_model.py [--subjects 10000]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from cgen import CLoop  # noqa: E402

from exosci.model import cengine, default_parameters, reference_design  # noqa: E402
from exosci.model.compiled import run  # noqa: E402
from exosci.model.equations import derive, initial_state, parameter_names  # noqa: E402
from exosci.model.reference import reference_solve  # noqa: E402
from exosci.model.sbml import to_sbml  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds (this process, all its threads) of ``fn()``."""
    walls, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def subset(params: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    return {n: v[:k] for n, v in params.items()}


class RoadRunnerTool:
    """libRoadRunner on the exported SBML, per subject values set by index after resetAll()."""

    def __init__(self, design: Any, params: dict[str, np.ndarray], n: int) -> None:
        import roadrunner

        self.rr = roadrunner.RoadRunner(to_sbml(design, table=default_parameters()))
        self.version = roadrunner.__version__
        model = self.rr.model
        names = parameter_names()
        gids = list(model.getGlobalParameterIds())
        self.pidx = np.array([gids.index(x) for x in names], dtype=np.int32)
        p = derive(params, design)
        self.pvals = np.stack(
            [np.broadcast_to(np.asarray(p[x], float), (n,)) for x in names], axis=1
        ).copy()
        sids = list(model.getFloatingSpeciesIds())
        y0 = initial_state(p, design, n)
        varying = [s for s in sids if np.ptp(np.broadcast_to(y0[s], (n,))) > 0 or s in ("B", "V")]
        self.sidx = np.array([sids.index(s) for s in varying], dtype=np.int32)
        self.svals = np.stack([np.broadcast_to(y0[s], (n,)) for s in varying], axis=1).copy()
        self.horizon = design.horizon_days

    def run(self, k: int, rtol: float, atol: float) -> np.ndarray:
        rr = self.rr
        rr.integrator.relative_tolerance = rtol
        rr.integrator.absolute_tolerance = atol
        out = np.empty((self.horizon + 1, k))
        for j in range(k):
            rr.resetAll()
            rr.model.setGlobalParameterValues(self.pidx, self.pvals[j])
            rr.model.setFloatingSpeciesAmounts(self.sidx, self.svals[j])
            res = rr.simulate(0, self.horizon, self.horizon + 1, selections=["score"])
            out[:, j] = res[:, 0]
        return out


def scipy_run(design: Any, params: dict[str, np.ndarray], k: int, method: str, rtol: float):  # type: ignore[no-untyped-def]
    out = []
    for j in range(k):
        pj = {n: float(v[j]) for n, v in params.items()}
        tr = reference_solve(design, pj, method=method, rtol=rtol, atol=rtol * 1e-3)
        out.append(tr.values["score"][:, 0])
    return np.array(out).T


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=10_000)
    ap.add_argument("--ref", type=int, default=20, help="subjects with a tight reference")
    ap.add_argument("--target", type=float, default=1e-3, help="matched accuracy, BBB points")
    ap.add_argument("--rr-subjects", type=int, default=2000)
    ap.add_argument("--scipy-subjects", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(RESULTS / "bench_model.json"))
    args = ap.parse_args()
    import numba

    design = reference_design()
    n = args.subjects
    params = default_parameters().sample(n, np.random.default_rng(0))
    k = args.ref
    print(f"workload: {n} subjects x {design.horizon_days} d, daily score; reference on {k}")
    ref = scipy_run(design, params, k, "Radau", 1e-10)

    def err(x: np.ndarray) -> float:
        return float(np.max(np.abs(x[:, :k] - ref)))

    clib = CLoop()
    rr = RoadRunnerTool(design, params, n)
    tools: dict[str, Callable[[float, int], np.ndarray]] = {
        "exosci": lambda tol, m: run(
            design, subset(params, m), m, outputs=["score"], rtol=tol, atol=tol * 1e-3
        ).values["score"],
        "C loop": lambda tol, m: clib.run(
            design, subset(params, m), m, outputs=["score"], rtol=tol, atol=tol * 1e-3
        )[1]["score"],
        "libRoadRunner": lambda tol, m: rr.run(m, tol, tol * 1e-3),
        "scipy LSODA": lambda tol, m: scipy_run(design, params, m, "LSODA", tol),
        "scipy Radau": lambda tol, m: scipy_run(design, params, m, "Radau", tol),
    }
    # One ladder for every tool, three steps per decade (1, 2, 5), so no tool is timed at a
    # tolerance much tighter than the target needs just because the ladder is coarse.
    steps = [1e-3, 5e-4, 2e-4, 1e-4, 5e-5, 2e-5, 1e-5, 5e-6, 2e-6, 1e-6, 1e-7, 1e-8]
    ladder = {name: steps for name in tools}
    # 1. Same model: tight tolerance reproduces the reference.
    same: dict[str, float] = {}
    for name, fn in tools.items():
        same[name] = err(fn(1e-10 if name != "scipy Radau" else 1e-9, k))
        print(f"same-model check {name}: max |score - reference| = {same[name]:.2e} BBB")
    bad = {x: e for x, e in same.items() if not e <= 1e-4}
    if bad:
        raise SystemExit(f"not the same model (error > 1e-4 BBB at tight tolerance): {bad}")
    # 2. Matched accuracy: the loosest tolerance within the target.
    chosen: dict[str, tuple[float, float]] = {}
    for name, fn in tools.items():
        for tol in ladder[name]:
            e = err(fn(tol, k))
            print(f"  {name} rtol {tol:g}: error {e:.2e}")
            if e <= args.target:
                chosen[name] = (tol, e)
                break
        else:
            tol = ladder[name][-1]
            chosen[name] = (tol, err(fn(tol, k)))
    # 3. Timings.
    rows: list[dict[str, Any]] = []
    warm = tools["exosci"](chosen["exosci"][0], 10)  # compile/load outside the clock
    assert warm.shape[1] == 10

    def timed(name: str, m: int, threads: int | None = None) -> dict[str, Any]:
        tol, e = chosen[name]
        if threads is not None:
            numba.set_num_threads(threads)
            cengine.set_threads(threads)
        t, cpu = median_time(lambda: tools[name](tol, m), args.repeats)
        scaled = t * n / m
        label = name if threads is None else f"{name} ({threads} thread{'s' * (threads > 1)})"
        row = {
            "tool": label,
            "rtol": tol,
            "error_bbb": e,
            "timed_subjects": m,
            "seconds_timed": t,
            "seconds_for_workload": scaled,
            "cpu_seconds_for_workload": cpu * n / m,
            "extrapolated": m != n,
        }
        note = f" (timed {m}, scaled x{n / m:g})" if m != n else ""
        print(
            f"{label}: rtol {tol:g}, error {e:.1e} BBB, {scaled:.2f} s, CPU {cpu * n / m:.2f} s{note}"
        )
        return row

    cores = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    rows.append(timed("exosci", n, threads=1))
    if cores > 1:
        rows.append(timed("exosci", n, threads=cores))
    rows.append(timed("C loop", n))
    rows.append(timed("libRoadRunner", min(n, args.rr_subjects)))
    rows.append(timed("scipy LSODA", min(n, args.scipy_subjects)))
    rows.append(timed("scipy Radau", min(n, args.scipy_subjects)))
    base = rows[0]["seconds_for_workload"]
    base_cpu = rows[0]["cpu_seconds_for_workload"]
    for r in rows:
        r["ratio_vs_exosci_1_thread"] = r["seconds_for_workload"] / base
        r["cpu_ratio_vs_exosci_1_thread"] = r["cpu_seconds_for_workload"] / base_cpu
    doc = {
        "benchmark": "bench_model",
        "workload": f"{n} virtual rats x {design.horizon_days} days, reference IV design",
        "subjects": n,
        "target_error_bbb": args.target,
        "reference": f"scipy Radau rtol 1e-10 on {k} subjects",
        "same_model_error_bbb": same,
        "repeats": args.repeats,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "versions": {"numba": numba.__version__, "roadrunner": rr.version},
        "rows": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {args.out}")
    for r in rows[1:]:
        print(
            f"{r['tool']}: {r['ratio_vs_exosci_1_thread']:.2f} x exosci (1 thread) wall, "
            f"{r['cpu_ratio_vs_exosci_1_thread']:.2f} x CPU"
        )


if __name__ == "__main__":
    main()
