"""The description of a vesicle preparation checked by ``exosci qc check`` (YAML, validated)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, ValidationError, model_validator

from exosci.errors import UserInputError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Amount(_Strict):
    value: PositiveFloat
    unit: Literal["mL", "L", "uL", "cells", "mg", "g"]


class Source(_Strict):
    material: str = Field(min_length=1, description="e.g. conditioned medium, plasma, CSF, tissue")
    cell_source: str | None = None
    amount: Amount | None = None
    culture: str | None = None


class Separation(_Strict):
    method: list[str] = Field(min_length=1, description="one or more methods, in order")
    settings: dict[str, str | float | int] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _one_method(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("method"), str):
            return {**data, "method": [data["method"]]}
        return data


class Particles(_Strict):
    method: str = Field(min_length=1)
    per_ml: PositiveFloat | None = None
    total: PositiveFloat | None = None
    nta_file: Path | None = Field(
        default=None, description="an NTA export; fills per_ml when absent"
    )


class Protein(_Strict):
    method: str = Field(min_length=1)
    ug_per_ml: PositiveFloat | None = None
    total_ug: PositiveFloat | None = None


class Lipid(_Strict):
    method: str = Field(min_length=1)
    amount: PositiveFloat | None = None
    unit: str | None = None


class Markers(_Strict):
    method: str | None = Field(
        default=None, description="e.g. western blot, flow cytometry, proteomics"
    )
    detected: list[str] = Field(default_factory=list)
    not_detected: list[str] = Field(default_factory=list)
    other: list[str] = Field(default_factory=list, description="markers outside MISEV categories")
    antibodies_reported: bool = False


class Imaging(_Strict):
    method: str = Field(min_length=1)
    notes: str | None = None


class Storage(_Strict):
    temperature_c: float = Field(ge=-273.15, le=60)
    duration_days: float | None = Field(default=None, ge=0)
    buffer: str | None = None
    additives: list[str] = Field(default_factory=list)
    tube: Literal["standard", "low-binding", "bsa-blocked", "unknown"] = "unknown"
    freeze_thaw_cycles: int | None = Field(default=None, ge=0)


class Claims(_Strict):
    term: str = Field(
        default="EVs", description='what the paper calls them: "exosomes", "small EVs", "EVs"'
    )
    endosomal_origin_shown: bool = False
    engineered_or_loaded: bool = False


class Prep(_Strict):
    """One EV preparation as a paper or lab notebook would describe it."""

    name: str = Field(min_length=1)
    source: Source
    separation: Separation
    particles: Particles | None = None
    protein: Protein | None = None
    lipid: Lipid | None = None
    markers: Markers = Field(default_factory=lambda: Markers())
    imaging: list[Imaging] = Field(default_factory=list)
    storage: Storage | None = None
    claims: Claims = Field(default_factory=lambda: Claims())


def _field_errors(exc: ValidationError, where: str) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
        parts.append(f"{loc}: {err['msg']}{shown}")
    return f"{where}: invalid preparation: " + "; ".join(parts) + "."


def prep_from_dict(data: Any, *, where: str = "preparation") -> Prep:
    """Validate a mapping into a :class:`Prep`; errors name each bad field."""
    if not isinstance(data, dict):
        raise UserInputError(f"{where}: expected a mapping of fields (name, source, ...).")
    try:
        return Prep.model_validate(data)
    except ValidationError as exc:
        raise UserInputError(_field_errors(exc, where)) from None


def load_prep(path: str | Path) -> Prep:
    """Read a preparation YAML; relative ``particles.nta_file`` paths resolve next to it."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserInputError(f"{p}: no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"{p}: cannot be read as UTF-8 text ({exc}).") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UserInputError(f"{p}{line}: not valid YAML ({problem}).") from None
    prep = prep_from_dict(data, where=str(p))
    if prep.particles and prep.particles.nta_file and not prep.particles.nta_file.is_absolute():
        prep.particles.nta_file = p.parent / prep.particles.nta_file
    return prep
