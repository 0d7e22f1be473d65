"""An independent reference: the full ODE system (same formulas) with scipy ``solve_ivp``.

Used by the tests (numerical accuracy of the vectorised solver) and the benchmark (the loop a
user would otherwise write). Doses and the per-hour release input are applied exactly as the
fast solver applies them; everything else is integrated adaptively to the given tolerances.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from exosci.model.design import STEPS_PER_DAY, Design
from exosci.model.equations import STATES, derive, full_rhs, initial_state, outputs
from exosci.model.parameters import FloatArray
from exosci.model.solver import ENTRY, Trajectory, input_rates

_INDEX = {s.name: i for i, s in enumerate(STATES)}


def reference_solve(
    design: Design,
    params: dict[str, float],
    *,
    method: str = "LSODA",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    record_per_day: int = 1,
) -> Trajectory:
    """Integrate one subject with ``solve_ivp`` and record it like :func:`integrate`."""
    p: dict[str, Any] = derive({k: float(v) for k, v in params.items()}, design)
    p = {k: float(np.asarray(v)) for k, v in p.items()}
    n_steps = design.horizon_days * STEPS_PER_DAY
    h = 1.0 / STEPS_PER_DAY
    dose = design.dose_ug * float(params.get("dose_scale", 1.0))
    u = input_rates(design, n_steps) * dose
    y0 = initial_state(p, design, 1)
    y = np.array([float(y0[s.name][0]) for s in STATES])
    entry = ENTRY.get(design.route)
    slot = 3 if entry is None else (0, None, 1, 2)[entry]
    target = _INDEX["Ex"] if entry is None else entry
    every = STEPS_PER_DAY // record_per_day
    bolus = set(design.dose_steps()) if design.release is None else set()
    breaks = sorted(
        set(range(0, n_steps + 1, every))
        | bolus
        | (set(range(n_steps + 1)) if design.release is not None else set())
    )
    rec = [y.copy()]
    for k0, k1 in zip(breaks[:-1], breaks[1:], strict=True):
        if k0 in bolus:
            y[target] += dose
        uvec = np.zeros(4)
        if design.release is not None:
            assert slot is not None
            uvec[slot] = u[k0]
        sol = solve_ivp(
            lambda _t, yy, uv=uvec: full_rhs(yy, p, uv),
            (k0 * h, k1 * h),
            y,
            method=method,
            rtol=rtol,
            atol=atol,
        )
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        y = sol.y[:, -1].copy()
        if k1 % every == 0:
            rec.append(y.copy())
    ys = np.array(rec)  # (t, states)
    values: dict[str, FloatArray] = {s.name: ys[:, i : i + 1] for i, s in enumerate(STATES)}
    values.update(outputs(values, p))
    return Trajectory(np.arange(len(rec)) / record_per_day, values)
