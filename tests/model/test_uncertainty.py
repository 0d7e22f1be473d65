"""Complete, decomposed uncertainty; the typical design lands on the pooled effect it was fitted to."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from exosci.model import calibrate as cal
from exosci.model.parameters import default_parameters
from exosci.model.posterior import load_posterior, parameter_draws
from exosci.model.simulate import ensemble


@pytest.fixture(scope="module")
def post() -> Any:
    p = load_posterior()
    assert p is not None, "the package ships no posterior.yaml"
    return p


def test_decomposition_runs_are_nested_on_common_random_numbers(post: Any) -> None:
    """The mean-effect-only run holds exactly the delivery parameters and draws everything else
    as the mean band does (same streams), so the three runs are nested."""
    from exosci.model.uncertainty import pharmacokinetic_parameters

    table = default_parameters()
    pk = pharmacokinetic_parameters(table)
    assert {"k_cross", "k_wash", "carrier_retention", "k_csf_lesion"} <= set(pk)
    full = parameter_draws(64, np.random.default_rng(2))
    held = parameter_draws(64, np.random.default_rng(2), hold=pk)
    for name in table.params:
        if name in pk:
            assert np.ptp(held[name]) == 0, name
        else:
            assert np.array_equal(full[name], held[name]), name


def test_simulate_json_says_how_much_of_the_band_comes_from_each_source() -> None:
    """The ensemble document carries the decomposition: shares of mean effect, assumed PK and
    animals that add up to 1 per day, with animals adding spread to the paired gain."""
    from exosci.model.simulate import ensemble_summary

    d = cal.typical_design()
    docs = [ensemble(d, samples=40, seed=1, outputs=("score",)).to_dict(),
            ensemble_summary(d, samples=40, seed=1).to_dict()]  # fmt: skip
    for doc in docs:
        u = doc["uncertainty"]
        assert set(u["share"]) == {"mean_effect", "pharmacokinetics", "between_animal"}
        total = np.sum([u["share"][k] for k in u["share"]], axis=0)
        assert np.allclose(total, 1.0, atol=1e-3), total
        assert min(u["variance"]["between_animal"]) > 0
        assert "nested" in u["method"]
    assert "treated" in docs[0] and "difference" in docs[1]  # the old keys stay


def test_sensitivity_ranks_random_effect_draws_apart_from_choices_and_parameters() -> None:
    """`animal_z`, `animal_sd`-type draws and `z_effect` are not choices to get right: they are
    ranked under `random_effects`, never in the chart's `indices`; every row says its kind."""
    from exosci.model.sensitivity import KINDS, sensitivity

    res = sensitivity(cal.typical_design(), method="morris", n=4, seed=0).to_dict()
    table = default_parameters()
    random = {n for n, p in table.params.items() if p.role in ("animal", "design")}
    assert random and random == {r["name"] for r in res["random_effects"]}
    assert not random & {r["name"] for r in res["indices"]}
    assert {r["kind"] for r in res["indices"]} <= set(KINDS.values()) - {KINDS["random"]}
    kinds = {r["name"]: r["kind"] for r in res["indices"]}
    assert kinds["dose_scale"] == KINDS["design"]
    assert kinds["g_eff"] == KINDS["calibrated"] and kinds["k_csf_lesion"] == KINDS["assumed"]
