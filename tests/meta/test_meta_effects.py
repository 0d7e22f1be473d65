"""Effect sizes: Hedges' g, the CAMARADES normalised mean difference and the log ratio of means."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gammaln

from exosci.errors import UserInputError
from exosci.meta import continuous_effects


def test_smd_is_hedges_g_with_the_small_sample_correction():
    n1, m1, s1, n2, m2, s2 = 6, 12.0, 2.0, 6, 9.0, 2.5
    sp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
    big_n = n1 + n2
    g = (1 - 3 / (4 * big_n - 9)) * (m1 - m2) / sp  # Hedges & Olkin's approximation of J
    y, v = continuous_effects([n1], [m1], [s1], [n2], [m2], [s2], measure="SMD")
    assert y[0] == pytest.approx(g, rel=1e-12)
    assert v[0] == pytest.approx(big_n / (n1 * n2) + g**2 / (2 * (big_n - 3.94)), rel=1e-12)
    # and the approximation is within 0.1 % of the exact gamma-function J (Hedges 1981)
    m = big_n - 2
    j = np.exp(gammaln(m / 2) - np.log(np.sqrt(m / 2)) - gammaln((m - 1) / 2))
    assert y[0] == pytest.approx(j * (m1 - m2) / sp, rel=1e-3)


def test_nmd_is_the_share_of_the_control_deficit_recovered():
    # control BBB 9 of a normal 21: treated 15 recovers half the 12-point deficit
    y, v = continuous_effects([8], [15.0], [2.0], [8], [9.0], [2.0], measure="NMD", sham=21.0)
    assert y[0] == pytest.approx(50.0)
    assert v[0] == pytest.approx((100 / 12) ** 2 * (4 / 8 + 4 / 8))


def test_log_ratio_of_means_refuses_a_zero_mean():
    y, _ = continuous_effects([5], [10.0], [1.0], [5], [5.0], [1.0], measure="ROM")
    assert y[0] == pytest.approx(np.log(2))
    with pytest.raises(UserInputError, match="positive means"):
        continuous_effects([5], [10.0], [1.0], [5], [0.0], [1.0], measure="ROM")


def test_egger_refuses_studies_of_equal_precision():
    from exosci.meta import egger

    with pytest.raises(UserInputError, match="different precision"):
        egger([0.1, 0.5, 0.9, 0.2], [0.04, 0.04, 0.04, 0.04])
