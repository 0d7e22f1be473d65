"""Fit the release-model library to a profile by weighted nonlinear least squares, multi-start.

Goodness-of-fit criteria follow DDSolver (Zhang et al., AAPS J 2010;12:263), with weights w
(1/SD² when replicate SDs are given, else 1) and ȳ the weighted mean of the fitted points:
    R²     = 1 − Σw(y−ŷ)² / Σw(y−ȳ)²
    R²adj  = 1 − (n−1)/(n−p)·(1−R²)
    AIC    = n·ln(WSSR) + 2p            (WSSR = Σw(y−ŷ)²)
    MSC    = ln[Σw(y−ȳ)² / Σw(y−ŷ)²] − 2p/n
Models are ranked by AIC (lowest first), among the models fitted to the same points: AIC values
over different point sets are not comparable, so Korsmeyer–Peppas (fitted on F ≤ 60 % only) is
reported but ranked only when that subset is the whole profile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import least_squares

from exosci.errors import UserInputError
from exosci.release.models import MODELS, ReleaseModel, get_model
from exosci.release.profile import ReleaseProfile, as_profile

FloatArray = NDArray[np.float64]
Weighting = Literal["auto", "sd", "none"]

#: Replicate SDs below this fraction of the median positive SD are raised to it, so a point whose
#: replicates happen to agree exactly (typically t = 0) does not get an infinite weight.
SD_FLOOR_FRACTION = 0.1
#: WSSR is floored here (relative to Σw·y²) so a perfect fit gives a finite, very low AIC.
WSSR_FLOOR = 1e-14
#: Multi-start stops once this many starts reach the same lowest cost.
EARLY_STOP_AGREEING_STARTS = 3
#: Function-evaluation budget per start and parameter; these small problems converge in tens.
MAX_NFEV_PER_PARAM = 100

# Ritger & Peppas, J Control Release 1987;5:23 (non-swellable films, cylinders, spheres):
# n at the Fickian limit and at case-II transport, by geometry.
KP_THRESHOLDS: dict[str, tuple[float, float]] = {
    "thin film": (0.50, 1.00),
    "cylinder": (0.45, 0.89),
    "sphere": (0.43, 0.85),
}


@dataclass(frozen=True)
class ModelFit:
    """One model fitted to a profile, with DDSolver's goodness-of-fit criteria."""

    name: str
    params: dict[str, float]
    params_se: dict[str, float | None]
    at_bound: tuple[str, ...]
    n_points: int
    n_params: int
    wssr: float
    r2: float
    r2_adj: float
    aic: float
    msc: float
    fitted_on: str
    rank: int | None = None
    rank_note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        m = MODELS[self.name]
        return {
            "name": self.name,
            "params": self.params,
            "r2_adj": _num(self.r2_adj),
            "aic": _num(self.aic),
            "msc": _num(self.msc),
            "r2": _num(self.r2),
            "wssr": _num(self.wssr),
            "rank": self.rank,
            "rank_note": self.rank_note,
            "n_points": self.n_points,
            "n_params": self.n_params,
            "fitted_on": self.fitted_on,
            "params_se": self.params_se,
            "param_units": {p.name: p.unit for p in m.params},
            "params_at_bound": list(self.at_bound),
            "formula": m.formula,
            "label": m.label,
        }


