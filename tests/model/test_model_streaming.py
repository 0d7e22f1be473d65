"""Streaming quantiles: stated rank error honoured; streamed ensembles equal raw ones and Dask."""

from __future__ import annotations

import numpy as np
import pytest

from exosci.model import reference_design
from exosci.model.quantiles import RankSummary, StreamingQuantiles
from exosci.model.simulate import ensemble, ensemble_summary

PS = (0.05, 0.25, 0.5, 0.95, 0.99)


def _rank_gap(sorted_col: np.ndarray, value: float, p: float) -> int:
    """How far (in ranks) ``value`` is from the exact ceil(p n)-th smallest value."""
    n = len(sorted_col)
    r = max(1, int(np.ceil(p * n - 1e-9)))
    lo = int(np.searchsorted(sorted_col, value, "left")) + 1
    hi = int(np.searchsorted(sorted_col, value, "right"))
    return 0 if lo <= r <= hi else min(abs(lo - r), abs(hi - r))


@pytest.mark.parametrize("batch", [7, 300, 1000])
def test_streamed_quantiles_are_within_their_stated_rank_error(
    batch: int, rng: np.random.Generator
) -> None:
    cols = [rng.lognormal(size=6000), np.round(rng.normal(size=6000), 1), np.zeros(6000)]
    x = np.stack(cols)
    stream = StreamingQuantiles(size=256)
    for i in range(0, x.shape[1], batch):
        stream.add(x[:, i : i + batch])
    q, err = stream.result().quantiles(PS)
    assert 0 < err < 0.02  # 256 points per column: well under 2 % of the ranks
    xs = np.sort(x, axis=1)
    for c in range(x.shape[0]):
        for k, p in enumerate(PS):
            assert _rank_gap(xs[c], q[k, c], p) <= err * x.shape[1]


def test_a_single_small_batch_gives_numpys_exact_quantiles(rng: np.random.Generator) -> None:
    x = rng.normal(size=(4, 500))
    q, err = RankSummary.exact(x).quantiles(PS)
    assert err == 0.0
    np.testing.assert_array_equal(q, np.quantile(x, PS, axis=1, method="inverted_cdf"))


def test_streamed_ensemble_equals_the_raw_ensemble_within_its_error() -> None:
    d = reference_design()
    raw = ensemble(d, samples=600, seed=4, batch_size=200, outputs=("score", "lesion_auc"))
    streamed = ensemble_summary(
        d, samples=600, seed=4, batch_size=200, outputs=("score", "lesion_auc")
    )
    assert streamed.rank_error <= 0.01
    for arm, data in (("treated", raw.treated), ("control", raw.control)):
        for name in ("score", "lesion_auc"):
            s = streamed.arms[arm][name]
            xs = np.sort(data[name], axis=1)
            for t in range(len(raw.days)):
                for p, v in ((0.5, s.median[t]), (0.05, s.p05[t]), (0.95, s.p95[t])):
                    assert _rank_gap(xs[t], v, p) <= streamed.rank_error * 600
    diff = np.sort(raw.treated["score"] - raw.control["score"], axis=1)
    med = streamed.arms["difference"]["score"].median
    assert all(_rank_gap(diff[t], med[t], 0.5) <= 6 for t in range(len(raw.days)))
    assert med[-1] > 0.5  # the reference therapy helps


def test_dask_summaries_equal_the_local_streamed_run() -> None:
    distributed = pytest.importorskip("distributed")
    d = reference_design()
    local = ensemble_summary(d, samples=90, seed=8, batch_size=20, outputs=("score", "barrier"))
    cluster = distributed.LocalCluster(n_workers=2, processes=False, dashboard_address=None)
    with cluster as cl, distributed.Client(cl) as client:
        remote = ensemble_summary(
            d, samples=90, seed=8, batch_size=20, outputs=("score", "barrier"), scheduler=client
        )
    assert remote.rank_error == local.rank_error
    for arm in local.arms:
        for name, s in local.arms[arm].items():
            np.testing.assert_array_equal(s.median, remote.arms[arm][name].median)
            np.testing.assert_array_equal(s.p05, remote.arms[arm][name].p05)
            np.testing.assert_array_equal(s.p95, remote.arms[arm][name].p95)


def test_morris_screen_integrates_only_the_arm_it_ranks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen ranks the treated score; no control arm is integrated and discarded."""
    import exosci.model.sensitivity as sens

    seen: list[int] = []
    real = sens.integrate

    def counting(design, params, n, **kw):  # type: ignore[no-untyped-def]
        seen.append(n)
        return real(design, params, n, **kw)

    monkeypatch.setattr(sens, "integrate", counting)
    res = sens.sensitivity(reference_design(), method="morris", n=2, seed=1)
    assert sum(seen) == res.n_runs
