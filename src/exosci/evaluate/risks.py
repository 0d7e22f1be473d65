"""Translational risks of a design: rules from risks.yaml plus the graph's source/carrier records."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from exosci._yaml import load_package_file
from exosci.kb.store import KnowledgeBase

Severity = Literal["low", "moderate", "high"]
_ORDER = {"high": 0, "moderate": 1, "low": 2}


@dataclass(frozen=True)
class DesignFeatures:
    """The features of a therapy design that risk rules look at (ids are graph entity ids)."""

    species: str
    route: str
    start_hours_post_injury: float
    dose_ug: float | None = None
    source: str | None = None
    product: str | None = None
    carrier: str | None = None
    engineered: bool = False
    extra_entities: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Risk:
    """One translational risk of a design: category, severity, the reason, review references."""

    id: str
    category: str
    severity: Severity
    text: str
    refs: tuple[int, ...] = ()
    source: str | None = None

    def to_dict(self, kb: KnowledgeBase | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "category": self.category,
            "severity": self.severity,
            "text": self.text,
            "refs": list(self.refs),
        }
        if kb is not None:
            out["dois"] = [kb.curated.references[n].doi for n in self.refs]
        if self.source:
            out["source"] = self.source
        return out


@cache
def _rules() -> tuple[dict[str, Any], ...]:
    return tuple(load_package_file(resources.files("exosci.evaluate") / "risks.yaml")["rules"])


def _fires(when: dict[str, Any], d: DesignFeatures) -> bool:
    for key, value in when.items():
        if key == "always":
            continue
        if key == "route" and d.route != value:
            return False
        if key == "species" and d.species not in value:
            return False
        if key == "engineered" and d.engineered != value:
            return False
        if key == "start_hours_post_injury_above" and not d.start_hours_post_injury > value:
            return False
        if key == "dose_ug_outside":
            low, high = value
            if d.dose_ug is None or low <= d.dose_ug <= high:
                return False
    return True


def _source_risks(kb: KnowledgeBase, d: DesignFeatures) -> list[Risk]:
    """Risks the review's Table 1 and Table 3 state for the chosen source and carrier."""
    out: list[Risk] = []
    ents = kb.curated.entities
    if d.source and d.source in ents:
        src = ents[d.source]
        attrs = src.attributes
        grade = attrs.get("immunogenicity_grade")
        if isinstance(grade, int) and grade >= 2:
            out.append(
                Risk(
                    f"source-immunogenicity:{src.id}",
                    "immunology",
                    "moderate",
                    f"{src.name}: {attrs.get('immunogenicity', 'moderate immunogenicity')} "
                    "(Table 1); allogeneic use may provoke immune responses.",
                    tuple(src.refs),
                )
            )
        limits = attrs.get("limitations")
        if limits:
            text = "; ".join(limits) if isinstance(limits, list) else str(limits)
            lowered = text.lower()
            severity: Severity = "high" if "tumo" in lowered else "moderate"
            out.append(
                Risk(
                    f"source-limitations:{src.id}",
                    "source",
                    severity,
                    f"{src.name} (Table 1 limitations): {text}",
                    tuple(src.refs),
                )
            )
    if d.carrier and d.carrier in ents:
        car = ents[d.carrier]
        cons = car.attributes.get("disadvantages")
        if cons:
            text = "; ".join(cons) if isinstance(cons, list) else str(cons)
            out.append(
                Risk(
                    f"carrier-disadvantages:{car.id}",
                    "carrier",
                    "moderate",
                    f"{car.name}: {text}",
                    tuple(car.refs),
                )
            )
    return out


def assess_risks(kb: KnowledgeBase, design: DesignFeatures) -> list[Risk]:
    """All risks that apply to ``design``, most severe first."""
    risks = [
        Risk(
            r["id"],
            r["category"],
            r["severity"],
            " ".join(str(r["text"]).split()),
            tuple(r.get("refs", ())),
            r.get("source"),
        )
        for r in _rules()
        if _fires(r["when"], design)
    ]
    risks += _source_risks(kb, design)
    return sorted(risks, key=lambda r: (_ORDER[r.severity], r.category, r.id))
