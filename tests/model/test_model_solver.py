from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from exosci.model import Design, Release, default_parameters, integrate, reference_design
from exosci.model.equations import parameter_names
from exosci.model.reference import reference_solve
from exosci.model.solver import batched_expm

HA = Release("first_order", {"k": 0.164}, 0.9)
DESIGNS = {
    "iv": reference_design(),
    "local-ha": Design(route="local", dose_ug=200.0, release=HA),
    "intranasal-3x": Design(route="intranasal", dose_ug=100.0, dose_times_days=(0.1, 1.1, 2.1)),
    "intrathecal-mouse": Design(species="mouse", route="intrathecal", dose_ug=30.0),
}


def test_batched_expm_matches_scipy(rng: np.random.Generator) -> None:
    m = rng.normal(size=(20, 5, 5)) * rng.uniform(0.01, 8.0, size=(20, 1, 1))
    ours = batched_expm(m)
    for i in range(20):
        np.testing.assert_allclose(ours[i], expm(m[i]), rtol=1e-9, atol=1e-12)


def test_every_formula_symbol_has_a_value() -> None:
    from exosci.model.equations import derive

    p = derive(default_parameters().nominal(), reference_design())
    missing = [n for n in parameter_names() if n not in p]
    assert missing == []


@pytest.mark.parametrize("name", list(DESIGNS))
def test_fixed_step_solver_matches_solve_ivp(name: str, rng: np.random.Generator) -> None:
    """RK4 + exact delivery block against Radau/LSODA at tight tolerances, on prior samples."""
    design = DESIGNS[name]
    table = default_parameters()
    n = 1 if design.release is not None else 2  # hourly release input makes the reference slow
    samples = table.sample(n, rng)
    ours = integrate(design, samples, n)
    for j in range(n):
        params = {k: float(v[j]) for k, v in samples.items()}
        method = "Radau" if j == 0 else "LSODA"
        ref = reference_solve(design, params, method=method, rtol=1e-8, atol=1e-10)
        # score within 0.02 points; fractions within 2e-3; lesion exposure AUC within 1 %
        np.testing.assert_allclose(ours.values["score"][:, j], ref.values["score"][:, 0], atol=0.02)
        for state in ("N", "B", "M1", "Sc", "R", "F", "X"):
            np.testing.assert_allclose(ours.values[state][:, j], ref.values[state][:, 0], atol=2e-3)
        auc = ref.values["AUC"][-1, 0]
        assert abs(ours.values["AUC"][-1, j] - auc) <= 0.01 * auc + 1e-9
