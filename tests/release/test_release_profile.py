"""Reading release data: accepted layouts, and garbage in -> a clear error, never a wrong number."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exosci.errors import FileFormatError, UserInputError
from exosci.release import fit_release, parse_profile, profile_from_frame, read_profile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.csv"
    path.write_text(text)
    return path


def test_replicates_give_mean_sd_and_time_in_days(tmp_path: Path) -> None:
    path = _write(tmp_path, "# comment\ntime_h,a,b,c\n0,0,0,0\n12,10,12,14\n24,20,22,24\n")
    prof = read_profile(path)
    assert prof.t_days.tolist() == [0.0, 0.5, 1.0]
    assert prof.percent.tolist() == pytest.approx([0.0, 12.0, 22.0])
    assert prof.sd is not None and prof.sd.tolist() == pytest.approx([0.0, 2.0, 2.0])
    assert prof.n_replicates == 3 and prof.time_unit == "h"


@pytest.mark.parametrize(
    ("header", "unit", "factor"),
    [
        ("time_min", None, 1 / 1440),
        ("Time (h)", None, 1 / 24),
        ("time [d]", None, 1.0),
        ("time_w", None, 7.0),
        ("time", "hours", 1 / 24),
        ("t", "d", 1.0),
    ],
)
def test_time_units(header: str, unit: str | None, factor: float) -> None:
    prof = parse_profile(f"{header};pct\n0;0\n2;30\n", time_unit=unit)
    assert prof.t_days[1] == pytest.approx(2 * factor)


def test_mean_and_sd_columns_and_tabs() -> None:
    prof = parse_profile("time_d\tmean_pct\tsd\n0\t0\t0\n1\t40\t3\n2\t70\t2.5\n")
    assert prof.sd is not None and prof.sd.tolist() == [0.0, 3.0, 2.5]
    assert prof.n_replicates is None


def test_dataframe_input_matches_csv() -> None:
    df = pd.DataFrame({"time_h": [0, 12, 24], "pct": [0.0, 30.0, 50.0]})
    a = profile_from_frame(df)
    b = parse_profile("time_h,pct\n0,0\n12,30\n24,50\n")
    assert np.array_equal(a.t_days, b.t_days) and np.array_equal(a.percent, b.percent)


@pytest.mark.parametrize(
    ("text", "kwargs", "needle"),
    [
        ("", {}, "no header and no data"),
        ("time_h,pct\n", {}, "no data rows"),
        ("time_h,a,b\n0,0,0\n6,10,11\n12,2", {}, r"line 4: 2 fields, expected 3 .*truncated"),
        ("time_h,pct\n0,0\n6,ten\n", {}, r"line 3, column 'pct': 'ten' is not a number"),
        ("time_h,pct\n0,0\n6,\n", {}, "line 3, column 'pct': empty cell"),
        ("time_h,pct\n0,0\n6,nan\n", {}, "'nan' is not a number"),
        ("time_h,pct\n0,0\n6,1.5e999\n", {}, "not a number"),
        ("time_h,pct\n-1,0\n6,10\n", {}, r"line 2: time -1 is negative"),
        ("time_h,pct\n0,0\n6,10\n6,12\n", {}, r"line 4: time 6 does not come after 6"),
        ("time_h,pct\n0,0\n6,101\n", {}, r"line 3, column 'pct': 101 % released.*--allow-over-100"),
        ("time_h,pct\n0,0\n6,-3\n", {}, r"-3 % released"),
        ("time_h,pct\n0,0\n6,40\n12,30\n", {}, r"line 4: cumulative release falls from 40 %"),
        ("time_h,a,b\n0,0,0\n6,40,41\n12,30,31\n", {}, r"falls from 40.5 % \(line 3\)"),
        ("when,pct\n0,0\n", {}, "'when' is not a time column"),
        ("time,pct\n0,0\n", {}, "has no unit"),
        ("time_h,pct\n0,0\n", {"time_unit": "d"}, "header says time is in hours"),
        ("time,pct\n0,0\n", {"time_unit": "fortnights"}, "unknown time unit 'fortnights'"),
        ("time_h\n0\n1\n", {}, "single column"),
    ],
)
def test_garbage_gives_a_clear_error(text: str, kwargs: dict[str, str], needle: str) -> None:
    with pytest.raises(UserInputError, match=needle) as info:
        parse_profile(text, source="bad.csv", **kwargs)
    assert "bad.csv" in str(info.value)


def test_errors_name_the_file_and_over_100_can_be_allowed(tmp_path: Path) -> None:
    path = _write(tmp_path, "time_h,pct\n0,0\n6,50\n12,100.4\n")
    with pytest.raises(FileFormatError, match=rf"{path.name}, line 4"):
        read_profile(path)
    assert read_profile(path, allow_over_100=True).percent[-1] == 100.4
    with pytest.raises(UserInputError, match="cannot read"):
        read_profile(tmp_path / "missing.csv")
    (tmp_path / "bin.csv").write_bytes(b"time_h,pct\n0,\xff\n")
    with pytest.raises(FileFormatError, match="not UTF-8"):
        read_profile(tmp_path / "bin.csv")


def test_a_dip_within_replicate_noise_is_accepted() -> None:
    # Drop of 1 point with SDs of ~1.4 at both points: well within 2 combined SDs.
    prof = parse_profile("time_h,a,b\n0,0,0\n6,40,42\n12,39,41\n24,60,62\n")
    assert prof.percent.tolist() == [0.0, 41.0, 40.0, 61.0]


def test_shipped_examples_are_labelled_synthetic_and_fit() -> None:
    for name in ("release-ha-hydrogel.csv", "release-chitosan-fast.csv"):
        path = EXAMPLES / name
        assert "SYNTHETIC" in path.read_text().splitlines()[0]
        fit = fit_release(path)
        assert fit.best is not None and fit.get(fit.best).r2_adj > 0.99
    ha = read_profile(EXAMPLES / "release-ha-hydrogel.csv")
    assert ha.t_days[-1] == 14.0 and 85.0 < ha.percent[-1] < 95.0
    fast = read_profile(EXAMPLES / "release-chitosan-fast.csv")
    assert fast.t_days[-1] == pytest.approx(0.5) and fast.percent[-1] > 95.0


_CELL = st.one_of(
    st.floats(min_value=-5, max_value=120).map(str),
    st.integers(-3, 110).map(str),
    st.sampled_from(["", "x", "1e5", "nan", "inf", "-0", " 3 ", '"4"', "1,5"]),
)
_ROW = st.lists(_CELL, min_size=1, max_size=4).map(",".join)
_CSVISH = st.builds(
    lambda header, rows, junk: (header + "\n" + "\n".join(rows)).encode() + junk,
    st.sampled_from(["time_h,pct", "time_d,a,b", "time,pct", "time_min;x;sd", "foo,bar", ""]),
    st.lists(_ROW, max_size=8),
    st.binary(max_size=6),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(_CSVISH, st.binary(max_size=60)))
def test_arbitrary_csvish_bytes_give_a_result_or_a_clear_error(data: bytes) -> None:
    try:
        prof = parse_profile(data, source="fuzz.csv", time_unit=None)
    except UserInputError as exc:
        assert "fuzz.csv" in str(exc) or "time unit" in str(exc)
        return
    assert np.all(np.isfinite(prof.t_days)) and np.all(np.diff(prof.t_days) > 0)
    assert np.all((prof.percent >= 0) & (prof.percent <= 100))
    try:
        fit = fit_release(prof, models=["first_order", "weibull"], n_starts=3)
    except UserInputError as exc:
        assert "fuzz.csv" in str(exc)
        return
    for f in fit.fits:
        assert all(np.isfinite(v) for v in f.params.values())
        assert np.isfinite(f.aic)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(st.tuples(st.floats(0.01, 50.0), st.floats(0.0, 40.0)), min_size=1, max_size=10)
)
def test_any_valid_profile_fits_to_finite_numbers(steps: list[tuple[float, float]]) -> None:
    t = np.cumsum([dt for dt, _ in steps])
    y = np.minimum(np.cumsum([dy for _, dy in steps]), 100.0)
    text = "time_h,pct\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(t, y, strict=True))
    try:
        fit = fit_release(parse_profile(text, source="gen.csv"), n_starts=2)
    except UserInputError as exc:
        assert "gen.csv" in str(exc)
        return
    assert fit.best is not None or all(f.rank is None for f in fit.fits)
    for f in fit.fits:
        assert np.isfinite(f.aic) and all(np.isfinite(v) for v in f.params.values())
