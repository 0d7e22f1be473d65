"""The front plot: effect vs certainty (colour = feasibility) and parallel coordinates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from exosci.design.objectives import CERTAINTY_RANK

PARALLEL = ("source", "preconditioning", "carrier", "route", "dose_ug", "start_hours", "doses")


def plot_front(doc: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, front = doc["candidates"], doc["front"]
    m, prov = doc["method"], doc["provenance"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1, 1.4]})
    rng = np.random.default_rng(0)  # jitter only, so tied certainty levels stay visible
    for group, alpha, size in ((rows, 0.25, 14), (front, 0.95, 42)):
        x = [r["delta"]["median"] for r in group]
        y = [CERTAINTY_RANK[r["certainty"]] + rng.uniform(-0.15, 0.15) for r in group]
        sc = ax.scatter(
            x,
            y,
            c=[r["feasibility"] for r in group],
            cmap="viridis",
            vmin=0,
            vmax=4,
            s=size,
            alpha=alpha,
            marker="o",
            edgecolors="k" if group is front else "none",
        )
    for r in front:
        if r["outside_domain"]:
            ax.scatter(
                r["delta"]["median"],
                CERTAINTY_RANK[r["certainty"]],
                s=90,
                facecolors="none",
                edgecolors="red",
            )
    ax.axvline(m["min_difference"], ls="--", c="grey", lw=0.8)
    ax.set_yticks(list(CERTAINTY_RANK.values()), list(CERTAINTY_RANK))
    ax.set_xlabel(f"median paired Δ {m['score_name']} vs baseline (day {m['horizon_days']})")
    ax.set_ylabel("certainty of the evidence (GRADE)")
    ax.set_title("front (outlined), all candidates (faint); red ring = outside domain", fontsize=9)
    fig.colorbar(sc, ax=ax, label="feasibility")
    # parallel coordinates of the design fields of the front designs
    cols = [c for c in PARALLEL if len({str(r[c]) for r in front}) > 0]
    levels = {c: sorted({str(r[c]) for r in rows}) for c in cols}
    gains = [r["delta"]["median"] for r in front] or [0.0]
    lo, hi = min(gains), max(gains)
    cmap = plt.get_cmap("plasma")
    for r in front:
        ys = [levels[c].index(str(r[c])) / max(1, len(levels[c]) - 1) for c in cols]
        t = 0.5 if hi == lo else (r["delta"]["median"] - lo) / (hi - lo)
        bx.plot(range(len(cols)), ys, c=cmap(t), alpha=0.7, lw=1.2)
    for i, c in enumerate(cols):
        for j, lvl in enumerate(levels[c]):
            bx.text(i, j / max(1, len(levels[c]) - 1), lvl[:18], fontsize=6, ha="center")
    bx.set_xticks(range(len(cols)), cols, rotation=20, fontsize=8)
    bx.set_yticks([])
    bx.set_title("front designs: parallel coordinates (colour = median Δ)", fontsize=9)
    fig.suptitle(
        f"MODEL PREDICTION — exosci {prov['version']}, data {prov['data_hash']}, seed "
        f"{prov['seed']}, {prov['samples']} paired subjects",
        fontsize=8,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
