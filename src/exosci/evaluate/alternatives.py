"""Ranked alternatives: change one element of a design, simulate with the same seed, compare."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from exosci.errors import UserInputError
from exosci.kb.store import KnowledgeBase
from exosci.model.design import Design
from exosci.model.parameters import default_parameters
from exosci.model.solver import integrate_many
from exosci.therapy import TherapySpec, resolve_spec
from exosci.therapy.spec import ExosomeSpec

# Candidate elements, as names users would type (resolved through the graph like any spec).
SOURCES = (
    "bone marrow MSC",
    "umbilical cord MSC",
    "adipose-derived MSC",
    "neural stem cell",
    "M2 macrophage",
    "regulatory T cells",
    "endothelial cell",
    "Schwann cell",
    "induced pluripotent stem cells",
)
CARRIERS = (
    "hyaluronic acid hydrogel",
    "collagen scaffold",
    "gelatin sponge",
    "light-cured hydrogel",
)
ROUTES = ("intravenous", "intranasal", "intrathecal", "local implantation")


@dataclass(frozen=True)
class Variant:
    change: str
    kind: str
    spec: TherapySpec


def _with_exosome(spec: TherapySpec, **update: Any) -> TherapySpec:
    base = spec.exosome or ExosomeSpec(source="bone marrow MSC")
    ex = base.model_copy(update=update)
    return spec.model_copy(update={"exosome": ex})


def variants(spec: TherapySpec) -> list[Variant]:
    """One-element changes of ``spec`` worth comparing (source, preconditioning, carrier, route,
    timing). Without vesicles, the alternatives are the vesicle designs themselves."""
    out: list[Variant] = []
    ex = spec.exosome
    if ex is None:
        base = spec.model_copy(
            update={"exosome": ExosomeSpec(source="bone marrow MSC"), "route": "intravenous"}
        )
        if base.dose.amount <= 0:
            base = base.model_copy(update={"dose": base.dose.model_copy(update={"amount": 200})})
        return [
            Variant(f"give {s} exosomes (IV, 200 ug)", "source", _with_exosome(base, source=s))
            for s in SOURCES
        ]
    for s in SOURCES:
        if s.lower() != ex.source.lower():
            out.append(Variant(f"source: {s}", "source", _with_exosome(spec, source=s)))
    if not any("hypox" in p.lower() for p in ex.preconditioning):
        out.append(
            Variant(
                "add hypoxic preconditioning",
                "preconditioning",
                _with_exosome(spec, preconditioning=[*ex.preconditioning, "hypoxia"]),
            )
        )
    current_carrier = (spec.carrier_name or "").lower()
    for c in CARRIERS:
        if c != current_carrier:
            out.append(
                Variant(
                    f"carrier: {c} (local implantation)",
                    "carrier",
                    spec.model_copy(update={"carrier": c, "route": "local implantation"}),
                )
            )
    for r in ROUTES:
        if r != spec.route.lower() and r != "local implantation":
            out.append(
                Variant(
                    f"route: {r}, no carrier",
                    "route",
                    spec.model_copy(update={"route": r, "carrier": None}),
                )
            )
    if spec.timing.start_hours_post_injury > 1:
        timing = spec.timing.model_copy(update={"start_hours_post_injury": 1.0})
        out.append(
            Variant("start 1 h after injury", "timing", spec.model_copy(update={"timing": timing}))
        )
    if spec.timing.doses == 1:
        timing = spec.timing.model_copy(update={"doses": 3, "interval_days": 1.0})
        out.append(
            Variant(
                "three daily doses instead of one",
                "timing",
                spec.model_copy(update={"timing": timing}),
            )
        )
    return out


def _evidence_count(kb: KnowledgeBase, ids: set[str]) -> int:
    return sum(1 for s in kb.curated.statements if s.subject in ids or s.object in ids)


def _gains(designs: list[Design], samples: int, seed: int) -> list[float]:
    """Median day-horizon gain over control for each design, on the same parameter draws.

    All designs and one shared control run in a single vectorised integration
    (:func:`exosci.model.solver.integrate_many`); the draws are those of the first batch of
    :func:`exosci.model.simulate.ensemble` with the same seed.
    """
    table = default_parameters()
    params = table.sample(samples, np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]))
    runs = integrate_many(
        [*designs, designs[0]], params, samples, dose_scales=[1.0] * len(designs) + [0.0]
    )
    control = runs[-1].values["score"][-1]
    return [float(np.median(r.values["score"][-1] - control)) for r in runs[:-1]]


def rank_alternatives(
    *,
    spec: TherapySpec,
    kb: KnowledgeBase,
    samples: int = 300,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """The design and its one-change variants, ranked by predicted median gain over control.

    Every variant is simulated with the same seed and sample count, so the parameter draws are
    identical and the differences are paired. Variants whose names the graph cannot resolve are
    reported as skipped rather than dropped.
    """
    base = resolve_spec(spec, kb)
    resolved: list[tuple[Variant, Any]] = []
    rows: list[dict[str, Any]] = []
    cands = variants(spec)
    for v in cands:
        try:
            r = resolve_spec(v.spec, kb)
        except UserInputError as exc:
            rows.append({"change": v.change, "kind": v.kind, "skipped": str(exc)})
            continue
        same_vesicles = (
            r.product is not None and base.product is not None and (r.product.id == base.product.id)
        )
        if v.kind == "source" and same_vesicles:
            continue  # another name for the vesicles already in the design
        resolved.append((v, r))
    if progress:
        progress(0, len(cands))
    gains = _gains([base.design] + [r.design for _, r in resolved], samples, seed)
    if progress:
        progress(len(cands), len(cands))
    current = gains[0]
    ranked: list[dict[str, Any]] = [
        {
            "change": "this design",
            "kind": "current",
            "gain_median": current,
            "delta_vs_design": 0.0,
            "evidence_statements": _evidence_count(kb, set(base.evidence_entities())),
            "is_current": True,
        }
    ]
    for (v, r), g in zip(resolved, gains[1:], strict=True):
        ranked.append(
            {
                "change": v.change,
                "kind": v.kind,
                "gain_median": g,
                "delta_vs_design": g - current,
                "evidence_statements": _evidence_count(kb, set(r.evidence_entities())),
                "is_current": False,
                "spec": v.spec.model_dump(mode="json", exclude_defaults=True),
            }
        )
    ranked.sort(key=lambda r: -r["gain_median"])
    return ranked + rows
