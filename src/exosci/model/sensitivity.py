"""Global sensitivity of the day-N score: Sobol (Saltelli sampling) or Morris, seeded.

Factors: every uncertain parameter (sampled through its prior's quantile function) plus the
design choices dose (x0.25-4) and the five evidence scores (0-1). Each row says what kind of
factor it is (``kind``): a *design choice*, a *calibrated parameter* (informed by the
calibration targets), an *assumed parameter* (prior only) or a *random-effect draw* (one
animal's or one design's standard-normal deviation). Random-effect draws are screened with the
rest but ranked apart (``random_effects``): they are neither numbers to measure nor choices to
get right, so ``indices`` - what the report's chart shows - holds the other three kinds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from exosci.model.compiled import jit_dir
from exosci.model.design import AXES, Design
from exosci.model.parameters import FloatArray, ParameterTable, default_parameters
from exosci.model.simulate import batch_plan
from exosci.model.solver import integrate

DESIGN_FACTORS = ("dose_scale", *(f"score_{a}" for a in AXES))
QUANTILE_RANGE = (0.01, 0.99)
MORRIS_LEVELS = 4


KINDS = {
    "design": "design choice",
    "calibrated": "calibrated parameter",
    "assumed": "assumed parameter (prior only)",
    "random": "random-effect draw",
}


@dataclass(frozen=True)
class SensitivityResult:
    method: str
    output: str
    n_runs: int
    indices: list[dict[str, Any]]
    random_effects: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": "MODEL SENSITIVITY (of the predicted score to priors and design choices)",
            "method": self.method,
            "output": self.output,
            "n_runs": self.n_runs,
            "indices": self.indices,
            "random_effects": self.random_effects,
            "kinds": dict(KINDS),
        }


def factor_kind(name: str, table: ParameterTable) -> str:
    """``design``, ``random`` (role animal/design), ``calibrated`` or ``assumed``."""
    if name in DESIGN_FACTORS:
        return "design"
    p = table.params[name]
    if getattr(p, "role", "population") in ("animal", "design"):
        return "random"
    from exosci.model.posterior import load_posterior

    post = load_posterior()
    return "calibrated" if post is not None and name in post.free else "assumed"


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


def morris_sample(
    k: int, n: int, *, num_levels: int = MORRIS_LEVELS, seed: int | None = None
) -> FloatArray:
    """``n`` Morris trajectories over ``k`` factors on [0, 1] (``n (k + 1)`` rows), drawn by
    ``SALib.sample.morris.sample``.

    A Morris design depends only on ``(k, n, levels, seed)`` and the SALib release, so for a
    fixed ``seed`` it is kept in the engine cache (``.npy``, read without pickle) and later
    runs do not import SALib, which loads pandas and scipy.spatial (~0.35 s of the report).
    A missing, unreadable or malformed file is drawn again.
    """
    where = jit_dir() if seed is not None else None
    path = None
    if where is not None:
        from importlib.metadata import version

        path = where / f"morris-k{k}-n{n}-L{num_levels}-s{seed}-salib{version('SALib')}.npy"
        try:
            u = np.load(path, allow_pickle=False)
            if u.shape == (n * (k + 1), k) and u.dtype == np.float64 and np.isfinite(u).all():
                return np.asarray(u)
        except (OSError, ValueError):
            pass
    from SALib.sample import morris

    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
    u = np.asarray(morris.sample(problem, n, num_levels=num_levels, seed=seed), dtype=float)
    if path is not None:
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        try:
            np.save(tmp, u, allow_pickle=False)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
    return u


def morris_indices(
    u: FloatArray, y: FloatArray, *, num_levels: int = MORRIS_LEVELS
) -> tuple[FloatArray, FloatArray]:
    """Morris ``mu*`` (mean |elementary effect|) and ``sigma`` (their SD, ddof 1) per factor.

    ``u``: the trajectories of :func:`morris_sample` / ``SALib.sample.morris.sample`` (ungrouped factors: each step of
    a trajectory moves one factor by ``delta = L / (2 (L - 1))``); ``y``: the output per row.
    The same arithmetic as ``SALib.analyze.morris.analyze`` (a test checks the two agree),
    without that module's import of scipy.stats (for a bootstrap interval of ``mu*`` the
    report does not show), which would cost the report about 0.4 s.
    """
    k = u.shape[1]
    x = u.reshape(-1, k + 1, k)
    out = np.asarray(y, float).reshape(-1, k + 1)
    step = np.diff(x, axis=1)  # (trajectories, k steps, k factors): one non-zero per step
    moved = step != 0
    if not np.array_equal(moved.sum(axis=2), np.ones(step.shape[:2], int)) or not np.array_equal(
        moved.sum(axis=1), np.ones((x.shape[0], k), int)
    ):
        raise ValueError("Morris trajectories must move each factor exactly once, one per step")
    t_idx, s_idx, f_idx = np.nonzero(moved)
    up = step[t_idx, s_idx, f_idx] > 0
    before, after = out[t_idx, s_idx], out[t_idx, s_idx + 1]
    high, low = np.where(up, after, before), np.where(up, before, after)
    diff = np.empty((x.shape[0], k))
    diff[t_idx, f_idx] = high - low
    # factors x trajectories, laid out as SALib lays them out (a transposed view), so that the
    # sums below add in the same order and the indices are equal to the last bit
    ee = diff.T / (num_levels / (2.0 * (num_levels - 1)))
    return np.average(np.abs(ee), 1), np.std(ee, axis=1, ddof=1)


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
        u = morris_sample(len(names), n, num_levels=MORRIS_LEVELS, seed=seed)
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
        mu_star, sigma = morris_indices(u, y, num_levels=MORRIS_LEVELS)
        for j, name in enumerate(names):
            rows.append(
                {
                    "name": name,
                    "mu_star": float(mu_star[j]),
                    "sigma": float(sigma[j]),
                    "total": float(mu_star[j]),
                }
            )
    for r in rows:
        r["kind"] = KINDS[factor_kind(r["name"], table)]
    rows.sort(key=lambda r: -r["total"])
    rand = [r for r in rows if r["kind"] == KINDS["random"]]
    rest = [r for r in rows if r["kind"] != KINDS["random"]]
    return SensitivityResult(method, f"{design.score_name} score on day {day}", len(u), rest, rand)


__all__ = ["DESIGN_FACTORS", "SensitivityResult", "batch_plan", "sensitivity"]
