"""Benchmark: `exosci design search` over ~1,000 candidate designs × 300 paired subjects (issue 24).

Printed and written to ``benchmarks/results/bench_design.json``:

* **wall time** of ``ex.design.search`` on a space of 1,008 admissible candidates (9 Table 1
  sources × 2 preconditionings × 8 route/carrier choices × 7 doses), 300 paired subjects, and
  the **engine's share** (seconds inside ``integrate_many``, as the search reports them);
* **memory**: peak RSS (``ru_maxrss`` of a fresh child process) at 2 of the 9 sources
  (224 candidates) and at the whole space: the search keeps one final score per
  candidate and subject (8 bytes × 300 = 2.4 kB per candidate) and never a trajectory beyond
  the engine chunk, so the difference between the two should be a few MB;
* **physical limit**: engine time per paired design-subject, measured on one warm engine call
  of 64 designs × 300 subjects, × the work (candidates × subjects) — what the search would cost
  if it did nothing but integrate.

Run: ``.venv/bin/python benchmarks/bench_design.py`` (a few minutes on a loaded 2-core machine).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SAMPLES = 300


def constraints(sources: int) -> dict[str, Any]:
    from exosci.design.constraints import DEFAULT_SOURCES

    return {
        "routes": ["intravenous", "intranasal", "intrathecal", "local implantation"],
        "max_surgeries": 1,
        "dose_budget_ug": 400,
        "search": {"exhaustive_max": 2000, "engine_chunk": 64},
        "space": {
            "sources": list(DEFAULT_SOURCES[:sources]),
            "preconditioning": ["none", "hypoxia"],
            "doses_ug": [25, 50, 100, 150, 200, 300, 400],
            "start_hours": [1],
            "number_of_doses": [1],
        },
    }


def child(sources: int) -> None:
    from exosci.design import search

    t = time.perf_counter()
    res = search(constraints(sources), seed=0, samples=SAMPLES).to_dict()
    wall = time.perf_counter() - t
    print(
        json.dumps(
            {
                "candidates": res["counts"]["simulated"],
                "front": res["counts"]["front"],
                "wall_s": wall,
                "engine_s": res["method"]["engine_seconds"],
                "engine_calls": res["method"]["engine_calls"],
            }
        )
    )


def run_child(sources: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(sources)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    import resource

    out, _ = proc.communicate()
    doc = json.loads(out.strip().splitlines()[-1])
    # the running maximum over the children so far (the smaller run goes first)
    doc["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return doc


def engine_limit() -> float:
    """Seconds of engine time per paired design-subject (warm, 64 designs in one call)."""
    from exosci.design.constraints import parse_constraints
    from exosci.design.space import enumerate_space, make_spec
    from exosci.evaluate.alternatives import paired_final_scores, subject_draws
    from exosci.kb.store import default_kb
    from exosci.model.parameters import default_parameters
    from exosci.therapy import ResolveCache, resolve_spec

    kb = default_kb()
    c = parse_constraints(constraints(9))
    cache = ResolveCache(kb)
    designs = []
    for point in enumerate_space(c):
        designs.append(resolve_spec(make_spec(c, point), kb, cache=cache).design)
        if len(designs) == 64:
            break
    params = subject_draws(default_parameters(), SAMPLES, 0)
    paired_final_scores(designs[:2], params, SAMPLES, control=False)  # warm
    t = time.perf_counter()
    paired_final_scores(designs, params, SAMPLES, control=False)
    return (time.perf_counter() - t) / (64 * SAMPLES)


def main() -> None:
    load = os.getloadavg()
    quarter = run_child(2)  # RUSAGE_CHILDREN is a running max: the smaller run goes first
    full = run_child(9)
    per = engine_limit()
    work = full["candidates"] * SAMPLES
    doc = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_1_5_15": load,
            "python": platform.python_version(),
        },
        "samples": SAMPLES,
        "quarter": quarter,
        "full": full,
        "engine_share": full["engine_s"] / full["wall_s"],
        "engine_s_per_design_subject": per,
        "physical_limit_s": per * work,
        "target_wall_s": 30.0,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_design.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    else:
        main()
