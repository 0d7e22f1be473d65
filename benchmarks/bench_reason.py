"""Benchmark: `explain` on the curated graph vs a plain networkx all_simple_paths baseline,
and the CPU cost of the `kb show` / `explain` command-line processes.

Run: .venv/bin/python benchmarks/bench_reason.py [--repeat N] [--max-length L] [--cli-runs N]
Both sides search the same signed graph for all simple signed paths up to the same length and
rank them by the same score; the baseline enumerates with ``nx.all_simple_paths`` (no distance
pruning) and then drops paths that revisit an entity with the other polarity.

The CLI part runs each command as its own process (``exosci`` beside this interpreter), warm:
one untimed run first fills the kb cache and the bytecode cache (as an installed package has),
then the median user+system CPU seconds of ``--cli-runs`` runs, read with
``getrusage(RUSAGE_CHILDREN)`` around each. The bare interpreter and ``exosci --version`` run in
the same loop as reference points for the fixed cost (goal of issue #11: under 0.5 s).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx

from exosci.kb import default_kb
from exosci.kb.hierarchy import evidence_sources
from exosci.reason.explain import explain
from exosci.reason.graph import signed_graph
from exosci.reason.paths import path_score

QUERIES = [
    ("hypoxia-preconditioned BMSC exosomes", "functional recovery"),
    ("hypoxia-preconditioned BMSC exosomes", "NF-κB"),
    ("endothelial cell exosomes", "axon regeneration"),
    ("MSC exosomes", "ferroptosis"),
    ("UTX-/- endothelial cell exosomes", "M2 polarization"),
    ("BMSC exosomes", "neuroprotection"),
    ("CD146+CD271+ UC-MSC exosomes", "BSCB integrity"),
    ("M2 macrophage exosomes", "angiogenesis"),
]


def baseline(kb, s: str, o: str, max_length: int) -> list[tuple[float, tuple]]:
    """The same question answered with networkx: every simple signed path from the subject or
    one of its kinds (``evidence_sources``, as ``explain`` gathers upward) to the object or one
    of its kinds, ending at the first such target, no entity visited twice; ranked by score.
    ``s`` and ``o`` are entity ids (the names resolved by ``explain``, outside the timing)."""
    sg = signed_graph(kb)
    sources = [d for d in evidence_sources(kb.curated, s) if d != o]
    ends = [d for d in evidence_sources(kb.curated, o) if d not in sources]
    targets = {(e, p) for e in ends for p in (1, -1)}
    paths = []
    for src in sources:
        for p in nx.all_simple_paths(sg.graph, (src, 1), targets, cutoff=max_length):
            if len({n for n, _ in p}) == len(p) and not targets.intersection(p[:-1]):
                paths.append((path_score(sg, tuple(p)), tuple(p)))
    paths.sort(key=lambda x: -x[0])
    return paths


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


CLI_GOAL_CPU_S = 0.5  # issue #11: `kb show` and `explain` under 0.5 s CPU each, warm
CLI_COMMANDS = [
    ("kb show BMSC-Exos", ["kb", "show", "BMSC-Exos"], True),
    ("explain BMSC-Exos --to angiogenesis", ["explain", "BMSC-Exos", "--to", "angiogenesis"], True),
    ("kb search BMSC", ["kb", "search", "BMSC"], False),
    ("kb ref 12", ["kb", "ref", "12"], False),
    ("kb profile BMSC-Exos", ["kb", "profile", "BMSC-Exos"], False),
    ("--version (framework only)", ["--version"], False),
]


def _exosci() -> list[str]:
    script = Path(sys.executable).with_name("exosci")
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "from exosci.cli import main; main()"]


def _child_cpu(cmd: list[str], env: dict[str, str]) -> float:
    """User+system CPU seconds of one child process run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli_cpu(runs: int) -> None:
    """Median CPU seconds of each CLI command as a fresh process (warm caches)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let the warm-up write .pyc, as pip install does
    exosci = _exosci()
    rows: list[tuple[str, list[str], bool | None]] = [
        ("python -c pass (interpreter only)", [sys.executable, "-c", "pass"], None),
        *((label, [*exosci, *argv], goal) for label, argv, goal in CLI_COMMANDS),
    ]
    for _, cmd, _ in rows:  # warm-up: kb cache, bytecode cache, page cache
        _child_cpu(cmd, env)
    samples: dict[str, list[float]] = {label: [] for label, _, _ in rows}
    for _ in range(runs):  # interleaved, so a burst of load hits every command alike
        for label, cmd, _ in rows:
            samples[label].append(_child_cpu(cmd, env))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nCLI processes, warm caches: median CPU s (user+sys) of {runs} runs; "
        f"{os.cpu_count()} CPUs, load average {load:.2f}"
    )
    print(f"{'command':<42} {'median':>7} {'min':>6} {'max':>6}  goal")
    for label, _, goal in rows:
        xs = samples[label]
        med = statistics.median(xs)
        verdict = ""
        if goal:
            ok = "met" if med < CLI_GOAL_CPU_S else "NOT met"
            verdict = f"< {CLI_GOAL_CPU_S:g} s: {ok}"
        print(f"{label:<42} {med:>7.3f} {min(xs):>6.3f} {max(xs):>6.3f}  {verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--max-length", type=int, default=6)
    ap.add_argument(
        "--cli-runs", type=int, default=7, help="runs per CLI command (0: skip the CLI part)"
    )
    ap.add_argument("--cli-only", action="store_true", help="only the CLI part")
    args = ap.parse_args()
    if not args.cli_only:
        paths_benchmark(args)
    if args.cli_runs > 0:
        cli_cpu(args.cli_runs)


def paths_benchmark(args: argparse.Namespace) -> None:
    """The in-process `explain` queries against networkx all_simple_paths."""
    t0 = time.perf_counter()
    kb = default_kb()
    t_kb = time.perf_counter() - t0
    t0 = time.perf_counter()
    sg = signed_graph(kb)
    t_graph = time.perf_counter() - t0
    print(
        f"curated graph: {len(kb.curated.entities)} entities, {len(kb.curated.statements)} "
        f"statements -> signed graph {sg.graph.number_of_nodes()} nodes, "
        f"{sg.graph.number_of_edges()} edges (kb build {t_kb:.2f} s, signed graph {t_graph:.3f} s)"
    )
    print(f"{'query':<70} {'paths':>6} {'explain ms':>11} {'nx ms':>9} {'ratio':>7}")
    total_ours = total_base = 0.0
    for subj, obj in QUERIES:
        # ``context="loose"``: every path, as the baseline (strict also drops mixed-context
        # paths and runs a second search to count them)
        res = explain(kb, subj, obj, max_length=args.max_length, limit=10**6, context="loose")
        s_id, o_id = res.subject.id, res.object.id
        base = baseline(kb, s_id, o_id, args.max_length)
        ours_set = {(p.nodes, p.sign) for p in res.paths}
        base_set = {(tuple(n for n, _ in p), p[-1][1]) for _, p in base}
        assert ours_set == base_set, (subj, obj, len(ours_set), len(base_set))
        ours = _time(
            lambda s=subj, o=obj: explain(kb, s, o, max_length=args.max_length, context="loose"),
            args.repeat,
        )
        theirs = _time(lambda s=s_id, o=o_id: baseline(kb, s, o, args.max_length), args.repeat)
        total_ours += ours
        total_base += theirs
        print(
            f"{subj + ' -> ' + obj:<70} {len(base):>6} {ours * 1e3:>11.2f} "
            f"{theirs * 1e3:>9.2f} {theirs / ours:>6.1f}x"
        )
    print(
        f"total: explain {total_ours * 1e3:.1f} ms, networkx all_simple_paths "
        f"{total_base * 1e3:.1f} ms; ratio (baseline / explain) = {total_base / total_ours:.1f}x"
    )


if __name__ == "__main__":
    main()
