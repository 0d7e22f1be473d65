"""What a carrier puts into the model: its release curve (per-carrier defaults or a user's fitted
curve) and the hourly input rates the solvers integrate.

(Named ``carrier_input`` so it is not confused with the :mod:`exosci.release` package, which
fits release curves to measurements.)
"""

from __future__ import annotations

import numpy as np

from exosci.errors import UserInputError
from exosci.model.design import Design, Release
from exosci.model.grid import H
from exosci.model.parameters import FloatArray


def _first_order(t: FloatArray, k: float) -> FloatArray:
    return 1.0 - np.exp(-k * t)


def _korsmeyer_peppas(t: FloatArray, k: float, n: float) -> FloatArray:
    return np.minimum(k * np.power(t, n), 1.0)


def _weibull(t: FloatArray, tau: float, beta: float) -> FloatArray:
    return 1.0 - np.exp(-np.power(t / tau, beta))


# Built-in curves for the shipped carrier defaults (parameter names as in parameters.yaml).
BUILTIN = {
    "first_order": (_first_order, ("k",)),
    "korsmeyer_peppas": (_korsmeyer_peppas, ("k", "n")),
    "weibull": (_weibull, ("tau", "beta")),
}


def model_fraction(release: Release, t_days: FloatArray) -> FloatArray:
    """The kinetic model's cumulative fraction (0-1) at ``t_days`` after implantation."""
    t = np.maximum(np.asarray(t_days, dtype=float), 0.0)
    if release.fitted or release.model not in BUILTIN:
        from exosci.release import release_fraction  # a user's fitted curve: release's registry

        return np.clip(np.asarray(release_fraction(release.model, release.params, t)), 0.0, 1.0)
    fn, names = BUILTIN[release.model]
    missing = [n for n in names if n not in release.params]
    if missing:
        raise UserInputError(
            f"release model {release.model!r} needs parameters {', '.join(names)}; "
            f"missing {', '.join(missing)}."
        )
    values = [float(release.params[n]) for n in names]
    with np.errstate(all="ignore"):
        f = np.where(t > 0, fn(t, *values), 0.0)  # type: ignore[operator]
    return np.clip(np.asarray(f, dtype=float), 0.0, 1.0)


def cumulative_release(release: Release, t_days: FloatArray) -> FloatArray:
    """Total fraction released by ``t_days``: a burst of (1 - retained) at t = 0+, then the model."""
    t = np.asarray(t_days, dtype=float)
    f = (1.0 - release.retained) + release.retained * model_fraction(release, t)
    return np.where(t > 0, f, 0.0)


def input_rates(design: Design, n_steps: int) -> FloatArray:
    """Release input per hour (ug/day per ug of dose), or zeros for bolus dosing."""
    u = np.zeros(n_steps)
    if design.release is None:
        return u
    edges = np.arange(n_steps + 1, dtype=float) * H
    for k0 in design.dose_steps():
        t = np.asarray(edges - k0 * H, dtype=np.float64)
        u += np.diff(cumulative_release(design.release, t)) / H
    return u
