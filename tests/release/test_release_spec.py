"""release_fraction (the therapy model's contract) and the spec carrier block."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.optimize import brentq

from exosci.errors import UnknownNameError, UserInputError
from exosci.release import MODELS, carrier_block, carrier_yaml, fit_release, release_fraction
from exosci.release.models import baker_lonsdale_fraction


@pytest.mark.parametrize("name", sorted(MODELS))
def test_release_fraction_is_a_clipped_nondecreasing_fraction(name: str, true_params) -> None:
    params = true_params[name]
    t = np.linspace(-1.0, 60.0, 500)
    f = release_fraction(name, params, t)
    assert f.shape == t.shape and f.dtype == np.float64
    assert np.all((f >= 0) & (f <= 1)) and np.all(f[t <= 0] == 0)
    assert np.all(np.diff(f) >= -1e-12), "cumulative release must not fall"
    inside = (t > 0) & (MODELS[name].percent(t, params) < 100)
    expected = MODELS[name].percent(t[inside], params) / 100
    if MODELS[name].monotone_until is None:
        assert f[inside] == pytest.approx(expected, rel=1e-12)


def test_known_values_in_days() -> None:
    assert release_fraction("first_order", {"k1": np.log(2) / 3}, np.array([3.0]))[0] == (
        pytest.approx(0.5)
    )
    assert release_fraction("weibull", {"tau": 5.0, "beta": 0.8}, [5.0])[0] == pytest.approx(
        1 - np.exp(-1)
    )
    assert release_fraction("zero_order", {"k0": 10.0}, [5.0, 20.0]).tolist() == [0.5, 1.0]
    # Makoid-Banakar is held at its peak (t = n/k = 14 d) instead of falling.
    mb = release_fraction("makoid_banakar", {"kMB": 20.0, "n": 0.7, "k": 0.05}, [14.0, 40.0])
    assert mb[0] == mb[1] == pytest.approx(20 * 14**0.7 * np.exp(-0.7) / 100)


def test_release_fraction_rejects_bad_input() -> None:
    with pytest.raises(UnknownNameError, match="weibul"):
        release_fraction("weibul", {"tau": 1, "beta": 1}, [1.0])
    with pytest.raises(UserInputError, match="takes parameters tau, beta"):
        release_fraction("weibull", {"tau": 1.0}, [1.0])
    with pytest.raises(UserInputError, match="outside"):
        release_fraction("first_order", {"k1": -1.0}, [1.0])
    with pytest.raises(UserInputError, match="NaN"):
        release_fraction("first_order", {"k1": 1.0}, [np.nan])
    # Forgiving model names, as written by hand in a spec.
    assert release_fraction("Korsmeyer-Peppas", {"kKP": 10.0, "n": 0.5}, [4.0])[0] == 0.2


def test_baker_lonsdale_closed_form_matches_a_root_finder() -> None:
    def g(f: float) -> float:
        return 1.5 * (1 - (1 - f) ** (2 / 3)) - f

    for c in np.linspace(0.001, 0.499, 25):
        ref = brentq(lambda f, c=c: g(f) - c, 0.0, 1.0, xtol=1e-14)
        assert baker_lonsdale_fraction(np.array([c]))[0] == pytest.approx(ref, abs=1e-9)


def test_spec_block_round_trips_into_release_fraction(rng: np.random.Generator) -> None:
    t_h = np.array([0, 6, 12, 24, 48, 72, 96, 144, 192, 240, 336.0])
    y = MODELS["weibull"].percent(t_h / 24, {"tau": 5.0, "beta": 0.8}) + rng.normal(0, 0.3, 11)
    fit = fit_release(pd.DataFrame({"time_h": t_h, "pct": np.clip(y, 0, 100)}))
    text = carrier_yaml(fit, name="HA hydrogel")
    block = yaml.safe_load(text)
    assert block == carrier_block(fit, name="HA hydrogel")
    rel = block["carrier"]["release"]
    assert block["carrier"]["name"] == "HA hydrogel" and rel["time_unit"] == "day"
    assert rel["model"] == fit.best == "weibull"
    # Parameters are for days even though the data were in hours.
    assert rel["params"]["tau"] == pytest.approx(5.0, rel=0.05)
    days = np.array([1.0, 7.0, 14.0])
    expected = MODELS["weibull"].percent(days, fit.get("weibull").params) / 100
    assert release_fraction(rel["model"], rel["params"], days) == pytest.approx(expected, rel=1e-5)
    assert carrier_block(fit, model="first_order")["carrier"]["release"]["model"] == "first_order"
