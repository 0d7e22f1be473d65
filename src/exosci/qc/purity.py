"""Particles per µg protein and its purity class (Webber & Clayton 2013, with explicit gap rule)."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from exosci.errors import UserInputError
from exosci.qc.rules import PurityClass, misev_rules


class PurityResult(BaseModel):
    """The ratio, its class, and where the thresholds come from."""

    model_config = ConfigDict(frozen=True)
    particles_per_ug: float
    class_id: str
    label: str
    threshold_origin: str  # "paper" or "exosci" (gap rule)
    thresholds: list[dict[str, object]]
    provenance: str
    sources: list[str]
    caveats: list[str]


def classify_purity(particles_per_ug: float) -> PurityClass:
    """The class whose interval holds the ratio (lower bound inclusive unless stated)."""
    if not math.isfinite(particles_per_ug) or particles_per_ug <= 0:
        raise UserInputError(f"particles per µg must be a positive number, got {particles_per_ug}.")
    classes = misev_rules().purity.classes
    for i, c in enumerate(classes):
        prev_inclusive = classes[i - 1].upper_inclusive if i else False
        above = particles_per_ug > c.lower if prev_inclusive else particles_per_ug >= c.lower
        below = particles_per_ug <= c.upper if c.upper_inclusive else particles_per_ug < c.upper
        if above and below:
            return c
    raise AssertionError("purity classes tile (0, inf)")  # guaranteed by Purity validation


def purity(particles_per_ug: float, *, engineered_or_loaded: bool = False) -> PurityResult:
    """Classify a particle:protein ratio and label the thresholds' provenance."""
    rules = misev_rules()
    c = classify_purity(particles_per_ug)
    caveats = [rules.purity.caveat] if engineered_or_loaded else []
    return PurityResult(
        particles_per_ug=particles_per_ug,
        class_id=c.id,
        label=c.label,
        threshold_origin=c.origin,
        # JSON has no infinity: an open upper bound is written as null
        thresholds=[
            k.model_dump() | ({"upper": None} if math.isinf(k.upper) else {})
            for k in rules.purity.classes
        ],
        provenance=rules.purity.provenance,
        sources=rules.cite(rules.purity.sources),
        caveats=caveats,
    )
