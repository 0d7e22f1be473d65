"""The design space: the therapy spec's own fields, each from a list, filtered by the constraints.

A candidate is a plain :class:`~exosci.therapy.spec.TherapySpec` (what ``exosci evaluate``
reads). Carriers are implanted: a carrier implies local implantation, and a local design takes
one surgery per dose (:func:`surgeries`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from exosci.design.constraints import IMMUNOGENICITY, Constraints
from exosci.kb.store import KnowledgeBase
from exosci.therapy.spec import TherapySpec

LOCAL = "local implantation"
FIELDS = (
    "source",
    "preconditioning",
    "engineering",
    "cargo",
    "carrier",
    "route",
    "dose_ug",
    "start_hours",
    "doses",
)


def _opt(name: str) -> list[str]:
    return [] if name.strip().lower() in ("none", "", "-") else [name]


def surgeries(spec: TherapySpec) -> int:
    """Surgeries beyond the injury: an implanted carrier (or local bolus) is one, every further
    local dose another. Intravenous, intranasal and intrathecal doses count none (an intrathecal
    dose is taken here as a lumbar puncture, not a surgery: an assumption of this tool)."""
    route = spec.route.strip().lower()
    local = "implant" in route or route in ("local", "intralesional")
    if local:
        return spec.timing.doses
    return 1 if spec.carrier_name else 0


def total_dose_ug(spec: TherapySpec) -> float:
    """Vesicle protein over all doses (ug; mg converted; particles are not budgeted)."""
    per = spec.dose.amount * (1000.0 if spec.dose.unit == "mg" else 1.0)
    return 0.0 if spec.dose.unit == "particles" else per * spec.timing.doses


@dataclass(frozen=True)
class SourceGrades:
    """Table 1 grades of a source (None where the source has no Table 1 row)."""

    entity: str | None
    acquisition: int | None
    expansion: int | None
    immunogenicity: int | None
    translational: int | None


def source_grades(kb: KnowledgeBase, name: str) -> SourceGrades:
    """The Table 1 grades of the cell source a name resolves to (sources.yaml attributes)."""
    from exosci.kb.schema import Entity
    from exosci.therapy.resolve import _cell_source, _resolve

    try:
        ent, _ = _resolve(kb, "exosome.source", name, "rat")
    except Exception:  # an unresolvable name has no grades; resolution reports it later
        return SourceGrades(None, None, None, None, None)
    src_id = _cell_source(kb, ent) if isinstance(ent, Entity) else None
    src = kb.curated.entities.get(src_id or "")
    if src is None:
        return SourceGrades(src_id, None, None, None, None)

    def grade(key: str) -> int | None:
        v = src.attributes.get(key)
        return v if isinstance(v, int) else None

    return SourceGrades(
        src.id,
        grade("acquisition_grade"),
        grade("expansion_grade"),
        grade("immunogenicity_grade"),
        grade("translational_grade"),
    )


def violations(spec: TherapySpec, c: Constraints, grades: SourceGrades) -> list[str]:
    """Every constraint ``spec`` breaks, in words (empty = admissible)."""
    out: list[str] = []
    route = spec.route.strip().lower()
    if route not in c.routes:
        out.append(f"route {route!r} not allowed ({', '.join(c.routes)})")
    n = surgeries(spec)
    if n > c.max_surgeries:
        out.append(f"more surgeries than {c.max_surgeries}")
    total = total_dose_ug(spec)
    if total > c.dose_budget_ug + 1e-9:
        out.append(f"total dose over the {c.dose_budget_ug:g} ug budget")
    if c.min_acquisition_grade is not None and not (
        grades.acquisition is not None and grades.acquisition <= c.min_acquisition_grade
    ):
        out.append(f"source acquisition grade worse than {c.min_acquisition_grade} (Table 1)")
    if c.min_expansion_grade is not None and not (
        grades.expansion is not None and grades.expansion <= c.min_expansion_grade
    ):
        out.append(f"source expansion grade worse than {c.min_expansion_grade} (Table 1)")
    excluded = {IMMUNOGENICITY[w] for w in c.exclude_immunogenicity}
    if excluded and (grades.immunogenicity is None or grades.immunogenicity in excluded):
        out.append(
            "source immunogenicity excluded"
            if grades.immunogenicity is not None
            else "source without a Table 1 immunogenicity grade"
        )
    have = {x.lower() for x in (spec.exosome.co_therapies if spec.exosome else [])}
    missing = [x for x in c.require_co_therapy if x.lower() not in have]
    if missing:
        out.append(f"required co-therapy missing: {', '.join(missing)}")
    return out


def make_spec(c: Constraints, choice: dict[str, Any]) -> TherapySpec:
    """The spec of one point of the space (``choice`` keyed by :data:`FIELDS`)."""
    carrier = None if choice["carrier"].strip().lower() == "none" else choice["carrier"]
    route = LOCAL if carrier else choice["route"]
    doses = int(choice["doses"])
    parts = [choice["source"]]
    for key in ("preconditioning", "engineering", "cargo"):
        parts += _opt(choice[key])
    if carrier:
        parts.append(f"in {carrier}")
    parts.append(f"{route}, {doses} x {choice['dose_ug']:g} ug at {choice['start_hours']:g} h")
    return TherapySpec.model_validate(
        {
            "name": " + ".join(parts[:-1]) + ", " + parts[-1],
            "species": c.species,
            "injury": c.injury.model_dump(),
            "exosome": {
                "source": choice["source"],
                "preconditioning": _opt(choice["preconditioning"]),
                "engineering": _opt(choice["engineering"]),
                "cargo": _opt(choice["cargo"]),
                "co_therapies": list(c.require_co_therapy),
            },
            "carrier": carrier,
            "route": route,
            "dose": {"amount": float(choice["dose_ug"]), "unit": "ug"},
            "timing": {
                "start_hours_post_injury": float(choice["start_hours"]),
                "doses": doses,
                "interval_days": c.space.interval_days if doses > 1 else 0.0,
            },
            "horizon_days": c.horizon_days,
        }
    )


def choices(c: Constraints) -> dict[str, list[Any]]:
    """The values of each field (routes already narrowed to the allowed ones)."""
    s = c.space
    routes = list(dict.fromkeys(c.routes))
    return {
        "source": list(dict.fromkeys(s.sources)),
        "preconditioning": list(dict.fromkeys(s.preconditioning)),
        "engineering": list(dict.fromkeys(s.engineering)),
        "cargo": list(dict.fromkeys(s.cargo)),
        "carrier": list(dict.fromkeys(s.carriers)),
        "route": routes,
        "dose_ug": sorted(set(s.doses_ug)),
        "start_hours": sorted(set(s.start_hours)),
        "doses": sorted(set(s.number_of_doses)),
    }


def key(spec: TherapySpec) -> str:
    """A design's identity (two choices giving the same spec are one candidate)."""
    return spec.model_dump_json(exclude={"name"})


def enumerate_space(c: Constraints) -> Iterator[dict[str, Any]]:
    """Every raw point of the space, in a fixed order (duplicates removed later by :func:`key`)."""
    ch = choices(c)
    for values in itertools.product(*(ch[f] for f in FIELDS)):
        point = dict(zip(FIELDS, values, strict=True))
        if point["carrier"].strip().lower() != "none" and point["route"] != LOCAL:
            continue  # a carrier is implanted: counted once, under the local route
        yield point


def space_size(c: Constraints) -> int:
    ch = choices(c)
    n = 1
    for f in FIELDS:
        n *= len(ch[f])
    return n
