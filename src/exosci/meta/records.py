"""The numeric outcome table as plain records: schema, CSV reading and effects, without pandas.

This is the light path the model's effect layer can call on every evaluation (numpy and pydantic
only); :mod:`exosci.meta.outcomes` gives the same rows as DataFrames for notebooks and the CLI.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from exosci.errors import FileFormatError

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
    product: str | None = Field(default=None, pattern=r"^[a-z]+:[a-z0-9][a-z0-9.+-]*$")
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


#: Design fields an effect record carries over from its treated arm (or pooled row).
DESIGN_FIELDS = ("species", "injury_model", "injury_severity", "source", "product", "preconditioning",
                 "engineering", "cargo", "carrier", "route", "dose_amount", "dose_unit",
                 "timing_hours", "doses", "randomised", "blinded")  # fmt: skip
Z95 = 1.959964


def validate_records(
    records: Iterable[Mapping[Any, Any]], name: str, first_line: int = 2
) -> list[OutcomeRow]:
    """Validate raw rows (text or values); the first bad cell raises by line and column."""
    rows: list[OutcomeRow] = []
    seen: set[str] = set()
    for i, record in enumerate(records):
        unknown = [k for k in record if k not in OutcomeRow.model_fields]
        if unknown:
            raise FileFormatError(
                f"{name}: unknown column {unknown[0]!r}; accepted columns: {', '.join(COLUMNS)}."
            )
        clean = {k: v for k, v in record.items() if not _blank(v)}
        try:
            row = OutcomeRow.model_validate(clean)
        except ValidationError as exc:
            err = exc.errors()[0]
            col = ".".join(str(p) for p in err["loc"]) or "(row)"
            got = clean.get(col, "")
            raise FileFormatError(
                f"{name}, line {i + first_line}, column {col!r}: {err['msg']}"
                + (f" (got {got!r})" if got != "" else "")
                + f"; see the template columns: {', '.join(COLUMNS)}."
            ) from None
        if row.row_id in seen:
            raise FileFormatError(
                f"{name}, line {i + first_line}: row_id {row.row_id!r} occurs twice; row ids "
                "must be unique."
            )
        seen.add(row.row_id)
        rows.append(row)
    return rows


def _blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, float) and math.isnan(v))


def read_rows(path: str | Path) -> list[OutcomeRow]:
    """Read and validate an outcome table CSV (the template's header) without pandas."""
    p = Path(path)
    if not p.is_file():
        raise FileFormatError(f"{p}: no such file.")
    try:
        with p.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames:
                raise FileFormatError(f"{p}: the file is empty; expected the template header.")
            records = list(reader)
    except UnicodeDecodeError:
        raise FileFormatError(f"{p}: not UTF-8 text; save the table as UTF-8 CSV.") from None
    except csv.Error as exc:
        raise FileFormatError(f"{p}: not a readable CSV table ({exc}).") from None
    for i, rec in enumerate(records):
        if None in rec:  # more cells than header columns
            raise FileFormatError(
                f"{p}, line {i + 2}: more cells than the header has columns ({len(COLUMNS)})."
            )
    return validate_records(records, str(p))


@cache
def shipped_rows() -> tuple[OutcomeRow, ...]:
    """The curated table shipped with exosci (validated once per process)."""
    ref = resources.files("exosci.meta") / "data" / "outcomes.csv"
    with resources.as_file(ref) as path:
        return tuple(read_rows(path))


def _sd(row: OutcomeRow) -> float:
    d = float(row.dispersion or 0.0)
    return d * math.sqrt(float(row.n or 0)) if row.dispersion_type == "SEM" else d


def effect_records(
    rows: Iterable[OutcomeRow],
    *,
    include_validation: bool = False,
    include_unclear: bool = False,
) -> list[dict[str, Any]]:
    """Treated-vs-comparator mean differences (scale points) and MD/WMD pooled rows.

    Arm pairs need n on both arms; SEMs become SDs (SD = SEM·√n); ``unclear`` dispersions are
    left out unless ``include_unclear`` (then read as SDs). Pooled rows give ``vi`` from their
    95 % CI, ((hi − lo)/(2·1.96))². Design fields come from the treated arm. Validation-only
    rows are left out unless ``include_validation``.
    """
    use = [r for r in rows if include_validation or not r.validation_only]
    arms = {(r.study_id, r.arm, r.day, r.scale): r for r in use if r.kind == "arm"}
    out: list[dict[str, Any]] = []
    for r in use:
        if r.kind != "arm" or r.role != "treated":
            continue
        c = arms.get((r.study_id, r.comparator, r.day, r.scale))
        if c is None or r.n is None or c.n is None:
            continue
        if "unclear" in (r.dispersion_type, c.dispersion_type) and not include_unclear:
            continue
        out.append(
            _record(
                r,
                study=f"{r.study_id} {r.arm} d{r.day:g}" if r.day is not None else r.row_id,
                kind="arm pair",
                yi=float(r.mean or 0.0) - float(c.mean or 0.0),
                vi=_sd(r) ** 2 / r.n + _sd(c) ** 2 / c.n,
            )
        )
    for r in use:
        if r.kind != "pooled" or r.measure not in ("MD", "WMD"):
            continue
        se = (float(r.ci_high or 0.0) - float(r.ci_low or 0.0)) / (2 * Z95)
        out.append(_record(r, study=r.row_id, kind="pooled", yi=float(r.estimate or 0.0), vi=se**2))
    return out


def _record(r: OutcomeRow, **values: Any) -> dict[str, Any]:
    rec = {"study_id": r.study_id, "scale": r.scale, "day": r.day, **values}
    rec["validation_only"] = r.validation_only
    rec.update({k: getattr(r, k) for k in DESIGN_FIELDS})
    return rec
