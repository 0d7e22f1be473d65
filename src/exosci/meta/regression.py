"""Mixed-effects meta-regression on study covariates, and subgroup analysis.

Numeric covariates enter as they are; a text covariate enters as treatment contrasts against its
reference level (the first in sorted order, as R's factors do), so a coefficient reads "level
minus reference". R² is the share of τ² the moderators explain, (τ²_RE − τ²_ME)/τ²_RE (metafor).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from exosci.errors import UserInputError
from exosci.meta import core
from exosci.meta.pooling import PoolResult, _arrays, _check, pool


@dataclass(frozen=True)
class Design:
    """How covariates become columns of X (kept to build X for new designs)."""

    columns: list[str]
    numeric: dict[str, float]  # numeric covariate -> its centre (0: not centred)
    levels: dict[str, list[str]]  # text covariate -> [reference, other levels...]

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        cols = [np.ones(len(frame))]
        for name in self.numeric:
            cols.append(pd.to_numeric(frame[name]).to_numpy(dtype=float) - self.numeric[name])
        for name, levels in self.levels.items():
            values = frame[name].astype(str).to_numpy()
            cols.extend((values == lev).astype(float) for lev in levels[1:])
        return np.column_stack(cols)


def design(frame: pd.DataFrame, mods: Sequence[str]) -> Design:
    """The design of ``mods`` over ``frame`` (errors name unknown or incomplete columns)."""
    missing = [m for m in mods if m not in frame.columns]
    if missing:
        raise UserInputError(
            f"Unknown moderator column {missing[0]!r}; the table has: "
            f"{', '.join(map(str, frame.columns))}."
        )
    numeric: dict[str, float] = {}
    levels: dict[str, list[str]] = {}
    for name in mods:
        col = frame[name]
        if col.isna().any():
            row = int(np.flatnonzero(col.isna().to_numpy())[0])
            raise UserInputError(
                f"Moderator {name!r} is empty in row {row + 1} ({_study(frame, row)}); every study "
                "in a meta-regression needs a value (or drop the study, or the moderator)."
            )
        as_num = pd.to_numeric(col, errors="coerce")
        if as_num.notna().all():
            numeric[name] = 0.0
        else:
            levels[name] = sorted(col.astype(str).unique())
    # numeric first, then text contrasts (the order Design.matrix builds them)
    ordered = ["intercept", *numeric]
    for name, levs in levels.items():
        ordered.extend(f"{name}[{lev}]" for lev in levs[1:])
    return Design(ordered, numeric, levels)


def _study(frame: pd.DataFrame, row: int) -> str:
    return f"study {frame['study'].iloc[row]!r}" if "study" in frame.columns else f"row {row + 1}"


@dataclass(frozen=True)
class MetaRegResult:
    """A fitted mixed-effects meta-regression."""

    coefficients: pd.DataFrame
    vb: np.ndarray
    tau2: float
    tau2_se: float | None
    i2: float
    r2: float | None
    qe: float
    qe_df: int
    qe_pval: float
    qm: float
    qm_df: int
    qm_pval: float
    k: int
    method: str
    test: str
    level: float
    design: Design
    measure: str = "GEN"
    notes: list[str] = field(default_factory=list)

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Predicted mean effect of each row's design, with its CI and prediction interval."""
        X = self.design.matrix(frame)
        beta = self.coefficients["estimate"].to_numpy()
        mean = X @ beta
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, self.vb, X))
        crit = _crit(self.level, None if self.test == "z" else self.k - len(beta))
        half_pi = crit * np.sqrt(se**2 + self.tau2)
        return pd.DataFrame(
            {
                "pred": mean,
                "se": se,
                "ci_low": mean - crit * se,
                "ci_high": mean + crit * se,
                "pi_low": mean - half_pi,
                "pi_high": mean + half_pi,
            },
            index=frame.index,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "method": self.method,
            "test": self.test,
            "measure": self.measure,
            "coefficients": self.coefficients.to_dict(orient="records"),
            "tau2": self.tau2,
            "tau2_se": self.tau2_se,
            "i2": self.i2,
            "r2": self.r2,
            "qe": self.qe,
            "qe_df": self.qe_df,
            "qe_pval": self.qe_pval,
            "qm": self.qm,
            "qm_df": self.qm_df,
            "qm_pval": self.qm_pval,
            "qm_test": "F" if self.test == "knha" else "chi2",
            "notes": self.notes,
        }

    def __repr__(self) -> str:
        coefs = ", ".join(
            f"{r.term}={r.estimate:.4g}" for r in self.coefficients.itertuples(index=False)
        )
        return f"MetaRegResult(k={self.k}, {coefs}, τ²={self.tau2:.4g}, R²={self.r2})"


def _crit(level: float, dfs: int | None) -> float:
    q = 1 - (1 - level) / 2
    return float(stats.norm.ppf(q) if dfs is None else stats.t.ppf(q, dfs))


