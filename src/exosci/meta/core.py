"""The random-/mixed-effects model ``y = Xβ + u + e``, ``u ~ N(0, τ²)``, ``e ~ N(0, v)``.

τ² estimators:

- ``REML`` by Fisher scoring (Viechtbauer, J Educ Behav Stat 2005;30:261, eq. 10; as in metafor),
  step-halved at the zero boundary;
- ``DL``, DerSimonian & Laird's method of moments (Control Clin Trials 1986;7:177), and its
  meta-regression form (Raudenbush 2009);
- ``PM``, Paule & Mandel (J Res Natl Bur Stand 1982;87:377): τ² with generalised Q = k − p;
- ``EE``, equal (fixed) effects, τ² = 0.

For the intercept-only model the public :func:`exosci.meta.pool` takes DL and PM from statsmodels'
``combine_effects``; these forms serve meta-regression and cross-check statsmodels in the tests.
The Hartung–Knapp–Sidik–Jonkman (``knha``) adjustment scales the covariance of β by
``s² = Σw(y − Xβ)²/(k − p)`` and uses t(k − p) quantiles (as metafor's ``test="knha"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from exosci.errors import UserInputError

Method = Literal["REML", "DL", "PM", "EE"]
METHODS: tuple[str, ...] = ("REML", "DL", "PM", "EE")


@dataclass(frozen=True)
class Fit:
    """One fitted model: coefficients, their covariance, τ² and the heterogeneity statistics."""

    beta: np.ndarray
    vb: np.ndarray
    tau2: float
    tau2_se: float | None
    qe: float
    k: int
    p: int
    i2: float
    h2: float
    weights: np.ndarray
    dfs: int | None  # t degrees of freedom under knha, None for z
    method: str


def _wls(y: np.ndarray, w: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xtw = X.T * w
    vb = np.linalg.inv(xtw @ X)
    return vb @ (xtw @ y), vb


def _p_matrix(w: np.ndarray, X: np.ndarray) -> np.ndarray:
    W = np.diag(w)
    xtw = X.T * w
    return W - xtw.T @ np.linalg.inv(xtw @ X) @ xtw


def tau2_dl(y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    """DerSimonian–Laird τ² (method of moments with fixed-effect weights)."""
    w = 1.0 / v
    P = _p_matrix(w, X)
    qe = float(y @ P @ y)
    k, p = X.shape
    return max(0.0, (qe - (k - p)) / float(np.trace(P)))


def _q_gen(tau2: float, y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    return float(y @ _p_matrix(1.0 / (v + tau2), X) @ y)


def tau2_pm(y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    """Paule–Mandel τ²: the root of Q(τ²) = k − p (0 when Q(0) ≤ k − p)."""
    k, p = X.shape
    target = k - p
    if _q_gen(0.0, y, v, X) <= target:
        return 0.0
    hi = max(1.0, float(np.var(y)) * 10)
    while _q_gen(hi, y, v, X) > target:
        hi *= 10
    from scipy import optimize  # only Paule–Mandel needs a root finder

    return float(optimize.brentq(lambda t: _q_gen(t, y, v, X) - target, 0.0, hi, xtol=1e-12))


def tau2_reml(
    y: np.ndarray, v: np.ndarray, X: np.ndarray, *, tol: float = 1e-10, maxiter: int = 200
) -> tuple[float, float]:
    """REML τ² and its standard error by Fisher scoring (Viechtbauer 2005)."""
    tau2 = tau2_dl(y, v, X)  # a consistent start; scoring moves it to the REML optimum
    for _ in range(maxiter):
        P = _p_matrix(1.0 / (v + tau2), X)
        Py = P @ y
        tr_pp = float(np.sum(P * P.T))
        step = (float(Py @ Py) - float(np.trace(P))) / tr_pp
        new = tau2 + step
        while new < 0:  # step-halving keeps the estimate in the parameter space
            step /= 2
            new = tau2 + step
            if abs(step) < tol:
                new = 0.0
        if abs(new - tau2) < tol:
            tau2 = new
            break
        tau2 = new
    else:  # pragma: no cover - REML converges in < 20 steps on real data
        raise UserInputError("REML estimation of τ² did not converge; try --method DL or PM.")
    P = _p_matrix(1.0 / (v + tau2), X)
    return tau2, float(np.sqrt(2.0 / np.sum(P * P.T)))


def fit(
    y: np.ndarray,
    v: np.ndarray,
    X: np.ndarray | None = None,
    *,
    method: str = "REML",
    knha: bool = False,
    tau2: float | None = None,
) -> Fit:
    """Fit the model (``X`` defaults to an intercept); ``tau2`` fixes τ² instead of estimating."""
    y = np.asarray(y, dtype=float)
    v = np.asarray(v, dtype=float)
    X = np.ones((len(y), 1)) if X is None else np.asarray(X, dtype=float)
    k, p = X.shape
    if k <= p:
        raise UserInputError(
            f"{k} studies cannot estimate {p} coefficient(s): a model needs more studies than "
            "coefficients (fewer moderators or levels, or more studies)."
        )
    if np.linalg.matrix_rank(X) < p:
        raise UserInputError(
            "The moderators are collinear (a column is a combination of others, or a level occurs "
            "in no study); drop one of them."
        )
    m = method.upper()
    tau2_se: float | None = None
    if tau2 is None:
        if m == "REML":
            tau2, tau2_se = tau2_reml(y, v, X)
        elif m == "DL":
            tau2 = tau2_dl(y, v, X)
        elif m == "PM":
            tau2 = tau2_pm(y, v, X)
        elif m == "EE":
            tau2 = 0.0
        else:
            raise UserInputError(f"Unknown method {method!r}; accepted: {', '.join(METHODS)}.")
    w = 1.0 / (v + tau2)
    beta, vb = _wls(y, w, X)
    dfs = None
    if knha:
        resid = y - X @ beta
        s2 = float(np.sum(w * resid**2)) / (k - p)
        if s2 <= 0:
            raise UserInputError(
                "Hartung–Knapp intervals are undefined here: the studies fit the model exactly "
                "(no residual spread to scale by); drop --knha for z intervals."
            )
        vb = vb * s2
        dfs = k - p
    w_fe = 1.0 / v
    P_fe = _p_matrix(w_fe, X)
    qe = float(y @ P_fe @ y)
    # metafor's I²/H²: τ² against the "typical" sampling variance (k − p)/tr(P)
    s2_typ = (k - p) / float(np.trace(P_fe))
    i2 = 100.0 * tau2 / (tau2 + s2_typ)
    h2 = (tau2 + s2_typ) / s2_typ
    if m == "EE":  # no τ²: Higgins & Thompson's I² = (Q − df)/Q
        i2 = max(0.0, 100.0 * (qe - (k - p)) / qe) if qe > 0 else 0.0
        h2 = qe / (k - p)
    return Fit(beta, vb, float(tau2), tau2_se, qe, k, p, i2, h2, w, dfs, m)
