"""Every real export parses, and our figures equal the ones the instrument wrote.

The instrument's own numbers are read here with the csv module / plain string handling, not
through exosci's parsers. Tolerances: half a unit in the last digit the instrument wrote.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from exosci.qc import EmptyRunError, read_nta

NANOSIGHT = "data/nta/nanosight"
ZETAVIEW = "data/nta/zetaview"
STATS = {
    "Mean": "mean_nm",
    "Mode": "mode_nm",
    "SD": "sd_nm",
    "D10": "d10_nm",
    "D50": "d50_nm",
    "D90": "d90_nm",
}


def _half_unit(written: str) -> float:
    """Half a unit in the last written digit of a number like '75.2' or '9.13e+08'."""
    mantissa, _, exp = written.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10 ** (-decimals) * 10 ** int(exp or 0) + 1e-9


def _nanosight_truth(path: Path) -> dict:
    rows = list(csv.reader(path.open(encoding="cp1252")))
    results = next(i for i, r in enumerate(rows) if r and r[0] == "[Results]")
    avg = rows[results].index("Average")
    conc = next(r for r in rows[results:] if r and r[0].startswith("Concentration (Particles"))
    size = next(i for i, r in enumerate(rows) if r and r[0] == "[Size Data]")
    truth = {"concentration_per_ml": conc[avg], "videos": {}}
    for r in rows[size : size + 12]:
        if r and r[0] in STATS:
            truth[STATS[r[0]]] = r[avg]
            truth["videos"][STATS[r[0]]] = r[1:avg]
    truth["video_concentration"] = conc[1:avg]
    return truth


def _nanosight_files(shared: Path) -> list[Path]:
    files = sorted((shared / NANOSIGHT).glob("*.csv"))
    assert len(files) == 3, files
    return files


def test_nanosight_sample_figures_equal_the_instrument_average_column(shared: Path) -> None:
    for path in _nanosight_files(shared):
        truth = _nanosight_truth(path)
        report = read_nta(path)
        assert report.format == "nanosight-nta3"
        for key in [*STATS.values(), "concentration_per_ml"]:
            written = truth[key]
            assert abs(getattr(report, key) - float(written)) <= _half_unit(written), (
                path.name,
                key,
                getattr(report, key),
                written,
            )
        assert len(report.bins.size_nm) == 1000
        assert report.bins.size_nm[1] - report.bins.size_nm[0] == pytest.approx(1.0)
        assert not any(w.startswith("computed") for w in report.warnings)


def test_nanosight_per_video_figures_equal_the_instrument(shared: Path) -> None:
    for path in _nanosight_files(shared):
        truth = _nanosight_truth(path)
        report = read_nta(path)
        assert len(report.runs) == len(truth["video_concentration"]) == 5
        for v, run in enumerate(report.runs):
            for key, written in truth["videos"].items():
                assert abs(getattr(run, key) - float(written[v])) <= _half_unit(written[v]), (
                    path.name,
                    v,
                    key,
                )
            written_c = truth["video_concentration"][v]
            assert abs(run.concentration_per_ml - float(written_c)) <= _half_unit(written_c)


def test_nanosight_without_recorded_dilution_says_so_and_accepts_one(shared: Path) -> None:
    path = _nanosight_files(shared)[0]
    plain = read_nta(path)
    assert plain.dilution is None and not plain.concentration_corrected_for_dilution
    assert "NOT dilution-corrected" in plain.concentration_basis
    diluted = read_nta(path, dilution=20)
    assert diluted.dilution == 20 and diluted.dilution_source == "caller"
    assert diluted.concentration_per_ml == pytest.approx(20 * plain.concentration_per_ml)
    assert sum(diluted.bins.concentration) == pytest.approx(diluted.concentration_per_ml)
    assert diluted.d50_nm == plain.d50_nm


def _zetaview_header(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="cp1252").splitlines():
        if line == "Size Distribution":
            break
        key, _, rest = line.partition(":")
        out[key] = rest.strip()
    return out


def _positions_mean(path: Path) -> dict[str, str]:
    lines = [ln.split("\t") for ln in path.read_text(encoding="cp1252").splitlines()]
    header = lines[0]
    mean = next(r for r in lines if len(r) > 1 and r[1] == "Mean")
    return dict(zip(header, mean, strict=False))


@pytest.mark.parametrize(
    "stem", ["20250219_0002_EV_ip_p1_F8-1000", "20250219_0007_EV_ip_p1_F7-5000"]
)
def test_zetaview_figures_equal_the_instrument(shared: Path, stem: str) -> None:
    path = shared / ZETAVIEW / f"{stem}_size_488.txt"
    header = _zetaview_header(path)
    report = read_nta(path)
    assert report.format == "zetaview-size"
    assert report.sample == header["Sample"]
    # dilution is the number after "Dilution::" inside the Number of Traces line
    traces_cells = header["Number of Traces"].split("\t")
    stated = float(traces_cells[traces_cells.index("Dilution::") + 1])
    assert report.dilution == stated and report.dilution_source == "file"
    median = header["Median Number (D50)"]
    assert abs(report.d50_nm - float(median)) <= _half_unit(median)
    assert report.bins.size_nm[1] - report.bins.size_nm[0] == pytest.approx(5.0)
    # Orig. Conc. of the position table is the dilution-corrected concentration (2 digits)
    pos = _positions_mean(shared / ZETAVIEW / f"{stem}_size_488_11pos.txt")
    written = pos["Orig. Conc. (p./cm^3)"]
    assert abs(report.concentration_per_ml - float(written)) <= _half_unit(written)
    assert len(report.positions) == 11
    assert sum(p["used"] for p in report.positions) >= 5


@pytest.mark.parametrize(
    "stem", ["20250219_0002_EV_ip_p1_F8-1000", "20250219_0007_EV_ip_p1_F7-5000"]
)
def test_zetaview_volume_median_by_the_same_rule(shared: Path, stem: str) -> None:
    """The bin-centres rule also reproduces the instrument's volume-weighted D50."""
    from exosci.qc.sizestats import percentile

    path = shared / ZETAVIEW / f"{stem}_size_488.txt"
    lines = path.read_text(encoding="cp1252").splitlines()
    start = lines.index("Size Distribution") + 2
    rows = []
    for line in lines[start:]:
        cells = [float(c) for c in line.split("\t")]
        if cells[0] == -1:
            break
        rows.append(cells)
    size = [r[0] for r in rows]
    volume = [r[3] for r in rows]
    written = _zetaview_header(path)["Median Volume (D50)"]
    assert percentile(size, volume, 0.5, rule="bin-centres") == pytest.approx(
        float(written), abs=0.01
    )


