"""The description of a vesicle preparation checked by ``exosci qc check`` (YAML, validated)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    StrictBool,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from exosci.errors import UserInputError
from exosci.limits import (
    MAX_LIST_ITEMS,
    MAX_NAME_CHARS,
    MAX_SPEC_BYTES,
    MAX_TEXT_CHARS,
    MAX_YAML_ALIASES,
    UPLOAD_BYTES_CEILING,
    read_capped,
    short,
)
from exosci.yamlsafe import load_yaml

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]
OptName = Annotated[str, Field(max_length=MAX_NAME_CHARS)]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
Names = Annotated[list[Name], Field(max_length=MAX_LIST_ITEMS)]


_NAME_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_NAME_CHARS}
_ONE_OR_MORE_NAMES = {
    "anyOf": [
        _NAME_SCHEMA,
        {"type": "array", "items": _NAME_SCHEMA, "minItems": 1, "maxItems": MAX_LIST_ITEMS},
    ]
}


class _Strict(BaseModel):
    # Strict types: a number is a number, a boolean a boolean ("1", 0 are refused). YAML read
    # by exosci resolves 2.4e11 as a float; plain PyYAML needs 2.4e+11 (YAML 1.1).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class Amount(_Strict):
    value: PositiveFloat
    unit: Literal["mL", "L", "uL", "cells", "mg", "g"]


class Source(_Strict):
    material: Name = Field(description="e.g. conditioned medium, plasma, CSF, tissue")
    cell_source: OptName | None = None
    amount: Amount | None = None
    culture: Text | None = None


class Separation(_Strict):
    method: Annotated[
        list[Name],
        Field(min_length=1, max_length=MAX_LIST_ITEMS),
        WithJsonSchema(_ONE_OR_MORE_NAMES),  # a single name is accepted too (see below)
    ] = Field(description="one or more methods, in order")
    settings: Annotated[dict[OptName, Text | float | int], Field(max_length=MAX_LIST_ITEMS)] = (
        Field(default_factory=dict)
    )

    @model_validator(mode="before")
    @classmethod
    def _one_method(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("method"), str):
            return {**data, "method": [data["method"]]}
        return data


class _ParticlesBase(_Strict):
    method: Name
    per_ml: PositiveFloat | None = None
    total: PositiveFloat | None = None


class Particles(_ParticlesBase):
    nta_file: Path | None = Field(
        default=None,
        strict=False,  # the YAML string becomes a Path
        description="an NTA export next to the YAML; fills per_ml when absent",
    )


class NTAUpload(_Strict):
    """An NTA export sent with the request (the API never opens a server path)."""

    filename: Name = Field(description="the export's file name, for messages and format hints")
    content: str = Field(
        min_length=1,
        # base64 of the largest upload: the decoded bytes get the raw upload's cap (check_upload)
        max_length=4 * -(-UPLOAD_BYTES_CEILING // 3),
        description="the export's text (or base64 of its bytes with encoding=base64); at most "
        f"{UPLOAD_BYTES_CEILING} bytes once decoded, the cap of a raw upload",
    )
    encoding: Literal["text", "base64"] = "text"

    def data(self) -> bytes:
        """The export's bytes."""
        if self.encoding == "text":
            return self.content.encode("utf-8")
        try:
            return base64.b64decode(self.content, validate=True)
        except (binascii.Error, ValueError):
            raise UserInputError(
                "particles.nta_export.content: not valid base64 (encoding=base64)."
            ) from None


class UploadedParticles(_ParticlesBase):
    nta_export: NTAUpload | None = Field(
        default=None, description="an NTA export sent inline; fills per_ml when absent"
    )


class Protein(_Strict):
    method: Name
    ug_per_ml: PositiveFloat | None = None
    total_ug: PositiveFloat | None = None


class Lipid(_Strict):
    method: Name
    amount: PositiveFloat | None = None
    unit: OptName | None = None


class Markers(_Strict):
    method: OptName | None = Field(
        default=None, description="e.g. western blot, flow cytometry, proteomics"
    )
    detected: Names = Field(default_factory=list)
    not_detected: Names = Field(default_factory=list)
    other: Names = Field(default_factory=list, description="markers outside MISEV categories")
    antibodies_reported: StrictBool = False


class Imaging(_Strict):
    method: Name
    notes: Text | None = None


class Storage(_Strict):
    temperature_c: float = Field(ge=-273.15, le=60)
    duration_days: float | None = Field(default=None, ge=0, le=365 * 100)
    buffer: OptName | None = None
    additives: Names = Field(default_factory=list)
    tube: Literal["standard", "low-binding", "bsa-blocked", "unknown"] = "unknown"
    freeze_thaw_cycles: int | None = Field(default=None, ge=0, le=1000)


class Claims(_Strict):
    term: OptName = Field(
        default="EVs", description='what the paper calls them: "exosomes", "small EVs", "EVs"'
    )
    endosomal_origin_shown: StrictBool = False
    engineered_or_loaded: StrictBool = False


class _PrepBase(_Strict):
    name: Name
    source: Source
    separation: Separation
    protein: Protein | None = None
    lipid: Lipid | None = None
    markers: Markers = Field(default_factory=lambda: Markers())
    imaging: Annotated[list[Imaging], Field(max_length=MAX_LIST_ITEMS)] = Field(
        default_factory=list
    )
    storage: Storage | None = None
    claims: Claims = Field(default_factory=lambda: Claims())


class Prep(_PrepBase):
    """One EV preparation as a paper or lab notebook would describe it."""

    particles: Particles | None = None


class PrepUpload(_PrepBase):
    """A preparation sent to the API: an NTA export travels inline, never as a server path."""

    particles: UploadedParticles | None = None

    def split(self) -> tuple[Prep, NTAUpload | None]:
        """The :class:`Prep` to check and the uploaded export, if any."""
        data = self.model_dump(exclude={"particles": {"nta_export"}})
        upload = self.particles.nta_export if self.particles else None
        return Prep.model_validate(data), upload


def _field_errors(exc: ValidationError, where: str) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) or got is None else f" (got {short(got)})"
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
    raw = read_capped(p, what="preparation YAML", cap=MAX_SPEC_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserInputError(
            f"{p}: not UTF-8 text (bad byte at offset {exc.start}); expected a preparation YAML."
        ) from None
    data = load_yaml(text, where=str(p), max_aliases=MAX_YAML_ALIASES)
    prep = prep_from_dict(data, where=str(p))
    if prep.particles and prep.particles.nta_file and not prep.particles.nta_file.is_absolute():
        prep.particles.nta_file = p.parent / prep.particles.nta_file
    return prep
