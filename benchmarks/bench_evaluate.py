"""The main job's alternatives: one stacked integration vs one ensemble per design, same draws.

`exosci evaluate` simulates the design and each one-change alternative on the same virtual
subjects. The naive way runs an ensemble per design; exosci stacks all designs and one shared
control in a single vectorised pass (`integrate_many`). Both are timed here on the same inputs,
their gains compared, and the ratio printed.
Run: .venv/bin/python benchmarks/bench_evaluate.py [--samples 300] [--spec examples/...yaml]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from exosci.evaluate.alternatives import paired_final_scores, subject_draws, variants
from exosci.kb import default_kb
from exosci.model.parameters import default_parameters
from exosci.model.simulate import ensemble
from exosci.therapy import load_spec, resolve_spec

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--spec", default=str(ROOT / "examples" / "hypoxia-bmsc-ha-hydrogel-rat.yaml"))
    args = ap.parse_args()
    kb = default_kb()
    spec = load_spec(args.spec)
    designs = [resolve_spec(spec, kb).design]
    for v in variants(spec):
        try:
            designs.append(resolve_spec(v.spec, kb).design)
        except Exception:  # noqa: BLE001 - a variant the graph cannot resolve is not timed
            continue
    t0 = time.perf_counter()
    params = subject_draws(default_parameters(), args.samples, args.seed)
    finals, control = paired_final_scores(designs, params, args.samples)
    stacked = [float(np.median(f - control)) for f in finals]  # type: ignore[operator]
    t1 = time.perf_counter()
    looped = []
    for d in designs:
        sim = ensemble(d, samples=args.samples, seed=args.seed, outputs=("score",))
        looped.append(float(np.median(sim.treated["score"][-1] - sim.control["score"][-1])))
    t2 = time.perf_counter()
    diff = max(abs(a - b) for a, b in zip(stacked, looped, strict=True))
    print(f"{len(designs)} designs x {args.samples} virtual subjects x {designs[0].horizon_days} d")
    print(f"exosci stacked (integrate_many): {t1 - t0:.2f} s")
    print(f"one ensemble per design (loop):  {t2 - t1:.2f} s")
    print(f"ratio loop/stacked: {(t2 - t1) / (t1 - t0):.1f}x; max |gain difference| {diff:.2e}")


if __name__ == "__main__":
    main()
