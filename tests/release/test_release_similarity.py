"""f1/f2 against hand-computed values (FDA 1997 definitions)."""

from __future__ import annotations

import pandas as pd
import pytest

from exosci.errors import UserInputError
from exosci.release import f1_f2, similarity


def _df(times: list[float], pct: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"time_h": times, "pct": pct})


def test_textbook_example_by_hand() -> None:
    # R = 20, 40, 60, 80 and T = 18, 35, 58, 78 at 1-4 h.
    # |R-T| = 2, 5, 2, 2 -> Σ = 11; ΣR = 200 -> f1 = 100·11/200 = 5.5.
    # (R-T)² = 4, 25, 4, 4 -> Σ = 37; 1 + 37/4 = 10.25; √10.25 = 3.20156;
    # 100/3.20156 = 31.2348; log10 = 1.494638 -> f2 = 74.73.
    sim = similarity(
        _df([0, 1, 2, 3, 4], [0, 20, 40, 60, 80]), _df([0, 1, 2, 3, 4], [0, 18, 35, 58, 78])
    )
    assert sim.f1 == pytest.approx(5.5, abs=1e-9)
    assert sim.f2 == pytest.approx(74.73, abs=0.005)
    assert sim.n_points == 4 and "time zero left out" in sim.notes
    assert sim.similar


def test_ten_point_mean_difference_is_the_f2_50_boundary() -> None:
    # A uniform 10-point difference gives f2 = 50·log10(100/√101) = 100 − 25·log10(101) = 49.89,
    # the textbook reason why f2 = 50 means "about 10 % average difference".
    f1, f2 = f1_f2([30, 50, 70], [40, 60, 80])
    assert f2 == pytest.approx(49.892, abs=0.001)
    assert f1 == pytest.approx(100 * 30 / 150)
    assert f1_f2([10, 20], [10, 20]) == (0.0, 100.0)


def test_only_one_point_after_85_percent() -> None:
    t = [1, 2, 3, 4, 5]
    ref, tst = _df(t, [50, 86, 95, 99, 100]), _df(t, [45, 88, 96, 99, 100])
    sim = similarity(ref, tst)
    assert sim.n_points == 2 and any("85 %" in n for n in sim.notes)
    assert similarity(ref, tst, after_85="all").n_points == 5


def test_time_points_must_match() -> None:
    with pytest.raises(
        UserInputError, match=r"same time points.*only in the reference \(days\): 0.125"
    ):
        similarity(_df([1, 2, 3], [10, 20, 30]), _df([1, 2, 4], [10, 20, 30]))
    with pytest.raises(UserInputError, match="same time points"):
        similarity(_df([1, 2], [10, 20]), _df([1, 2, 3], [10, 20, 30]))
    # Same times in different units are the same time points.
    day = pd.DataFrame({"time_d": [0.5, 1.0], "pct": [10, 20]})
    assert similarity(_df([12, 24], [10, 20]), day).f2 == 100.0


def test_high_replicate_variability_is_noted() -> None:
    ref = pd.DataFrame({"time_h": [1, 2, 3], "a": [10, 40, 70], "b": [30, 60, 90]})
    tst = pd.DataFrame({"time_h": [1, 2, 3], "a": [20, 50, 80], "b": [20, 50, 80]})
    assert any("CV" in n for n in similarity(ref, tst).notes)
