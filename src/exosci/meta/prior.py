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
effect per level of a text covariate; validation-only rows never enter. It needs numpy and
pydantic only (no pandas or scipy), so the model can call it on every evaluation.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from exosci.errors import UserInputError
from exosci.meta import core
from exosci.meta.records import (
    OutcomeRow,
    effect_records,
    read_rows,
    shipped_rows,
    validate_records,
)

Record = dict[str, Any]


class DesignPrior(NamedTuple):
    """``mean`` and ``sd`` of the design's mean effect (scale points), rows used, and notes."""

    mean: float
    sd: float
    k: int
    notes: list[str]


def _is_frame(obj: Any) -> bool:
    pd = sys.modules.get("pandas")  # a DataFrame exists only if pandas is already loaded
    return pd is not None and isinstance(obj, pd.DataFrame)


def _effects(table: Any, scale: str) -> list[Record]:
    """Effect records (``yi``, ``vi``, covariates) of ``table`` on ``scale``, fit-able rows only."""
    if table is None:
        recs = effect_records(shipped_rows())
    elif isinstance(table, str | Path):
        recs = effect_records(read_rows(table))
    else:
        raw = table.to_dict(orient="records") if _is_frame(table) else list(table)
        if raw and all(isinstance(r, OutcomeRow) for r in raw):
            recs = effect_records(raw)
        elif raw and all(isinstance(r, Mapping) for r in raw) and {"kind", "row_id"} <= set(raw[0]):
            recs = effect_records(validate_records(raw, "outcome table"))
        elif all(isinstance(r, Mapping) and {"yi", "vi"} <= set(r) for r in raw):
            recs = [dict(r) for r in raw if not _truthy(r.get("validation_only"))]
        else:
            raise UserInputError(
                "design_prior needs an outcome table (rows of exosci.meta.records.COLUMNS, a CSV "
                "path, or a DataFrame of them) or effect rows with yi, vi."
            )
    return [r for r in recs if r.get("scale", scale) == scale]


