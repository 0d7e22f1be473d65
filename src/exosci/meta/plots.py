"""Forest and funnel plots (matplotlib ``Figure`` objects, no pyplot state; PNG on request)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

if TYPE_CHECKING:  # pooling's .plot() calls into this module at run time
    from exosci.meta.pooling import PoolResult


def _new_axes(height: float) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, height), layout="constrained")
    return fig.add_subplot()


def draw_forest(result: PoolResult, ax: Any = None) -> Any:
    """Draw a forest plot of ``result`` on ``ax`` (a new figure when None); returns the Axes."""
    k = result.k
    ax = ax if ax is not None else _new_axes(1.2 + 0.32 * (k + 2))
    z = stats.norm.ppf(0.5 + result.level / 2)
    se = np.sqrt(result.vi)
    rows = np.arange(k, 0, -1) + 1.0
    rel = result.weights / result.weights.sum()
    ax.hlines(rows, result.yi - z * se, result.yi + z * se, color="black", lw=1)
    ax.scatter(result.yi, rows, s=20 + 300 * rel, marker="s", color="#3b6ea5", zorder=3)
    # pooled diamond and prediction interval
    est, lo, hi = result.estimate, result.ci_low, result.ci_high
    ax.fill([lo, est, hi, est], [0.5, 0.8, 0.5, 0.2], color="#b03a2e", zorder=3)
    if result.k > 1 and result.method != "EE":
        ax.hlines(0.5, result.pi_low, result.pi_high, color="#b03a2e", lw=1, ls="--")
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_yticks([*rows, 0.5])
    ax.set_yticklabels([*result.studies, f"pooled ({result.method}, {result.test})"])
    ax.set_ylim(-0.3, k + 1.7)
    ax.set_xlabel(f"effect ({result.measure}) with {result.level:.0%} CI")
    ax.set_title(
        f"k = {k}, estimate {est:.3g} [{lo:.3g}, {hi:.3g}], τ² = {result.tau2:.3g}, "
        f"I² = {result.i2:.0f}%",
        fontsize=9,
    )
    return ax


def forest_plot(result: PoolResult, path: str | Path | None = None) -> Any:
    """The forest plot as a matplotlib Figure, written to ``path`` (PNG) when given."""
    ax = draw_forest(result)
    fig = ax.figure
    if path is not None:
        fig.savefig(Path(path), dpi=150)
    return fig


def draw_funnel(result: PoolResult, ax: Any = None, *, filled: Any = None) -> Any:
    """Funnel plot (effect vs standard error, inverted axis) with the pseudo-95 % region.

    ``filled`` is a :class:`~exosci.meta.bias.TrimFillResult` whose imputed studies are drawn
    as open circles.
    """
    ax = ax if ax is not None else _new_axes(4.8)
    se = np.sqrt(result.vi)
    top = float(se.max()) * 1.05 if len(se) else 1.0
    grid = np.linspace(0, top, 50)
    est = result.estimate
    ax.fill_betweenx(grid, est - 1.96 * grid, est + 1.96 * grid, color="#eeeeee", zorder=0)
    ax.axvline(est, color="#b03a2e", lw=1)
    ax.scatter(result.yi, se, color="black", s=18, zorder=3, label="studies")
    if filled is not None and filled.k0 > 0:
        ax.scatter(
            filled.filled_yi,
            np.sqrt(filled.filled_vi),
            facecolors="white",
            edgecolors="black",
            s=18,
            zorder=3,
            label=f"imputed by trim and fill ({filled.k0})",
        )
        ax.axvline(filled.pooled.estimate, color="#b03a2e", lw=1, ls="--")
        ax.legend(fontsize=8)
    ax.set_ylim(top, 0)
    ax.set_xlabel(f"effect ({result.measure})")
    ax.set_ylabel("standard error")
    return ax


def funnel_plot(result: PoolResult, path: str | Path | None = None, *, filled: Any = None) -> Any:
    """The funnel plot as a matplotlib Figure, written to ``path`` (PNG) when given."""
    ax = draw_funnel(result, filled=filled)
    fig = ax.figure
    if path is not None:
        fig.savefig(Path(path), dpi=150)
    return fig
