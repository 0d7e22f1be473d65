"""`exosci qc` through the CLI runner: JSON contract, table, plot, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from exosci.cli import app

runner = CliRunner()
DESIGN_KEYS = {
    "format",
    "sample",
    "dilution",
    "concentration_per_ml",
    "mean_nm",
    "mode_nm",
    "d10_nm",
    "d50_nm",
    "d90_nm",
    "fraction_in_30_150_nm",
    "bins",
}


def _nanosight(shared: Path) -> list[Path]:
    return sorted((shared / "data/nta/nanosight").glob("*.csv"))


def test_nta_json_one_file_is_the_design_shape(shared: Path) -> None:
    result = runner.invoke(app, ["qc", "nta", str(_nanosight(shared)[0]), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) >= DESIGN_KEYS
    assert set(doc["bins"]) >= {"size_nm", "concentration"}
    assert len(doc["bins"]["size_nm"]) == len(doc["bins"]["concentration"]) == 1000


def test_nta_json_several_files_and_plot(shared: Path, tmp_path: Path) -> None:
    files = [
        *_nanosight(shared),
        shared / "data/nta/zetaview/20250219_0002_EV_ip_p1_F8-1000_size_488.txt",
    ]
    png = tmp_path / "overlay.png"
    result = runner.invoke(app, ["qc", "nta", *map(str, files), "--json", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [s["format"] for s in doc["samples"]] == ["nanosight-nta3"] * 3 + ["zetaview-size"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nta_table_output(shared: Path) -> None:
    result = runner.invoke(app, ["qc", "nta", str(_nanosight(shared)[2])])
    assert result.exit_code == 0, result.output
    assert "NTA summary" in result.stdout and "NOT dilution-corrected" in result.stdout


def test_nta_empty_run_exit_2_then_allowed(shared: Path) -> None:
    empty = shared / "data/nta/zetaview/20250219_0001_EV_ip_p1_F8-1000_size_488.txt"
    result = runner.invoke(app, ["qc", "nta", str(empty)])
    assert result.exit_code == 2
    result = runner.invoke(app, ["qc", "nta", str(empty), "--allow-empty", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["empty"] is True


def test_nta_garbage_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("hello,world\n")
    result = runner.invoke(app, ["qc", "nta", str(bad)])
    assert result.exit_code == 2
    assert "unknown instrument" in result.stderr


def test_formats_lists_the_registry() -> None:
    result = runner.invoke(app, ["qc", "formats", "--json"])
    assert result.exit_code == 0
    names = {f["name"] for f in json.loads(result.stdout)["formats"]}
    assert names == {"nanosight-nta3", "zetaview-size", "zetaview-positions"}


def test_nta_batch_flags_empty_and_unreadable_files_and_reports_the_rest(
    shared: Path, tmp_path: Path
) -> None:
    zv = shared / "data/nta/zetaview"
    empty = zv / "20250219_0001_EV_ip_p1_F8-1000_size_488.txt"
    good = zv / "20250219_0002_EV_ip_p1_F8-1000_size_488.txt"
    bad = tmp_path / "bad.csv"
    bad.write_text("hello,world\n")
    result = runner.invoke(app, ["qc", "nta", str(empty), str(bad), str(good), "--json"])
    assert result.exit_code == 2  # a script notices the flagged files ...
    doc = json.loads(result.stdout)  # ... and still gets the readable one
    assert [s["format"] for s in doc["samples"]] == ["zetaview-size"]
    assert doc["samples"][0]["concentration_per_ml"] > 0
    problems = {Path(x["file"]).name: x["problem"] for x in doc["flagged"]}
    assert "empty run" in problems[empty.name]
    assert "unknown instrument" in problems["bad.csv"]
    table = runner.invoke(app, ["qc", "nta", str(empty), str(good)])
    assert table.exit_code == 2 and "NTA summary" in table.stdout
    assert "flagged" in table.stderr
