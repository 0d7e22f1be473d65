"""Calibration: fit a few free parameters to published anchors; report model vs target.

Targets (rat, moderate thoracic contusion):

* untreated BBB course: a plateau of 8-12 by weeks 4-6 (Basso et al., Exp Neurol 1996); the
  day-by-day values below are our reading of a typical moderate-injury curve (confidence: low
  for days 1-7, moderate for the plateau);
* treatment effect of a reference design (BMSC-type sEVs, 200 ug IV at 1 h, average evidence):
  BBB mean difference 1.58 / 3.12 / 4.44 / 4.54 at weeks 1-4 (40-study network meta-analysis;
  confidence: moderate, pooled across designs and doses).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from exosci.model.design import AXES, Design, reference_design
from exosci.model.parameters import FloatArray, ParameterTable, default_parameters
from exosci.model.simulate import paired_run

REFERENCE_SCORE = 0.3  # ~ mean axis score of BMSC-Exos in the curated graph at calibration time
FREE = ("k_plast", "f50_rat", "g_eff", "t_half_polarization")
BASSO = "Basso et al., Exp Neurol 1996;139:244 (moderate contusion; curve read as typical, low confidence)"
NMA = "network meta-analysis, 40 rat studies: BBB WMD wk1-4 (REFERENCES.md)"


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # "control" (untreated BBB) or "effect" (treated - control)
    day: float
    value: float
    sd: float  # weight = 1 / sd
    source: str


TARGETS: tuple[Target, ...] = (
    Target("untreated BBB", "control", 1, 1.0, 1.0, BASSO),
    Target("untreated BBB", "control", 7, 5.5, 1.5, BASSO),
    Target("untreated BBB", "control", 14, 8.0, 1.0, BASSO),
    Target("untreated BBB", "control", 28, 9.5, 0.7, BASSO),
    Target("untreated BBB", "control", 42, 10.0, 0.7, BASSO),
    Target("BBB difference (treated - control)", "effect", 7, 1.58, 0.5, NMA),
    Target("BBB difference (treated - control)", "effect", 14, 3.12, 0.5, NMA),
    Target("BBB difference (treated - control)", "effect", 21, 4.44, 0.5, NMA),
    Target("BBB difference (treated - control)", "effect", 28, 4.54, 0.5, NMA),
)


def calibration_design() -> Design:
    return replace(reference_design(), axis_scores=dict.fromkeys(AXES, REFERENCE_SCORE))


def _predict(
    design: Design, table: ParameterTable, xs: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Scores for ``m`` free-parameter vectors (log space) in one vectorised run."""
    m = xs.shape[0]
    params: dict[str, Any] = {k: np.full(m, v) for k, v in table.nominal().items()}
    for j, name in enumerate(FREE):
        params[name] = np.exp(xs[:, j])
    days, tr, ct = paired_run(design, params, m, outputs=("score",))
    return days, tr["score"], ct["score"]


def _residuals(days: FloatArray, tr: FloatArray, ct: FloatArray) -> FloatArray:
    rows = []
    for t in TARGETS:
        i = int(np.searchsorted(days, t.day))
        model = ct[i] if t.kind == "control" else tr[i] - ct[i]
        rows.append((model - t.value) / t.sd)
    return np.array(rows)  # (targets, m)


@dataclass(frozen=True)
class CalibrationReport:
    fitted: dict[str, float]
    start: dict[str, float]
    rows: list[dict[str, Any]]
    cost: float
    days: FloatArray
    treated: FloatArray
    control: FloatArray

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": "MODEL CALIBRATION (least squares on published anchors; model outputs are "
            "predictions, not data)",
            "reference_design": "BMSC-type sEVs, 200 ug IV at 1 h after moderate T10 contusion, "
            f"all axis scores {REFERENCE_SCORE}",
            "free_parameters": list(FREE),
            "start": self.start,
            "fitted": self.fitted,
            "cost": self.cost,
            "targets": self.rows,
        }

    def plot(self, path: str | Path) -> Path:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (a, b, c) = plt.subplots(1, 3, figsize=(14, 4.2), constrained_layout=True)
        a.plot(self.days, self.control, color="C7", label="model: untreated")
        a.plot(self.days, self.treated, color="C0", label="model: reference sEV")
        b.plot(self.days, self.treated - self.control, color="C0", label="model")
        for r in self.rows:
            ax = a if r["kind"] == "control" else b
            ax.errorbar(r["day"], r["target"], yerr=r["sd"], fmt="o", color="k")
        a.set(
            title="untreated BBB vs Basso 1996 (targets)", xlabel="day", ylabel="BBB", ylim=(0, 21)
        )
        b.set(title="treatment effect vs 40-study NMA", xlabel="day", ylabel="BBB difference")
        a.legend(loc="lower right")
        labels = [f"{r['kind'][:4]} d{r['day']:g}" for r in self.rows]
        c.bar(labels, [r["residual"] for r in self.rows], color="C3")
        c.axhline(0, color="k", lw=0.8)
        c.set(title="residual (model - target)", ylabel="BBB points")
        c.tick_params(axis="x", rotation=60)
        fig.suptitle("exosci calibration report - MODEL vs published anchors")
        out = Path(path)
        fig.savefig(out, dpi=110)
        plt.close(fig)
        return out


def calibrate(*, table: ParameterTable | None = None, max_nfev: int = 30) -> CalibrationReport:
    """Fit :data:`FREE` (log space, scipy least_squares with batched finite differences)."""
    table = table or default_parameters()
    design = calibration_design()
    x0 = np.log([table.params[n].value for n in FREE])
    eps = 1e-4

    def fun(x: FloatArray) -> FloatArray:
        return _residuals(*_predict(design, table, x[None, :]))[:, 0]

    def jac(x: FloatArray) -> FloatArray:
        xs = np.vstack([x] + [x + eps * np.eye(len(x))[j] for j in range(len(x))])
        r = _residuals(*_predict(design, table, xs))
        return (r[:, 1:] - r[:, :1]) / eps

    lo = np.log([0.02, 0.2, 0.3, 1.0])
    hi = np.log([0.5, 1.0, 30.0, 30.0])
    fit = least_squares(
        fun, np.clip(x0, lo + 1e-9, hi - 1e-9), jac=jac, bounds=(lo, hi), max_nfev=max_nfev
    )
    days, tr, ct = _predict(design, table, fit.x[None, :])
    rows = []
    for t in TARGETS:
        i = int(np.searchsorted(days, t.day))
        model = float(ct[i, 0] if t.kind == "control" else tr[i, 0] - ct[i, 0])
        rows.append(
            {
                "name": t.name,
                "kind": t.kind,
                "day": t.day,
                "target": t.value,
                "sd": t.sd,
                "model": model,
                "residual": model - t.value,
                "source": t.source,
            }
        )
    return CalibrationReport(
        fitted={n: float(np.exp(v)) for n, v in zip(FREE, fit.x, strict=True)},
        start={n: float(np.exp(v)) for n, v in zip(FREE, x0, strict=True)},
        rows=rows,
        cost=float(fit.cost),
        days=days,
        treated=tr[:, 0],
        control=ct[:, 0],
    )
