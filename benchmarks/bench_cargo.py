"""exosci cargo enrichment vs gseapy's offline ``enrich``, same inputs, one run.

Inputs: a SYNTHETIC miRTarBase-schema table (>= 500,000 miRNA-gene rows, seeded; genes drawn
from the real Reactome GMT so sets are hit) and the REAL Reactome GMT from ../shared/data, both
registered with the data manager (``exosci data add``, in a temporary EXOSCI_DATA_DIR) and so
converted once into prepared DuckDB stores; exosci then uses them by name, as
``cargo enrich --targets mirtarbase --genesets reactome`` does. (a) one 50-miRNA profile, timed
including loading both prepared stores; (b) 1,000 profiles of 50 miRNAs (exosci: one batch
call; gseapy: one call per profile); (c) a 1,000,000-line miRNA list with 2,394 distinct
real miRBase names (SYNTHETIC list, seeded) run through the CLI in a child process
(``cargo enrich --targets mirtarbase --genesets reactome --max-names 100000``): wall time and
the command's own peak RSS (``os.wait4`` rusage in a small launcher process, since Linux
carries the parent's high-water mark across a vfork+exec), beside gseapy's ``enrich`` on the same target-gene
list (the 2,394 names' targets; in-process, timed only).
Run: .venv/bin/python benchmarks/bench_cargo.py [--rows 500000] [--profiles 1000] [--lines 1000000]
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def synthetic_mirtarbase(path: Path, rows: int, seed: int, genes: list[str]) -> list[str]:
    from exosci.cargo.mirbase_table import load_mirbase_table

    rng = np.random.default_rng(seed)
    table = load_mirbase_table().frame  # real names (miRBase 22.1, human), synthetic pairs
    mirnas = sorted(
        table.loc[table["status"].eq("current") & table["name"].str.startswith("hsa-"), "name"]
    )
    mi = rng.integers(0, len(mirnas), rows)
    ge = rng.integers(0, len(genes), rows)
    frame = pd.DataFrame(
        {
            "miRTarBase ID": [f"MIRT{i:07d}" for i in range(rows)],
            "miRNA": np.asarray(mirnas)[mi],
            "Species (miRNA)": "Homo sapiens",
            "Target Gene": np.asarray(genes)[ge],
            "Target Gene (Entrez Gene ID)": (ge + 1).astype(float),  # floats, as real files load
            "Species (Target Gene)": "Homo sapiens",
            "Experiments": "Luciferase reporter assay//qRT-PCR",
            "Support Type": np.where(
                rng.random(rows) < 0.3, "Functional MTI", "Functional MTI (Weak)"
            ),
            "References (PMID)": rng.integers(10_000_000, 40_000_000, rows),
        }
    )
    frame.to_csv(path, index=False)
    return mirnas


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--profiles", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=2394)
    ap.add_argument("--only-big-list", action="store_true", help="run case (c) only")
    args = ap.parse_args()
    logging.getLogger("gseapy").setLevel(logging.ERROR)
    import gseapy

    tmp = Path(tempfile.mkdtemp(prefix="bench-cargo-"))
    os.environ["EXOSCI_DATA_DIR"] = str(tmp / "data")
    from exosci.cargo import enrich_batch, load_targets, read_gmt
    from exosci.cargo.design import build_design
    from exosci.cargo.enrich import enrich
    from exosci.cargo.genesets import resource_genesets
    from exosci.datasets import add

    gmt_path = SHARED / "reactome" / "ReactomePathways_2024-09-18.gmt"
    sets = read_gmt(gmt_path)
    genes = sorted({g for gs in sets.sets.values() for g in gs})
    mti = tmp / "synthetic_mirtarbase.csv"
    mirnas = synthetic_mirtarbase(mti, args.rows, args.seed, genes)
    t0 = time.perf_counter()
    add("mirtarbase", mti)
    add("reactome", gmt_path)
    print(
        f"SYNTHETIC target table: {args.rows} rows (seed {args.seed}), real Reactome GMT "
        f"({len(sets)} sets); both prepared once by the data manager in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    if args.only_big_list:
        big_list(args, tmp, mirnas, load_targets(["mirtarbase"], curated=False), gseapy)
        return
    rng = np.random.default_rng(args.seed + 1)
    profiles = [list(rng.choice(mirnas, 50, replace=False)) for _ in range(args.profiles)]

    # (a) one profile, including loading both prepared stores by name
    t0 = time.perf_counter()
    table = load_targets(["mirtarbase"], curated=False)
    gs = resource_genesets("reactome")
    t_load = time.perf_counter() - t0
    design = build_design(table, gs, universe="targets", min_size=5, max_size=2000)
    res = enrich(profiles[0], table, gs, design=design)
    t_one = time.perf_counter() - t0
    universe = list(design.display)  # the GMT spelling (gseapy matches case-sensitively)
    frame = table.frame
    by_mirna = frame.groupby("mirna")["gene"].apply(lambda s: sorted(set(s))).to_dict()
    gmt_dict = {k: list(v) for k, v in gs.sets.items()}

    def gene_list(p: list[str]) -> list[str]:
        return sorted({g for m in p for g in by_mirna.get(m, [])})

    t0 = time.perf_counter()
    gp = gseapy.enrich(
        gene_list=gene_list(profiles[0]),
        gene_sets=gmt_dict,
        background=universe,
        outdir=None,
        no_plot=True,
    ).results
    t_gp_one = time.perf_counter() - t0
    ours = res.table[res.table["overlap"] > 0].set_index("set")["pvalue"]
    common = ours.index.intersection(gp["Term"])
    gpp = gp.set_index("Term").loc[common, "P-value"]
    agree = spearmanr(ours.loc[common], gpp).statistic  # ties averaged
    print(
        f"(a) one 50-miRNA profile: exosci {t_one:.3f} s (incl. {t_load:.3f} s loading the "
        "prepared target and gene-set stores), "
        f"gseapy {t_gp_one:.3f} s (enrich only); ratio gseapy/exosci {t_gp_one / t_one:.1f}x; "
        f"rank correlation of p-values {agree:.4f}"
    )

    # (b) many profiles at once
    mat = pd.DataFrame(0.0, index=mirnas, columns=[f"p{i}" for i in range(args.profiles)])
    for i, p in enumerate(profiles):
        mat.loc[p, f"p{i}"] = 1.0
    t0 = time.perf_counter()
    batch = enrich_batch(mat, table, gs, design=design)
    t_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    for p in profiles:
        gseapy.enrich(
            gene_list=gene_list(p),
            gene_sets=gmt_dict,
            background=universe,
            outdir=None,
            no_plot=True,
        )
    t_gp_batch = time.perf_counter() - t0
    print(
        f"(b) {args.profiles} profiles: exosci batch {t_batch:.2f} s, gseapy loop "
        f"{t_gp_batch:.2f} s; ratio gseapy/exosci {t_gp_batch / t_batch:.1f}x (goal >= 20x); "
        f"{int((batch.qvalues < 0.05).to_numpy().sum())} significant set-profile pairs"
    )

    big_list(args, tmp, mirnas, table, gseapy)


# Linux carries a process's RSS high-water mark across exec, and subprocess starts children
# with vfork/posix_spawn from this (large) process: a child's ru_maxrss would include ours.
# A small launcher starts the command instead and reports the command's own peak.
_LAUNCH = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "sys.stderr.write(f'\\nPEAK_KB {usage.ru_maxrss}\\n')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def _child(cmd: list[str]) -> tuple[float, float, int, str, str]:
    """Run ``cmd`` via the launcher: wall time, its own peak RSS (MB), exit code, output."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _LAUNCH, *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_KB ")]
    peak_mb = int(peak[-1].split()[1]) / 1024 if peak else float("nan")
    return wall, peak_mb, proc.returncode, proc.stdout, proc.stderr


