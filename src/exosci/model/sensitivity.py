"""Global sensitivity of the day-N score: Sobol (Saltelli sampling) or Morris, seeded.

Factors: every uncertain parameter (sampled through its prior's quantile function) plus the
design choices dose (x0.25-4) and the five evidence scores (0-1), so the ranking says which
design choices and which uncertainties matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from exosci.model.design import AXES, Design
from exosci.model.parameters import FloatArray, ParameterTable, default_parameters
from exosci.model.simulate import batch_plan
from exosci.model.solver import integrate

DESIGN_FACTORS = ("dose_scale", *(f"score_{a}" for a in AXES))
QUANTILE_RANGE = (0.01, 0.99)


@dataclass(frozen=True)
class SensitivityResult:
    method: str
    output: str
    n_runs: int
    indices: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": "MODEL SENSITIVITY (of the predicted score to priors and design choices)",
            "method": self.method,
            "output": self.output,
            "n_runs": self.n_runs,
            "indices": self.indices,
        }


def _to_params(u: FloatArray, names: list[str], table: ParameterTable) -> dict[str, FloatArray]:
    params = {k: np.full(len(u), v) for k, v in table.nominal().items()}
    for j, name in enumerate(names):
        # Factors span the 1-99 % quantiles of each prior: Morris levels include 0 and 1, and
        # lognormal tails beyond that (rates x20) leave the model's validated range.
        col = np.clip(u[:, j], QUANTILE_RANGE[0], QUANTILE_RANGE[1])
        if name == "dose_scale":
            params[name] = 0.25 * 16.0**col  # log-uniform 0.25-4
        elif name.startswith("score_"):
            params[name] = col
        else:
            params[name] = table.params[name].ppf(col)
    return params


def _evaluate(
    design: Design, table: ParameterTable, u: FloatArray, names: list[str], day: int
) -> FloatArray:
    """The treated arm's score on ``day`` (the screen ranks it alone: no control is run)."""
    tr = integrate(design, _to_params(u, names, table), len(u), outputs=("score",))
    return tr.values["score"][int(np.searchsorted(tr.days, day))]


def sensitivity(
    design: Design,
    *,
    method: Literal["sobol", "morris"] = "sobol",
    n: int = 256,
    seed: int = 0,
    day: int | None = None,
    table: ParameterTable | None = None,
    batch_size: int = 4096,
    scheduler: Any = None,
) -> SensitivityResult:
    """Indices of the treated score at ``day`` (default: the horizon, 42 for the examples)."""
    table = table or default_parameters()
    names = table.uncertain + list(DESIGN_FACTORS)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    day = design.horizon_days if day is None else day
    if method == "sobol":
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample

        u = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    else:
        from SALib.analyze import morris as morris_analyze
        from SALib.sample import morris as morris_sample

        u = morris_sample.sample(problem, n, num_levels=4, seed=seed)
    chunks = [u[i : i + batch_size] for i in range(0, len(u), batch_size)]
    if scheduler is None:
        ys = [_evaluate(design, table, c, names, day) for c in chunks]
    else:
        from exosci.model.distributed import client_for

        client = client_for(scheduler)
        futs = [client.submit(_evaluate, design, table, c, names, day, pure=False) for c in chunks]
        ys = client.gather(futs)
    y = np.concatenate(ys)
    bad = ~np.isfinite(y)
    if bad.any():
        raise FloatingPointError(
            f"{int(bad.sum())} of {len(y)} sensitivity runs gave a non-finite score; the "
            "factor ranges reach parameter values where the solver failed (step size underflow)"
        )
    rows: list[dict[str, Any]] = []
    if method == "sobol":
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        for j, name in enumerate(names):
            rows.append(
                {
                    "name": name,
                    "first": float(res["S1"][j]),
                    "total": float(res["ST"][j]),
                    "total_conf": float(res["ST_conf"][j]),
                }
            )
    else:
        res = morris_analyze.analyze(problem, u, y, num_levels=4, seed=seed)
        for j, name in enumerate(names):
            rows.append(
                {
                    "name": name,
                    "mu_star": float(res["mu_star"][j]),
                    "sigma": float(res["sigma"][j]),
                    "total": float(res["mu_star"][j]),
                }
            )
    rows.sort(key=lambda r: -r["total"])
    return SensitivityResult(method, f"{design.score_name} score on day {day}", len(u), rows)


__all__ = ["DESIGN_FACTORS", "SensitivityResult", "batch_plan", "sensitivity"]
