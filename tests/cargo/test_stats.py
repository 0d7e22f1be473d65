from __future__ import annotations

import numpy as np
from scipy.stats import false_discovery_control, hypergeom

from exosci.cargo.stats import bh_qvalues, bh_qvalues_rows, hypergeom_sf


def test_hypergeom_sf_equals_scipy_to_1e12(rng: np.random.Generator) -> None:
    n = 4000
    total = rng.integers(20, 20000, n)
    good = rng.integers(0, total + 1)
    draws = rng.integers(0, total + 1)
    lo = np.maximum(0, draws - (total - good))
    hi = np.minimum(good, draws)
    x = lo + (rng.random(n) * (hi - lo + 2)).astype(int)
    ours = hypergeom_sf(x, total, good, draws)
    ref = hypergeom.sf(x - 1, total, good, draws)
    ok = ref > 1e-300  # below that, both are denormal noise
    np.testing.assert_allclose(ours[ok], ref[ok], rtol=1e-12, atol=0)
    assert np.all(ours[~ok] < 1e-290)


def test_hypergeom_sf_edges() -> None:
    # overlap 0 -> 1, overlap beyond possible -> 0, drawing everything -> certainty
    assert hypergeom_sf(0, 100, 10, 5) == 1.0
    assert hypergeom_sf(11, 100, 10, 50) == 0.0
    assert hypergeom_sf(10, 100, 10, 100) == 1.0
    np.testing.assert_allclose(hypergeom_sf(3, 50, 10, 8), hypergeom.sf(2, 50, 10, 8), rtol=1e-13)


def test_bh_matches_scipy(rng: np.random.Generator) -> None:
    p = rng.random(500) ** 3
    np.testing.assert_allclose(bh_qvalues(p), false_discovery_control(p), rtol=1e-12)
    mat = rng.random((4, 60)) ** 2
    mask = rng.random((4, 60)) > 0.3
    rows = bh_qvalues_rows(mat, mask)
    for i in range(4):
        np.testing.assert_allclose(rows[i][mask[i]], false_discovery_control(mat[i][mask[i]]))
        assert np.isnan(rows[i][~mask[i]]).all()
