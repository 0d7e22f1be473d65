"""Statistics of a binned size distribution, computed the way NTA software computes them.

Two percentile conventions exist, and each instrument's own numbers follow one of them:

- ``"bin-edges"`` (NanoSight NTA 3.x): the cumulative distribution is known at each bin's upper
  edge and is linear inside a bin. Reproduces NTA 3.3's per-video D10/D50/D90 to 0.1 nm.
- ``"bin-centres"`` (ZetaView 8.x): the cumulative distribution is placed at bin centres and
  interpolated linearly between them. Reproduces ZetaView's "Median Number (D50)" exactly.

The mode is the vertex of the parabola through the modal bin and its two neighbours (reproduces
NTA 3.3's per-video mode to 0.1 nm); mean and SD are weighted over bin centres (population SD).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from exosci.errors import UserInputError

PercentileRule = Literal["bin-edges", "bin-centres"]
PERCENTILE_RULES: tuple[PercentileRule, ...] = ("bin-edges", "bin-centres")


@dataclass(frozen=True)
class SizeStats:
    """Summary of one number-weighted size distribution (sizes in nm)."""

    total: float
    mean_nm: float
    sd_nm: float
    mode_nm: float
    d10_nm: float
    d50_nm: float
    d90_nm: float

    @property
    def span(self) -> float:
        """(D90 - D10) / D50, the usual width measure of NTA reports."""
        return (self.d90_nm - self.d10_nm) / self.d50_nm


def _check(
    size_nm: ArrayLike, weights: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    s = np.asarray(size_nm, dtype=float)
    w = np.asarray(weights, dtype=float)
    if s.ndim != 1 or s.shape != w.shape or s.size == 0:
        raise UserInputError(
            f"size_nm and weights must be 1-D and of equal non-zero length, got {s.shape} and "
            f"{w.shape}."
        )
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(w))):
        raise UserInputError("size_nm and weights must be finite numbers.")
    if s.size > 1 and np.any(np.diff(s) <= 0):
        raise UserInputError("size_nm (bin centres) must be strictly increasing.")
    if np.any(w < 0):
        raise UserInputError("weights (concentrations or counts per bin) must not be negative.")
    if w.sum() <= 0:
        raise UserInputError("the distribution is empty: all bin weights are zero.")
    return s, w


def bin_edges(size_nm: ArrayLike) -> NDArray[np.float64]:
    """Edges of bins given their centres: midpoints inside, half a neighbour-gap outside."""
    s = np.asarray(size_nm, dtype=float)
    if s.size == 1:
        return np.array([s[0] - 0.5, s[0] + 0.5])
    mids = (s[1:] + s[:-1]) / 2
    return np.concatenate([[s[0] - (mids[0] - s[0])], mids, [s[-1] + (s[-1] - mids[-1])]])


def percentile(
    size_nm: ArrayLike, weights: ArrayLike, q: float, *, rule: PercentileRule = "bin-edges"
) -> float:
    """Size below which a fraction ``q`` (0 < q < 1) of the particles lie."""
    if not 0 < q < 1:
        raise UserInputError(f"percentile fraction q must be in (0, 1), got {q}.")
    s, w = _check(size_nm, weights)
    cdf = np.cumsum(w) / w.sum()
    i = int(np.searchsorted(cdf, q, side="left"))
    i = min(i, s.size - 1)  # guards q within float error of 1
    prev = cdf[i - 1] if i > 0 else 0.0
    if rule == "bin-edges":
        edges = bin_edges(s)
        return float(edges[i] + (q - prev) / (cdf[i] - prev) * (edges[i + 1] - edges[i]))
    if rule == "bin-centres":
        if i == 0:
            return float(s[0])
        return float(s[i - 1] + (q - prev) / (cdf[i] - prev) * (s[i] - s[i - 1]))
    raise UserInputError(f"unknown percentile rule {rule!r}; known: {', '.join(PERCENTILE_RULES)}.")


def parabolic_mode(size_nm: ArrayLike, weights: ArrayLike) -> float:
    """Vertex of the parabola through the modal bin and its neighbours (bin centre at the ends)."""
    s, w = _check(size_nm, weights)
    k = int(np.argmax(w))
    if k == 0 or k == s.size - 1:
        return float(s[k])
    y0, y1, y2 = w[k - 1], w[k], w[k + 1]
    denom = y0 - 2 * y1 + y2
    if denom == 0:
        return float(s[k])
    half = (s[k + 1] - s[k - 1]) / 4
    offset = 0.5 * (y0 - y2) / denom * (s[k + 1] - s[k - 1]) / 2
    return float(s[k] + np.clip(offset, -half, half))


def fraction_between(size_nm: ArrayLike, weights: ArrayLike, low: float, high: float) -> float:
    """Fraction of the particles with size in [low, high), density uniform within each bin."""
    s, w = _check(size_nm, weights)
    edges = bin_edges(s)
    lo, hi = edges[:-1], edges[1:]
    overlap = np.clip(np.minimum(hi, high) - np.maximum(lo, low), 0, None) / (hi - lo)
    return float((w * overlap).sum() / w.sum())


def size_stats(
    size_nm: ArrayLike, weights: ArrayLike, *, rule: PercentileRule = "bin-edges"
) -> SizeStats:
    """Mean, SD, mode and D10/D50/D90 of a binned distribution (see the module docstring)."""
    s, w = _check(size_nm, weights)
    mean = float((s * w).sum() / w.sum())
    sd = float(np.sqrt(((s - mean) ** 2 * w).sum() / w.sum()))
    d10, d50, d90 = (percentile(s, w, q, rule=rule) for q in (0.1, 0.5, 0.9))
    return SizeStats(
        total=float(w.sum()),
        mean_nm=mean,
        sd_nm=sd,
        mode_nm=parabolic_mode(s, w),
        d10_nm=d10,
        d50_nm=d50,
        d90_nm=d90,
    )
