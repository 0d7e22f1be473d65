"""Write the README's model-engine benchmark block from the benchmarks' JSON output.

Reads ``benchmarks/results/bench_model.json`` and ``bench_scale.json`` (written by
``bench_model.py`` and ``bench_scale.py``) and replaces the text between
``<!-- bench-model:begin -->`` and ``<!-- bench-model:end -->`` in README.md. No number in that
block is typed by hand. Run: ``.venv/bin/python benchmarks/write_readme.py``
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
BEGIN, END = "<!-- bench-model:begin -->", "<!-- bench-model:end -->"


def model_table(doc: dict[str, Any]) -> list[str]:
    lines = [
        f"`bench_model.py`: {doc['workload']}; every tool checked to reproduce the reference "
        f"({doc['reference']}) within 1e-4 BBB at a tight tolerance before timing, then timed "
        f"at the loosest of its own tolerances whose error is at most "
        f"{doc['target_error_bbb']:g} BBB points (median of {doc['repeats']} runs; machine: "
        f"{doc['machine']}).",
        "",
        "| tool | tolerance | error vs reference (BBB) | wall s | CPU s | CPU ratio to exosci "
        "(1 thread) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in doc["rows"]:
        note = f" ({r['timed_subjects']:,} timed, scaled linearly)" if r["extrapolated"] else ""
        lines.append(
            f"| {r['tool']}{note} | rtol {r['rtol']:g} | {r['error_bbb']:.1e} | "
            f"{r['seconds_for_workload']:.1f} | {r['cpu_seconds_for_workload']:.1f} | "
            f"{r['cpu_ratio_vs_exosci_1_thread']:.2f} |"
        )
    return lines


def scale_lines(doc: dict[str, Any]) -> list[str]:
    out = []
    d = doc.get("dask")
    if d:
        out += [
            "",
            f"`bench_scale.py` ({doc['machine']}): {d['subjects']:,} paired subjects × 42 days, "
            f"streamed quantiles, batches of {d['batch_size']:,}: one process on one engine "
            f"thread {d['one_thread_s']:.1f} s; on {d['threads']} engine threads "
            f"{d['threads_s']:.1f} s ({d['speedup_threads_vs_one_thread']:.2f}×); a local Dask "
            f"cluster of 2 single-threaded process workers {d['dask_2proc_s']:.1f} s "
            f"({d['speedup_dask_vs_one_thread']:.2f}×, after a {d['dask_startup_s']:.1f} s "
            f"start-up not counted); results identical: {d['identical']}.",
        ]
    m = doc.get("memory")
    if m:
        out += [
            "",
            f"Peak memory of `ensemble_summary`, {m['subjects']:,} subjects × {m['days']} days "
            f"(score, streamed): {m['peak_mib']:.0f} MiB ({m['seconds']:.0f} s); keeping the "
            f"trajectories would take {m['raw_score_mib']:.0f} MiB for the score alone and "
            f"{m['raw_all_outputs_mib']:,.0f} MiB for the 19 outputs the engine used to keep.",
        ]
    return out


def main() -> None:
    block = [BEGIN]
    mp = RESULTS / "bench_model.json"
    if mp.exists():
        block += model_table(json.loads(mp.read_text()))
    sp = RESULTS / "bench_scale.json"
    if sp.exists():
        block += scale_lines(json.loads(sp.read_text()))
    block.append(END)
    readme = ROOT / "README.md"
    text = readme.read_text("utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + "\n".join(block) + tail
    else:
        raise SystemExit(f"README.md has no {BEGIN} ... {END} block")
    readme.write_text(text, "utf-8")
    print("\n".join(block))


if __name__ == "__main__":
    main()
