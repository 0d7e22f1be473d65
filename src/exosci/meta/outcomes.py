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
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from exosci.errors import FileFormatError
from exosci.meta.table import read_text_table

SCALE_MAX = {"BBB": 21.0, "BMS": 9.0}
YesNo = Literal["yes", "no", "not reported"]


class OutcomeRow(BaseModel):
    """One row of the numeric outcome table (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    row_id: str = Field(min_length=1)
    study_id: str = Field(min_length=1)
    kind: Literal["arm", "pooled"]
    species: Literal["rat", "mouse", "monkey", "human", "mixed"]
    strain: str | None = None
    sex: Literal["male", "female", "mixed", "not reported"] = "not reported"
    injury_model: str | None = None  # contusion, compression, transection, hemisection, crush...
    injury_level: str | None = None
    injury_severity: Literal["mild", "moderate", "severe", "not reported"] = "not reported"
    arm: str | None = None
    role: Literal["treated", "control", "sham"] | None = None
    comparator: str | None = None  # the control arm a treated arm is compared with
    n: int | None = Field(default=None, ge=1)
    scale: Literal["BBB", "BMS"]
    day: float | None = Field(default=None, ge=0)
    mean: float | None = None
    dispersion: float | None = Field(default=None, ge=0)
    dispersion_type: Literal["SD", "SEM", "unclear"] | None = None
    measure: Literal["MD", "WMD", "SMD"] | None = None  # pooled rows
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n_studies: int | None = Field(default=None, ge=1)
    source: str | None = None
    preconditioning: str | None = None
    engineering: str | None = None
    cargo: str | None = None
    carrier: str | None = None
    route: str | None = None
    dose_amount: float | None = Field(default=None, gt=0)
    dose_unit: Literal["ug", "particles"] | None = None
    timing_hours: float | None = Field(default=None, ge=0)
    doses: int | None = Field(default=None, ge=1)
    randomised: YesNo = "not reported"
    blinded: YesNo = "not reported"
    allocation_concealed: YesNo = "not reported"
    validation_only: bool = False
    doi: str | None = None
    citation: str = Field(min_length=1)
    quote: str = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> OutcomeRow:
        if self.kind == "arm":
            for name in ("arm", "role", "mean", "dispersion", "dispersion_type"):
                if getattr(self, name) is None:
                    raise ValueError(f"an arm row needs {name}")
            top = SCALE_MAX[self.scale]
            if not 0 <= float(self.mean or 0) <= top:
                raise ValueError(f"mean {self.mean} is outside the {self.scale} range 0–{top:g}")
            if self.role == "treated" and not self.comparator:
                raise ValueError("a treated arm needs its comparator (the control arm's label)")
        else:
            for name in ("measure", "estimate", "ci_low", "ci_high"):  # n_studies: where reported
                if getattr(self, name) is None:
                    raise ValueError(f"a pooled row needs {name}")
            if not float(self.ci_low) <= float(self.estimate) <= float(self.ci_high):  # type: ignore[arg-type]
                raise ValueError("a pooled row needs ci_low <= estimate <= ci_high")
        if self.dose_amount is not None and self.dose_unit is None:
            raise ValueError("dose_amount needs dose_unit (ug protein or particles)")
        return self


COLUMNS = list(OutcomeRow.model_fields)


def _rows_from_frame(frame: pd.DataFrame, name: str, first_line: int) -> list[OutcomeRow]:
    unknown = [c for c in frame.columns if c not in OutcomeRow.model_fields]
    if unknown:
        raise FileFormatError(
            f"{name}: unknown column {unknown[0]!r}; accepted columns: {', '.join(COLUMNS)}."
        )
    rows = []
    for i, record in enumerate(frame.to_dict(orient="records")):
        clean = {k: v for k, v in record.items() if not (v is None or v == "" or v != v)}
        try:
            rows.append(OutcomeRow.model_validate(clean))
        except ValidationError as exc:
            err = exc.errors()[0]
            col = ".".join(str(p) for p in err["loc"]) or "(row)"
            got = clean.get(col, "")
            raise FileFormatError(
                f"{name}, line {i + first_line}, column {col!r}: {err['msg']}"
                + (f" (got {got!r})" if got != "" else "")
                + f"; see the template columns: {', '.join(COLUMNS)}."
            ) from None
    return rows


def read_outcomes(path: str | Path) -> pd.DataFrame:
    """Read and validate an outcome table in the template's CSV format (one row per line)."""
    p = Path(path)
    if not p.is_file():
        raise FileFormatError(f"{p}: no such file.")
    frame = read_text_table(p, what="the template header")
    return _to_frame(_rows_from_frame(frame, str(p), 2))