def _truthy(v: Any) -> bool:
    return bool(v) and not (isinstance(v, float) and math.isnan(v))


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _columns(
    recs: list[Record], covariates: Mapping[str, Any], notes: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Moderator columns over the rows and for the new design (no intercept)."""
    cols: list[np.ndarray] = []
    new: list[float] = []
    names: list[str] = []
    for name, value in covariates.items():
        if value is None:
            continue
        observed = [r.get(name) for r in recs if not _blank(r.get(name))]
        if not observed:
            notes.append(f"{name}: no row reports it, so it does not inform the prior")
            continue
        if (
            isinstance(value, numbers.Real)
            and not isinstance(value, bool)
            and _all_numbers(observed)
        ):
            num = np.asarray(observed, dtype=float)
            sd = float(num.std())
            if sd == 0:
                notes.append(f"{name}: every row has {num[0]:g}; no gradient to learn")
                continue
            centre = float(num.mean())
            col = [0.0 if _blank(r.get(name)) else (float(r[name]) - centre) / sd for r in recs]
            cols.append(np.asarray(col))
            new.append((float(value) - centre) / sd)
            names.append(name)
            if not float(num.min()) <= float(value) <= float(num.max()):
                notes.append(
                    f"{name} = {value:g} is outside the rows' range "
                    f"{float(num.min()):g}–{float(num.max()):g}: extrapolated linearly"
                )
            continue
        levels = sorted({str(v) for v in observed})
        if str(value) not in levels:
            notes.append(
                f"{name} = {value!r} occurs in no row (rows have: {', '.join(levels)}); "
                "the prior takes the pooled effect for it"
            )
        for lev in levels:
            cols.append(np.asarray([float(str(r.get(name)) == lev) for r in recs]))
            new.append(1.0 if str(value) == lev else 0.0)
            names.append(f"{name}[{lev}]")
    X = np.column_stack(cols) if cols else np.zeros((len(recs), 0))
    return X, np.asarray(new, dtype=float), names


def _all_numbers(values: Iterable[Any]) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False


def design_prior(
    table: Any = None,
    covariates: Mapping[str, Any] | None = None,
    *,
    scale: str = "BBB",
) -> DesignPrior:
    """Prior of a design's mean locomotor effect from the numeric table (see the module doc).

    Parameters
    ----------
    table
        The outcome table: None (the shipped one), a CSV path, rows
        (:class:`~exosci.meta.records.OutcomeRow` or dicts), a DataFrame of them, or effect rows
        with ``yi, vi`` and covariate fields.
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
    f = _fit(table, covariates, scale)
    if f is None:
        return DesignPrior(float("nan"), float("inf"), 0, [f"no numeric {scale} rows: prior only"])
    mean = float(f.x_new @ f.b)
    sd = float(np.sqrt(f.x_new @ f.V @ f.x_new))
    return DesignPrior(mean, sd, f.k, f.notes)


class _Fit(NamedTuple):
    b: np.ndarray
    V: np.ndarray
    x_new: np.ndarray
    names: list[str]
    tau2: float
    k: int
    notes: list[str]


def _fit(table: Any, covariates: Mapping[str, Any] | None, scale: str) -> _Fit | None:
    """Posterior of (intercept, moderator coefficients) given the REML τ²; None without rows."""
    notes: list[str] = []
    recs = _effects(table, scale)
    k = len(recs)
    if k == 0:
        return None
    y = np.asarray([float(r["yi"]) for r in recs])
    v = np.asarray([float(r["vi"]) for r in recs])
    tau2 = core.fit(y, v, method="REML").tau2 if k >= 2 else 0.0
    if k < 2:
        notes.append("one row: τ² not estimable, taken as 0")
    studies = {str(r.get("study_id", i)) for i, r in enumerate(recs)}
    if len(studies) < k:
        notes.append(
            f"{k} rows come from {len(studies)} studies; rows of one study are treated as "
            "independent (their correlation is ignored)"
        )
    Z, z_new, names = _columns(recs, covariates or {}, notes)
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
    pooled = float(np.sum(w * y) / np.sum(w))
    notes.insert(
        0,
        f"model output: empirical-Bayes meta-regression on {k} {scale} row(s) "
        f"(τ² = {tau2:.3g}, pooled {pooled:.3g}); moderators: {', '.join(names) or 'none'}",
    )
    return _Fit(b, V, x_new, names, tau2, k, notes)


class DesignDeviation(NamedTuple):
    """The design's deviation from the typical (pooled) design, in scale points.

    ``mean``/``sd``: its posterior; ``prior_sd``: its prior SD (τ of the table over the design's
    features); ``informative``: False when no row speaks to any of the design's features (then
    mean 0 and sd = prior_sd = 0: nothing to add to the pooled effect).
    """

    mean: float
    sd: float
    prior_sd: float
    informative: bool
    k: int
    notes: list[str]


def design_deviation(
    table: Any = None,
    covariates: Mapping[str, Any] | None = None,
    *,
    scale: str = "BBB",
) -> DesignDeviation:
    """How far the table puts a design from the typical design (the part a product prior lacks).

    The same model as :func:`design_prior`; the intercept (the pooled, typical design) is left
    out, so the result is only what the design's own features add. A caller with its own prior
    for the deviation can turn the posterior into an approximate likelihood by precision
    subtraction: ``1/sd² − 1/prior_sd²``.
    """
    f = _fit(table, covariates, scale)
    if f is None:
        return DesignDeviation(0.0, 0.0, 0.0, False, 0, [f"no numeric {scale} rows: prior only"])
    z = f.x_new[1:]
    if not f.names or not np.any(z):
        return DesignDeviation(0.0, 0.0, 0.0, False, f.k, f.notes)
    mean = float(z @ f.b[1:])
    sd = float(np.sqrt(z @ f.V[1:, 1:] @ z))
    prior_sd = float(np.sqrt(f.tau2 * (z @ z)))
    return DesignDeviation(mean, sd, prior_sd, True, f.k, f.notes)


def loso(
    table: Any = None,
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
    from scipy import stats

    recs = _effects(table, scale)
    studies = sorted({str(r.get("study_id")) for r in recs if r.get("study_id") is not None})
    if len(studies) < 3:
        return {
            "studies": len(studies),
            "rows": len(recs),
            "coverage": None,
            "spearman": None,
            "note": f"leave-one-study-out needs >= 3 studies with {scale} effects (have "
            f"{len(studies)}); validation-only rows are never used",
        }
    z = float(stats.norm.ppf(0.5 + level / 2))
    preds: list[dict[str, Any]] = []
    for sid in studies:
        train = [r for r in recs if str(r.get("study_id")) != sid]
        ty = np.asarray([float(r["yi"]) for r in train])
        tv = np.asarray([float(r["vi"]) for r in train])
        tau2 = core.fit(ty, tv).tau2
        for row in (r for r in recs if str(r.get("study_id")) == sid):
            cov = {c: row[c] for c in covariates if not _blank(row.get(c))}
            p = design_prior(train, cov, scale=scale)
            half = z * math.sqrt(p.sd**2 + tau2 + float(row["vi"]))
            preds.append(
                {"study_id": sid, "observed": float(row["yi"]), "predicted": p.mean,
                 "low": p.mean - half, "high": p.mean + half}
            )  # fmt: skip
    inside = [p["low"] <= p["observed"] <= p["high"] for p in preds]
    rho = None
    if len(preds) > 2:
        r = stats.spearmanr([p["observed"] for p in preds], [p["predicted"] for p in preds])
        rho = float(r.statistic) if np.isfinite(r.statistic) else None
    return {
        "studies": len(studies),
        "rows": len(preds),
        "level": level,
        "coverage": float(np.mean(inside)),
        "spearman": rho,
        "predictions": preds,
        "note": "model output: honest leave-one-study-out; small tables give noisy figures",
    }