@dataclass(frozen=True)
class ReleaseFit:
    """All model fits of one profile, ranked by AIC. Parameters are for time in days."""

    profile: ReleaseProfile
    fits: tuple[ModelFit, ...]
    skipped: tuple[tuple[str, str], ...]
    weighting: Literal["sd", "none"]
    criterion: str = "aic"

    @property
    def best(self) -> str | None:
        ranked = [f for f in self.fits if f.rank == 1]
        return ranked[0].name if ranked else None

    def get(self, name: str) -> ModelFit:
        key = get_model(name).name
        for f in self.fits:
            if f.name == key:
                return f
        reason = dict(self.skipped).get(key, "it was not requested")
        raise UserInputError(f"model {key!r} has no fit for {self.profile.source}: {reason}")

    def kp_interpretation(self) -> dict[str, Any] | None:
        kp = next((f for f in self.fits if f.name == "korsmeyer_peppas"), None)
        return interpret_kp_exponent(kp.params["n"]) if kp else None

    def to_dict(self) -> dict[str, Any]:
        """The `release fit` JSON document (the README's shape plus provenance keys)."""
        p = self.profile
        return {
            "models": [f.to_dict() for f in self.fits],
            "best": self.best,
            "ranking": "AIC = n·ln(WSSR) + 2p, lowest first, among models fitted to all points",
            "criteria": "DDSolver (Zhang et al., AAPS J 2010;12:263)",
            "time_unit": "day",
            "source": p.source,
            "input_time_unit": p.time_unit,
            "n_points": p.n_points,
            "n_replicates": p.n_replicates,
            "weighting": "1/SD² from replicates" if self.weighting == "sd" else "none",
            "skipped": [{"name": n, "reason": r} for n, r in self.skipped],
            "korsmeyer_peppas_n": self.kp_interpretation(),
            "note": "Descriptive fits of an in-vitro release profile; parameters are for time in "
            "days and percent of the load released.",
        }

    # -- notebook display ------------------------------------------------------------------
    def _display_lines(self) -> list[str]:
        p = self.profile
        lines = [
            f"{Path(p.source).name}: {p.n_points} time points"
            + (f", {p.n_replicates} replicates" if p.n_replicates else "")
            + f"; {len(self.fits)} model(s) fitted, ranked by AIC"
        ]
        if self.best:
            b = self.get(self.best)
            params = ", ".join(f"{k} {v:.3g}" for k, v in b.params.items())
            lines.append(f"best: {MODELS[b.name].label} (R²adj {b.r2_adj:.3f}; {params})")
        kp = self.kp_interpretation()
        if kp:
            lines.append(f"Korsmeyer-Peppas n = {kp['n']:.2f} (its reading depends on geometry)")
        return lines

    def _display_caveats(self) -> list[str]:
        out = [
            "descriptive fits of an in-vitro profile (time in days, % of load); not a model "
            "of release in the spinal cord"
        ]
        out += [f"{n}: not fitted ({r})" for n, r in self.skipped]
        return out

    def __repr__(self) -> str:
        from exosci._display import text

        return text("ReleaseFit", self._display_lines(), self._display_caveats())

    def _repr_html_(self) -> str:
        from exosci._display import card

        return card(
            "ReleaseFit (release-kinetics models)",
            self._display_lines(),
            self._display_caveats(),
            self.to_frame(),
            hint=".to_frame() all models · .plot() data with the fitted curves · .to_dict()",
        )

    def plot(self, ax: Any = None, *, top: int | None = 6) -> Any:
        """The data (± SD) and the ``top`` best-ranked model curves on ``ax`` (a new figure when
        ``None``); returns the Axes."""
        from exosci._display import axes
        from exosci.release.plot import draw_fits

        target = axes(ax, figsize=(7.5, 4.8))
        draw_fits(self, target, top=top)
        return target

    def to_frame(self) -> pd.DataFrame:
        """One row per model: name, rank, criteria and parameters (``param_<name>`` columns)."""
        rows = []
        for f in self.fits:
            row: dict[str, Any] = {
                "name": f.name,
                "rank": f.rank,
                "r2_adj": f.r2_adj,
                "aic": f.aic,
                "msc": f.msc,
                "r2": f.r2,
                "n_points": f.n_points,
                "n_params": f.n_params,
            }
            row.update({f"param_{k}": v for k, v in f.params.items()})
            rows.append(row)
        frame = pd.DataFrame(rows)
        if "rank" in frame:  # unranked models: missing, not None
            frame["rank"] = frame["rank"].astype("Int64")
        return frame


def interpret_kp_exponent(n: float) -> dict[str, Any]:
    """Release mechanism suggested by the Korsmeyer–Peppas exponent n, per device geometry."""
    out: dict[str, Any] = {"n": n}
    for geometry, (fick, case2) in KP_THRESHOLDS.items():
        if n < fick - 0.02:
            mech = "below the Fickian limit (quasi-Fickian; e.g. porous or polydisperse matrix)"
        elif n <= fick + 0.02:
            mech = "Fickian diffusion"
        elif n < case2 - 0.02:
            mech = "anomalous (non-Fickian) transport: diffusion plus swelling/relaxation"
        elif n <= case2 + 0.02:
            mech = "case II transport (relaxation/erosion controlled, zero-order)"
        else:
            mech = "super case II transport"
        out[geometry] = mech
    out["note"] = (
        "n thresholds 0.5/1 hold for thin films; cylinders 0.45/0.89 and spheres 0.43/0.85 "
        "(Ritger & Peppas 1987). Within ±0.02 of a threshold the limiting case is named. "
        "A hydrogel's geometry and swelling decide which row applies."
    )
    return out