def big_list(args: argparse.Namespace, tmp: Path, mirnas: list[str], table, gseapy) -> None:  # type: ignore[no-untyped-def]
    """(c) A 1e6-line list with few distinct names: CLI time and peak RSS in a child process."""
    rng = np.random.default_rng(args.seed + 2)
    distinct = list(rng.choice(mirnas, args.distinct, replace=False))
    lines = np.asarray(distinct)[rng.integers(0, len(distinct), args.lines)]
    lines[: len(distinct)] = distinct  # every distinct name appears at least once
    path = tmp / "big_list.txt"
    path.write_text("\n".join(lines) + "\n")
    exe = Path(sys.executable).with_name("exosci")
    cmd = [str(exe), "cargo", "enrich", str(path), "--targets", "mirtarbase"]
    cmd += ["--genesets", "reactome", "--max-names", "100000", "--json"]
    load = os.getloadavg()[0]
    wall, peak_mb, rc, out, err = _child(cmd)
    if rc != 0:
        print(f"(c) CLI failed ({rc}): {err[-500:]}")
        return
    small = tmp / "distinct_list.txt"
    small.write_text("\n".join(distinct) + "\n")
    wall1, peak1, _, _, _ = _child([*cmd[:3], str(small), *cmd[4:]])
    import json

    doc = json.loads(out)
    by_mirna = table.frame.groupby("mirna", observed=True)["gene"].apply(set).to_dict()
    genes = sorted({g for m in distinct for g in by_mirna.get(m, ())})
    gmt = {}
    for line in (SHARED / "reactome" / "ReactomePathways_2024-09-18.gmt").read_text().splitlines():
        parts = line.split("\t")
        gmt[parts[0]] = parts[2:]
    t0 = time.perf_counter()
    background = sorted({g for v in gmt.values() for g in v})
    gseapy.enrich(gene_list=genes, gene_sets=gmt, background=background, outdir=None, no_plot=True)
    t_gp = time.perf_counter() - t0
    print(
        f"(c) {args.lines:,}-line list, {args.distinct:,} distinct names "
        f"({len(doc['mirnas']['recognized']):,} recognised rows): exosci CLI {wall:.1f} s wall "
        f"(child process, incl. start-up and loading both prepared stores), peak RSS "
        f"{peak_mb:.0f} MB (the {args.distinct:,} distinct names once a line: {wall1:.1f} s, "
        f"{peak1:.0f} MB); gseapy enrich on the {len(genes):,} target genes {t_gp:.1f} s "
        f"(enrich only, in-process); 1-min load average at start {load:.2f} on "
        f"{os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
