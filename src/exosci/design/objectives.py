"""The three non-effect objectives of a design, each with its reason.

- **certainty**: GRADE certainty of the evidence behind the design (the best-graded mechanism
  axis of its profile, :mod:`exosci.reason.profile`; ``none`` when no axis has evidence).
- **feasibility**: the source's Table 1 translational grade (2 moderate … 4 high), minus half a
  point per manufacturing step the lab must add (each preconditioning, engineering or loaded
  cargo) and half a point for a carrier (a second product to make and implant). A choice of
  this tool, stated in every output.
- **risk**: severity-weighted count of the translational risks (:mod:`exosci.evaluate.risks`):
  high 3, moderate 2, low 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exosci.design.space import SourceGrades, surgeries, total_dose_ug
from exosci.evaluate.risks import DesignFeatures, assess_risks
from exosci.kb.store import KnowledgeBase
from exosci.reason.grading import LEVELS
from exosci.therapy.resolve import ResolvedTherapy

CERTAINTY_RANK = {"none": -1, **{lvl: i for i, lvl in enumerate(LEVELS)}}
SEVERITY_WEIGHT = {"high": 3, "moderate": 2, "low": 1}
FEASIBILITY_RULE = (
    "Table 1 translational grade of the source (2 moderate, 3 relatively high, 4 high; 0 for a "
    "source without a Table 1 row) minus 0.5 per added manufacturing step (preconditioning, "
    "engineering, loaded cargo) and 0.5 for a carrier"
)
CERTAINTY_RULE = (
    "GRADE certainty of the best-graded mechanism axis of the design's evidence profile "
    "(none < very low < low < moderate < high)"
)
RISK_RULE = "severity-weighted count of the risk rules that fire (high 3, moderate 2, low 1)"


@dataclass(frozen=True)
class Objectives:
    certainty: str
    certainty_reason: str
    feasibility: float
    feasibility_reason: str
    risk: int
    risks: list[dict[str, Any]]
    outside_domain: tuple[str, ...]
    surgeries: int
    total_dose_ug: float
    grades: dict[str, int | None] = field(default_factory=dict)

    @property
    def certainty_rank(self) -> int:
        return CERTAINTY_RANK[self.certainty]


def certainty(res: ResolvedTherapy) -> tuple[str, str]:
    prof = res.profile
    if prof is None:
        return "none", "no vesicles: no evidence profile"
    best_axis, best = None, "none"
    for axis, score in prof.axes.items():
        if CERTAINTY_RANK[score.confidence] > CERTAINTY_RANK[best]:
            best_axis, best = axis, score.confidence
    if best_axis is None:
        return "none", "no graded evidence on any mechanism axis"
    why = "; ".join(prof.axes[best_axis].confidence_reasons[:2])
    return best, f"{best_axis}: {best}" + (f" ({why})" if why else "")


def feasibility(res: ResolvedTherapy, grades: SourceGrades) -> tuple[float, str]:
    ex = res.spec.exosome
    steps = len(ex.preconditioning) + len(ex.engineering) + len(ex.cargo) if ex else 0
    carrier = 1 if res.spec.carrier_name else 0
    base = grades.translational or 0
    value = base - 0.5 * steps - 0.5 * carrier
    why = (
        (f"Table 1 translational grade {base}" if grades.translational else "no Table 1 row (0)")
        + (f", {steps} manufacturing step(s)" if steps else "")
        + (", a carrier" if carrier else "")
    )
    return value, why


def objectives(kb: KnowledgeBase, res: ResolvedTherapy, grades: SourceGrades) -> Objectives:
    """Certainty, feasibility, risks and the applicability domain of one resolved candidate."""
    from exosci.evaluate.core import _features
    from exosci.therapy.domain import assess

    feats: DesignFeatures = _features(kb, res)
    risks = [r.to_dict() for r in assess_risks(kb, feats)]
    cert, cert_why = certainty(res)
    feas, feas_why = feasibility(res, grades)
    dom = assess(res)
    return Objectives(
        certainty=cert,
        certainty_reason=cert_why,
        feasibility=feas,
        feasibility_reason=feas_why,
        risk=sum(SEVERITY_WEIGHT[r["severity"]] for r in risks),
        risks=[{"id": r["id"], "severity": r["severity"]} for r in risks],
        outside_domain=tuple(dom.outside),
        surgeries=surgeries(res.spec),
        total_dose_ug=total_dose_ug(res.spec),
        grades={
            "acquisition": grades.acquisition,
            "expansion": grades.expansion,
            "immunogenicity": grades.immunogenicity,
            "translational": grades.translational,
        },
    )
