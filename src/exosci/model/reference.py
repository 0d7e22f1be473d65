"""An independent reference: the full ODE system (same formulas) with scipy ``solve_ivp``.

Used by the tests (accuracy of the compiled engine) and the benchmark (the loop a scipy user
would write). It shares nothing with the engine but the formula table and the dosing schedule:
the whole system, delivery included, goes to ``solve_ivp`` (LSODA, Radau ...), one call per
dosing phase (a phase ends at a dose or a change of the hourly release rate) with the recorded
days as ``t_eval``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from exosci.model.design import Design
from exosci.model.equations import INPUTS, STATES, derive, full_rhs, initial_state, outputs
from exosci.model.parameters import FloatArray
from exosci.model.solver import Trajectory

_INDEX = {s.name: i for i, s in enumerate(STATES)}


def phases(design: Design, record_per_day: int) -> list[tuple[float, float, float, Any, Any]]:
    """``(t0, t1, bolus per unit dose, input per unit dose, record times in [t0, t1])``."""
    from exosci.model.compiled import schedule

    sch = schedule(design, record_per_day)
    k_seg = len(sch.u)
    cuts = [0] + [
        s
        for s in range(1, k_seg)
        if sch.bolus[s] != 0 or not np.array_equal(sch.u[s], sch.u[s - 1])
    ]
    cuts.append(k_seg)
    out = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        t0, t1 = float(sch.t[a]), float(sch.t[b])
        times = sch.record[(sch.record >= t0) & (sch.record <= t1)]
        out.append((t0, t1, float(sch.bolus[a]), sch.u[a], times))
    return out


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
    from exosci.model.compiled import ROUTE_ENTRY

    p: dict[str, Any] = derive({k: float(v) for k, v in params.items()}, design)
    p = {k: float(np.asarray(v)) for k, v in p.items()}
    dose = design.dose_ug * float(params.get("dose_scale", 1.0))
    y0 = initial_state(p, design, 1)
    y = np.array([float(y0[s.name][0]) for s in STATES])
    target = _INDEX[ROUTE_ENTRY[design.route][0]]
    rec: list[FloatArray] = []
    for t0, t1, bolus, u, times in phases(design, record_per_day):
        if t0 == 0.0 and len(times) and times[0] == 0.0:
            rec.append(y.copy())  # the state at injury, before a dose at t = 0
        y[target] += bolus * dose
        uvec = np.asarray(u, dtype=float) * dose
        wanted = [float(t) for t in times if t > t0]
        t_eval = wanted if wanted and wanted[-1] == t1 else [*wanted, t1]
        sol = solve_ivp(
            lambda _t, yy, uv=uvec: full_rhs(yy, p, uv),
            (t0, t1),
            y,
            method=method,
            rtol=rtol,
            atol=atol,
            t_eval=t_eval,
        )
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        rec.extend(sol.y.T[: len(wanted)])
        y = np.asarray(sol.y[:, -1], dtype=float).copy()
    ys = np.array(rec)  # (t, states)
    values: dict[str, FloatArray] = {s.name: ys[:, i : i + 1] for i, s in enumerate(STATES)}
    values.update(outputs(values, p))
    days = np.arange(len(rec)) / record_per_day
    return Trajectory(days, values)


assert len(INPUTS) == 4  # full_rhs reads the four inputs in INPUTS order
