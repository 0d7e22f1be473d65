"""Random-effects pooling of study effects, with heterogeneity and a prediction interval."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from exosci.errors import UserInputError
from exosci.meta import core


@dataclass(frozen=True)
class PoolResult:
    """A pooled effect (random-effects unless ``method == "EE"``) with its heterogeneity.

    ``ci_*`` is the confidence interval of the mean effect; ``pi_*`` the prediction interval of a
    new study's true effect (mean ± crit·√(se² + τ²)).
    """

    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    stat: float
    pval: float
    tau2: float
    tau2_se: float | None
    i2: float
    h2: float
    q: float
    q_df: int
    q_pval: float
    pi_low: float
    pi_high: float
    method: str
    test: str
    level: float
    measure: str
    tau2_source: str
    studies: list[str] = field(default_factory=list)
    yi: np.ndarray = field(default_factory=lambda: np.zeros(0))
    vi: np.ndarray = field(default_factory=lambda: np.zeros(0))
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def to_dict(self, *, studies: bool = True) -> dict[str, Any]:
        doc: dict[str, Any] = {
            key: getattr(self, key)
            for key in (
                "k", "estimate", "se", "ci_low", "ci_high", "stat", "pval", "tau2", "tau2_se",
                "i2", "h2", "q", "q_df", "q_pval", "pi_low", "pi_high", "method", "test",
                "level", "measure", "tau2_source",
            )
        }  # fmt: skip
        doc["tau"] = float(np.sqrt(self.tau2))
        if studies:
            rel = self.weights / self.weights.sum() * 100 if len(self.weights) else []
            doc["studies"] = [
                {"study": s, "yi": float(y), "vi": float(v), "weight_pct": float(w)}
                for s, y, v, w in zip(self.studies, self.yi, self.vi, rel, strict=True)
            ]
        return doc

    def to_frame(self) -> pd.DataFrame:
        """One row per study (effect, CI, weight) plus a final ``pooled`` row."""
        z = stats.norm.ppf(0.5 + self.level / 2)
        se = np.sqrt(self.vi)
        rows = pd.DataFrame(
            {
                "study": self.studies,
                "yi": self.yi,
                "ci_low": self.yi - z * se,
                "ci_high": self.yi + z * se,
                "weight_pct": self.weights / self.weights.sum() * 100,
            }
        )
        pooled = pd.DataFrame(
            [
                {
                    "study": "pooled",
                    "yi": self.estimate,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "weight_pct": 100.0,
                }
            ]
        )
        return pd.concat([rows, pooled], ignore_index=True)

    def plot(self, ax: Any = None) -> Any:
        """Forest plot on ``ax`` (a new figure when None); returns the Axes."""
        from exosci.meta.plots import draw_forest

        return draw_forest(self, ax=ax)

    def _repr_html_(self) -> str:
        caption = (
            f"{self.measure}, {self.method} τ², {self.test}: pooled {self.estimate:.4g} "
            f"[{self.ci_low:.4g}, {self.ci_high:.4g}], τ² {self.tau2:.4g}, I² {self.i2:.1f} %"
        )
        return str(self.to_frame().style.set_caption(caption).format(precision=4).to_html())

    def __repr__(self) -> str:
        return (
            f"PoolResult(k={self.k}, {self.measure} {self.estimate:.4g} "
            f"[{self.ci_low:.4g}, {self.ci_high:.4g}], τ²={self.tau2:.4g}, I²={self.i2:.1f}%, "
            f"method={self.method}, test={self.test})"
        )


def _arrays(
    data: pd.DataFrame | Any, vi: Any = None
) -> tuple[np.ndarray, np.ndarray, list[str], str]:
    if isinstance(data, pd.DataFrame):
        missing = [c for c in ("yi", "vi") if c not in data.columns]
        if missing:
            raise UserInputError(
                f"The table has no {', '.join(missing)} column: compute effects first with "
                "exosci.meta.effectsize(table, measure=...) or give study, yi, vi."
            )
        studies = (
            data["study"].astype(str).tolist()
            if "study" in data.columns
            else [str(i + 1) for i in range(len(data))]
        )
        measure = str(data.attrs.get("measure", "GEN"))
        return (
            data["yi"].to_numpy(dtype=float),
            data["vi"].to_numpy(dtype=float),
            studies,
            measure,
        )
    if vi is None:
        raise UserInputError("pool() needs a table with yi and vi columns, or yi and vi arrays.")
    y = np.asarray(data, dtype=float)
    return y, np.asarray(vi, dtype=float), [str(i + 1) for i in range(len(y))], "GEN"


def pool(
    data: pd.DataFrame | Any,
    vi: Any = None,
    *,
    method: str = "REML",
    knha: bool = False,
    level: float = 0.95,
) -> PoolResult:
    """Pool effects ``yi`` with sampling variances ``vi`` (a table with those columns, or arrays).

    Parameters
    ----------
    method
        τ² estimator: ``REML`` (default; Fisher scoring, Viechtbauer 2005), ``DL`` or ``PM``
        (both from statsmodels' ``combine_effects``), or ``EE`` (equal/fixed effects).
    knha
        Hartung–Knapp–Sidik–Jonkman confidence and prediction intervals (t with k − 1 df).
    """
    y, v, studies, measure = _arrays(data, vi)
    _check(y, v, studies)
    m = method.upper()
    if m not in core.METHODS:
        raise UserInputError(f"Unknown method {method!r}; accepted: {', '.join(core.METHODS)}.")
    tau2: float | None = None
    source = {"REML": "Fisher scoring (Viechtbauer 2005)", "EE": "fixed at 0"}.get(m, "")
    if m in ("DL", "PM") and len(y) > 1:
        from statsmodels.stats.meta_analysis import combine_effects

        with np.errstate(divide="ignore", invalid="ignore"):  # its I² divides by Q (0 if equal)
            res = combine_effects(y, v, method_re={"DL": "chi2", "PM": "iterated"}[m])
        tau2 = float(res.tau2)
        source = f"statsmodels combine_effects(method_re={res.method_re!r})"
    if len(y) == 1:  # no τ², and no degrees of freedom for Hartung–Knapp
        tau2, source = 0.0, "a single study: τ² not estimable, fixed at 0"
        knha = False
    f = core.fit(y, v, method=m, knha=knha, tau2=tau2)
    est = float(f.beta[0])
    se = float(np.sqrt(f.vb[0, 0]))
    alpha = 1 - level
    if f.dfs is not None:
        crit = float(stats.t.ppf(1 - alpha / 2, f.dfs))
        stat = est / se
        pval = float(2 * stats.t.sf(abs(stat), f.dfs))
    else:
        crit = float(stats.norm.ppf(1 - alpha / 2))
        stat = est / se
        pval = float(2 * stats.norm.sf(abs(stat)))
    half_pi = crit * np.sqrt(se**2 + f.tau2)
    q_df = f.k - 1
    return PoolResult(
        k=f.k,
        estimate=est,
        se=se,
        ci_low=est - crit * se,
        ci_high=est + crit * se,
        stat=float(stat),
        pval=pval,
        tau2=f.tau2,
        tau2_se=f.tau2_se,
        i2=f.i2,
        h2=f.h2,
        q=f.qe,
        q_df=q_df,
        q_pval=float(stats.chi2.sf(f.qe, q_df)) if q_df > 0 else float("nan"),
        pi_low=float(est - half_pi),
        pi_high=float(est + half_pi),
        method=m,
        test="knha" if knha else "z",
        level=level,
        measure=measure,
        tau2_source=source,
        studies=studies,
        yi=y,
        vi=v,
        weights=f.weights,
    )


def _check(y: np.ndarray, v: np.ndarray, studies: list[str]) -> None:
    if len(y) == 0:
        raise UserInputError("No studies to pool (the table has no rows after selection).")
    if len(y) != len(v):
        raise UserInputError(f"yi has {len(y)} values but vi has {len(v)}; give one vi per yi.")
    bad = [s for s, yy, vv in zip(studies, y, v, strict=True) if not np.isfinite(yy + vv)]
    if bad:
        raise UserInputError(
            f"Study {bad[0]!r}: its effect or variance is missing or not finite; every study "
            "needs a finite yi and a positive vi."
        )
    nonpos = [s for s, vv in zip(studies, v, strict=True) if vv <= 0]
    if nonpos:
        raise UserInputError(
            f"Study {nonpos[0]!r}: sampling variance vi must be > 0 (got {v[studies.index(nonpos[0])]})."
        )
