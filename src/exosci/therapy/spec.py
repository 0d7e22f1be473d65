"""The therapy spec (README, "The therapy spec"): a pydantic model read from YAML or JSON."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from exosci.errors import FileFormatError, UserInputError
from exosci.limits import (
    DOSE_CEILING,
    MAX_LIST_ITEMS,
    MAX_NAME_CHARS,
    MAX_SPEC_BYTES,
    MAX_YAML_ALIASES,
    read_capped,
    short,
)
from exosci.vocabulary import INJURY_MODELS, InjuryModel
from exosci.yamlsafe import load_document


def _raw_length(v: Any) -> Any:
    """The published schema's maxLength counts the text as sent, spaces included (stripping
    happens after; without this check a name one character over the limit plus a space passed)."""
    if isinstance(v, str) and len(v) > MAX_NAME_CHARS:
        raise ValueError(
            f"at most {MAX_NAME_CHARS} characters, surrounding spaces included (got {len(v)})"
        )
    return v


Name = Annotated[str, BeforeValidator(_raw_length), Field(max_length=MAX_NAME_CHARS)]
Names = Annotated[list[Name], Field(max_length=MAX_LIST_ITEMS)]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, allow_inf_nan=False, strict=True
    )


class Injury(_Strict):
    """Injury model, level and severity.

    The lesion model is calibrated on moderate thoracic (T9-T10) contusion/compression and reads
    only the severity: every injury model and level is accepted, simulated as a contusion, and
    shown against the calibrated domain (:mod:`exosci.therapy.domain`).
    """

    model: InjuryModel = "contusion"
    level: Name = "T10"
    severity: Literal["mild", "moderate", "severe"] = "moderate"


class ExosomeSpec(_Strict):
    """The vesicles: a cell source or product, and what was done to or loaded into them."""

    source: Name
    preconditioning: Names = []
    engineering: Names = []
    cargo: Names = []
    co_therapies: Names = []


class ReleaseSpec(_Strict):
    """A fitted release curve (``exosci release fit``) overriding the carrier's default."""

    model: Name
    params: Annotated[dict[Name, float], Field(max_length=MAX_LIST_ITEMS)]
    time_unit: Literal["day", "days", "d", "hour", "hours", "h"] = "day"


class CarrierSpec(_Strict):
    name: Name
    release: ReleaseSpec | None = None


class Dose(_Strict):
    amount: float = Field(ge=0, le=max(DOSE_CEILING.values()))
    unit: Literal["ug", "mg", "particles"] = "ug"

    @model_validator(mode="after")
    def _plausible(self) -> Dose:
        ceiling = DOSE_CEILING[self.unit]
        if self.amount > ceiling:
            raise ValueError(
                f"a dose of {self.amount:g} {self.unit} is above the plausible ceiling of "
                f"{ceiling:g} {self.unit} (rodent SCI doses are 10-400 ug protein)"
            )
        return self


class Timing(_Strict):
    start_hours_post_injury: float = Field(default=1.0, ge=0, le=24 * 60)
    doses: int = Field(default=1, ge=1, le=60)
    interval_days: float = Field(default=0.0, ge=0, le=365)


class TherapySpec(_Strict):
    """One therapy design, validated field by field.

    Names are resolved later (:func:`exosci.therapy.resolve_spec`) against the knowledge graph
    and, for names it lacks, the open vocabulary of :mod:`exosci.therapy.open_names` (miRBase
    miRNAs, HGNC/RGD genes, biomaterial classes, vesicles by origin, ``novel: NAME``).
    """

    name: Name = "unnamed therapy"
    species: Name = "rat"
    injury: Injury = Injury()
    exosome: ExosomeSpec | None = None
    carrier: Name | CarrierSpec | None = None
    route: Name = "intravenous"
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
    "injury.model": ", ".join(INJURY_MODELS[:-1]) + " or " + INJURY_MODELS[-1],
    "injury.severity": "mild, moderate or severe",
    "dose": "ug up to 1e5, mg up to 100, particles up to 1e14",
    "dose.amount": "a finite number >= 0 (ug up to 1e5, mg up to 100, particles up to 1e14)",
    "dose.unit": "ug, mg or particles",
    "timing.start_hours_post_injury": "hours >= 0",
    "timing.doses": "an integer 1-60",
    "timing.interval_days": "days 0-365",
    "horizon_days": "an integer 1-365 (days)",
}


def _format(exc: ValidationError, where: str) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(x) for x in err["loc"]) or "(spec)"
        accepted = _ACCEPTED.get(field)
        value = err.get("input")
        got = "" if isinstance(value, dict | list) else f" (got {short(value)})"
        msg = f"field `{field}`: {err['msg']}{got}"
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
    raw = read_capped(p, what="therapy spec (YAML or JSON)", cap=MAX_SPEC_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"{p}: not UTF-8 text (bad byte at offset {exc.start}); expected a YAML or JSON "
            "therapy spec."
        ) from None
    data = load_document(
        text, where=str(p), max_aliases=MAX_YAML_ALIASES, as_json=p.suffix.lower() == ".json"
    )
    return parse_spec(data, where=str(p))


def as_spec(spec: TherapySpec | Mapping[str, Any] | str | Path) -> TherapySpec:
    """A spec from a file path (YAML/JSON), a dict of its fields, or a spec (unchanged)."""
    if isinstance(spec, TherapySpec):
        return spec
    if isinstance(spec, Mapping):
        return parse_spec(dict(spec))
    return load_spec(spec)
