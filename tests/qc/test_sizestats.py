"""Binned-distribution statistics against scipy's histogram distribution and analytic cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from exosci.errors import UserInputError
from exosci.qc.sizestats import (
    bin_edges,
    fraction_between,
    parabolic_mode,
    percentile,
    size_stats,
)


@pytest.fixture
def histogram(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sizes = rng.lognormal(mean=np.log(90), sigma=0.35, size=20_000)
    edges = np.arange(0.0, 1001.0, 1.0)
    counts, _ = np.histogram(sizes, bins=edges)
    return sizes, (edges[:-1] + edges[1:]) / 2, counts.astype(float)


def test_bin_edges_rule_equals_scipy_rv_histogram(histogram) -> None:
    _, centres, counts = histogram
    ref = stats.rv_histogram((counts, bin_edges(centres)), density=False)
    for q in (0.1, 0.25, 0.5, 0.9, 0.99):
        assert percentile(centres, counts, q, rule="bin-edges") == pytest.approx(
            ref.ppf(q), abs=1e-9
        )


def test_fraction_between_equals_scipy_cdf(histogram) -> None:
    _, centres, counts = histogram
    ref = stats.rv_histogram((counts, bin_edges(centres)), density=False)
    for low, high in ((30, 150), (0, 200), (55.25, 61.7)):
        assert fraction_between(centres, counts, low, high) == pytest.approx(
            ref.cdf(high) - ref.cdf(low), abs=1e-12
        )


def test_mean_sd_median_close_to_raw_samples(histogram) -> None:
    raw, centres, counts = histogram
    s = size_stats(centres, counts)
    # 1-nm binning moves the mean by far less than 0.05 nm and the SD by ~1/12 nm^2 in variance
    assert s.mean_nm == pytest.approx(np.mean(raw), abs=0.05)
    assert s.sd_nm == pytest.approx(np.std(raw), abs=0.05)
    assert s.d50_nm == pytest.approx(np.median(raw), abs=1.0)
    assert s.total == counts.sum()
    assert s.span == pytest.approx((s.d90_nm - s.d10_nm) / s.d50_nm)


def test_parabolic_mode_recovers_vertex_of_a_quadratic() -> None:
    centres = np.arange(0.5, 200.5, 1.0)
    weights = np.clip(1000 - (centres - 63.3) ** 2, 0, None)
    assert parabolic_mode(centres, weights) == pytest.approx(63.3, abs=1e-9)


def test_bin_centres_rule_interpolates_between_centres() -> None:
    centres = np.array([10.0, 20.0, 30.0])
    weights = np.array([1.0, 1.0, 2.0])  # cdf at centres: 0.25, 0.5, 1.0
    assert percentile(centres, weights, 0.5, rule="bin-centres") == pytest.approx(20.0)
    assert percentile(centres, weights, 0.75, rule="bin-centres") == pytest.approx(25.0)
    assert percentile(centres, weights, 0.1, rule="bin-centres") == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("sizes", "weights"),
    [([1, 2], [0, 0]), ([2, 1], [1, 1]), ([1, 2], [1, -1]), ([1, 2], [1]), ([1, 2], [np.nan, 1])],
)
def test_invalid_distributions_are_user_errors(sizes, weights) -> None:
    with pytest.raises(UserInputError):
        size_stats(sizes, weights)


def test_percentile_fraction_out_of_range() -> None:
    with pytest.raises(UserInputError, match=r"\(0, 1\)"):
        percentile([1, 2], [1, 1], 1.5)
