"""Small-study checks: Egger's regression test and Duval & Tweedie's trim and fill.

- ``egger(..., model="lm")`` is Egger's original test (Egger et al., BMJ 1997;315:629): weighted
  least squares of ``yi`` on its standard error with weights 1/vi and a multiplicative dispersion
  (statsmodels ``WLS``); the slope on the SE is the asymmetry, the intercept the limit estimate as
  SE → 0 (metafor ``regtest(model="lm")``).
- ``egger(..., model="rma")`` is its mixed-effects form: the SE as a moderator in the random-
  effects model (metafor's default ``regtest``).
- ``trimfill`` follows Duval & Tweedie (Biometrics 2000;56:455; JASA 2000;95:89) with the L0 or
  R0 estimator, iterating trim → re-estimate → count on the chosen side, then filling mirror
  images ``2·θ − yi`` of the k0 most extreme studies (metafor ``trimfill``). It is a sensitivity
  analysis for one selection mechanism, not a corrected estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from exosci.errors import UserInputError
from exosci.meta import core
from exosci.meta.pooling import PoolResult, _arrays, _check, pool


@dataclass(frozen=True)
class EggerResult:
    """Egger's test: slope of effect on SE (asymmetry) and the limit estimate (SE → 0)."""

    model: str
    stat: float
    dfs: int | None
    pval: float
    slope: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float
    k: int

    def to_dict(self) -> dict[str, Any]:
        doc = dict(self.__dict__)
        doc["note"] = (
            "few studies give the test little power (Sterne et al. 2011 advise k >= 10)"
            if self.k < 10
            else ""
        )
        return doc


def egger(
    data: pd.DataFrame | Any,
    vi: Any = None,
    *,
    model: Literal["lm", "rma"] = "lm",
    method: str = "REML",
    knha: bool = False,
    level: float = 0.95,
) -> EggerResult:
    """Egger's regression test for funnel-plot asymmetry (see the module docstring)."""
    y, v, studies, _ = _arrays(data, vi)
    _check(y, v, studies)
    k = len(y)
    if k < 3:
        raise UserInputError(f"Egger's test needs at least 3 studies (got {k}).")
    sei = np.sqrt(v)
    _need_spread(sei, "Egger's test")
    X = np.column_stack([np.ones(k), sei])
    if model == "lm":
        import statsmodels.api as sm

        res = sm.WLS(y, X, weights=1 / v).fit()
        dfs: int | None = k - 2
        b = np.asarray(res.params)
        se = np.asarray(res.bse)
        crit = float(stats.t.ppf(1 - (1 - level) / 2, k - 2))
        if not se[1] > 0:
            raise UserInputError(
                "Egger's test is undefined here: the effects lie exactly on a line in SE "
                "(no residual spread)."
            )
        stat = float(b[1] / se[1])
        pval = float(2 * stats.t.sf(abs(stat), k - 2))
    elif model == "rma":
        f = core.fit(y, v, X, method=method, knha=knha)
        b = f.beta
        se = np.sqrt(np.diag(f.vb))
        dfs = f.dfs
        stat = float(b[1] / se[1])
        if dfs is None:
            crit = float(stats.norm.ppf(1 - (1 - level) / 2))
            pval = float(2 * stats.norm.sf(abs(stat)))
        else:
            crit = float(stats.t.ppf(1 - (1 - level) / 2, dfs))
            pval = float(2 * stats.t.sf(abs(stat), dfs))
    else:
        raise UserInputError(f"Unknown Egger model {model!r}; accepted: lm, rma.")
    return EggerResult(
        model=model,
        stat=stat,
        dfs=dfs,
        pval=pval,
        slope=float(b[1]),
        limit_estimate=float(b[0]),
        limit_ci_low=float(b[0] - crit * se[0]),
        limit_ci_high=float(b[0] + crit * se[0]),
        k=k,
    )


def _need_spread(sei: np.ndarray, what: str) -> None:
    if float(np.ptp(sei)) <= 1e-12 * float(np.max(sei)):
        raise UserInputError(
            f"{what} needs studies of different precision; all standard errors are equal, so a "
            "funnel plot has no asymmetry to test (give side='left' or 'right' for trim and fill)."
        )


