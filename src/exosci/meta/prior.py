"""The design-effect prior from the numeric outcome table: an empirical-Bayes meta-regression.

:func:`design_prior` answers "what locomotor effect (treated − control, scale points) does the
evidence in the table give a design like this one?". It fits the random-effects model on the
table's treated-vs-control effects with the design's covariates as moderators, and puts a normal
prior ``β_j ~ N(0, τ²)`` on every moderator coefficient (τ² the table's between-study variance,
REML): a design feature is expected to move the effect by about as much as studies differ from
one another, and where few rows inform a coefficient the data cannot pull it far from 0 — the
prediction shrinks toward the pooled effect, and its SD toward the pooled SE. With no covariates
(or rows that carry none, like today's pooled meta-analytic rows) it is the REML pooled effect.

This is a model output: a normal–normal hierarchical model conditional on the REML τ² (its
uncertainty not propagated), linear in numeric covariates (standardised over the rows), one
effect per level of a text covariate; validation-only rows never enter.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from exosci.errors import UserInputError
from exosci.meta import core
from exosci.meta.outcomes import comparisons, read_outcomes, shipped_outcomes


class DesignPrior(NamedTuple):
    """``mean`` and ``sd`` of the design's mean effect (scale points), rows used, and notes."""

    mean: float
    sd: float
    k: int
    notes: list[str]


def _effects(table: Any, scale: str) -> pd.DataFrame:
    if table is None:
        table = shipped_outcomes()
    elif isinstance(table, str | Path):
        table = read_outcomes(table)
    if not isinstance(table, pd.DataFrame):
        raise UserInputError("design_prior needs an outcome table (DataFrame or CSV path).")
    if {"kind", "row_id"} <= set(table.columns):
        eff = comparisons(table)
    elif {"yi", "vi"} <= set(table.columns):
        eff = table
        if "validation_only" in eff.columns:
            eff = eff[~eff["validation_only"].astype(bool)]
    else:
        raise UserInputError(
            "design_prior needs the outcome-table columns (see exosci.meta.outcomes) or yi, vi."
        )
    if "scale" in eff.columns:
        eff = eff[eff["scale"] == scale]
    return eff.reset_index(drop=True)


