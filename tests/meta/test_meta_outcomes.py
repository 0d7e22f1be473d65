"""The numeric outcome table: schema (SD vs SEM, scale ranges, n >= 1), the shipped curated rows,
the CSV template and the SyRF-style import, with errors by line and column."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from exosci.errors import FileFormatError
from exosci.meta import comparisons, read_outcomes, read_syrf, shipped_outcomes, template_path
from exosci.meta.outcomes import COLUMNS

VALIDATION_STUDIES = {"ye-2024", "nrr-2023", "mou-2025", "pep-abstract-484"}


def _write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})
    return path


def _arm(**kw):
    base = dict(row_id="r1", study_id="s1", kind="arm", species="rat", arm="vehicle",
                role="control", n="8", scale="BBB", day="28", mean="9.5", dispersion="1.2",
                dispersion_type="SD", citation="a study", quote="9.5 ± 1.2")  # fmt: skip
    base.update(kw)
    return base


def test_every_shipped_row_quotes_its_source_and_validation_papers_are_flagged():
    t = shipped_outcomes()
    assert (t["quote"].str.len() > 10).all() and t["citation"].notna().all()
    flagged = set(t.loc[t["validation_only"], "study_id"])
    assert flagged == VALIDATION_STUDIES
    # the calibration-target network meta-analysis is the only fit-able source today
    assert set(t.loc[~t["validation_only"], "study_id"]) == {"nma-cytotherapy-2024", "yi-wang-2021"}


def test_shipped_pooled_rows_reproduce_the_published_figures():
    t = shipped_outcomes().set_index("row_id")
    assert t.loc["nma2024-w4", ["estimate", "ci_low", "ci_high"]].tolist() == [4.54, 3.42, 5.66]
    assert t.loc["ye2024", "n_studies"] == 30


def test_comparisons_never_use_validation_rows_unless_asked():
    t = shipped_outcomes()
    fit_rows = comparisons(t)
    assert not fit_rows["validation_only"].any()
    assert set(fit_rows["study_id"]) == {"nma-cytotherapy-2024"}
    everything = comparisons(t, include_validation=True)
    assert {"ye-2024", "mou-2025"} <= set(everything["study_id"])


def test_arm_pairs_become_mean_differences_with_sem_converted(tmp_path):
    path = _write(tmp_path / "o.csv", [
        _arm(),
        _arm(row_id="r2", arm="BMSC-Exos", role="treated", comparator="vehicle", mean="12.5",
             dispersion="0.5", dispersion_type="SEM", n="9"),
    ])  # fmt: skip
    c = comparisons(read_outcomes(path))
    assert c["yi"].iloc[0] == pytest.approx(3.0)
    # SEM 0.5 with n 9 is SD 1.5: v = 1.5²/9 + 1.2²/8
    assert c["vi"].iloc[0] == pytest.approx(1.5**2 / 9 + 1.2**2 / 8)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mean": "23"}, r"line 2, column '\(row\)'.*outside the BBB range 0–21"),
        ({"scale": "BMS", "mean": "9.5"}, r"outside the BMS range 0–9"),
        ({"n": "0"}, r"line 2, column 'n'.*greater than or equal to 1"),
        ({"dispersion_type": "SE"}, r"column 'dispersion_type'.*'SD', 'SEM' or 'unclear'"),
        ({"role": "treated"}, r"needs its comparator"),
        ({"dose_amount": "100"}, r"dose_amount needs dose_unit"),
        ({"product": "BMSC exosomes"}, r"column 'product'.*should match pattern"),
    ],
)
def test_bad_rows_are_refused_by_line_and_column(tmp_path, change, message):
    path = _write(tmp_path / "bad.csv", [_arm(**change)])
    with pytest.raises(FileFormatError, match=message):
        read_outcomes(path)


def test_unknown_column_lists_the_template_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("row_id,studyid\nr1,s1\n")
    with pytest.raises(FileFormatError, match=r"unknown column 'studyid'.*row_id, study_id"):
        read_outcomes(path)


def test_template_is_the_schema_header_and_reads_empty():
    header = template_path().read_text().strip().split(",")
    assert header == COLUMNS
    assert read_outcomes(template_path()).empty


def _syrf(tmp_path, **override):
    rows = [
        dict(StudyId="lab-1", Species="Rat", CohortLabel="vehicle", CohortRole="Control",
             NumberOfAnimals="6", OutcomeLabel="bbb", TimeDays="28", Average="8", Error="1",
             ErrorType="sd", Route="intravenous"),
        dict(StudyId="lab-1", Species="Rat", CohortLabel="EV", CohortRole="Treated",
             ComparatorLabel="vehicle", NumberOfAnimals="6", OutcomeLabel="bbb", TimeDays="28",
             Average="11", Error="0.5", ErrorType="sem", Route="intravenous"),
    ]  # fmt: skip
    rows[1].update(override)
    frame = pd.DataFrame(rows)
    path = tmp_path / "syrf.csv"
    frame.to_csv(path, index=False)
    return path


def test_syrf_style_export_imports_and_pairs_arms(tmp_path):
    t = read_syrf(_syrf(tmp_path))
    assert list(t["dispersion_type"]) == ["SD", "SEM"] and list(t["scale"]) == ["BBB", "BBB"]
    c = comparisons(t)
    assert c["yi"].iloc[0] == pytest.approx(3.0)
    assert c["route"].iloc[0] == "intravenous"


def test_syrf_bad_row_is_reported_by_line(tmp_path):
    with pytest.raises(FileFormatError, match=r"line 3, column 'n'"):
        read_syrf(_syrf(tmp_path, NumberOfAnimals="-2"))
    bare = tmp_path / "bare.csv"
    bare.write_text("StudyId,Average\nx,1\n")
    with pytest.raises(FileFormatError, match=r"missing column\(s\) CohortLabel"):
        read_syrf(bare)
