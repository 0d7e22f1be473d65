"""Enrichment statistics: exact hypergeometric tails (vectorised), BH q-values, weighted scores.

``hypergeom_sf`` evaluates P(X >= x) for X ~ Hypergeometric(N, m, k) for millions of cells at
once. scipy's ``hypergeom.sf`` (Boost) costs ~30 µs per cell, too slow for a 1,000-sample by
2,700-set batch, so the point mass at ``x`` is computed with Loader's saddle-point method (as in
R's ``dhyper``: Stirling remainders and the deviance ``bd0`` keep full relative precision) and
the tail is summed by the exact term ratio from ``x`` outwards; when ``x`` lies below the mean,
the complementary (shorter) lower tail is summed instead, as R's ``phyper`` does. The result
agrees with ``scipy.stats.hypergeom.sf(x - 1, N, m, k)`` to ~1e-13 relative (tested).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

_LN_2PI = float(np.log(2.0 * np.pi))
# stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n) for n = 0..15 (R's nmath table, integers).
_SFERR = np.array(
    [
        0.0,
        0.0810614667953272582196702,
        0.0413406959554092940938221,
        0.02767792568499833914878929,
        0.02079067210376509311152277,
        0.01664469118982119216319487,
        0.01387612882307074799874573,
        0.01189670994589177009505572,
        0.010411265261972096497478567,
        0.009255462182712732917728637,
        0.008330563433362871256469318,
        0.007573675487951840794972024,
        0.006942840107209529865664152,
        0.006408994188004207068439631,
        0.005951370112758847735624416,
        0.005554733551962801371038690,
    ]
)


def _stirlerr(n: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.empty_like(n)
    small = n <= 15
    out[small] = _SFERR[n[small].astype(np.int64)]
    big = n[~small]
    nn = big * big
    s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
    r = np.where(
        big > 500,
        (s0 - s1 / nn) / big,
        np.where(
            big > 80,
            (s0 - (s1 - s2 / nn) / nn) / big,
            np.where(
                big > 35,
                (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / big,
                (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / big,
            ),
        ),
    )
    out[~small] = r
    return out


def _bd0(x: NDArray[np.float64], np_: NDArray[np.float64]) -> NDArray[np.float64]:
    """Deviance term x log(x/np) + np - x, computed without cancellation near x = np."""
    out = np.empty_like(x)
    near = np.abs(x - np_) < 0.1 * (x + np_)
    with np.errstate(divide="ignore", invalid="ignore"):
        far = ~near
        xf, nf = x[far], np_[far]
        out[far] = np.where(xf > 0, xf * np.log(xf / nf), 0.0) + nf - xf
        xn, nn = x[near], np_[near]
        v = (xn - nn) / (xn + nn)
        s = (xn - nn) * v
        ej = 2 * xn * v
        v2 = v * v
        for j in range(1, 1000):
            ej = ej * v2
            s_new = s + ej / (2 * j + 1)
            if np.array_equal(s_new, s):
                break
            s = s_new
        out[near] = s
    return out


def _dbinom_raw(
    x: NDArray[np.float64], n: NDArray[np.float64], p: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Binomial point mass with full relative precision (Loader 2000); 0 < x < n handled here."""
    out = np.zeros_like(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        mid = (x > 0) & (x < n)
        xm, nm, pm, qm = x[mid], n[mid], p[mid], q[mid]
        lc = (
            _stirlerr(nm)
            - _stirlerr(xm)
            - _stirlerr(nm - xm)
            - _bd0(xm, nm * pm)
            - _bd0(nm - xm, nm * qm)
        )
        lf = _LN_2PI + np.log(xm) + np.log1p(-xm / nm)
        out[mid] = np.exp(lc - 0.5 * lf)
        zero = x == 0
        nz, pz, qz = n[zero], p[zero], q[zero]
        lz = np.where(pz < 0.1, -_bd0(nz, nz * qz) - nz * pz, nz * np.log(qz))
        out[zero] = np.where(nz == 0, 1.0, np.exp(lz))
        full = (x == n) & (n > 0)
        nf, pf, qf = n[full], p[full], q[full]
        lfull = np.where(qf < 0.1, -_bd0(nf, nf * pf) - nf * qf, nf * np.log(pf))
        out[full] = np.exp(lfull)
    return out


def hypergeom_pmf(x: ArrayLike, total: ArrayLike, good: ArrayLike, draws: ArrayLike) -> NDArray:
    """P(X = x) for X ~ Hypergeometric(total, good, draws), elementwise (R's ``dhyper``)."""
    xa, na, ma, ka = (
        np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(x, total, good, draws)
    )
    xa, na, ma, ka = (a.ravel() for a in (xa, na, ma, ka))
    out = np.zeros_like(xa)
    ok = (xa >= 0) & (xa >= ka - (na - ma)) & (xa <= np.minimum(ma, ka))
    xo, no, mo, ko = xa[ok], na[ok], ma[ok], ka[ok]
    full = ko >= no  # drawing everything: X = good with certainty
    p = np.where(full, 1.0, ko / np.maximum(no, 1.0))
    q = np.where(full, 0.0, (no - ko) / np.maximum(no, 1.0))
    d1 = _dbinom_raw(xo, mo, p, q)
    d2 = _dbinom_raw(ko - xo, no - mo, p, q)
    d3 = _dbinom_raw(ko, no, p, q)
    with np.errstate(invalid="ignore", divide="ignore", under="ignore"):
        res = np.where(full, (xo == mo).astype(np.float64), d1 * d2 / d3)
    out[ok] = res
    return out.reshape(np.broadcast_shapes(*(np.shape(a) for a in (x, total, good, draws))))


def hypergeom_sf(
    x: ArrayLike, total: ArrayLike, good: ArrayLike, draws: ArrayLike
) -> NDArray[np.float64]:
    """P(X >= x): the over-representation p-value for overlap ``x`` (elementwise).

    Equal to ``scipy.stats.hypergeom.sf(x - 1, total, good, draws)``.
    """
    shape = np.broadcast_shapes(*(np.shape(a) for a in (x, total, good, draws)))
    xa, na, ma, ka = (
        np.asarray(a, dtype=np.float64).ravel().copy()
        for a in np.broadcast_arrays(x, total, good, draws)
    )
    lo = np.maximum(0.0, ka - (na - ma))
    hi = np.minimum(ma, ka)
    out = np.ones_like(xa)
    out[xa > hi] = 0.0
    todo = np.flatnonzero((xa > lo) & (xa <= hi))
    if todo.size:
        mean = ka[todo] * ma[todo] / np.maximum(na[todo], 1.0)
        upper = xa[todo] >= mean
        up = todo[upper]
        out[up] = _tail(xa[up], na[up], ma[up], ka[up], direction=1)
        down = todo[~upper]
        out[down] = 1.0 - _tail(xa[down] - 1.0, na[down], ma[down], ka[down], direction=-1)
    np.clip(out, 0.0, 1.0, out=out)
    return out.reshape(shape)


def _tail(
    x: NDArray[np.float64],
    n: NDArray[np.float64],
    m: NDArray[np.float64],
    k: NDArray[np.float64],
    *,
    direction: int,
) -> NDArray[np.float64]:
    """Sum of pmf from x upwards (direction +1) or downwards (-1), by the exact term ratio."""
    d = hypergeom_pmf(x, n, m, k)
    total = np.ones_like(x)
    term = np.ones_like(x)
    i = x.copy()
    active = np.flatnonzero(d > 0)
    lo = np.maximum(0.0, k - (n - m))
    hi = np.minimum(m, k)
    while active.size:
        ia, na, ma, ka = i[active], n[active], m[active], k[active]
        if direction > 0:
            ratio = (ma - ia) * (ka - ia) / ((ia + 1.0) * (na - ma - ka + ia + 1.0))
            stop = ia + 1.0 > hi[active]
        else:
            ratio = ia * (na - ma - ka + ia) / ((ma - ia + 1.0) * (ka - ia + 1.0))
            stop = ia - 1.0 < lo[active]
        new_term = np.where(stop, 0.0, term[active] * ratio)
        term[active] = new_term
        total[active] += new_term
        i[active] = ia + direction
        keep = (new_term > 1e-18 * total[active]) & ~stop
        active = active[keep]
    return d * total


def bh_qvalues(pvalues: ArrayLike) -> NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values (q-values), monotone, capped at 1; NaN kept."""
    p = np.asarray(pvalues, dtype=np.float64)
    q = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    pv = p[ok]
    n = pv.size
    if n == 0:
        return q
    order = np.argsort(pv)
    ranked = pv[order] * n / np.arange(1, n + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(n)
    res[order] = np.minimum(ranked, 1.0)
    q[ok] = res
    return q


def bh_qvalues_rows(pvalues: NDArray[np.float64], mask: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Row-wise BH over the cells where ``mask`` is true (other cells get NaN), vectorised."""
    p = np.where(mask, pvalues, np.inf)
    n = mask.sum(axis=1, keepdims=True).astype(np.float64)
    order = np.argsort(p, axis=1)
    ps = np.take_along_axis(p, order, axis=1)
    rank = np.arange(1, p.shape[1] + 1, dtype=np.float64)[None, :]
    with np.errstate(invalid="ignore"):
        adj = ps * n / rank
    adj = np.where(np.isfinite(adj), adj, np.inf)
    adj = np.minimum.accumulate(adj[:, ::-1], axis=1)[:, ::-1]
    q = np.empty_like(adj)
    np.put_along_axis(q, order, np.minimum(adj, 1.0), axis=1)
    return np.where(mask, q, np.nan)
