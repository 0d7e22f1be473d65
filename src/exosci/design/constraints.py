"""What a lab can make and do, as a YAML file validated by pydantic (``exosci design search``).

Every field has a default, so ``{}`` is a valid (wide) search; each error names the field, the
value and what would be accepted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from exosci.errors import FileFormatError, UserInputError
from exosci.limits import MAX_SPEC_BYTES, MAX_YAML_ALIASES, read_capped, short
from exosci.therapy.spec import Injury, Name, TherapySpec
from exosci.yamlsafe import load_document

# Table 1 immunogenicity words (sources.yaml: immunogenicity_grade 1 = low, 2 = moderate).
IMMUNOGENICITY = {"low": 1, "moderate": 2}
# The wide default space (each overridable in `space:`): the nine Table 1 sources, no or hypoxic
# preconditioning, the carriers the alternatives already offer, the routes exosci models.
DEFAULT_SOURCES = (
    "umbilical cord MSC",
    "adipose-derived MSC",
    "bone marrow MSC",
    "neural stem cell",
    "microglia",
    "Schwann cell",
    "endothelial cell",
    "macrophage",
    "induced pluripotent stem cells",
)
DEFAULT_ROUTES = ("intravenous", "intranasal", "intrathecal", "local implantation")
DEFAULT_CARRIERS = (
    "none",
    "hyaluronic acid hydrogel",
    "collagen scaffold",
    "gelatin sponge",
    "light-cured hydrogel",
)

Choices = Annotated[list[Name], Field(min_length=1, max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class Space(_Strict):
    """The values each spec field may take; ``none`` in a modifier list means "without"."""

    sources: Choices = list(DEFAULT_SOURCES)
    preconditioning: Choices = ["none", "hypoxia"]
    engineering: Choices = ["none"]
    cargo: Choices = ["none"]
    carriers: Choices = list(DEFAULT_CARRIERS)
    doses_ug: Annotated[list[Annotated[float, Field(gt=0, le=1e5)]], Field(min_length=1)] = [
        50.0,
        100.0,
        200.0,
    ]
    start_hours: Annotated[list[Annotated[float, Field(ge=0, le=1440)]], Field(min_length=1)] = [
        1.0,
        24.0,
    ]
    number_of_doses: Annotated[list[Annotated[int, Field(ge=1, le=60)]], Field(min_length=1)] = [
        1,
        3,
    ]
    interval_days: float = Field(default=1.0, gt=0, le=365)


class Search(_Strict):
    """How the space is searched: exhaustively up to ``exhaustive_max`` candidates, else NSGA-II."""

    exhaustive_max: int = Field(default=600, ge=1, le=100_000)
    population: int = Field(default=40, ge=4, le=1000)
    generations: int = Field(default=10, ge=1, le=500)
    engine_chunk: int = Field(default=64, ge=1, le=1000)


class Constraints(_Strict):
    """A lab's constraints on the designs worth an animal study."""

    name: Name = "design search"
    species: Literal["rat", "mouse"] = "rat"
    injury: Injury = Injury()
    horizon_days: int = Field(default=42, ge=7, le=365)
    routes: Annotated[list[Name], Field(min_length=1)] = list(DEFAULT_ROUTES)
    max_surgeries: int = Field(default=1, ge=0, le=60)
    dose_budget_ug: float = Field(default=400.0, gt=0, le=1e5)
    min_acquisition_grade: int | None = Field(default=None, ge=1, le=3)
    min_expansion_grade: int | None = Field(default=None, ge=1, le=3)
    exclude_immunogenicity: list[Literal["low", "moderate"]] = []
    require_co_therapy: list[Name] = []
    baseline: TherapySpec | None = None
    space: Space = Space()
    search: Search = Search()

    @field_validator("routes")
    @classmethod
    def _known_routes(cls, v: list[str]) -> list[str]:
        bad = [r for r in v if r.lower() not in DEFAULT_ROUTES]
        if bad:
            raise ValueError(f"unknown route(s) {bad}; accepted: {', '.join(DEFAULT_ROUTES)}")
        return [r.lower() for r in v]

    def baseline_spec(self) -> TherapySpec:
        """The design to beat: given, or the typical pooled design (BMSC vesicles, IV, 200 ug,
        one dose 1 h after injury) on this lab's animals."""
        if self.baseline is not None:
            return self.baseline.model_copy(
                update={
                    "species": self.species,
                    "injury": self.injury,
                    "horizon_days": self.horizon_days,
                }
            )
        return TherapySpec.model_validate(
            {
                "name": "baseline: BMSC exosomes, IV, 200 ug, one dose at 1 h",
                "species": self.species,
                "injury": self.injury.model_dump(),
                "exosome": {"source": "bone marrow MSC"},
                "route": "intravenous",
                "dose": {"amount": 200.0, "unit": "ug"},
                "timing": {"start_hours_post_injury": 1.0, "doses": 1, "interval_days": 0.0},
                "horizon_days": self.horizon_days,
            }
        )


_ACCEPTED = {
    "species": "rat or mouse",
    "routes": ", ".join(DEFAULT_ROUTES),
    "max_surgeries": "an integer 0-60 (an implanted carrier is one, every further local dose "
    "another)",
    "dose_budget_ug": "total ug of vesicle protein per animal, > 0",
    "min_acquisition_grade": "1 (easy), 2 (moderate) or 3 (difficult), Table 1",
    "min_expansion_grade": "1 (strong), 2 (moderate) or 3 (limited), Table 1",
    "exclude_immunogenicity": "a list of: low, moderate (Table 1)",
}
_TOP = set(Constraints.model_fields)


def _format(exc: ValidationError, where: str) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(x) for x in err["loc"]) or "(constraints)"
        value = err.get("input")
        got = "" if isinstance(value, dict | list) else f" (got {short(value)})"
        msg = f"field `{field}`: {err['msg']}{got}"
        top = str(err["loc"][0]) if err["loc"] else ""
        if top in _ACCEPTED:
            msg += f"; accepted: {_ACCEPTED[top]}"
        elif err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            import difflib

            close = difflib.get_close_matches(top, sorted(_TOP), n=2)
            msg += "; known fields: " + (", ".join(close) if close else ", ".join(sorted(_TOP)))
        parts.append(msg)
    return f"{where}: invalid design constraints: " + "; ".join(parts) + "."


def parse_constraints(data: Any, *, where: str = "constraints") -> Constraints:
    """Validate a mapping as :class:`Constraints` (errors name field, value, what is accepted)."""
    if isinstance(data, Constraints):
        return data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FileFormatError(f"{where}: constraints must be a mapping, got {type(data).__name__}.")
    try:
        return Constraints.model_validate(data)
    except ValidationError as exc:
        raise UserInputError(_format(exc, where)) from None


def load_constraints(path: str | Path) -> Constraints:
    """Read constraints from a YAML (or JSON) file."""
    p = Path(path)
    raw = read_capped(p, what="design constraints (YAML or JSON)", cap=MAX_SPEC_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"{p}: not UTF-8 text (bad byte at offset {exc.start}); expected YAML constraints."
        ) from None
    data = load_document(
        text, where=str(p), max_aliases=MAX_YAML_ALIASES, as_json=p.suffix.lower() == ".json"
    )
    return parse_constraints(data, where=str(p))
