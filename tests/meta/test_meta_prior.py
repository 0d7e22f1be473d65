"""design_prior: the posterior of an empirical-Bayes meta-regression on the numeric table,
shrunk toward the pooled effect where rows are few; validation rows never enter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exosci.meta import design_deviation, design_prior, loso, pool
from exosci.meta.outcomes import comparisons, shipped_outcomes


def _effects(n_iv: int, n_it: int, *, rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic studies: intravenous effect 2 BBB points, intrathecal 5, between-study SD 0.5."""
    rows = []
    for i, (route, mu) in enumerate([("intravenous", 2.0)] * n_iv + [("intrathecal", 5.0)] * n_it):
        rows.append(
            {"study_id": f"s{i}", "route": route, "scale": "BBB", "vi": 0.25,
             "yi": mu + rng.normal(0, 0.5) + rng.normal(0, 0.5)}
        )  # fmt: skip
    return pd.DataFrame(rows)


def test_without_covariates_the_prior_is_the_reml_pooled_effect():
    eff = comparisons(shipped_outcomes())
    ref = pool(eff, method="REML")
    p = design_prior(covariates={})
    assert (p.mean, p.sd, p.k) == (pytest.approx(ref.estimate), pytest.approx(ref.se), 4)
    assert "model output" in p.notes[0]


def test_many_rows_let_the_design_speak(rng):
    eff = _effects(15, 15, rng=rng)
    it = design_prior(eff, {"route": "intrathecal"})
    iv = design_prior(eff, {"route": "intravenous"})
    assert it.mean == pytest.approx(5.0, abs=0.6) and iv.mean == pytest.approx(2.0, abs=0.6)


def test_few_rows_shrink_the_design_toward_the_pooled_effect(rng):
    eff = _effects(15, 1, rng=rng)
    pooled = pool(eff).estimate
    it_row = float(eff.loc[eff["route"] == "intrathecal", "yi"].iloc[0])
    p = design_prior(eff, {"route": "intrathecal"})
    # strictly between the pooled effect and the lone intrathecal study
    assert min(pooled, it_row) < p.mean < max(pooled, it_row)
    assert abs(p.mean - pooled) < abs(it_row - pooled)
    # and less certain than a design the table knows well
    assert p.sd > design_prior(eff, {"route": "intravenous"}).sd


def test_a_level_no_row_has_falls_back_to_the_pooled_effect(rng):
    eff = _effects(8, 8, rng=rng)
    p = design_prior(eff, {"route": "intranasal"})
    assert p.mean == pytest.approx(design_prior(eff, {}).mean, abs=0.05)
    assert any("intranasal" in n and "occurs in no row" in n for n in p.notes)


def test_validation_only_rows_never_move_the_prior(rng):
    eff = _effects(6, 6, rng=rng)
    eff["validation_only"] = False
    poisoned = pd.concat(
        [eff, pd.DataFrame([{"study_id": "v", "route": "intrathecal", "scale": "BBB",
                              "vi": 0.01, "yi": 40.0, "validation_only": True}])]
    )  # fmt: skip
    a = design_prior(eff, {"route": "intrathecal"})
    b = design_prior(poisoned, {"route": "intrathecal"})
    assert (a.mean, a.sd, a.k) == (b.mean, b.sd, b.k)


def test_no_rows_on_the_scale_means_prior_only():
    p = design_prior(covariates={}, scale="BMS")
    assert p.k == 0 and np.isnan(p.mean) and "prior only" in p.notes[0]


def test_loso_covers_held_out_studies_of_a_well_specified_table(rng):
    out = loso(_effects(10, 10, rng=rng), covariates=("route",), level=0.90)
    assert out["studies"] == 20
    assert out["coverage"] >= 0.75
    assert out["spearman"] > 0.5


def test_loso_says_so_when_the_table_is_too_small():
    out = loso()  # the shipped table: one fit-able study today
    assert out["coverage"] is None and "needs >= 3 studies" in out["note"]


def test_design_deviation_is_nothing_when_no_row_speaks_to_the_design():
    d = design_deviation(covariates={"route": "intravenous"})  # shipped rows carry no route
    assert (d.mean, d.sd, d.informative) == (0.0, 0.0, False)


def test_design_deviation_learns_a_feature_the_table_covers(rng):
    eff = _effects(15, 15, rng=rng)
    it = design_deviation(eff, {"route": "intrathecal"})
    iv = design_deviation(eff, {"route": "intravenous"})
    assert it.informative and it.sd < it.prior_sd
    # intrathecal 5 vs intravenous 2: the two deviations sit about 3 points apart
    assert it.mean - iv.mean == pytest.approx(3.0, abs=0.8)
    # and design_prior is the pooled (typical) effect plus the deviation
    p = design_prior(eff, {"route": "intrathecal"})
    assert p.mean == pytest.approx(design_prior(eff, {}).mean + it.mean, abs=0.3)
