"""Benchmark: `explain` on the curated graph vs a plain networkx all_simple_paths baseline.

Run: .venv/bin/python benchmarks/bench_reason.py [--repeat N] [--max-length L]
Both sides search the same signed graph for all simple signed paths up to the same length and
rank them by the same score; the baseline enumerates with ``nx.all_simple_paths`` (no distance
pruning) and then drops paths that revisit an entity with the other polarity.
"""

from __future__ import annotations

import argparse
import statistics
import time

import networkx as nx

from exosci.kb import default_kb
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


def baseline(kb, subject: str, obj: str, max_length: int) -> list[tuple[float, tuple]]:
    sg = signed_graph(kb)
    s, o = kb.resolve(subject).id, kb.resolve(obj).id
    paths = []
    for p in nx.all_simple_paths(sg.graph, (s, 1), [(o, 1), (o, -1)], cutoff=max_length):
        if len({n for n, _ in p}) == len(p):
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--max-length", type=int, default=6)
    args = ap.parse_args()
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
        res = explain(kb, subj, obj, max_length=args.max_length, limit=10**6)
        base = baseline(kb, subj, obj, args.max_length)
        assert len(res.paths) == len(base), (subj, obj, len(res.paths), len(base))
        ours = _time(
            lambda s=subj, o=obj: explain(kb, s, o, max_length=args.max_length), args.repeat
        )
        theirs = _time(lambda s=subj, o=obj: baseline(kb, s, o, args.max_length), args.repeat)
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
