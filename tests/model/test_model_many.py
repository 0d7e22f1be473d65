"""Stacking designs in one pass (integrate_many) must give each design what it gets alone."""

from __future__ import annotations

import numpy as np
import pytest

from exosci.model.design import Design, Release
from exosci.model.parameters import default_parameters
from exosci.model.solver import integrate, integrate_many


def _designs() -> list[Design]:
    depot = Release("first_order", {"k": 0.164}, 0.9, "test")
    return [
        Design(route="intravenous", dose_ug=200.0, horizon_days=10),
        Design(route="intranasal", dose_ug=100.0, dose_times_days=(0.1, 1.1, 2.1), horizon_days=10),
        Design(route="intrathecal", dose_ug=50.0, horizon_days=10, targeted=True),
        Design(route="local", dose_ug=200.0, release=depot, horizon_days=10, severity=1.4),
        Design(
            route="local",
            dose_ug=200.0,
            horizon_days=10,
            axis_scores=dict.fromkeys(("neuroprotection", "inflammation"), 0.9),
        ),
    ]


def test_integrate_many_equals_integrate_per_design(rng: np.random.Generator) -> None:
    params = default_parameters().sample(7, rng)
    designs = _designs()
    many = integrate_many(designs, params, 7, record_per_day=2)
    for design, got in zip(designs, many, strict=True):
        ref = integrate(design, params, 7, record_per_day=2)
        assert np.array_equal(got.days, ref.days)
        for name, values in ref.values.items():
            # one kernel call, each subject computed exactly as alone: bit for bit
            np.testing.assert_array_equal(
                got.values[name], values, err_msg=f"{design.route}: {name}"
            )


def test_zero_dose_scale_is_the_control(rng: np.random.Generator) -> None:
    params = default_parameters().sample(5, rng)
    design = _designs()[0]
    treated, control = integrate_many([design, design], params, 5, dose_scales=[1.0, 0.0])
    ref = integrate(design.control(), params, 5)
    np.testing.assert_allclose(control.values["score"], ref.values["score"], rtol=1e-10)
    assert not np.allclose(treated.values["score"][-1], control.values["score"][-1])


def test_mixed_horizons_are_refused(rng: np.random.Generator) -> None:
    params = default_parameters().sample(2, rng)
    with pytest.raises(ValueError, match="horizon"):
        integrate_many([Design(horizon_days=5), Design(horizon_days=6)], params, 2)


def test_morris_over_the_example_depot_gives_finite_indices() -> None:
    """Morris levels include the priors' extremes; they must stay inside the solver's range.

    With the factors spanning quantiles 1e-6..1-1e-6 this run gave non-finite scores.
    """
    from pathlib import Path

    from exosci.model.sensitivity import sensitivity
    from exosci.therapy import load_spec, resolve_spec

    spec = Path(__file__).resolve().parents[2] / "examples" / "hypoxia-bmsc-ha-hydrogel-rat.yaml"
    res = sensitivity(resolve_spec(load_spec(spec)).design, method="morris", n=64, seed=0)
    assert all(np.isfinite(r["mu_star"]) for r in res.indices)
    assert res.indices[0]["mu_star"] > 0