def fit_release(
    data: ReleaseProfile | pd.DataFrame | Mapping[str, Sequence[Any]] | str | Path,
    *,
    models: Iterable[str] | None = None,
    time_unit: str | None = None,
    allow_over_100: bool = False,
    weighting: Weighting = "auto",
    n_starts: int = 8,
    seed: int = 0,
) -> ReleaseFit:
    """Fit release models to a cumulative-release profile and rank them by AIC.

    Parameters
    ----------
    data
        CSV path, DataFrame (first column time, then % released, replicates or mean + SD) or
        a ``ReleaseProfile``.
    models
        Registry names to fit (default: all). A named model that needs more points than the
        profile has is an error; with the default set such models are skipped and listed.
    weighting
        ``auto``: 1/SD² when replicate SDs exist, else unweighted. ``sd`` requires SDs.
    n_starts
        Multi-start: a data-driven first guess plus ``n_starts - 1`` seeded perturbations.
    seed
        Multi-start: a data-driven first guess plus ``n_starts - 1`` seeded perturbations.

    Returns
    -------
    ReleaseFit
        ``.fits`` (each model's parameters, standard errors, AIC, ...) ranked by AIC,
        ``.best`` (the best model's name), ``.skipped`` (models with too few points and
        why) and ``.to_dict()`` (the JSON of ``exosci release fit``).

    Examples
    --------
    >>> import exosci as ex
    >>> fit = ex.release.fit("examples/release-ha-hydrogel.csv")
    >>> fit.best
    'weibull'
    """
    profile = as_profile(data, time_unit=time_unit, allow_over_100=allow_over_100)
    if n_starts < 1:
        raise UserInputError(f"n_starts must be at least 1, got {n_starts}.")
    chosen = [get_model(m) for m in models] if models is not None else list(MODELS.values())
    if not chosen:
        raise UserInputError("no release models requested; pass at least one registry name.")
    weights, used = _weights(profile, weighting)
    rng = np.random.default_rng(seed)
    fits: list[ModelFit] = []
    skipped: list[tuple[str, str]] = []
    for model in chosen:
        mask = _fit_mask(model, profile)
        n = int(mask.sum())
        if n <= model.n_params:
            reason = (
                f"{n} usable point(s)"
                + (f" with F ≤ {model.fit_max_percent:g} %" if model.fit_max_percent else "")
                + f", but {model.label} has {model.n_params} parameter(s) and needs at least "
                f"{model.n_params + 1}"
            )
            if models is not None:
                raise UserInputError(f"{profile.source}: {reason}.")
            skipped.append((model.name, reason))
            continue
        fit = _fit_model(
            model,
            profile.t_days[mask],
            profile.percent[mask],
            weights[mask],
            rng=rng,
            n_starts=n_starts,
        )
        if fit is None:
            skipped.append((model.name, "the optimiser found no finite solution from any start"))
            continue
        subset = "all points" if mask.all() else f"F ≤ {model.fit_max_percent:g} % ({n} points)"
        fits.append(_with_criteria(fit, model, mask, profile, weights, subset))
    if not fits:
        raise UserInputError(
            f"{profile.source}: no model could be fitted ({profile.n_points} point(s)); "
            + "; ".join(f"{n}: {r}" for n, r in skipped)
            + ". Add time points."
        )
    return ReleaseFit(profile, tuple(_rank(fits, profile.n_points)), tuple(skipped), used)


def _weights(
    profile: ReleaseProfile, weighting: Weighting
) -> tuple[FloatArray, Literal["sd", "none"]]:
    sd = profile.sd
    has_sd = sd is not None and bool(np.any(sd > 0))
    if weighting == "sd" and not has_sd:
        raise UserInputError(
            f"{profile.source}: weighting='sd' needs replicate columns or an SD column with "
            "positive values."
        )
    if weighting == "none" or not has_sd or sd is None:
        return np.ones(profile.n_points), "none"
    floor = SD_FLOOR_FRACTION * float(np.median(sd[sd > 0]))
    return 1.0 / np.maximum(sd, floor) ** 2, "sd"


def _fit_mask(model: ReleaseModel, profile: ReleaseProfile) -> NDArray[np.bool_]:
    if model.fit_max_percent is None:
        return np.ones(profile.n_points, dtype=bool)
    return np.asarray(profile.percent <= model.fit_max_percent)


def _starts(
    model: ReleaseModel, t: FloatArray, y: FloatArray, rng: np.random.Generator, n: int
) -> list[FloatArray]:
    lo = np.array([p.lower for p in model.params])
    hi = np.array([p.upper for p in model.params])
    try:
        g = np.asarray(model.guess(t, y), dtype=float)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError):
        g = np.ones(model.n_params)
    g = np.where(np.isfinite(g), g, 1.0)
    starts = [g]
    for _ in range(n - 1):
        scale = np.exp(rng.normal(0.0, 1.0, size=g.shape))
        shift = rng.normal(0.0, 1.0, size=g.shape)
        # Scale parameters are perturbed multiplicatively; signed ones (lower < 0) additively.
        starts.append(np.where(lo < 0, g + shift * np.maximum(np.abs(g), 1.0), g * scale))
    # Strictly inside the bounds, as least_squares requires.
    span = hi - lo
    inner_lo = lo + np.minimum(1e-9 * np.maximum(np.abs(lo), 1.0), 1e-3 * span)
    inner_hi = hi - np.minimum(1e-9 * np.maximum(np.abs(hi), 1.0), 1e-3 * span)
    return [np.clip(s, inner_lo, inner_hi) for s in starts]


