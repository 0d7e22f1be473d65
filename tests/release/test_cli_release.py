"""`exosci release` through the CLI runner: JSON contract, files written, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from exosci.cli import app
from exosci.release import release_fraction

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HA = str(EXAMPLES / "release-ha-hydrogel.csv")
FAST = str(EXAMPLES / "release-chitosan-fast.csv")
runner = CliRunner()


def test_fit_json_has_the_design_shape(tmp_path: Path) -> None:
    plot, spec = tmp_path / "fit.png", tmp_path / "carrier.yaml"
    res = runner.invoke(
        app,
        [
            "release",
            "fit",
            HA,
            "--json",
            "--plot",
            str(plot),
            "--spec-block",
            str(spec),
            "--carrier-name",
            "HA hydrogel",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {"models", "best"} <= set(doc)
    for m in doc["models"]:
        assert {"name", "params", "r2_adj", "aic", "msc"} <= set(m)
    ranked = [m for m in doc["models"] if m["rank"] is not None]
    assert [m["aic"] for m in ranked] == sorted(m["aic"] for m in ranked)
    assert doc["best"] == ranked[0]["name"] == "weibull"  # the generating model of the example
    assert plot.read_bytes()[:4] == b"\x89PNG"
    block = yaml.safe_load(spec.read_text())["carrier"]
    assert block["name"] == "HA hydrogel" and block["release"]["time_unit"] == "day"
    f14 = release_fraction(block["release"]["model"], block["release"]["params"], [14.0])[0]
    assert 0.85 < f14 < 0.95


def test_compare_gives_f1_f2_or_a_time_point_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["release", "fit", HA, "--compare", FAST, "--json"])
    assert res.exit_code == 2 and "same time points" in res.output
    other = tmp_path / "other.csv"
    other.write_text(
        "time_d,pct\n"
        + "\n".join(
            line.split(",")[0] + "," + str(min(100.0, float(line.split(",")[1]) + 3))
            for line in Path(HA).read_text().splitlines()[5:]
        )
    )
    res = runner.invoke(
        app, ["release", "fit", HA, "--compare", str(other), "--json", "-m", "weibull"]
    )
    assert res.exit_code == 0, res.output
    sim = json.loads(res.stdout)["similarity"]
    assert sim["similar"] and sim["f2"] > 70


def test_human_output_and_models_list() -> None:
    res = runner.invoke(app, ["release", "fit", FAST])
    assert res.exit_code == 0 and "first_order" in res.stdout and "Korsmeyer" in res.stdout
    res = runner.invoke(app, ["release", "models", "--json"])
    assert res.exit_code == 0
    assert len(json.loads(res.stdout)["models"]) == 12


def test_bad_input_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("time_h,pct\n0,0\n6,50\n12,120\n")
    res = runner.invoke(app, ["release", "fit", str(bad)])
    assert res.exit_code == 2
    assert "bad.csv" in res.output and "line 4" in res.output
    assert runner.invoke(app, ["release", "fit", str(bad), "--allow-over-100"]).exit_code == 0