def _columns(
    eff: pd.DataFrame, covariates: Mapping[str, Any], notes: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Moderator columns over the rows and for the new design (no intercept)."""
    cols: list[np.ndarray] = []
    new: list[float] = []
    names: list[str] = []
    for name, value in covariates.items():
        if value is None:
            continue
        if name not in eff.columns or eff[name].isna().all():
            notes.append(f"{name}: no row reports it, so it does not inform the prior")
            continue
        observed = eff[name].dropna()
        num = pd.to_numeric(observed, errors="coerce")
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and num.notna().all():
            sd = float(num.std(ddof=0))
            if sd == 0:
                notes.append(f"{name}: every row has {num.iloc[0]:g}; no gradient to learn")
                continue
            centre = float(num.mean())
            col = (pd.to_numeric(eff[name], errors="coerce") - centre) / sd
            cols.append(col.fillna(0.0).to_numpy(dtype=float))
            new.append((float(value) - centre) / sd)
            names.append(name)
            if not float(num.min()) <= float(value) <= float(num.max()):
                notes.append(
                    f"{name} = {value:g} is outside the rows' range "
                    f"{float(num.min()):g}–{float(num.max()):g}: extrapolated linearly"
                )
            continue
        levels = sorted(observed.astype(str).unique())
        if str(value) not in levels:
            notes.append(
                f"{name} = {value!r} occurs in no row (rows have: {', '.join(levels)}); "
                "the prior takes the pooled effect for it"
            )
        for lev in levels:
            cols.append((eff[name].astype(str) == lev).to_numpy(dtype=float))
            new.append(1.0 if str(value) == lev else 0.0)
            names.append(f"{name}[{lev}]")
    X = np.column_stack(cols) if cols else np.zeros((len(eff), 0))
    return X, np.asarray(new, dtype=float), names


def design_prior(
    table: pd.DataFrame | str | Path | None = None,
    covariates: Mapping[str, Any] | None = None,
    *,
    scale: str = "BBB",
) -> DesignPrior:
    """Prior of a design's mean locomotor effect from the numeric table (see the module doc).

    Parameters
    ----------
    table
        The outcome table (:func:`~exosci.meta.outcomes.read_outcomes` frame or CSV path; None:
        the shipped table), or an effect table with ``yi, vi`` and covariate columns.
    covariates
        The design, e.g. ``{"route": "intravenous", "source": "bone marrow MSC", "day": 28}``;
        keys are table columns, numbers are numeric covariates.
    scale
        ``BBB`` (rat) or ``BMS`` (mouse): effects are mean differences on that scale.

    Returns
    -------
    DesignPrior
        ``(mean, sd, k, notes)``; ``k == 0`` means no numeric row: ``mean`` is NaN, ``sd`` inf
        and the caller keeps its own prior ("prior only").
    """
    notes: list[str] = []
    eff = _effects(table, scale)
    k = len(eff)
    if k == 0:
        return DesignPrior(float("nan"), float("inf"), 0, [f"no numeric {scale} rows: prior only"])
    y = eff["yi"].to_numpy(dtype=float)
    v = eff["vi"].to_numpy(dtype=float)
    tau2 = core.fit(y, v, method="REML").tau2 if k >= 2 else 0.0
    if k < 2:
        notes.append("one row: τ² not estimable, taken as 0")
    if "study_id" in eff.columns and eff["study_id"].nunique() < k:
        notes.append(
            f"{k} rows come from {eff['study_id'].nunique()} studies; rows of one study are "
            "treated as independent (their correlation is ignored)"
        )
    Z, z_new, names = _columns(eff, covariates or {}, notes)
    X = np.column_stack([np.ones(k), Z])
    x_new = np.concatenate([[1.0], z_new])
    w = 1.0 / (v + tau2)
    prior_prec = np.zeros(X.shape[1])
    if len(names):
        if tau2 > 0:
            prior_prec[1:] = 1.0 / tau2
        else:  # no between-study variance: nothing for a design feature to explain
            prior_prec[1:] = 1e12
            notes.append("τ² = 0: design features are shrunk fully to the pooled effect")
    V = np.linalg.inv((X.T * w) @ X + np.diag(prior_prec))
    b = V @ ((X.T * w) @ y)
    mean = float(x_new @ b)
    sd = float(np.sqrt(x_new @ V @ x_new))
    pooled = float(np.sum(w * y) / np.sum(w))
    notes.insert(
        0,
        f"model output: empirical-Bayes meta-regression on {k} {scale} row(s) "
        f"(τ² = {tau2:.3g}, pooled {pooled:.3g}); moderators: {', '.join(names) or 'none'}",
    )
    return DesignPrior(mean, sd, k, notes)


def loso(
    table: pd.DataFrame | str | Path | None = None,
    covariates: Sequence[str] = ("day", "route", "source"),
    *,
    scale: str = "BBB",
    level: float = 0.90,
) -> dict[str, Any]:
    """Leave-one-study-out prediction on the numeric table: coverage and rank correlation.

    Each study's effects are predicted from the other studies' rows by :func:`design_prior`
    (covariates taken from the held-out row); the interval for an observed effect is
    mean ± z·√(sd² + τ² + vi). Reports coverage of the ``level`` interval and Spearman's ρ.
    """
    eff = _effects(table, scale)
    studies = sorted(eff["study_id"].astype(str).unique()) if "study_id" in eff else []
    if len(studies) < 3:
        return {
            "studies": len(studies),
            "rows": len(eff),
            "coverage": None,
            "spearman": None,
            "note": f"leave-one-study-out needs >= 3 studies with {scale} effects (have "
            f"{len(studies)}); validation-only rows are never used",
        }
    z = float(stats.norm.ppf(0.5 + level / 2))
    preds = []
    for sid in studies:
        train = eff[eff["study_id"].astype(str) != sid]
        tau2 = core.fit(train["yi"].to_numpy(float), train["vi"].to_numpy(float)).tau2
        for _, row in eff[eff["study_id"].astype(str) == sid].iterrows():
            cov = {c: row[c] for c in covariates if c in row.index and pd.notna(row[c])}
            p = design_prior(train, cov, scale=scale)
            half = z * np.sqrt(p.sd**2 + tau2 + float(row["vi"]))
            preds.append((sid, float(row["yi"]), p.mean, p.mean - half, p.mean + half))
    frame = pd.DataFrame(preds, columns=["study_id", "observed", "predicted", "low", "high"])
    inside = (frame["observed"] >= frame["low"]) & (frame["observed"] <= frame["high"])
    rho = (
        stats.spearmanr(frame["observed"], frame["predicted"]).statistic if len(frame) > 2 else None
    )
    return {
        "studies": len(studies),
        "rows": len(frame),
        "level": level,
        "coverage": float(inside.mean()),
        "spearman": None if rho is None or not np.isfinite(rho) else float(rho),
        "predictions": frame.to_dict(orient="records"),
        "note": "model output: honest leave-one-study-out; small tables give noisy figures",
    }