def _to_frame(rows: list[OutcomeRow]) -> pd.DataFrame:
    frame = pd.DataFrame([r.model_dump() for r in rows], columns=COLUMNS)
    dup = frame["row_id"][frame["row_id"].duplicated()]
    if len(dup):
        raise FileFormatError(f"row_id {dup.iloc[0]!r} occurs twice; row ids must be unique.")
    return frame


def shipped_outcomes() -> pd.DataFrame:
    """The curated table shipped with exosci (every row quotes its source)."""
    ref = resources.files("exosci.meta") / "data" / "outcomes.csv"
    with resources.as_file(ref) as path:
        return read_outcomes(path)


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
    return _to_frame(_rows_from_frame(frame, str(p), 2))


def comparisons(
    table: pd.DataFrame,
    *,
    include_validation: bool = False,
    include_unclear: bool = False,
) -> pd.DataFrame:
    """Per-study treated-vs-comparator effects (MD on the scale) plus pooled rows, as ``yi, vi``.

    Arm pairs need n on both arms; SEMs become SDs (SD = SEM·√n); ``unclear`` dispersions are
    left out unless ``include_unclear`` (then read as SDs). Pooled rows give ``vi`` from their
    95 % CI, ((hi − lo)/(2·1.96))². Design fields come from the treated arm.
    """
    t = table if include_validation else table[~table["validation_only"].astype(bool)]
    out: list[dict[str, object]] = []
    design = ["species", "injury_model", "injury_severity", "source", "preconditioning",
              "engineering", "cargo", "carrier", "route", "dose_amount", "dose_unit",
              "timing_hours", "doses", "randomised", "blinded"]  # fmt: skip
    arms = t[t["kind"] == "arm"]
    for _, row in arms[arms["role"] == "treated"].iterrows():
        ctrl = arms[
            (arms["study_id"] == row["study_id"])
            & (arms["arm"] == row["comparator"])
            & (arms["day"] == row["day"])
            & (arms["scale"] == row["scale"])
        ]
        if len(ctrl) != 1 or pd.isna(row["n"]) or pd.isna(ctrl.iloc[0]["n"]):
            continue
        c = ctrl.iloc[0]
        if "unclear" in (row["dispersion_type"], c["dispersion_type"]) and not include_unclear:
            continue
        sd1 = _sd(row)
        sd2 = _sd(c)
        out.append(
            {
                "study": f"{row['study_id']} {row['arm']} d{row['day']:g}",
                "study_id": row["study_id"],
                "kind": "arm pair",
                "scale": row["scale"],
                "day": row["day"],
                "yi": float(row["mean"]) - float(c["mean"]),
                "vi": sd1**2 / float(row["n"]) + sd2**2 / float(c["n"]),
                "validation_only": bool(row["validation_only"]),
                **{k: row[k] for k in design},
            }
        )
    for _, row in t[t["kind"] == "pooled"].iterrows():
        if row["measure"] not in ("MD", "WMD"):
            continue
        se = (float(row["ci_high"]) - float(row["ci_low"])) / (2 * 1.959964)
        out.append(
            {
                "study": row["row_id"],
                "study_id": row["study_id"],
                "kind": "pooled",
                "scale": row["scale"],
                "day": row["day"],
                "yi": float(row["estimate"]),
                "vi": se**2,
                "validation_only": bool(row["validation_only"]),
                **{k: row[k] for k in design},
            }
        )
    frame = pd.DataFrame(out)
    frame.attrs["measure"] = "MD"
    return frame


def _sd(row: pd.Series) -> float:
    d = float(row["dispersion"])
    return d * float(np.sqrt(float(row["n"]))) if row["dispersion_type"] == "SEM" else d
