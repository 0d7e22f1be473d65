"""Garbage in -> FileFormatError naming file and line, never a wrong number."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exosci.errors import FileFormatError, UserInputError
from exosci.qc import NTAReport, nta_formats, read_nta, read_nta_bytes

NS = "data/nta/nanosight/EMT3_d200_2021-04-07_16-01-58-ExperimentSummary.csv"
ZV = "data/nta/zetaview/20250219_0007_EV_ip_p1_F7-5000_size_488.txt"
KEYS = ("concentration_per_ml", "mean_nm", "mode_nm", "sd_nm", "d10_nm", "d50_nm", "d90_nm")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(FileFormatError, match=r"empty\.csv: the file is empty; expected"):
        read_nta(path)


def test_binary_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"NTA Experiment Summary File,\nabc\x00\x01def")
    with pytest.raises(FileFormatError, match=r"x\.csv, line 2: binary byte 0x00"):
        read_nta(path)


def test_unknown_instrument_lists_the_known_formats(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Size (nm),Count\n50,3\n")
    with pytest.raises(UserInputError, match=r"line 1: unknown instrument export") as exc:
        read_nta(path)
    for name in nta_formats():
        assert name in str(exc.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="no such file"):
        read_nta(tmp_path / "nope.csv")


def test_unknown_format_name(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="Known NTA formats: nanosight-nta3"):
        read_nta_bytes(b"x", format="dls")


def _cut(shared: Path, rel: str, marker: str, extra_lines: int) -> bytes:
    data = (shared / rel).read_bytes()
    lines = data.split(b"\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith(marker.encode()))
    return b"\n".join(lines[: at + extra_lines])


def test_nanosight_truncated_in_graph_data(shared: Path) -> None:
    data = _cut(shared, NS, "Bin centre (nm)", 400)
    with pytest.raises(FileFormatError, match=r"cut\.csv, line \d+: .*Percentile.*truncated"):
        read_nta_bytes(data, name="cut.csv")


def test_nanosight_truncated_before_size_data(shared: Path) -> None:
    data = _cut(shared, NS, "[Results]", 5)
    with pytest.raises(FileFormatError, match=r"line \d+: no \[Size Data\] section"):
        read_nta_bytes(data, name="cut.csv")


def test_nanosight_corrupt_number_names_its_line(shared: Path) -> None:
    lines = (shared / NS).read_bytes().split(b"\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith(b"60.5,"))
    lines[at] = b"60.5,12x,0,0,0,0,0,0,"
    with pytest.raises(FileFormatError, match=rf"line {at + 1}: Graph Data \(column 2\) is '12x'"):
        read_nta_bytes(b"\n".join(lines), name="bad.csv")


def test_zetaview_truncated_in_size_table(shared: Path) -> None:
    data = _cut(shared, ZV, "Size / nm", 300)
    with pytest.raises(FileFormatError, match=r"no '-1.000E\+0' end row.*truncated"):
        read_nta_bytes(data, name="cut.txt")


def test_zetaview_without_dilution(shared: Path) -> None:
    data = (shared / ZV).read_bytes().replace(b"Dilution::", b"Dil")
    with pytest.raises(FileFormatError, match=r"line 32: no 'Dilution::' value"):
        read_nta_bytes(data, name="nodil.txt")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_report_or_a_clear_error(data: bytes) -> None:
    try:
        report = read_nta_bytes(data, name="fuzz.bin")
    except UserInputError as exc:
        assert "fuzz.bin" in str(exc) or "format" in str(exc)
    else:
        assert isinstance(report, NTAReport)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "NTA Experiment Summary File,\n",
            "Original File:\tx\nZetaView S/N:\t1\n",
            "Use\tPosition\tMean Int.\n",
        ]
    ),
    st.text(max_size=500),
)
def test_recognised_heading_with_arbitrary_text(heading: str, body: str) -> None:
    try:
        read_nta_bytes((heading + body).encode("utf-8"), name="fuzz.txt")
    except UserInputError as exc:
        assert "fuzz.txt" in str(exc)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.floats(min_value=0.0, max_value=1.0), st.sampled_from([NS, ZV]))
def test_a_truncated_real_export_gives_the_full_numbers_or_an_error(
    shared: Path, fraction: float, rel: str
) -> None:
    data = (shared / rel).read_bytes()
    full = read_nta_bytes(data, name="full")
    cut = data[: int(len(data) * fraction)]
    try:
        part = read_nta_bytes(cut, name="cut")
    except FileFormatError as exc:
        assert "cut" in str(exc)
    else:
        for key in KEYS:
            assert getattr(part, key) == getattr(full, key), key
