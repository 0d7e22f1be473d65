"""Plot a release profile with its fitted model curves (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from exosci.release.models import MODELS
from exosci.release.profile import DAYS_PER_UNIT, UNIT_NAMES

if TYPE_CHECKING:  # ReleaseFit.plot() calls into this module at run time
    from exosci.release.fit import ReleaseFit


def plot_fits(fit: ReleaseFit, path: str | Path, *, top: int | None = 6) -> Path:
    """Write data ± SD and the ``top`` best-ranked model curves (plus unranked ones) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    try:
        draw_fits(fit, ax, top=top)
        fig.tight_layout()
        out = Path(path)
        fig.savefig(out, dpi=130)
    finally:
        plt.close(fig)
    return out


def draw_fits(fit: ReleaseFit, ax: Any, *, top: int | None = 6) -> Any:
    """Draw data ± SD and the ``top`` best-ranked model curves (plus unranked ones) on ``ax``."""
    prof = fit.profile
    scale = DAYS_PER_UNIT[prof.time_unit]
    t_max = float(prof.t_days.max()) if prof.n_points else 1.0
    grid = np.linspace(0.0, t_max * 1.05 or 1.0, 400)
    ranked = [f for f in fit.fits if f.rank is not None]
    shown = (ranked[:top] if top else ranked) + [f for f in fit.fits if f.rank is None]
    ax.errorbar(
        prof.t_days / scale,
        prof.percent,
        yerr=prof.sd,
        fmt="o",
        color="black",
        capsize=3,
        label="data" + (" (mean ± SD)" if prof.sd is not None else ""),
        zorder=5,
    )
    for f in shown:
        best = f.name == fit.best
        m = MODELS[f.name]
        g = grid
        if m.fit_max_percent is not None:  # draw the power laws only where they were fitted
            g = grid[m.percent(grid, f.params) <= m.fit_max_percent * 1.1]
        ax.plot(
            g / scale,
            m.percent(g, f.params),
            lw=2.6 if best else 1.2,
            ls="-" if f.rank is not None else "--",
            label=(
                f"{m.label} (AIC {f.aic:.1f}{', best' if best else ''})"
                if f.rank is not None
                else f"{m.label} ({f.fitted_on}, not ranked)"
            ),
        )
    ax.set_xlabel(f"time ({UNIT_NAMES[prof.time_unit]}s)")
    ax.set_ylabel("cumulative release (% of load)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Release model fits (descriptive): {Path(prof.source).name}", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    return ax
