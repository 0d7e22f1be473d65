"""Integrate virtual subjects: the public entry points over the compiled engine.

The work is done by :mod:`exosci.model.compiled` (numba code generated from the formula table):
the delivery block in closed form, the lesion block by a Rosenbrock-W method (ROS34PW2) with
error control to ``rtol``/``atol``, each dose a restart. Dose times snap to the hour grid
(``STEPS_PER_DAY``) and a carrier's release enters as the amount released in each hour (a
constant rate per hour), as in the reference solver and the SBML export.

Default tolerance: ``rtol`` 1e-4 (``atol`` 1e-7) keeps the BBB score within about 5e-4 points
of a tight reference (scipy Radau, rtol 1e-10) on the reference design, far below the 0.1-point
resolution of any reported figure and the between-animal spread; ``benchmarks/bench_model.py``
prints the error at each tolerance. Callers that need more pass a tighter ``rtol``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from exosci.model.compiled import run, run_many
from exosci.model.design import Design
from exosci.model.grid import ATOL, RTOL, H
from exosci.model.parameters import FloatArray

__all__ = ["ATOL", "H", "RTOL", "Trajectory", "integrate", "integrate_many"]


@dataclass(frozen=True)
class Trajectory:
    """Recorded states and outputs: ``values[name]`` has shape ``(n_times, n_samples)``."""

    days: FloatArray
    values: dict[str, FloatArray]


def integrate(
    design: Design,
    params: dict[str, Any],
    n: int,
    *,
    record_per_day: int = 1,
    outputs: Sequence[str] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> Trajectory:
    """Integrate ``n`` virtual subjects (``params`` values scalar or shape ``(n,)``).

    ``outputs`` names the model symbols to record (states and intermediates, default all);
    recording fewer costs less memory, not less integration.
    """
    r = run(design, params, n, record_per_day=record_per_day, outputs=outputs, rtol=rtol, atol=atol)
    return Trajectory(r.days, r.values)


def integrate_many(
    designs: list[Design],
    params: dict[str, Any],
    n: int,
    *,
    record_per_day: int = 1,
    dose_scales: list[float] | None = None,
    outputs: Sequence[str] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> list[Trajectory]:
    """Integrate several designs on the same ``n`` parameter sets, in one engine call.

    Designs must share the horizon (:func:`exosci.model.compiled.run_many` checks it).
    ``dose_scales`` multiplies each design's dose (0 = control). Each design gets exactly what
    :func:`integrate` gives it alone (tested).
    """
    scales = dose_scales if dose_scales is not None else [1.0] * len(designs)
    if len(scales) != len(designs):
        raise ValueError("dose_scales needs one value per design")
    base = np.asarray(params.get("dose_scale", 1.0), dtype=float)
    runs = run_many(
        designs,
        [{**params, "dose_scale": base * sc} for sc in scales],
        n,
        record_per_day=record_per_day,
        outputs=outputs,
        rtol=rtol,
        atol=atol,
    )
    return [Trajectory(r.days, r.values) for r in runs]