@dataclass(frozen=True)
class TrimFillResult:
    """Trim and fill: the number of studies imputed, on which side, and the refitted pool."""

    k0: int
    k0_se: float
    side: str
    estimator: str
    filled_yi: np.ndarray
    filled_vi: np.ndarray
    pooled: PoolResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "k0": self.k0,
            "k0_se": self.k0_se,
            "side": self.side,
            "estimator": self.estimator,
            "filled": [
                {"yi": float(y), "vi": float(v)}
                for y, v in zip(self.filled_yi, self.filled_vi, strict=True)
            ],
            "adjusted": self.pooled.to_dict(studies=False),
            "note": "a sensitivity analysis for one selection mechanism, not a corrected effect",
        }


def trimfill(
    data: pd.DataFrame | Any,
    vi: Any = None,
    *,
    method: str = "REML",
    side: Literal["left", "right"] | None = None,
    estimator: Literal["L0", "R0"] = "L0",
    maxiter: int = 100,
) -> TrimFillResult:
    """Duval & Tweedie's trim and fill (``side`` from the Egger slope's sign when None)."""
    y0, v0, studies, measure = _arrays(data, vi)
    _check(y0, v0, studies)
    k = len(y0)
    if k < 3:
        raise UserInputError(f"Trim and fill needs at least 3 studies (got {k}).")
    if side is None:
        _need_spread(np.sqrt(v0), "Choosing the trim-and-fill side (Egger slope)")
        slope = core.fit(y0, v0, np.column_stack([np.ones(k), np.sqrt(v0)]), method=method).beta[1]
        side = "right" if slope < 0 else "left"
    if side not in ("left", "right"):
        raise UserInputError(f"side must be 'left' or 'right' (got {side!r}).")
    if estimator not in ("L0", "R0"):
        raise UserInputError(f"Unknown estimator {estimator!r}; accepted: L0, R0.")
    sign = -1.0 if side == "right" else 1.0
    order = np.argsort(sign * y0, kind="stable")
    y = sign * y0[order]
    v = v0[order]
    k0, k0_prev, se_k0, beta = 0, -1, 0.0, 0.0
    for _ in range(maxiter):
        if k0 == k0_prev:
            break
        k0_prev = k0
        beta = float(core.fit(y[: k - k0], v[: k - k0], method=method).beta[0])
        yc = y - beta
        ranks = stats.rankdata(np.abs(yc), method="ordinal")
        signed = np.sign(yc) * ranks
        if estimator == "R0":
            k0_raw = (k - np.max(-signed[signed < 0])) - 1 if np.any(signed < 0) else k - 1
            se_k0 = float(np.sqrt(2 * max(0.0, k0_raw) + 2))
        else:
            sr = float(np.sum(signed[signed > 0]))
            k0_raw = (4 * sr - k * (k + 1)) / (2 * k - 1)
            var_sr = (
                k * (k + 1) * (2 * k + 1)
                + 10 * k0_raw**3
                + 27 * k0_raw**2
                + 17 * k0_raw
                - 18 * k * k0_raw**2
                - 18 * k * k0_raw
                + 6 * k**2 * k0_raw
            ) / 24
            se_k0 = float(4 * np.sqrt(max(var_sr, 0.0)) / (2 * k - 1))
        k0 = int(max(0, np.round(k0_raw)))
    else:  # pragma: no cover
        raise UserInputError("Trim and fill did not converge.")
    # mirror the k0 most extreme studies around the trimmed estimate (original sign)
    theta = sign * beta
    extreme = y[k - k0 :] * sign if k0 else np.zeros(0)
    filled_y = 2 * theta - extreme
    filled_v = v[k - k0 :] if k0 else np.zeros(0)
    aug = pd.DataFrame(
        {
            "study": [*studies, *(f"filled {i + 1}" for i in range(k0))],
            "yi": np.concatenate([y0, filled_y]),
            "vi": np.concatenate([v0, filled_v]),
        }
    )
    aug.attrs["measure"] = measure
    return TrimFillResult(
        k0=k0,
        k0_se=se_k0,
        side=side,
        estimator=estimator,
        filled_yi=filled_y,
        filled_vi=filled_v,
        pooled=pool(aug, method=method),
    )
