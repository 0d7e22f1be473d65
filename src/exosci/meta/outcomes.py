"""The numeric outcome table: per-arm locomotor scores and pooled meta-analytic rows.

One row is either an **arm** (a group of animals at one time point: n, mean and SD or SEM on BBB
0–21 or BMS 0–9, with the therapy-spec design fields and SYRCLE risk-of-bias items) or a
**pooled** row (a published meta-analytic estimate with its CI and study count). Rows marked
``validation_only`` are validation targets: they are shipped for the validation suite and never
enter :func:`comparisons` unless asked, so no model fits them.

The shipped table is ``exosci/meta/data/outcomes.csv``; the blank template with the same header
is ``outcomes_template.csv`` (documented in docs/tutorials/meta.md).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from exosci.errors import FileFormatError
from exosci.meta.records import (
    COLUMNS,
    SCALE_MAX,
    OutcomeRow,
    effect_records,
    read_rows,
    shipped_rows,
    validate_records,
)
from exosci.meta.table import read_text_table

__all__ = ["COLUMNS", "SCALE_MAX", "OutcomeRow", "comparisons", "read_outcomes", "read_syrf",
           "shipped_outcomes", "template_path"]  # fmt: skip


def read_outcomes(path: str | Path) -> pd.DataFrame:
    """Read and validate an outcome table in the template's CSV format (one row per line)."""
    return _to_frame(read_rows(path))


def _to_frame(rows: list[OutcomeRow] | tuple[OutcomeRow, ...]) -> pd.DataFrame:
    return pd.DataFrame([r.model_dump() for r in rows], columns=COLUMNS)


def shipped_outcomes() -> pd.DataFrame:
    """The curated table shipped with exosci (every row quotes its source)."""
    return _to_frame(shipped_rows())


def template_path() -> Path:
    """Path of the blank CSV template (header only)."""
    return Path(str(resources.files("exosci.meta") / "data" / "outcomes_template.csv"))


# SyRF-style annotation export (long format, one row per cohort × outcome × time point).
SYRF_COLUMNS = {
    "StudyId": "study_id",
    "DOI": "doi",
    "Citation": "citation",
    "Species": "species",
    "Strain": "strain",
    "Sex": "sex",
    "ModelLabel": "injury_model",
    "InjuryLevel": "injury_level",
    "Severity": "injury_severity",
    "CohortLabel": "arm",
    "CohortRole": "role",
    "ComparatorLabel": "comparator",
    "NumberOfAnimals": "n",
    "OutcomeLabel": "scale",
    "TimeDays": "day",
    "Average": "mean",
    "Error": "dispersion",
    "ErrorType": "dispersion_type",
    "TreatmentLabel": "source",
    "ProductId": "product",
    "Route": "route",
    "Dose": "dose_amount",
    "DoseUnit": "dose_unit",
    "TimingHours": "timing_hours",
    "Randomised": "randomised",
    "Blinded": "blinded",
    "AllocationConcealed": "allocation_concealed",
    "Quote": "quote",
}
SYRF_REQUIRED = ("StudyId", "CohortLabel", "CohortRole", "NumberOfAnimals", "OutcomeLabel",
                 "Average", "Error", "ErrorType", "Species")  # fmt: skip


def read_syrf(path: str | Path) -> pd.DataFrame:
    """Import a SyRF-style annotation export (long format; columns in :data:`SYRF_COLUMNS`).

    SyRF's own export column names could not be confirmed from public documentation; this reads
    the long cohort × outcome × time shape its outcome-data export uses, with the column names
    listed in :data:`SYRF_COLUMNS` (docs/tutorials/meta.md). ``ErrorType`` accepts SD/SEM,
    ``CohortRole`` treated/control/sham, ``OutcomeLabel`` BBB/BMS (case-insensitive).
    """
    p = Path(path)
    if not p.is_file():
        raise FileFormatError(f"{p}: no such file.")
    frame = read_text_table(p, what=f"a SyRF-style header: {', '.join(SYRF_REQUIRED)}")
    missing = [c for c in SYRF_REQUIRED if c not in frame.columns]
    if missing:
        raise FileFormatError(
            f"{p}: not a SyRF-style export: missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(SYRF_COLUMNS)}."
        )
    unknown = [c for c in frame.columns if c not in SYRF_COLUMNS]
    frame = frame.drop(columns=unknown).rename(columns=SYRF_COLUMNS)
    for col, fix in (("scale", str.upper), ("dispersion_type", str.upper), ("role", str.lower),
                     ("species", str.lower), ("sex", str.lower)):  # fmt: skip
        if col in frame.columns:
            frame[col] = frame[col].map(lambda v, f=fix: f(v) if v else v)
    frame.insert(0, "kind", "arm")
    frame.insert(0, "row_id", [f"syrf-{i + 1}" for i in range(len(frame))])
    if "citation" not in frame.columns:
        frame["citation"] = frame["study_id"]
    if "quote" not in frame.columns:
        frame["quote"] = "SyRF annotation (no quote exported)"
    frame["quote"] = frame["quote"].replace("", "SyRF annotation (no quote exported)")
    return _to_frame(validate_records(frame.to_dict(orient="records"), str(p)))


def comparisons(
    table: pd.DataFrame,
    *,
    include_validation: bool = False,
    include_unclear: bool = False,
) -> pd.DataFrame:
    """Per-study treated-vs-comparator effects (MD on the scale) plus pooled rows, as ``yi, vi``.

    The DataFrame form of :func:`exosci.meta.records.effect_records` (same rules: validation-only
    and ``unclear``-dispersion rows left out unless asked, SEM → SD, pooled ``vi`` from the CI).
    """
    rows = validate_records(table.to_dict(orient="records"), "outcome table")
    out = effect_records(
        rows, include_validation=include_validation, include_unclear=include_unclear
    )
    frame = pd.DataFrame(out)
    frame.attrs["measure"] = "MD"
    return frame
