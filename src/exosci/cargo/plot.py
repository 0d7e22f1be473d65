"""A dot plot of the top enriched sets (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def draw_enrichment(
    ax: Any, table: pd.DataFrame, *, top: int = 15, title: str = "", caveats: Any = ()
) -> Any:
    """Draw the dot plot on ``ax``; a small-universe caveat goes under the title."""
    tab = table[table["overlap"] > 0].head(top).iloc[::-1]
    if tab.empty:
        ax.text(0.5, 0.5, "no gene set overlaps the targets", ha="center", va="center")
        ax.set_axis_off()
    else:
        x = -np.log10(np.clip(tab["qvalue"].to_numpy(dtype=float), 1e-300, 1.0))
        labels = [s if len(s) <= 60 else s[:57] + "..." for s in tab["set"]]
        dots = ax.scatter(
            x,
            range(len(tab)),
            s=30 + 12 * tab["overlap"].to_numpy(dtype=float),
            c=tab["fold_enrichment"].to_numpy(dtype=float),
            cmap="viridis",
        )
        ax.set_yticks(range(len(tab)), labels, fontsize=8)
        ax.axvline(-np.log10(0.05), color="grey", lw=0.8, ls="--")
        ax.set_xlabel("-log10 q (Benjamini-Hochberg); dashed: q = 0.05")
        ax.figure.colorbar(dots, ax=ax, label="fold enrichment")
    small = [c for c in caveats if "universe has only" in c]
    head = title or "miRNA target enrichment"
    ax.set_title(head + ("\n(toy universe: p-values not meaningful)" if small else ""))
    return ax


def plot_enrichment(
    table: pd.DataFrame, path: Path | str, *, top: int = 15, title: str = ""
) -> Path:
    """Dot plot: -log10 q on x, sets on y, dot size = overlap, colour = fold enrichment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = len(table[table["overlap"] > 0].head(top))
    fig, ax = plt.subplots(figsize=(8, 0.4 * max(shown, 3) + 1.5))
    draw_enrichment(ax, table, top=top, title=title)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def plot_heatmap(
    per_mirna: pd.DataFrame, path: Path | str, *, top: int = 30, title: str = ""
) -> Path:
    """MiRNA x pathway heatmap of -log10 per-miRNA p-values (the ``top`` sets by best p)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    best = per_mirna.min(axis=1).nsmallest(top).index
    data = -np.log10(np.clip(per_mirna.loc[best].to_numpy(dtype=float), 1e-300, 1.0)).T
    fig, ax = plt.subplots(
        figsize=(0.35 * len(best) + 3, 0.35 * per_mirna.shape[1] + 2.5), squeeze=True
    )
    im = ax.imshow(data, aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(best)), [str(s)[:40] for s in best], rotation=90, fontsize=7)
    ax.set_yticks(range(per_mirna.shape[1]), list(per_mirna.columns), fontsize=7)
    fig.colorbar(im, ax=ax, label="-log10 p (per-miRNA ORA)")
    ax.set_title(title or "miRNA x pathway")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
