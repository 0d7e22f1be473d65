"""Outcome evidence: the review's in vivo therapy studies, one record per study arm.

The curated file ``kb/outcomes/studies.yaml`` lists each arm (product, source, preconditioning,
engineering, cargo, carrier, route, dose, timing, species, injury model) with the outcomes the
review reports for it (measure, repair axis, direction against a comparator, any figure).
:func:`load_studies` flattens it to one DataFrame row per arm and outcome, with these columns
(stable; see :data:`COLUMNS`):

``id`` (arm id + outcome number), ``arm``, ``ref`` (review reference number), ``doi``,
``product`` (exosome entity id), ``product_name``, ``cell_source``, ``preconditioning``,
``engineering``, ``cargo``, ``co_therapy`` (";"-joined entity ids, "" when none), ``carrier``,
``route``, ``dose``, ``dose_unit``, ``start_after_injury_h``, ``n_doses``, ``phase``,
``species``, ``species_basis``, ``condition``, ``sci``, ``injury_model``, ``level``,
``outcome``, ``axis``, ``direction`` (+1 better, 0 no difference, -1 worse than ``comparator``),
``comparator``, ``value``, ``unit``, ``grade``, ``note``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exosci.errors import CurationError
from exosci.kb.schema import SCI_INJURY_MODELS, EvidenceGrade, InjuryModel, RobAnswer, Species

if TYPE_CHECKING:  # pandas costs ~0.5 s to import: only the DataFrame functions load it
    import pandas as pd

    from exosci.kb.curated import Curated

STUDIES_PATH = Path(str(resources.files("exosci.kb") / "outcomes" / "studies.yaml"))

# Where an outcome lands: the five repair axes of the mechanism profile, or a whole-animal measure.
OutcomeAxis = Literal[
    "neuroprotection",
    "axon_regeneration",
    "inflammation",
    "angiogenesis_bscb",
    "ecm",
    "function",  # a named functional measure: motor, sensory, bladder, pain
    "overall",  # "alleviates SCI" / "improves outcome" without a named measure
    "tissue_repair",  # tissue-level repair without a named mechanism
    "delivery",  # reaching / staying at the lesion
    "safety",
]
SpeciesBasis = Literal["review", "cited_title", "cited_abstract", "curated_graph", "not_stated"]
Phase = Literal["acute", "subacute", "chronic"]

COLUMNS: tuple[str, ...] = (
    "id",
    "arm",
    "ref",
    "doi",
    "product",
    "product_name",
    "cell_source",
    "preconditioning",
    "engineering",
    "cargo",
    "co_therapy",
    "carrier",
    "route",
    "dose",
    "dose_unit",
    "start_after_injury_h",
    "n_doses",
    "phase",
    "species",
    "species_basis",
    "condition",
    "sci",
    "injury_model",
    "level",
    "outcome",
    "axis",
    "direction",
    "comparator",
    "value",
    "unit",
    "grade",
    "note",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Outcome(_Strict):
    """One outcome of one arm, as the review reports it."""

    measure: str
    axis: OutcomeAxis
    direction: Literal[-1, 0, 1]
    comparator: str = "not stated"
    value: float | None = None
    unit: str | None = None


class StudyArm(_Strict):
    """One arm of one in vivo study: what was given, to what, and what changed."""

    id: str
    ref: int = Field(ge=1)
    product: str  # exosome entity id
    cell_source: str | None = None
    preconditioning: str | None = None
    engineering: list[str] = []
    cargo: list[str] = []
    co_therapy: list[str] = []
    carrier: str | None = None
    route: str | None = None
    dose: float | None = Field(default=None, gt=0)
    dose_unit: str | None = None
    start_after_injury_h: float | None = Field(default=None, ge=0)
    n_doses: int | None = Field(default=None, ge=1)
    phase: Phase | None = None
    species: Species
    species_basis: SpeciesBasis
    condition: str = "SCI"
    injury_model: InjuryModel = "not_reported"  # vocabulary of exosci.kb.schema
    level: str | None = None  # e.g. "T10"
    grade: EvidenceGrade  # stated for every arm: never assumed experimental
    # SYRCLE risk-of-bias items as the review reports them (it reports none for any study)
    randomised: RobAnswer = "not_reported"
    blinded: RobAnswer = "not_reported"
    outcomes: list[Outcome] = Field(min_length=1)
    note: str = ""

    @property
    def sci(self) -> bool:
        return self.injury_model in SCI_INJURY_MODELS

    def entity_ids(self) -> list[tuple[str, str]]:
        """(field, entity id) pairs this arm points at."""
        out = [("product", self.product)]
        for name in ("cell_source", "preconditioning", "carrier", "route"):
            val = getattr(self, name)
            if val:
                out.append((name, val))
        for name in ("engineering", "cargo", "co_therapy"):
            out.extend((name, v) for v in getattr(self, name))
        return out


class _StudiesFile(_Strict):
    arms: list[StudyArm]


def load_arms(path: Path | None = None, curated: Curated | None = None) -> list[StudyArm]:
    """The study arms, validated (and cross-checked against ``curated`` when given)."""
    import yaml

    from exosci._yaml import package_loader

    path = path or STUDIES_PATH
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=package_loader()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CurationError(f"{path.name}: cannot read study table: {exc}") from None
    try:
        arms = _StudiesFile.model_validate(raw).arms
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise CurationError(
            f"{path.name}: field {loc}: {first['msg']} ({exc.error_count()} problem(s))"
        ) from None
    seen: set[str] = set()
    for arm in arms:
        if arm.id in seen:
            raise CurationError(f"{path.name}: duplicate study arm id {arm.id!r}")
        seen.add(arm.id)
    if curated is not None:
        _cross_check(arms, curated, path.name)
    return arms


def _cross_check(arms: list[StudyArm], curated: Curated, where: str) -> None:
    from exosci.kb.names import closest

    ents = curated.entities
    for arm in arms:
        if arm.ref not in curated.references:
            raise CurationError(
                f"{where}: arm {arm.id!r} cites reference {arm.ref}, not in the list"
            )
        for name, eid in arm.entity_ids():
            if eid not in ents:
                hint = ", ".join(closest(eid, list(ents), limit=3))
                raise CurationError(
                    f"{where}: arm {arm.id!r}: {name} {eid!r} is not an entity (closest: {hint})"
                )
        if ents[arm.product].type != "exosome":
            raise CurationError(
                f"{where}: arm {arm.id!r}: product {arm.product!r} is a"
                f" {ents[arm.product].type}, not an exosome product"
            )


def study_rows(
    arms: list[StudyArm] | tuple[StudyArm, ...], curated: Curated
) -> list[dict[str, Any]]:
    """One plain record per arm and outcome, keys :data:`COLUMNS` (no pandas needed).

    What :func:`studies_frame` puts in its DataFrame; missing numbers are ``None`` here (the
    frame turns them into NaN).
    """
    rows = []
    for arm in arms:
        for i, out in enumerate(arm.outcomes, start=1):
            rows.append(
                {
                    "id": f"{arm.id}:{i}",
                    "arm": arm.id,
                    "ref": arm.ref,
                    "doi": curated.references[arm.ref].doi,
                    "product": arm.product,
                    "product_name": curated.entities[arm.product].name,
                    "cell_source": arm.cell_source,
                    "preconditioning": arm.preconditioning,
                    "engineering": ";".join(arm.engineering),
                    "cargo": ";".join(arm.cargo),
                    "co_therapy": ";".join(arm.co_therapy),
                    "carrier": arm.carrier,
                    "route": arm.route,
                    "dose": arm.dose,
                    "dose_unit": arm.dose_unit,
                    "start_after_injury_h": arm.start_after_injury_h,
                    "n_doses": arm.n_doses,
                    "phase": arm.phase,
                    "species": arm.species,
                    "species_basis": arm.species_basis,
                    "condition": arm.condition,
                    "sci": arm.sci,
                    "injury_model": arm.injury_model,
                    "level": arm.level,
                    "outcome": out.measure,
                    "axis": out.axis,
                    "direction": out.direction,
                    "comparator": out.comparator,
                    "value": out.value,
                    "unit": out.unit,
                    "grade": arm.grade,
                    "note": arm.note,
                }
            )
    return rows


def studies_frame(arms: list[StudyArm], curated: Curated) -> pd.DataFrame:
    """One row per arm and outcome, columns :data:`COLUMNS`."""
    import pandas as pd

    df = pd.DataFrame(study_rows(arms, curated), columns=list(COLUMNS))
    df["n_doses"] = df["n_doses"].astype("Int64")
    for col in ("dose", "start_after_injury_h", "value"):
        df[col] = df[col].astype("float64")
    return df


@cache
def package_arms() -> tuple[StudyArm, ...]:
    """The packaged study arms (validated, not cross-checked; cached)."""
    return tuple(load_arms())


def checked_package_arms(curated: Curated) -> tuple[StudyArm, ...]:
    """The packaged arms (parsed once per process) cross-checked against ``curated``: what
    ``load_arms(curated=curated)`` returns, without parsing the file again."""
    arms = package_arms()
    _cross_check(list(arms), curated, STUDIES_PATH.name)
    return arms


@cache
def _package_studies() -> pd.DataFrame:
    from exosci.kb.curated import load_curated

    cur = load_curated()
    return studies_frame(load_arms(curated=cur), cur)


def load_studies(curated: Curated | None = None, path: Path | None = None) -> pd.DataFrame:
    """The outcome evidence table as a DataFrame (a fresh copy; see the module docstring).

    Without arguments it reads the packaged table and checks it against the packaged curated
    knowledge; pass ``curated`` (e.g. ``kb.curated``) and/or ``path`` for another pair.
    """
    if curated is None and path is None:
        return _package_studies().copy()
    if curated is None:
        from exosci.kb.curated import load_curated

        curated = load_curated()
    return studies_frame(load_arms(path, curated), curated)


AXES_ACCEPTED: tuple[str, ...] = tuple(OutcomeAxis.__args__)  # type: ignore[attr-defined]


def select_studies(
    df: pd.DataFrame,
    *,
    products: list[str] | None = None,
    ref: int | None = None,
    axis: str | None = None,
) -> pd.DataFrame:
    """Rows for any of ``products`` (entity ids), one reference and/or one outcome axis."""
    from exosci.errors import UserInputError

    if axis is not None and axis not in AXES_ACCEPTED:
        from exosci.kb.names import closest

        near = closest(axis, list(AXES_ACCEPTED), limit=2)
        hint = f" (closest: {', '.join(near)})" if near else ""
        raise UserInputError(
            f"unknown outcome axis {axis!r}; accepted: {', '.join(AXES_ACCEPTED)}{hint}"
        )
    import pandas as pd

    mask = pd.Series(True, index=df.index)
    if products is not None:
        mask &= df["product"].isin(products)
    if ref is not None:
        mask &= df["ref"] == ref
    if axis is not None:
        mask &= df["axis"] == axis
    return df[mask].reset_index(drop=True)