def metareg(
    data: pd.DataFrame,
    mods: Sequence[str],
    *,
    method: str = "REML",
    knha: bool = False,
    level: float = 0.95,
) -> MetaRegResult:
    """Mixed-effects meta-regression of ``yi`` on the covariates ``mods`` (columns of ``data``)."""
    if not mods:
        raise UserInputError("metareg needs at least one moderator column (--mods NAME).")
    y, v, studies, measure = _arrays(data)
    _check(y, v, studies)
    des = design(data, mods)
    X = des.matrix(data)
    f = core.fit(y, v, X, method=method, knha=knha)
    se = np.sqrt(np.diag(f.vb))
    crit = _crit(level, f.dfs)
    stat = f.beta / se
    if f.dfs is None:
        pvals = 2 * stats.norm.sf(np.abs(stat))
    else:
        pvals = 2 * stats.t.sf(np.abs(stat), f.dfs)
    coef = pd.DataFrame(
        {
            "term": des.columns,
            "estimate": f.beta,
            "se": se,
            "stat": stat,
            "pval": pvals,
            "ci_low": f.beta - crit * se,
            "ci_high": f.beta + crit * se,
        }
    )
    # omnibus test of the moderators (all coefficients but the intercept)
    b = f.beta[1:]
    vbm = f.vb[1:, 1:]
    qm = float(b @ np.linalg.solve(vbm, b))
    m = len(b)
    if f.dfs is None:
        qm_p = float(stats.chi2.sf(qm, m))
    else:
        qm = qm / m
        qm_p = float(stats.f.sf(qm, m, f.dfs))
    notes: list[str] = []
    r2: float | None = None
    if f.method != "EE":
        base = core.fit(y, v, method=f.method)
        r2 = 0.0 if base.tau2 <= 0 else max(0.0, 100 * (base.tau2 - f.tau2) / base.tau2)
    if f.k - f.p < 3:
        notes.append(
            f"only {f.k - f.p} residual degree(s) of freedom: the coefficients are barely "
            "identified; read them as descriptive."
        )
    return MetaRegResult(
        coefficients=coef,
        vb=f.vb,
        tau2=f.tau2,
        tau2_se=f.tau2_se,
        i2=f.i2,
        r2=r2,
        qe=f.qe,
        qe_df=f.k - f.p,
        qe_pval=float(stats.chi2.sf(f.qe, f.k - f.p)),
        qm=qm,
        qm_df=m,
        qm_pval=qm_p,
        k=f.k,
        method=f.method,
        test="knha" if knha else "z",
        level=level,
        design=des,
        measure=measure,
        notes=notes,
    )


@dataclass(frozen=True)
class SubgroupResult:
    """Separate pooled estimates per level of a covariate, and the test of their difference."""

    by: str
    groups: dict[str, PoolResult]
    q_between: float
    q_between_df: int
    q_between_pval: float
    overall: PoolResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "subgroups": {
                name: r.to_dict(studies=False) | {"studies": r.studies}
                for name, r in self.groups.items()
            },
            "test_for_subgroup_differences": {
                "q": self.q_between,
                "df": self.q_between_df,
                "pval": self.q_between_pval,
                "note": "Q between subgroup means, each pooled with its own τ² (as RevMan)",
            },
        }


def subgroups(
    data: pd.DataFrame,
    by: str,
    *,
    method: str = "REML",
    knha: bool = False,
    level: float = 0.95,
) -> SubgroupResult:
    """Pool within each level of ``by``; Q_between tests whether the subgroup means differ."""
    if by not in data.columns:
        raise UserInputError(
            f"Unknown subgroup column {by!r}; the table has: {', '.join(map(str, data.columns))}."
        )
    if data[by].isna().any():
        row = int(np.flatnonzero(data[by].isna().to_numpy())[0])
        raise UserInputError(
            f"Subgroup column {by!r} is empty in row {row + 1} ({_study(data, row)}); fill it "
            "(e.g. 'not reported') so the study is not silently dropped."
        )
    groups: dict[str, PoolResult] = {}
    for level_name, sub in data.groupby(data[by].astype(str), sort=True):
        sub = sub.copy()
        sub.attrs = dict(data.attrs)
        groups[str(level_name)] = pool(sub, method=method, knha=knha, level=level)
    est = np.array([g.estimate for g in groups.values()])
    w = np.array([1 / g.se**2 for g in groups.values()])
    mean = float(np.sum(w * est) / np.sum(w))
    qb = float(np.sum(w * (est - mean) ** 2))
    dfb = len(groups) - 1
    return SubgroupResult(
        by=by,
        groups=groups,
        q_between=qb,
        q_between_df=dfb,
        q_between_pval=float(stats.chi2.sf(qb, dfb)) if dfb > 0 else float("nan"),
        overall=pool(data, method=method, knha=knha, level=level),
    )
