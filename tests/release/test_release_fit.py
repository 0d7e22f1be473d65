"""Fits recover known parameters, AIC ranks the true model first, and criteria follow DDSolver."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit

from exosci.errors import UserInputError
from exosci.release import MODELS, fit_release, interpret_kp_exponent

T_DAYS = np.linspace(0.0, 14.0, 15)

# Relative tolerance by number of parameters, for 0.5 %-point noise on 15 points (observed
# worst errors over five seeds were 0.8 %, 7.8 % and 8.8 %; correlated parameters need more room).
RTOL = {1: 0.02, 2: 0.10, 3: 0.15}

# Pairs where the true model is a special or limiting case of a larger one: on clean data the
# larger model fits as well and AIC separates them only by its 2-per-parameter penalty, which
# noise can overturn, so those larger models are left out of the ranking check for that truth.
NESTED_IN: dict[str, set[str]] = {
    "zero_order": {"hopfenberg", "peppas_sahlin", "makoid_banakar"},  # n=1; m=1,k2=0; n=1,k=0
    "first_order": {"weibull"},  # beta = 1
    "higuchi": {"peppas_sahlin", "makoid_banakar"},  # m=0.5,k2=0; n=0.5,k=0
    "hixson_crowell": {"hopfenberg"},  # n = 3
    # Hopfenberg with n = 2 is exactly Peppas-Sahlin with m = 1 (200k·t − 100k²·t²).
    "hopfenberg": {"peppas_sahlin"},
}


def _frame(
    name: str, params: dict[str, float], sigma: float, rng: np.random.Generator
) -> pd.DataFrame:
    y = MODELS[name].percent(T_DAYS, params) + rng.normal(0.0, sigma, T_DAYS.size)
    return pd.DataFrame({"time_d": T_DAYS, "released_pct": np.clip(y, 0.0, 100.0)})


def test_every_registered_model_has_a_recovery_case(true_params) -> None:
    assert set(true_params) == set(MODELS)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_fit_recovers_known_parameters(name: str, rng: np.random.Generator, true_params) -> None:
    fit = fit_release(_frame(name, true_params[name], 0.5, rng), models=[name])
    got = fit.get(name).params
    tol = RTOL[MODELS[name].n_params]
    for key, value in true_params[name].items():
        assert got[key] == pytest.approx(value, rel=tol), (name, key, got)


@pytest.mark.parametrize("name", sorted(set(MODELS) - {"korsmeyer_peppas"}))
@pytest.mark.parametrize("seed", [1, 2])
def test_aic_ranks_the_true_model_first_on_clean_data(name: str, seed: int, true_params) -> None:
    # Korsmeyer-Peppas is fitted on F <= 60 % only, so it is never AIC-ranked against the others.
    fit = fit_release(_frame(name, true_params[name], 0.05, np.random.default_rng(seed)))
    candidates = [
        f for f in fit.fits if f.rank is not None and f.name not in NESTED_IN.get(name, ())
    ]
    assert min(candidates, key=lambda f: f.aic).name == name
    assert fit.get(name).r2_adj > 0.999


def test_nested_model_collapses_onto_its_special_case(
    rng: np.random.Generator, true_params
) -> None:
    fit = fit_release(
        _frame("first_order", true_params["first_order"], 0.05, rng), models=["weibull"]
    )
    assert fit.get("weibull").params["beta"] == pytest.approx(1.0, abs=0.01)


def test_criteria_match_ddsolver_definitions_and_scipy(
    rng: np.random.Generator, true_params
) -> None:
    t = T_DAYS
    reps = MODELS["weibull"].percent(t, true_params["weibull"])[:, None] + rng.normal(
        0, 1.5, (t.size, 3)
    )
    reps = np.clip(reps, 0, 100)
    reps[0] = 0.0
    df = pd.DataFrame({"time_d": t, "a": reps[:, 0], "b": reps[:, 1], "c": reps[:, 2]})
    fit = fit_release(df, models=["weibull"])
    mf = fit.get("weibull")
    y, sd = reps.mean(axis=1), reps.std(axis=1, ddof=1)
    sd = np.maximum(sd, 0.1 * np.median(sd[sd > 0]))
    # Independent reference: scipy.optimize.curve_fit with sigma = SD.
    popt, _ = curve_fit(
        lambda tt, tau, beta: 100 * (1 - np.exp(-((tt / tau) ** beta))),
        t,
        y,
        p0=(4.0, 1.0),
        sigma=sd,
        bounds=([1e-6, 0.05], [1e3, 20]),
    )
    assert [mf.params["tau"], mf.params["beta"]] == pytest.approx(list(popt), rel=1e-4)
    w = 1 / sd**2
    yhat = 100 * (1 - np.exp(-((t / popt[0]) ** popt[1])))
    n, p = t.size, 2
    wssr = np.sum(w * (y - yhat) ** 2)
    ybar = np.sum(w * y) / np.sum(w)
    sst = np.sum(w * (y - ybar) ** 2)
    assert mf.aic == pytest.approx(n * np.log(wssr) + 2 * p, rel=1e-4)
    assert mf.r2_adj == pytest.approx(1 - (n - 1) / (n - p) * (wssr / sst), rel=1e-6)
    assert mf.msc == pytest.approx(np.log(sst / wssr) - 2 * p / n, rel=1e-4)
    assert fit.weighting == "sd"


def test_korsmeyer_peppas_uses_only_the_first_60_percent(
    rng: np.random.Generator, true_params
) -> None:
    fit = fit_release(_frame("weibull", true_params["weibull"], 0.2, rng))
    kp = fit.get("korsmeyer_peppas")
    y = MODELS["weibull"].percent(T_DAYS, true_params["weibull"])
    assert kp.n_points == int(np.sum(np.clip(y + 0, 0, 100) <= 60)) or kp.n_points < T_DAYS.size
    assert kp.rank is None and "not comparable" in (kp.rank_note or "")
    assert fit.best is not None and fit.best != "korsmeyer_peppas"
    # Data entirely below 60 %: KP is fitted on every point and takes part in the ranking.
    low = _frame("korsmeyer_peppas", true_params["korsmeyer_peppas"], 0.05, rng)
    low = low[low["released_pct"] <= 60]
    assert fit_release(low).get("korsmeyer_peppas").rank is not None


def test_kp_exponent_interpretation_depends_on_geometry() -> None:
    out = interpret_kp_exponent(0.44)
    assert out["sphere"].startswith("Fickian")
    assert out["cylinder"].startswith("Fickian")
    assert out["thin film"].startswith("below the Fickian")
    assert interpret_kp_exponent(0.87)["sphere"].startswith("case II")
    assert interpret_kp_exponent(0.87)["thin film"].startswith("anomalous")
    assert interpret_kp_exponent(1.0)["thin film"].startswith("case II")


def test_too_few_points_skip_big_models_or_fail_clearly() -> None:
    df = pd.DataFrame({"time_h": [0, 6, 24], "pct": [0.0, 20.0, 45.0]})
    fit = fit_release(df)
    skipped = dict(fit.skipped)
    assert "peppas_sahlin" in skipped and "needs at least 4" in skipped["peppas_sahlin"]
    assert all(f.n_params < f.n_points for f in fit.fits)
    with pytest.raises(UserInputError, match="needs at least 4"):
        fit_release(df, models=["makoid_banakar"])
    with pytest.raises(UserInputError, match="no model could be fitted"):
        fit_release(pd.DataFrame({"time_h": [1.0], "pct": [5.0]}))


def test_results_are_seeded_and_frames_are_pandas(rng: np.random.Generator, true_params) -> None:
    df = _frame("gompertz", true_params["gompertz"], 0.5, rng)
    a, b = fit_release(df, seed=3), fit_release(df, seed=3)
    assert a.to_dict() == b.to_dict()
    frame = a.to_frame()
    assert list(frame["name"])[0] == a.best
    assert {"r2_adj", "aic", "msc"} <= set(frame.columns)
