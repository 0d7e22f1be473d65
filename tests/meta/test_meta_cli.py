"""`exosci meta`: the JSON contract, subgroup blocks, plots, and bad input as exit 2 with line/column."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.errors import FileFormatError
from exosci.meta import analyze, read_effects

runner = CliRunner()


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, ["meta", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_meta_json_gives_the_contract_keys_for_bcg_counts(bcg_csv):
    doc = _json([str(bcg_csv)])
    for key in ("k", "estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q"):
        assert key in doc
    assert doc["measure"] == "RR" and doc["k"] == 13
    assert doc["estimate"] == pytest.approx(-0.7145, abs=1e-4)


def test_meta_by_covariate_gives_one_block_per_subgroup(bcg_csv):
    doc = _json([str(bcg_csv), "--by", "alloc", "--method", "DL"])
    assert set(doc["subgroups"]) == {"alternate", "random", "systematic"}
    assert sum(g["k"] for g in doc["subgroups"].values()) == 13
    for block in doc["subgroups"].values():
        assert {"k", "estimate", "ci_low", "ci_high", "tau2", "i2", "q"} <= set(block)
    assert "pval" in doc["test_for_subgroup_differences"]


def test_meta_mods_reports_the_latitude_gradient(bcg_csv):
    doc = _json([str(bcg_csv), "--mods", "ablat", "--knha"])
    coef = {c["term"]: c for c in doc["meta_regression"]["coefficients"]}
    assert coef["ablat"]["estimate"] == pytest.approx(-0.0291, abs=1e-4)


def test_meta_writes_forest_and_funnel_pngs(bcg_csv, tmp_path):
    forest, funnel = tmp_path / "forest.png", tmp_path / "funnel.png"
    doc = _json([str(bcg_csv), "--plot", str(forest), "--funnel", str(funnel)])
    for path in (forest, funnel):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert doc["plot"] == str(forest)


def test_meta_two_arm_summaries_with_sem_flag_convert_to_sd(tmp_path):
    rows = pd.DataFrame(
        {
            "study": ["a", "b", "c"],
            "n1": [8, 10, 6],
            "mean1": [12.0, 10.5, 14.0],
            "sd1": [0.5, 0.6, 0.8],
            "n2": [8, 10, 6],
            "mean2": [9.0, 8.0, 10.0],
            "sd2": [0.6, 0.5, 0.7],
        }
    )
    path = tmp_path / "arms.csv"
    rows.to_csv(path, index=False)
    as_sd = analyze(path, measure="MD")
    as_sem = analyze(path, measure="MD", sem=True)
    # SEM → SD multiplies each SD by √n, so each study's variance by n (here n1 = n2)
    assert as_sem.table["vi"].to_numpy() == pytest.approx(as_sd.table["vi"].to_numpy() * [8, 10, 6])
    assert as_sem.to_dict()["sd_from_sem"] is True


def test_bad_cell_is_reported_by_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("study,yi,vi\na,0.5,0.1\nb,oops,0.2\n")
    with pytest.raises(FileFormatError, match=r"line 3, column 'yi'.*'oops'"):
        read_effects(path)
    result = runner.invoke(app, ["meta", str(path)])
    assert result.exit_code == 2
    assert "line 3" in result.output and "Traceback" not in result.output


def test_nonpositive_variance_and_fractional_group_size_are_refused(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("study,yi,vi\na,0.5,0.1\nb,0.4,0\n")
    with pytest.raises(FileFormatError, match=r"line 3, column 'vi'.*> 0"):
        read_effects(path)
    arms = tmp_path / "arms.csv"
    arms.write_text("study,n1,mean1,sd1,n2,mean2,sd2\na,7.5,1,1,8,1,1\n")
    with pytest.raises(FileFormatError, match=r"line 2, column 'n1'.*whole number >= 1"):
        read_effects(arms)


def test_unknown_shape_names_the_closest_and_what_is_accepted(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("study,n1,mean1,sd1,n2,mean2\na,5,1,1,5,1\n")
    with pytest.raises(FileFormatError, match=r"closest is 'arms', missing sd2. Accepted"):
        read_effects(path)


def test_measure_that_does_not_fit_the_table_is_exit_2(bcg_csv):
    result = runner.invoke(app, ["meta", str(bcg_csv), "--measure", "SMD"])
    assert result.exit_code == 2
    assert "accepted: RR, OR" in result.output


def test_unknown_moderator_lists_the_columns(bcg_csv):
    result = runner.invoke(app, ["meta", str(bcg_csv), "--mods", "latitude"])
    assert result.exit_code == 2
    assert "ablat" in result.output


def test_meta_outcomes_pools_the_shipped_table_without_validation_rows():
    doc = _json(["--outcomes"])
    assert doc["k"] == 4 and doc["measure"] == "MD"
    assert all(s["study"].startswith("nma2024") for s in doc["studies"])
    with_val = _json(["--outcomes", "--include-validation"])
    assert with_val["k"] > doc["k"]


def test_meta_syrf_export_runs_and_bad_scale_is_exit_2(tmp_path):
    path = tmp_path / "syrf.csv"
    pd.DataFrame(
        [
            {"StudyId": f"lab-{i}", "Species": "rat", "CohortLabel": lab, "CohortRole": role,
             "ComparatorLabel": "vehicle" if role == "treated" else "", "NumberOfAnimals": 6,
             "OutcomeLabel": "BBB", "TimeDays": 28, "Average": mean + i, "Error": 1.0,
             "ErrorType": "SD"}
            for i in range(3)
            for lab, role, mean in (("vehicle", "control", 8.0), ("EV", "treated", 11.0))
        ]
    ).to_csv(path, index=False)  # fmt: skip
    doc = _json([str(path), "--syrf"])
    assert doc["k"] == 3 and doc["estimate"] == pytest.approx(3.0)
    assert runner.invoke(app, ["meta", str(path), "--syrf", "--scale", "BMS"]).exit_code == 2
    assert runner.invoke(app, ["meta"]).exit_code == 2


def test_validate_loso_reports_honestly_on_the_shipped_table():
    result = runner.invoke(app, ["validate", "--loso", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["coverage"] is None and "needs >= 3 studies" in doc["note"]


def test_rows_of_one_study_are_flagged_when_pooled_as_independent():
    doc = _json(["--outcomes"])
    assert any("4 rows come from 1 studies" in n for n in doc["notes"])
    human = runner.invoke(app, ["meta", "--outcomes"])
    assert human.exit_code == 0 and "nma2024-w4" in human.output
