"""Overlay plot of NTA size distributions (matplotlib, Agg backend)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from exosci.errors import UserInputError
from exosci.qc.nta import NTAReport
from exosci.qc.sizestats import bin_edges


def plot_nta(
    reports: Sequence[NTAReport],
    path: str | Path,
    *,
    scale: Literal["fraction", "concentration"] = "fraction",
    max_nm: float = 500.0,
) -> Path:
    """Write a PNG overlaying the size distributions, per nm so that bin widths compare.

    ``scale="fraction"`` (default) normalises each curve to unit area, so shapes compare across
    samples of different concentration; ``"concentration"`` plots particles/mL/nm.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    drawable = [r for r in reports if r.bins.size_nm]
    if not drawable:
        raise UserInputError("nothing to plot: none of the reports has a size distribution.")
    out = Path(path)
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    ax.axvspan(30, 150, color="0.92", zorder=0, label="30-150 nm")
    for r in drawable:
        size = np.asarray(r.bins.size_nm)
        density = np.asarray(r.bins.concentration) / np.diff(bin_edges(size))
        if scale == "fraction":
            density = density / np.asarray(r.bins.concentration).sum()
        keep = size <= max_nm
        note = "" if r.concentration_corrected_for_dilution else " (not dilution-corrected)"
        if scale == "fraction":
            note = ""
        ax.plot(
            size[keep],
            density[keep],
            lw=1.2,
            drawstyle="steps-mid",
            label=f"{r.sample} [{r.format}]{note}",
        )
    ax.set_xlabel("diameter (nm)")
    ax.set_ylabel("fraction of particles / nm" if scale == "fraction" else "particles / mL / nm")
    ax.set_xlim(0, max_nm)
    ax.set_title("NTA size distributions")
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    try:
        fig.savefig(out, dpi=150)
    except OSError as exc:
        raise UserInputError(f"cannot write plot to {out}: {exc.strerror}") from None
    finally:
        plt.close(fig)
    return out