@dataclass(frozen=True)
class _Raw:
    x: FloatArray
    jac: FloatArray


def _fit_model(
    model: ReleaseModel,
    t: FloatArray,
    y: FloatArray,
    w: FloatArray,
    *,
    rng: np.random.Generator,
    n_starts: int,
) -> _Raw | None:
    sw = np.sqrt(w)
    names = model.param_names

    def resid(x: FloatArray) -> FloatArray:
        r = sw * (model.percent(t, dict(zip(names, x, strict=True))) - y)
        return np.where(np.isfinite(r), r, 1e6)

    lo = [p.lower for p in model.params]
    hi = [p.upper for p in model.params]
    best: Any = None
    agree = 0
    for x0 in _starts(model, t, y, rng, n_starts):
        try:
            res = least_squares(
                resid, x0, bounds=(lo, hi), x_scale="jac", max_nfev=MAX_NFEV_PER_PARAM * len(x0)
            )
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            continue
        if not (np.all(np.isfinite(res.x)) and np.isfinite(res.cost)):
            continue
        if best is not None and abs(res.cost - best.cost) <= 1e-7 * best.cost + 1e-12:
            agree += 1
        elif best is None or res.cost < best.cost:
            best, agree = res, 1
        # Stop early once three starts have landed on the same lowest minimum.
        if agree >= EARLY_STOP_AGREEING_STARTS:
            break
    if best is None:
        return None
    return _Raw(np.asarray(best.x, float), np.asarray(best.jac, float))


def _with_criteria(
    raw: _Raw,
    model: ReleaseModel,
    mask: NDArray[np.bool_],
    profile: ReleaseProfile,
    weights: FloatArray,
    subset: str,
) -> ModelFit:
    t, y, w = profile.t_days[mask], profile.percent[mask], weights[mask]
    params = {p.name: float(v) for p, v in zip(model.params, raw.x, strict=True)}
    yhat = model.percent(t, params)
    n, p = len(y), model.n_params
    wssr = float(np.sum(w * (y - yhat) ** 2))
    wssr = max(wssr, WSSR_FLOOR * float(np.sum(w * y * y)), np.finfo(float).tiny)
    ybar = float(np.sum(w * y) / np.sum(w))
    sst = float(np.sum(w * (y - ybar) ** 2))
    r2 = 1.0 - wssr / sst if sst > 0 else float("nan")
    r2_adj = 1.0 - (n - 1) / (n - p) * (1.0 - r2)
    aic = n * np.log(wssr) + 2 * p
    msc = np.log(sst / wssr) - 2 * p / n if sst > 0 else float("nan")
    return ModelFit(
        name=model.name,
        params=params,
        params_se=_standard_errors(raw.jac, wssr, n, model),
        at_bound=tuple(
            q.name
            for q, v in zip(model.params, raw.x, strict=True)
            if np.isclose(v, q.lower, rtol=1e-6, atol=1e-9) or np.isclose(v, q.upper, rtol=1e-6)
        ),
        n_points=n,
        n_params=p,
        wssr=wssr,
        r2=float(r2),
        r2_adj=float(r2_adj),
        aic=float(aic),
        msc=float(msc),
        fitted_on=subset,
    )


def _standard_errors(
    jac: FloatArray, wssr: float, n: int, model: ReleaseModel
) -> dict[str, float | None]:
    """Asymptotic SEs from the Jacobian, scaled by the residual variance (as curve_fit does)."""
    try:
        cov = np.linalg.pinv(jac.T @ jac) * wssr / (n - model.n_params)
        se = np.sqrt(np.diag(cov))
    except (np.linalg.LinAlgError, ValueError):
        se = np.full(model.n_params, np.nan)
    return {
        p.name: (float(s) if np.isfinite(s) and s > 0 else None)
        for p, s in zip(model.params, se, strict=True)
    }


def _rank(fits: list[ModelFit], n_all: int) -> list[ModelFit]:
    comparable = sorted(
        (f for f in fits if f.n_points == n_all),
        key=lambda f: (f.aic, f.n_params, f.name),
    )
    out = [ModelFit(**{**f.__dict__, "rank": i}) for i, f in enumerate(comparable, start=1)]
    for f in fits:
        if f.n_points != n_all:
            note = f"not ranked: fitted on {f.fitted_on}, so its AIC is not comparable"
            out.append(ModelFit(**{**f.__dict__, "rank_note": note}))
    return out


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
