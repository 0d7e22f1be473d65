"""The therapy spec (DESIGN.md, "Therapy spec"): a pydantic model read from YAML or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from exosci.errors import FileFormatError, UserInputError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Injury(_Strict):
    """Injury model; the lesion model is calibrated on thoracic contusion/compression."""

    model: Literal["contusion", "compression"] = "contusion"
    level: str = "T10"
    severity: Literal["mild", "moderate", "severe"] = "moderate"


class ExosomeSpec(_Strict):
    """The vesicles: a cell source or product, and what was done to or loaded into them."""

    source: str
    preconditioning: list[str] = []
    engineering: list[str] = []
    cargo: list[str] = []
    co_therapies: list[str] = []


class ReleaseSpec(_Strict):
    """A fitted release curve (``exosci release fit``) overriding the carrier's default."""

    model: str
    params: dict[str, float]
    time_unit: Literal["day", "days", "d", "hour", "hours", "h"] = "day"


class CarrierSpec(_Strict):
    name: str
    release: ReleaseSpec | None = None


class Dose(_Strict):
    amount: float = Field(ge=0)
    unit: Literal["ug", "mg", "particles"] = "ug"


class Timing(_Strict):
    start_hours_post_injury: float = Field(default=1.0, ge=0, le=24 * 60)
    doses: int = Field(default=1, ge=1, le=60)
    interval_days: float = Field(default=0.0, ge=0)


class TherapySpec(_Strict):
    """One therapy design, validated field by field (names are checked against the graph later)."""

    name: str = "unnamed therapy"
    species: str = "rat"
    injury: Injury = Injury()
    exosome: ExosomeSpec | None = None
    carrier: str | CarrierSpec | None = None
    route: str = "intravenous"
    dose: Dose = Dose(amount=0.0)
    timing: Timing = Timing()
    horizon_days: int = Field(default=42, ge=1, le=365)

    @field_validator("carrier", mode="before")
    @classmethod
    def _none_carrier(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().lower() in {"", "none", "no", "null", "-"}:
            return None
        return v

    @property
    def carrier_name(self) -> str | None:
        return self.carrier.name if isinstance(self.carrier, CarrierSpec) else self.carrier


_ACCEPTED = {
    "species": "rat or mouse (human/monkey are refused: see the message)",
    "injury.model": "contusion or compression",
    "injury.severity": "mild, moderate or severe",
    "dose.amount": "a number >= 0",
    "dose.unit": "ug, mg or particles",
    "timing.start_hours_post_injury": "hours >= 0",
    "timing.doses": "an integer 1-60",
    "timing.interval_days": "days >= 0",
    "horizon_days": "an integer 1-365 (days)",
}


def _format(exc: ValidationError, where: str) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(x) for x in err["loc"]) or "(spec)"
        accepted = _ACCEPTED.get(field)
        value = err.get("input")
        msg = f"field `{field}`: {err['msg']} (got {value!r})"
        if accepted:
            msg += f"; accepted: {accepted}"
        parts.append(msg)
    return f"{where}: invalid therapy spec: " + "; ".join(parts) + "."


def parse_spec(data: Any, *, where: str = "spec") -> TherapySpec:
    """Validate a mapping as a :class:`TherapySpec`; errors name field, value and what is accepted."""
    if not isinstance(data, dict):
        raise FileFormatError(
            f"{where}: a therapy spec must be a mapping, got {type(data).__name__}."
        )
    try:
        return TherapySpec.model_validate(data)
    except ValidationError as exc:
        raise UserInputError(_format(exc, where)) from None


def load_spec(path: str | Path) -> TherapySpec:
    """Read a therapy spec from a YAML or JSON file."""
    p = Path(path)
    if not p.is_file():
        raise UserInputError(f"{p}: no such spec file.")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"{p}: not UTF-8 text (bad byte at offset {exc.start}); expected a YAML or JSON "
            "therapy spec."
        ) from None
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FileFormatError(f"{p}: not valid YAML/JSON ({exc}).") from None
    return parse_spec(data, where=str(p))
