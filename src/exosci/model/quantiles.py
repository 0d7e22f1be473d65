"""Streaming quantiles with a stated rank error, for ensembles too large to keep.

A :class:`RankSummary` holds, for each of ``C`` columns (output x time point), ``s`` sorted
points with bounds on their rank among all ``n`` values seen: ``rmin <= rank <= rmax``. A batch
gives exact ranks; two summaries combine with the rank bounds of Greenwald & Khanna (SIGMOD
2001, COMBINE) and are pruned back to ``size`` points. :class:`StreamingQuantiles` merges
batch summaries in a binary tree (a counter over batch order), so the rank error grows with
log2(batches), not with their number, and the result depends only on the batch order: a Dask
run that merges the same batch summaries in the same order gives identical quantiles.

Every answer carries its guarantee: the returned value's rank is within ``rank_error * n`` of
the requested ``ceil(p * n)`` (numpy's ``method="inverted_cdf"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from exosci.model.parameters import FloatArray

SIZE = 1024  # points kept per column


@dataclass(frozen=True)
class RankSummary:
    values: FloatArray  # (C, s) sorted along axis 1
    rmin: NDArray[np.int64]  # (C, s)
    rmax: NDArray[np.int64]  # (C, s)
    n: int

    @classmethod
    def exact(cls, x: FloatArray, size: int = SIZE) -> RankSummary:
        """Summary of a batch ``x`` of shape ``(C, b)`` (ranks exact)."""
        xs = np.sort(np.asarray(x, dtype=float), axis=1)
        b = xs.shape[1]
        if b <= size:
            idx = np.arange(b)
        else:
            idx = np.unique(np.round(np.linspace(0, b - 1, size)).astype(np.int64))
        r = np.broadcast_to(idx + 1, (xs.shape[0], len(idx))).astype(np.int64)
        return cls(np.ascontiguousarray(xs[:, idx]), r.copy(), r.copy(), b)

    def combine(self, other: RankSummary, size: int = SIZE) -> RankSummary:
        """Summary of the union of both value sets (then pruned to ``size`` points)."""
        s1 = self.values.shape[1]
        v = np.concatenate([self.values, other.values], axis=1)
        order = np.argsort(v, axis=1, kind="stable")  # ties: self's points first
        from2 = order >= s1
        c2 = np.cumsum(from2, axis=1) - from2  # other's points before each position
        c1 = np.cumsum(~from2, axis=1) - ~from2
        rmin_own = np.take_along_axis(np.concatenate([self.rmin, other.rmin], 1), order, 1)
        rmax_own = np.take_along_axis(np.concatenate([self.rmax, other.rmax], 1), order, 1)

        def before(rmin: NDArray[np.int64], c: NDArray[np.int64]) -> NDArray[np.int64]:
            got = np.take_along_axis(rmin, np.maximum(c - 1, 0), 1)
            return np.where(c > 0, got, 0)

        def after(rmax: NDArray[np.int64], c: NDArray[np.int64], n: int) -> NDArray[np.int64]:
            s = rmax.shape[1]
            got = np.take_along_axis(rmax, np.minimum(c, s - 1), 1) - 1
            return np.where(c < s, got, n)

        lo1, hi1 = self._tight()
        lo2, hi2 = other._tight()
        lo = np.where(from2, before(lo1, c1), before(lo2, c2))
        hi = np.where(from2, after(hi1, c1, self.n), after(hi2, c2, other.n))
        merged = RankSummary(
            np.take_along_axis(v, order, 1), rmin_own + lo, rmax_own + hi, self.n + other.n
        )
        return merged.prune(size)

    def _tight(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Rank bounds made monotone (still valid: the points are sorted)."""
        lo = np.maximum.accumulate(self.rmin, axis=1)
        hi = np.minimum.accumulate(self.rmax[:, ::-1], axis=1)[:, ::-1]
        return lo, hi

    def _locate(self, ranks: FloatArray) -> tuple[NDArray[np.int64], FloatArray]:
        """For each column and target rank, the point with the smallest rank error."""
        lo, hi = self._tight()
        c, s = lo.shape
        mid = (lo + hi) / 2.0
        off = float(self.n + 2)
        flat = (mid + off * np.arange(c)[:, None]).ravel()
        tgt = (np.asarray(ranks, float)[None, :] + off * np.arange(c)[:, None]).ravel()
        pos = np.searchsorted(flat, tgt).reshape(c, len(ranks)) - s * np.arange(c)[:, None]
        best = np.clip(pos, 0, s - 1)
        prev = np.clip(pos - 1, 0, s - 1)

        def err(i: NDArray[np.int64]) -> FloatArray:
            r = np.asarray(ranks, float)[None, :]
            return np.maximum(
                r - np.take_along_axis(lo, i, 1), np.take_along_axis(hi, i, 1) - r
            ).astype(float)

        e_best, e_prev = err(best), err(prev)
        pick = np.where(e_prev < e_best, prev, best)
        return pick, np.minimum(e_prev, e_best)

    def prune(self, size: int = SIZE) -> RankSummary:
        if self.values.shape[1] <= size:
            return self
        targets = np.linspace(1.0, float(self.n), size)
        idx, _ = self._locate(targets)
        return RankSummary(
            np.take_along_axis(self.values, idx, 1),
            np.take_along_axis(self.rmin, idx, 1),
            np.take_along_axis(self.rmax, idx, 1),
            self.n,
        )

    def quantiles(self, ps: Sequence[float]) -> tuple[FloatArray, float]:
        """``(len(ps), C)`` quantiles and their guaranteed rank error (fraction of ``n``)."""
        ranks = np.maximum(1.0, np.ceil(np.asarray(ps, float) * self.n - 1e-9))
        idx, e = self._locate(ranks)
        return np.take_along_axis(self.values, idx, 1).T, float(e.max()) / self.n


class StreamingQuantiles:
    """Add batches (arrays ``(C, b)``) or their summaries; memory O(C x size x log batches)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._stack: list[tuple[int, RankSummary]] = []

    def add(self, batch: FloatArray | RankSummary) -> None:
        s = batch if isinstance(batch, RankSummary) else RankSummary.exact(batch, self.size)
        level = 0
        while self._stack and self._stack[-1][0] == level:
            _, top = self._stack.pop()
            s = top.combine(s, self.size)
            level += 1
        self._stack.append((level, s))

    def result(self) -> RankSummary:
        if not self._stack:
            raise ValueError("no batches added")
        s = self._stack[-1][1]
        for _, below in reversed(self._stack[:-1]):
            s = below.combine(s, self.size)
        return s