def test_zetaview_empty_run_is_a_specific_error_or_an_explicit_empty_report(shared: Path) -> None:
    path = shared / ZETAVIEW / "20250219_0001_EV_ip_p1_F8-1000_size_488.txt"
    with pytest.raises(EmptyRunError, match=r"line 32: the run recorded 0 particle traces"):
        read_nta(path)
    report = read_nta(path, on_empty="report")
    assert report.empty and report.concentration_per_ml is None and report.d50_nm is None
    assert report.bins.size_nm == []


def test_zetaview_position_table_reads_the_instrument_means(shared: Path) -> None:
    path = shared / ZETAVIEW / "20250219_0007_EV_ip_p1_F7-5000_size_488_11pos.txt"
    mean = _positions_mean(path)
    report = read_nta(path)
    assert report.format == "zetaview-positions"
    assert report.concentration_per_ml == float(mean["Orig. Conc. (p./cm^3)"])
    assert report.d50_nm == float(mean["X50 (nm)"])
    assert report.dilution == 5000 and report.dilution_source == "inferred"
    assert report.bins.size_nm == []


def test_every_real_file_parses(shared: Path) -> None:
    files = sorted((shared / "data/nta").rglob("*.*"))
    assert len(files) == 8
    for path in files:
        report = read_nta(path, on_empty="report")
        if report.concentration_per_ml is not None:
            assert math.isfinite(report.concentration_per_ml) and report.concentration_per_ml > 0


def test_conflicting_dilution_is_refused(shared: Path) -> None:
    from exosci.errors import UserInputError

    path = shared / ZETAVIEW / "20250219_0002_EV_ip_p1_F8-1000_size_488.txt"
    with pytest.raises(UserInputError, match="states dilution 1000"):
        read_nta(path, dilution=10)
    assert read_nta(path, dilution=1000).dilution == 1000
