"""The release-kinetics model library: each model declared once, with formula, parameters and units.

All models follow the DDSolver model library (Zhang et al., AAPS J 2010;12:263, PMC2895453) and
return the cumulative amount released F in percent of the load. Time is always in days inside the
library (profiles are converted on reading), so fitted parameters are "per day" and can be written
to a therapy spec unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from exosci.registry import Registry

FloatArray = NDArray[np.float64]
Curve = Callable[..., FloatArray]
Guess = Callable[[FloatArray, FloatArray], tuple[float, ...]]

_INF = np.inf
_TINY = 1e-12


@dataclass(frozen=True)
class Param:
    """One model parameter: name, unit (time in days, amount in %), fit bounds, and meaning."""

    name: str
    unit: str
    lower: float
    upper: float
    meaning: str


@dataclass(frozen=True)
class ReleaseModel:
    """A kinetic model: F(t) in % for t in days, with its parameters and a data-driven first guess.

    ``fit_max_percent`` restricts the fit to the early part of the curve where the model is valid
    (Korsmeyer–Peppas: F <= 60 %). ``monotone_until`` gives, for non-monotone empirical curves, the
    time after which the cumulative release is held at its peak (see ``release_fraction``).
    """

    name: str
    label: str
    formula: str
    params: tuple[Param, ...]
    curve: Curve
    guess: Guess
    doc: str
    fit_max_percent: float | None = None
    monotone_until: Callable[..., float] | None = None

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def n_params(self) -> int:
        return len(self.params)

    def percent(self, t_days: FloatArray, params: dict[str, float]) -> FloatArray:
        """Cumulative release in % at ``t_days`` (model formula as fitted, not clipped)."""
        t = np.asarray(t_days, dtype=float)
        with np.errstate(all="ignore"):
            return np.asarray(self.curve(t, *(float(params[n]) for n in self.param_names)), float)


def _release_key(name: str) -> str:
    return name.strip().lower().replace("–", "-").replace(" ", "_").replace("-", "_")


#: Release kinetics `exosci release fit` fits (registered below, one per model).
MODELS: Registry[ReleaseModel] = Registry(
    "release model",
    description="Cumulative-release kinetics `exosci release fit` fits (--models).",
    normalize=_release_key,
)


def register(model: ReleaseModel) -> ReleaseModel:
    """Add a kinetic model (once per name)."""
    if model.name in MODELS:
        raise ValueError(f"release model {model.name!r} registered twice")
    return MODELS.register(
        model.name,
        model,
        description=f"{model.label}: {model.formula}",
        parameters=list(model.param_names),
    )


def get_model(name: str) -> ReleaseModel:
    """Look a model up by registry name, forgiving case, spaces, hyphens and en dashes."""
    return MODELS.get(name)


# --- first guesses: cheap linearisations, so multi-start only has to polish -------------------


def _pos(t: FloatArray, y: FloatArray, hi: float = 99.5) -> tuple[FloatArray, FloatArray]:
    keep = (t > 0) & (y > 0.05) & (y < hi)
    return t[keep], y[keep]


def _rate(t: FloatArray, z: FloatArray) -> float:
    """Least-squares slope through the origin of z against t (a rate constant guess)."""
    den = float(np.sum(t * t))
    return max(float(np.sum(t * z)) / den, _TINY) if den > 0 else 1.0


def _loglog(t: FloatArray, y: FloatArray) -> tuple[float, float]:
    """Fit ln y = ln a + b ln t; returns (a, b), falling back to a square-root law."""
    tt, yy = _pos(t, y, hi=100.0)
    if len(tt) >= 2 and np.ptp(np.log(tt)) > 0:
        b, lna = np.polyfit(np.log(tt), np.log(yy), 1)
        return float(np.exp(lna)), float(np.clip(b, 0.1, 1.5))
    return _rate(np.sqrt(t), y), 0.5


def _tscale(t: FloatArray, y: FloatArray) -> float:
    """A characteristic release time: first time at which half the final release is reached."""
    if len(t) == 0 or np.max(y) <= 0:
        return float(np.max(t)) if len(t) else 1.0
    half = np.argmax(y >= 0.5 * np.max(y))
    return max(float(t[half]), float(np.max(t)) / 20, _TINY)


# --- the model curves ------------------------------------------------------------------------


def _zero(t: FloatArray, k0: float) -> FloatArray:
    return k0 * t


def _first(t: FloatArray, k1: float) -> FloatArray:
    return 100.0 * (1.0 - np.exp(-k1 * t))


def _higuchi(t: FloatArray, kH: float) -> FloatArray:
    return kH * np.sqrt(t)


def _kp(t: FloatArray, kKP: float, n: float) -> FloatArray:
    return kKP * np.power(t, n)


def _hopfenberg(t: FloatArray, kHB: float, n: float) -> FloatArray:
    # Past t = 1/kHB the device is exhausted: (1 - kHB t) is clipped at 0, so F = 100 %.
    return 100.0 * (1.0 - np.power(np.clip(1.0 - kHB * t, 0.0, None), n))


def _hixson(t: FloatArray, kHC: float) -> FloatArray:
    return _hopfenberg(t, kHC, 3.0)


def baker_lonsdale_fraction(c: FloatArray) -> FloatArray:
    """Invert 3/2[1 - (1 - f)^(2/3)] - f = c for f in [0, 1] (closed form, c clipped to [0, 1/2]).

    With u = (1 - f)^(1/3) the equation is the cubic u^3 - 3/2 u^2 + 1/2 - c = 0; substituting
    v = u - 1/2 gives v^3 - 3/4 v + (1/4 - c) = 0, whose root on the physical branch is
    v = cos(arccos(4c - 1)/3 - 2π/3) (trigonometric solution; v runs from 1/2 to -1/2).
    """
    cc = np.clip(np.asarray(c, dtype=float), 0.0, 0.5)
    v = np.cos(np.arccos(np.clip(4.0 * cc - 1.0, -1.0, 1.0)) / 3.0 - 2.0 * np.pi / 3.0)
    return np.clip(1.0 - (v + 0.5) ** 3, 0.0, 1.0)


def _baker(t: FloatArray, kBL: float) -> FloatArray:
    return 100.0 * baker_lonsdale_fraction(kBL * t)


def _peppas_sahlin(t: FloatArray, k1: float, k2: float, m: float) -> FloatArray:
    tm = np.power(t, m)
    return k1 * tm + k2 * tm * tm


def _ps_peak(k1: float, k2: float, m: float) -> float:
    return (
        float((-k1 / (2.0 * k2)) ** (1.0 / m)) if k2 < 0 and k1 > 0 else (0.0 if k2 < 0 else np.inf)
    )


def _weibull(t: FloatArray, tau: float, beta: float) -> FloatArray:
    return 100.0 * (1.0 - np.exp(-np.power(np.clip(t, 0.0, None) / tau, beta)))


def _makoid(t: FloatArray, kMB: float, n: float, k: float) -> FloatArray:
    return kMB * np.power(t, n) * np.exp(-k * t)


def _gompertz(t: FloatArray, alpha: float, beta: float) -> FloatArray:
    # exp(-alpha exp(-beta ln t)) = exp(-alpha t^-beta); -> 0 as t -> 0+ for alpha, beta > 0.
    tt = np.clip(t, 0.0, None)
    out = np.zeros_like(tt)
    pos = tt > 0
    out[pos] = 100.0 * np.exp(-alpha * np.power(tt[pos], -beta))
    return out


def _logistic(t: FloatArray, alpha: float, beta: float) -> FloatArray:
    # e^(a + b ln t) / (1 + e^(a + b ln t)), written as a stable sigmoid; 0 at t = 0.
    tt = np.clip(t, 0.0, None)
    out = np.zeros_like(tt)
    pos = tt > 0
    z = alpha + beta * np.log(tt[pos])
    out[pos] = 100.0 / (1.0 + np.exp(-z))
    return out


# --- guesses -----------------------------------------------------------------------------------


def _g_zero(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    return (_rate(t, y),)


def _g_first(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    tt, yy = _pos(t, y)
    return (_rate(tt, -np.log1p(-yy / 100.0)) if len(tt) else 1.0 / _tscale(t, y),)


def _g_higuchi(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    return (_rate(np.sqrt(t), y),)


def _g_kp(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    return _loglog(t, y)


def _g_hixson(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    tt, yy = _pos(t, y)
    z = 1.0 - np.cbrt(1.0 - yy / 100.0)
    return (_rate(tt, z) if len(tt) else 1.0 / _tscale(t, y),)


def _g_hopfenberg(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    return (_g_hixson(t, y)[0], 3.0)


def _g_baker(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    tt, yy = _pos(t, y)
    f = yy / 100.0
    z = 1.5 * (1.0 - np.power(1.0 - f, 2.0 / 3.0)) - f
    return (_rate(tt, z) if len(tt) else 0.5 / _tscale(t, y),)


def _g_ps(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    a, b = _loglog(t, y)
    return (a, 0.0, b)


def _g_weibull(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    tt, yy = _pos(t, y)
    if len(tt) >= 2 and np.ptp(np.log(tt)) > 0:
        b, c = np.polyfit(np.log(tt), np.log(-np.log1p(-yy / 100.0)), 1)
        if b > 0:
            return (float(np.exp(-c / b)), float(np.clip(b, 0.1, 5.0)))
    return (_tscale(t, y) / np.log(2.0), 1.0)


def _g_makoid(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    a, b = _loglog(t, y)
    return (a, b, 0.1 / max(float(np.max(t)), _TINY))


def _g_gompertz(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    tt, yy = _pos(t, y)
    if len(tt) >= 2 and np.ptp(np.log(tt)) > 0:
        slope, c = np.polyfit(np.log(tt), np.log(-np.log(yy / 100.0)), 1)
        if slope < 0:
            return (float(np.exp(c)), float(np.clip(-slope, 0.05, 10.0)))
    return (np.log(2.0) * _tscale(t, y), 1.0)


def _g_logistic(t: FloatArray, y: FloatArray) -> tuple[float, ...]:
    tt, yy = _pos(t, y)
    if len(tt) >= 2 and np.ptp(np.log(tt)) > 0:
        f = yy / 100.0
        b, a = np.polyfit(np.log(tt), np.log(f / (1.0 - f)), 1)
        if b > 0:
            return (float(a), float(np.clip(b, 0.05, 10.0)))
    return (-np.log(_tscale(t, y)), 1.0)


# --- the registry ------------------------------------------------------------------------------
# Bounds are wide on purpose (time may be minutes or weeks before conversion to days); the rate
# constants are non-negative so every curve rises from F(0) = 0.

_RATE = 1e6

register(
    ReleaseModel(
        "zero_order",
        "zero-order",
        "F = k0·t",
        (Param("k0", "%/day", 0.0, _RATE, "release rate"),),
        _zero,
        _g_zero,
        "Zero-order release (constant rate, e.g. reservoir devices) "
        "(DDSolver, Zhang et al., AAPS J 2010;12:263).",
    )
)
register(
    ReleaseModel(
        "first_order",
        "first-order",
        "F = 100·(1 − exp(−k1·t))",
        (Param("k1", "1/day", 0.0, _RATE, "first-order rate constant"),),
        _first,
        _g_first,
        "First-order release (rate proportional to the load left) "
        "(DDSolver, Zhang et al., AAPS J 2010;12:263).",
    )
)
register(
    ReleaseModel(
        "higuchi",
        "Higuchi",
        "F = kH·t^0.5",
        (Param("kH", "%/day^0.5", 0.0, _RATE, "Higuchi release constant"),),
        _higuchi,
        _g_higuchi,
        "Higuchi square-root-of-time law (Fickian diffusion from a planar matrix) "
        "(DDSolver, Zhang et al., AAPS J 2010;12:263).",
    )
)
register(
    ReleaseModel(
        "korsmeyer_peppas",
        "Korsmeyer–Peppas",
        "F = kKP·t^n   (fitted on F ≤ 60 %)",
        (
            Param("kKP", "%/day^n", 0.0, _RATE, "release constant"),
            Param("n", "1", 0.05, 2.0, "diffusional exponent (mechanism indicator)"),
        ),
        _kp,
        _g_kp,
        "Korsmeyer–Peppas power law, valid for the first 60 % of release only, so fitted on "
        "F ≤ 60 % (DDSolver, Zhang et al., AAPS J 2010;12:263); n thresholds after "
        "Ritger & Peppas, J Control Release 1987;5:23.",
        fit_max_percent=60.0,
    )
)
register(
    ReleaseModel(
        "hixson_crowell",
        "Hixson–Crowell",
        "F = 100·[1 − (1 − kHC·t)^3]",
        (Param("kHC", "1/day", 0.0, _RATE, "cube-root erosion constant"),),
        _hixson,
        _g_hixson,
        "Hixson–Crowell cube-root law (eroding/dissolving spheres of shrinking surface) "
        "(DDSolver, Zhang et al., AAPS J 2010;12:263). Complete at t = 1/kHC.",
    )
)
register(
    ReleaseModel(
        "hopfenberg",
        "Hopfenberg",
        "F = 100·[1 − (1 − kHB·t)^n]",
        (
            Param("kHB", "1/day", 0.0, _RATE, "surface-erosion constant"),
            Param("n", "1", 0.5, 20.0, "geometry factor (1 slab, 2 cylinder, 3 sphere)"),
        ),
        _hopfenberg,
        _g_hopfenberg,
        "Hopfenberg surface-erosion model with the geometry factor fitted "
        "(DDSolver, Zhang et al., AAPS J 2010;12:263). Complete at t = 1/kHB.",
    )
)
register(
    ReleaseModel(
        "baker_lonsdale",
        "Baker–Lonsdale",
        "3/2·[1 − (1 − F/100)^(2/3)] − F/100 = kBL·t",
        (Param("kBL", "1/day", 0.0, _RATE, "Baker–Lonsdale constant"),),
        _baker,
        _g_baker,
        "Baker–Lonsdale diffusion from spherical matrices (Higuchi for spheres), solved for F in "
        "closed form (DDSolver, Zhang et al., AAPS J 2010;12:263). Complete at "
        "t = 1/(2 kBL).",
    )
)
register(
    ReleaseModel(
        "peppas_sahlin",
        "Peppas–Sahlin",
        "F = k1·t^m + k2·t^(2m)",
        (
            Param("k1", "%/day^m", 0.0, _RATE, "Fickian (diffusion) term"),
            Param("k2", "%/day^2m", -_RATE, _RATE, "case-II (relaxation) term"),
            Param("m", "1", 0.05, 2.0, "Fickian diffusion exponent"),
        ),
        _peppas_sahlin,
        _g_ps,
        "Peppas–Sahlin two-term model (diffusion plus polymer relaxation) "
        "(DDSolver, Zhang et al., AAPS J 2010;12:263). With k2 < 0 it peaks at "
        "t = (−k1/(2·k2))^(1/m); as a cumulative release it is held at its peak after that.",
        monotone_until=_ps_peak,
    )
)
register(
    ReleaseModel(
        "weibull",
        "Weibull",
        "F = 100·[1 − exp(−(t/tau)^beta)]",
        (
            Param("tau", "day", 1e-9, 1e9, "time scale: 63.2 % released at t = tau"),
            Param("beta", "1", 0.05, 20.0, "shape (<1 fast start, 1 first-order, >1 sigmoid)"),
        ),
        _weibull,
        _g_weibull,
        "Weibull model without lag: DDSolver's Weibull 1 with its scale alpha = tau^beta "
        "(Zhang et al., AAPS J 2010;12:263); tau is used because it converts between time "
        "units.",
    )
)
register(
    ReleaseModel(
        "makoid_banakar",
        "Makoid–Banakar",
        "F = kMB·t^n·exp(−k·t)",
        (
            Param("kMB", "%/day^n", 0.0, _RATE, "release constant"),
            Param("n", "1", 0.01, 5.0, "power-law exponent"),
            Param("k", "1/day", 0.0, _RATE, "exponential damping constant"),
        ),
        _makoid,
        _g_makoid,
        "Makoid–Banakar empirical model (power law with exponential damping) "
        "(DDSolver, Zhang et al., AAPS J 2010;12:263). Rises only until t = n/k; as a "
        "cumulative release "
        "it is held at its peak after that.",
        monotone_until=lambda kMB, n, k: n / k if k > 0 else np.inf,
    )
)
register(
    ReleaseModel(
        "gompertz",
        "Gompertz",
        "F = 100·exp(−alpha·exp(−beta·ln t))",
        (
            Param("alpha", "day^beta", 0.0, 1e9, "scale (location in log time)"),
            Param("beta", "1", 0.01, 20.0, "shape (steepness in log time)"),
        ),
        _gompertz,
        _g_gompertz,
        "Gompertz model in log time. DDSolver Gompertz 1 (Zhang et al., AAPS J 2010;12:263), "
        "natural logarithm, t in days.",
    )
)
register(
    ReleaseModel(
        "logistic",
        "logistic",
        "F = 100·exp(alpha + beta·ln t) / [1 + exp(alpha + beta·ln t)]",
        (
            Param("alpha", "1", -1e3, 1e3, "location in log time (t50 = exp(−alpha/beta))"),
            Param("beta", "1", 0.01, 20.0, "steepness in log time"),
        ),
        _logistic,
        _g_logistic,
        "Logistic model in log time. DDSolver Logistic 1 (Zhang et al., AAPS J 2010;12:263), "
        "natural logarithm, t in days.",
    )
)
