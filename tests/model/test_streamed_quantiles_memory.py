"""Issue 26, item 9: streamed quantiles whose memory does not grow with subjects, any outputs.

``exosci simulate`` streams the quantiles of all 19 outputs x 43 days x 3 arms (2,451 columns);
the old binary-tree stream kept log2(batches) summaries plus whole-width combine temporaries
(peak RSS 434 MB at 2,000 subjects, 1,334 MB at 20,000). The benchmark beside the tests
(``benchmarks/bench_simulate_stream.py``) measures the command; these tests pin the library.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import exosci.model.quantiles as qmod
from exosci.model.quantiles import RankSummary, StreamingQuantiles

PS = (0.05, 0.5, 0.95)
COLUMNS = 3 * 19 * 43  # arms x outputs x days of `exosci simulate`


def _rank_gap(sorted_col: np.ndarray, value: float, p: float) -> int:
    n = len(sorted_col)
    r = max(1, int(np.ceil(p * n - 1e-9)))
    lo = int(np.searchsorted(sorted_col, value, "left")) + 1
    hi = int(np.searchsorted(sorted_col, value, "right"))
    return 0 if lo <= r <= hi else min(abs(lo - r), abs(hi - r))


def _peak_bytes(batches: int, rng: np.random.Generator, cols: int = 600) -> int:
    data = [rng.normal(size=(cols, 200)) for _ in range(batches)]  # made before tracing
    stream = StreamingQuantiles(size=128)
    tracemalloc.start()
    tracemalloc.reset_peak()
    for batch in data:
        stream.add(batch)
    stream.result().quantiles(PS)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_stream_memory_does_not_grow_with_the_number_of_batches(rng: np.random.Generator) -> None:
    getattr(qmod, "_merge_kernel", lambda: None)()  # compile/load outside the measurement
    few, many = _peak_bytes(2, rng), _peak_bytes(64, rng)
    assert many <= 1.2 * few, (few, many)


def test_the_running_summary_is_updated_in_place(rng: np.random.Generator) -> None:
    stream = StreamingQuantiles(size=128)
    stream.add(rng.normal(size=(50, 300)))
    first = stream.result().values
    for _ in range(5):
        stream.add(rng.normal(size=(50, 300)))
    assert stream.result().values is first and first.shape == (50, 128)
    assert stream.result().rmin.dtype == np.int32


@pytest.mark.parametrize("batch", [7, 250, 2500])
def test_streamed_quantiles_of_many_columns_are_within_their_stated_error(
    batch: int, rng: np.random.Generator
) -> None:
    n = 10_000
    x = np.concatenate(
        [rng.lognormal(size=(40, n)), np.round(rng.normal(size=(40, n)), 1), np.zeros((8, n))]
    )
    stream = StreamingQuantiles(size=256)
    for i in range(0, n, batch):
        stream.add(x[:, i : i + batch])
    q, err = stream.result().quantiles(PS)
    assert 0 <= err < 0.02
    xs = np.sort(x, axis=1)
    gaps = [_rank_gap(xs[c], q[k, c], p) for c in range(len(x)) for k, p in enumerate(PS)]
    assert max(gaps) <= err * n


def test_compiled_combine_gives_the_same_points_and_bounds_as_numpy(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def summaries() -> list[RankSummary]:
        r = np.random.default_rng(5)
        return [
            RankSummary.exact(np.round(r.normal(size=(70, m)), 1), 256) for m in (900, 300, 1000)
        ]

    def fold(parts: list[RankSummary]) -> RankSummary:
        total = parts[0]
        for p in parts[1:]:
            total = total.combine(p, 256)
        return total

    compiled = fold(summaries())
    monkeypatch.setattr(qmod, "_merge_kernel", lambda: None)
    plain = fold(summaries())
    for field in ("values", "rmin", "rmax"):
        np.testing.assert_array_equal(getattr(compiled, field), getattr(plain, field))
    assert compiled.n == plain.n == 2200


def test_row_blocks_merged_in_place_equal_merging_their_exact_summaries(
    rng: np.random.Generator,
) -> None:
    """The local path (row blocks folded straight in) and the Dask path (workers send exact
    summaries) must give identical quantiles."""
    batches = [[rng.normal(size=(43, 700)) for _ in range(5)] for _ in range(4)]
    blocks, summaries = StreamingQuantiles(size=256), StreamingQuantiles(size=256)
    for parts in batches:
        blocks.add(parts)
        summaries.add(RankSummary.exact(np.vstack(parts), 256))
    a, b = blocks.result(), summaries.result()
    assert a.n == b.n == 2800
    for field in ("values", "rmin", "rmax"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def _simulate_peak_rss_mb(samples: int) -> float:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root / "src"))
    args = ["simulate", str(root / "examples" / "iv-bmsc-exos-rat.yaml"), "-n", str(samples)]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from exosci.cli import main; main()", *args, "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    assert status == 0
    return usage.ru_maxrss / 1024


@pytest.mark.slow
def test_exosci_simulate_peak_memory_does_not_grow_with_subjects() -> None:
    """One batch (2,500 subjects) vs three (7,500): all 19 outputs streamed (the benchmark
    compares 2,000 and 20,000; the old stream grew by a summary set per doubling)."""
    one, three = _simulate_peak_rss_mb(2500), _simulate_peak_rss_mb(7500)
    assert three <= 1.2 * one, (one, three)
