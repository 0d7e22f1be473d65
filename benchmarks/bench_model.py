"""Benchmark: exosci's vectorised ensemble vs a solve_ivp loop and vs libRoadRunner on SBML.

Workload: 10,000 virtual subjects x 42 days of the reference design (200 ug IV sEVs, rat),
parameters drawn from the priors (seeded). The solve_ivp loop (LSODA, rtol 1e-6) runs on a
subset and is extrapolated linearly; libRoadRunner simulates the exported SBML once per subject
(parameters set per subject) on a subset and is extrapolated likewise. Run:
    .venv/bin/python benchmarks/bench_model.py [--subjects 10000] [--subset 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from exosci.model import default_parameters, integrate, reference_design
from exosci.model.equations import derive, parameter_names
from exosci.model.reference import reference_solve
from exosci.model.sbml import to_sbml


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=10_000)
    ap.add_argument("--subset", type=int, default=200)
    args = ap.parse_args()
    design = reference_design()
    table = default_parameters()
    params = table.sample(args.subjects, np.random.default_rng(0))

    t0 = time.perf_counter()
    for i in range(0, args.subjects, 5000):  # batches of 5000 subjects
        sl = {k: v[i : i + 5000] for k, v in params.items()}
        integrate(design, sl, len(next(iter(sl.values()))))
    t_ours = time.perf_counter() - t0
    print(f"exosci vectorised RK4: {args.subjects} subjects x 42 d in {t_ours:.2f} s")

    k = min(args.subset, args.subjects)
    t0 = time.perf_counter()
    for j in range(k):
        reference_solve(design, {n: float(v[j]) for n, v in params.items()}, rtol=1e-6, atol=1e-9)
    t_loop = (time.perf_counter() - t0) * args.subjects / k
    print(
        f"scipy solve_ivp loop (LSODA): {k} subjects timed, extrapolated to "
        f"{args.subjects}: {t_loop:.1f} s"
    )

    import roadrunner

    rr = roadrunner.RoadRunner(to_sbml(design, table=table))
    names = [n for n in parameter_names()]
    t0 = time.perf_counter()
    for j in range(k):
        rr.resetAll()
        p = derive({n: float(v[j]) for n, v in params.items()}, design)
        for n in names:
            rr[n] = float(np.asarray(p[n]))
        rr.simulate(0, 42, 43, selections=["time", "score"])
    t_rr = (time.perf_counter() - t0) * args.subjects / k
    print(
        f"libRoadRunner on exported SBML: {k} subjects timed (incl. setting parameters), "
        f"extrapolated to {args.subjects}: {t_rr:.1f} s"
    )
    print(f"speed-up vs solve_ivp loop: {t_loop / t_ours:.0f}x (goal >= 100x)")
    print(f"speed-up vs libRoadRunner: {t_rr / t_ours:.1f}x (goal >= 1x)")


if __name__ == "__main__":
    main()
