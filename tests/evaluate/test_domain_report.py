"""The applicability domain reaches every face of an evaluation: HTML summary, CLI, JSON, flags."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from exosci.cli import app

pytestmark = pytest.mark.slow  # each test runs a (small) evaluation

FOUR_OUT = {
    "name": "four counts out",
    "injury": {"model": "compression", "level": "T10", "severity": "severe"},
    "exosome": {"source": "bone marrow MSC"},
    "route": "intranasal",
    "dose": {"amount": 50, "unit": "ug"},
    "timing": {"start_hours_post_injury": 168},
}
OUT = ["severity", "route", "dose", "timing"]


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("domain")
    spec = folder / "four.yaml"
    spec.write_text(yaml.safe_dump(FOUR_OUT), encoding="utf-8")
    out = folder / "report.html"
    res = CliRunner().invoke(
        app, ["evaluate", str(spec), "-o", str(out), "--samples", "20", "--seed", "1"]
    )
    assert res.exit_code == 0, res.output
    return res.stdout, out


def test_cli_prints_the_domain_table_with_each_feature_outside(
    cli_run: tuple[str, Path],
) -> None:
    text = " ".join(cli_run[0].split())
    assert "applicability domain" in text
    assert "Outside the calibrated domain on 4 counts" in text
    for label in ("injury severity", "route", "dose", "timing of the first dose"):
        assert re.search(rf"{label} .*? OUT", text), label
    assert "ignored by the model" in text  # compression is simulated as a contusion


def test_json_domain_block_lists_feature_value_status_range_and_note(
    cli_run: tuple[str, Path],
) -> None:
    doc = json.loads(cli_run[1].with_suffix(".json").read_text(encoding="utf-8"))
    block = doc["domain"]
    assert block["outside"] == OUT
    assert block["ignored"] == ["injury_model"]
    rows = {f["feature"]: f for f in block["features"]}
    assert {"feature", "value", "status", "calibrated", "note"} <= rows["route"].keys()
    assert rows["route"]["value"] == "intranasal" and rows["route"]["status"] == "out"
    assert rows["dose"]["calibrated"] == "100-200 ug protein"
    assert rows["species"]["status"] == "in"
    kinds = [f["kind"] for f in doc["prediction"]["flags"]]
    assert [k for k in kinds if k.startswith("outside_domain:")] == [
        f"outside_domain:{f}" for f in OUT
    ]


def test_report_summary_shows_the_domain_before_the_design_section(
    cli_run: tuple[str, Path],
) -> None:
    html = cli_run[1].read_text(encoding="utf-8")
    summary = html[html.index("<h2>Summary</h2>") : html.index("<h2>Design</h2>")]
    assert "Applicability domain." in summary
    assert "Outside the calibrated domain on 4 counts" in summary
    assert summary.count('class="status-out">outside') == 4
    assert 'class="status-ignored">ignored by the model' in summary
    # alternatives that take the design further out are marked
    assert "beyond the calibrated domain: carrier" in html


def test_ev_flags_and_the_one_line_repr_carry_the_domain() -> None:
    import exosci as ex

    ev = ex.evaluate(
        FOUR_OUT, samples=20, seed=1, alternative_samples=10, sensitivity_trajectories=0
    )
    kinds = [f["kind"] for f in ev.flags]
    assert [k for k in kinds if k.startswith("outside_domain:")] == [
        f"outside_domain:{f}" for f in OUT
    ]
    assert "ignored_by_model:injury_model" in kinds
    line = repr(ev)
    assert "\n" not in line and line.startswith("<Evaluation 'four counts out'")
    for f in OUT:
        assert f"outside_domain:{f}" in line
    assert ev.domain.loc["route", "status"] == "out"
    alts = ev.alternatives.set_index("change")
    gel = [c for c in alts.index if c.startswith("carrier:")]
    assert gel and all("carrier" in alts.loc[c, "beyond_domain"] for c in gel)


def test_transection_fibrin_gel_fgf21_and_mir21a_design_evaluates_with_domain_flags() -> None:
    """Issue 19's done-when: names the review never uses, evaluated, and said to be outside."""
    import exosci as ex

    spec = {
        "name": "open vocabulary",
        "injury": {"model": "transection", "level": "T10", "severity": "moderate"},
        "exosome": {"source": "bone marrow MSC", "cargo": ["FGF21", "miR-21a-5p"]},
        "carrier": "fibrin gel",
        "route": "local implantation",
        "dose": {"amount": 150, "unit": "ug"},
    }
    ev = ex.evaluate(spec, samples=20, seed=0, alternative_samples=10, sensitivity_trajectories=0)
    kinds = [f["kind"] for f in ev.flags]
    for feature in ("injury_model", "route", "carrier"):
        assert f"outside_domain:{feature}" in kinds
    assert "open_vocabulary" in kinds
    doc = ev.to_dict()
    opened = {o["given"]: o for o in doc["resolved"]["open_names"]}
    assert opened["fibrin gel"]["entity"] == "mat:hydrogel"
    assert opened["miR-21a-5p"]["entity"] == "mir:mir-21"
    assert "prior only" in opened["FGF21"]["note"]
    assert doc["domain"]["features"][1]["note"].startswith("ignored by the model")
    assert ev.gain["p05"] <= ev.gain["median"] <= ev.gain["p95"]
    assert "outside_domain:injury_model" in repr(ev)


def test_compare_cli_shows_each_designs_features_outside_the_domain(tmp_path: Path) -> None:
    four = tmp_path / "four.yaml"
    four.write_text(yaml.safe_dump(FOUR_OUT), encoding="utf-8")
    typical = Path(__file__).resolve().parents[2] / "examples" / "iv-bmsc-exos-rat.yaml"
    res = CliRunner().invoke(app, ["compare", str(four), str(typical), "--samples", "10"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "outside the calibrated domain" in text
    for feature in OUT:
        assert feature in text.split("designs compared")[1].split("A − B")[0]
