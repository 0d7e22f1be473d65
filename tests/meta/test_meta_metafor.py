"""exosci.meta reproduces R metafor's published results on ``dat.bcg`` to 1e-4.

Reference numbers: metafor's README (rma, test="knha", regtest, mods = ~ ablat), its test suite
(tests/testthat/test_misc_influence.r: REML τ² = 0.313243325980895, Q = 152.233008082373;
test_misc_metan_vs_rma.uni_with_dat.bcg.r: DL results confirmed by Stata's metan;
test_misc_rma_uni.r: iterated DL = 0.3181) and the trimfill reference page
(wviechtb.github.io/metafor/reference/trimfill.html).
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from exosci.meta import core, egger, metareg, pool, subgroups, trimfill

TOL = 1e-4


def test_log_risk_ratios_match_metafor_escalc(bcg):
    # metafor README: escalc(measure="RR") yi and vi, 4 decimals
    yi = [-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209, 0.0120, -0.4694,
          -1.3713, -0.3394, 0.4459, -0.0173]  # fmt: skip
    vi = [0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230, 0.0040, 0.0564, 0.0730,
          0.0124, 0.5325, 0.0714]  # fmt: skip
    assert np.allclose(bcg["yi"], yi, atol=5e-5)
    assert np.allclose(bcg["vi"], vi, atol=5e-5)


def test_reml_random_effects_matches_metafor_dat_bcg(bcg):
    r = pool(bcg, method="REML")
    assert r.tau2 == pytest.approx(0.313243325980895, abs=TOL)
    assert r.estimate == pytest.approx(-0.7145, abs=TOL)
    assert r.se == pytest.approx(0.1798, abs=TOL)
    assert r.tau2_se == pytest.approx(0.1664, abs=TOL)
    assert r.i2 == pytest.approx(92.22, abs=0.005)
    assert r.q == pytest.approx(152.233008082373, abs=TOL)
    assert r.k == 13


def test_hartung_knapp_intervals_match_metafor_readme(bcg):
    r = pool(bcg, method="REML", knha=True)
    assert r.se == pytest.approx(0.1808, abs=TOL)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.1084, -0.3206), abs=TOL)
    assert r.stat == pytest.approx(-3.9522, abs=TOL)
    # predict(res, transf=exp, digits=2): pi 0.14 to 1.76
    assert np.exp([r.pi_low, r.pi_high]) == pytest.approx([0.14, 1.76], abs=0.005)


def test_dersimonian_laird_matches_metafor_and_stata_metan(bcg):
    r = pool(bcg, method="DL")
    assert r.estimate == pytest.approx(-0.7141, abs=TOL)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.0644, -0.3638), abs=TOL)
    assert r.tau2 == pytest.approx(0.3088, abs=TOL)
    assert r.i2 == pytest.approx(92.1173, abs=TOL)


@pytest.mark.parametrize(("method", "method_re"), [("DL", "chi2"), ("PM", "iterated")])
def test_pooling_agrees_with_statsmodels_combine_effects(bcg, method, method_re):
    ref = combine_effects(bcg["yi"].to_numpy(), bcg["vi"].to_numpy(), method_re=method_re)
    r = pool(bcg, method=method)
    assert r.tau2 == pytest.approx(ref.tau2, abs=1e-8)
    assert r.estimate == pytest.approx(ref.mean_effect_re, abs=1e-8)
    assert r.se == pytest.approx(ref.sd_eff_w_re, abs=1e-8)
    # our own moment / Paule-Mandel solvers (used for meta-regression) agree too
    own = core.fit(bcg["yi"].to_numpy(), bcg["vi"].to_numpy(), method=method)
    assert own.tau2 == pytest.approx(ref.tau2, abs=1e-8)


def test_paule_mandel_equals_metafor_iterated_dl_fixed_point(bcg):
    # Q(τ²) = k − 1 is the fixed point of iterated DL: metafor's DLIT gives 0.3181
    assert pool(bcg, method="PM").tau2 == pytest.approx(0.3181, abs=TOL)


def test_mixed_effects_meta_regression_on_latitude_matches_metafor_readme(bcg):
    m = metareg(bcg, ["ablat"], method="REML", knha=True)
    coef = m.coefficients.set_index("term")
    assert coef.loc["intercept", "estimate"] == pytest.approx(0.2515, abs=TOL)
    assert coef.loc["ablat", "estimate"] == pytest.approx(-0.0291, abs=TOL)
    assert coef.loc["intercept", "se"] == pytest.approx(0.2839, abs=TOL)
    assert coef.loc["ablat", "se"] == pytest.approx(0.0082, abs=TOL)
    assert m.tau2 == pytest.approx(0.0764, abs=TOL)
    assert m.tau2_se == pytest.approx(0.0591, abs=TOL)
    assert m.i2 == pytest.approx(68.39, abs=0.005)
    assert m.r2 == pytest.approx(75.62, abs=0.01)
    assert m.qe == pytest.approx(30.7331, abs=TOL)
    # F(1, 11); metafor stops Fisher scoring once τ² moves < 1e-5, hence a relative tolerance
    assert m.qm == pytest.approx(12.5905, rel=TOL)
    assert coef.loc["ablat", "stat"] == pytest.approx(-3.5483, abs=TOL)
    # without knha the SEs are metafor's z-test ones (emmprep reference page: 0.2491)
    z = metareg(bcg, ["ablat"]).coefficients.set_index("term")
    assert z.loc["intercept", "se"] == pytest.approx(0.2491, abs=TOL)


def test_mixed_effects_egger_test_matches_metafor_regtest(bcg):
    e = egger(bcg, model="rma", knha=True)
    assert e.stat == pytest.approx(-0.7812, abs=TOL)
    assert e.dfs == 11
    assert e.pval == pytest.approx(0.4512, abs=TOL)
    assert e.limit_estimate == pytest.approx(-0.5104, abs=TOL)
    assert (e.limit_ci_low, e.limit_ci_high) == pytest.approx((-1.2123, 0.1915), abs=TOL)


def test_classical_egger_equals_regression_of_standard_normal_deviate_on_precision(bcg):
    # Egger 1997's own form: OLS of y/se on 1/se; its intercept t is our slope-on-SE t
    import statsmodels.api as sm

    se = np.sqrt(bcg["vi"].to_numpy())
    ols = sm.OLS(bcg["yi"].to_numpy() / se, sm.add_constant(1 / se)).fit()
    e = egger(bcg, model="lm")
    assert e.stat == pytest.approx(ols.tvalues[0], abs=1e-10)
    assert e.slope == pytest.approx(ols.params[0], abs=1e-10)
    assert e.limit_estimate == pytest.approx(ols.params[1], abs=1e-10)


def test_trim_and_fill_equal_effects_matches_metafor_example(bcg):
    t = trimfill(bcg, method="EE")
    assert (t.k0, t.side) == (4, "right")
    assert t.k0_se == pytest.approx(2.3853, abs=TOL)
    assert t.pooled.estimate == pytest.approx(-0.2910, abs=TOL)
    assert t.pooled.se == pytest.approx(0.0383, abs=TOL)
    assert t.pooled.q == pytest.approx(262.7316, abs=TOL)
    assert sorted(t.filled_yi) == pytest.approx(
        [0.78929282, 0.85949921, 1.00333667, 1.03884624], abs=1e-7
    )


def test_trim_and_fill_random_effects_matches_metafor_example(bcg):
    t = trimfill(bcg)
    assert (t.k0, t.side) == (1, "right")
    assert t.k0_se == pytest.approx(2.4528, abs=TOL)
    assert t.pooled.estimate == pytest.approx(-0.6571, abs=TOL)
    assert t.pooled.se == pytest.approx(0.1785, abs=TOL)
    assert t.pooled.tau2 == pytest.approx(0.3313, abs=TOL)


def test_trim_and_fill_r0_estimator_matches_metafor_example(bcg):
    t = trimfill(bcg, method="EE", estimator="R0")
    assert t.k0 == 4
    assert t.k0_se == pytest.approx(3.1623, abs=TOL)


def test_fixed_effect_subgroups_partition_total_heterogeneity(bcg):
    # with equal-effects pooling Q_total = Σ Q_within + Q_between exactly
    s = subgroups(bcg, "alloc", method="EE")
    q_within = sum(g.q for g in s.groups.values())
    assert s.overall.q == pytest.approx(q_within + s.q_between, rel=1e-10)
    assert sum(g.k for g in s.groups.values()) == 13
    assert s.q_between_df == 2
