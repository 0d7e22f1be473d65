"""Bayesian calibration of the free parameters (emcee ensemble MCMC over the vectorised solver).

Targets (``calibration_targets.yaml``, each with its source): the untreated BBB course after a
moderate thoracic contusion with its between-animal spread, and the pooled treated - control BBB
difference at weeks 1-4 of a 40-study network meta-analysis. The pooled effect is a property of
the pooled studies' *design mix* (IV, one dose of 100-200 ug, 30 min-24 h after injury), so the
model's pooled effect is the mean over the arms of that mix; dose and timing within it are left
to their (wide) priors, which the mean over the mix barely constrains.

What is calibrated: every uncertain population parameter the targets can inform (moving it over
its prior's 5-95 % range moves some target by more than a tenth of that target's SD;
:func:`calibrated_parameters`) is an MCMC coordinate, so no parameter is held at a nominal
value. For the others (other routes, carriers, mouse, and a few with negligible leverage) the
likelihood is flat over their prior, so their posterior is their prior and they are sampled
from it in every band (:mod:`exosci.model.posterior`).

Why emcee: the likelihood is explicit (Gaussian on published means with their CIs), the model is
a deterministic ODE solved for all walkers in one vectorised call (``vectorize=True``), and the
ensemble needs no gradients and no tuning; ABC (pyabc) would discard the explicit likelihood and
need thousands more simulations. With ~45 coordinates the stretch move mixes slowly, so the run
uses emcee's differential-evolution moves (``DEMove`` 80 %, ``DESnookerMove`` 20 %), the mixture
emcee's documentation suggests for higher-dimensional targets.

Sampling space: every free parameter is written as ``theta = prior_ppf(Phi(z))``, so the prior
is N(0, 1) in ``z`` whatever its distribution (lognormal, uniform); the between-animal SD is one
more coordinate with a lognormal prior. Group means and SDs over animals are computed with
Gauss-Hermite quadrature over the animal random effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from scipy import stats

from exosci._yaml import load_text
from exosci.model.design import Design, reference_design
from exosci.model.parameters import FloatArray, ParameterTable, default_parameters
from exosci.model.posterior import SD_NAME, Posterior
from exosci.model.solver import integrate_many

# Used only while parameters.yaml marks no parameter `free: true`.
FALLBACK_FREE = ("k_plast", "f50_rat", "emax", "t_half_cargo", "ec50")
Z_MAX = 6.0  # proposals further out (in prior SDs) are rejected without solving
SCREEN_SHARE = 0.1  # calibrated if its prior range moves a target by > 0.1 of the target's SD
_Z95 = 1.6448536269514722


@dataclass(frozen=True)
class Target:
    id: str
    kind: str  # control_mean | control_sd | effect
    day: int
    mid: float  # centre of the likelihood
    sd: float  # SD of the likelihood
    low: float  # published interval (range or 95 % CI)
    high: float
    source: str
    value: float | None = None  # published point estimate (effect targets)
    ref: str = ""  # key of the source in calibration_targets.yaml

    @property
    def published(self) -> str:
        if self.value is not None:
            return f"{self.value:g} ({self.low:g}-{self.high:g})"
        return f"{self.low:g}-{self.high:g}"


@dataclass(frozen=True)
class Setup:
    """Everything a calibration run needs: targets, designs, free parameters, priors."""

    targets: tuple[Target, ...]
    sources: dict[str, str]
    arms: tuple[Design, ...]
    control: Design
    free: tuple[str, ...]
    table: ParameterTable
    animal_parameters: tuple[str, ...]
    sd_prior: tuple[float, float, float]  # median, 5 %, 95 %
    nodes: int
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """MCMC coordinates: the free parameters, plus the animal SD if the table lacks it."""
        return self.free if SD_NAME in self.free else (*self.free, SD_NAME)

    @property
    def animal_effects(self) -> tuple[str, ...]:
        """Per-animal standard-normal effects the model itself applies (``role: animal``)."""
        return roles(self.table, "animal")

    @property
    def horizon(self) -> int:
        return self.control.horizon_days


def marked_free(table: ParameterTable) -> tuple[str, ...]:
    """The parameters the table marks ``free: true`` (the identifiable core of the fit)."""
    marked = tuple(n for n, p in table.params.items() if getattr(p, "free", False))
    return marked or tuple(n for n in FALLBACK_FREE if n in table.params)


def free_parameters(table: ParameterTable) -> tuple[str, ...]:
    """Every MCMC coordinate: the marked parameters plus every other uncertain population
    parameter that moves a calibration output (in table order)."""
    if table is default_parameters():
        return _default_free()
    return _free_for(table)


@cache
def _default_free() -> tuple[str, ...]:
    return _free_for(default_parameters())


def _free_for(table: ParameterTable) -> tuple[str, ...]:
    marked = marked_free(table)
    screened = set(calibrated_parameters(_setup(table, marked)))
    return tuple(n for n in table.params if n in screened or n in marked)


def roles(table: ParameterTable, role: str) -> tuple[str, ...]:
    """Parameters of a role (``animal``: per-animal effect; ``design``: per-design effect)."""
    return tuple(n for n, p in table.params.items() if getattr(p, "role", "population") == role)


@cache
def _targets_doc() -> dict[str, Any]:
    text = resources.files("exosci.model").joinpath("calibration_targets.yaml").read_text("utf-8")
    return dict(load_text(text))


def typical_design() -> Design:
    """The typical design of the pooled studies (potency 1, equal axis weights); the arms of
    ``calibration_targets.yaml`` set its dose and timing."""
    return replace(reference_design(), label="typical design")


def parse_targets(doc: dict[str, Any]) -> tuple[Target, ...]:
    sources = doc.get("sources", {})
    out = []
    for rec in doc["targets"]:
        src = sources.get(rec["source"], rec["source"])
        if rec["kind"] == "effect":
            lo, hi = (float(x) for x in rec["ci"])
            out.append(
                Target(
                    rec["id"], "effect", int(rec["day"]), float(rec["value"]),
                    (hi - lo) / 3.92, lo, hi, src, float(rec["value"]), str(rec["source"]),
                )
            )  # fmt: skip
        elif rec["kind"] in ("control_mean", "control_sd"):
            lo, hi = float(rec["low"]), float(rec["high"])
            out.append(
                Target(rec["id"], rec["kind"], int(rec["day"]), (lo + hi) / 2, (hi - lo) / 2, lo, hi, src, None, str(rec["source"]))
            )  # fmt: skip
        else:
            raise ValueError(f"calibration target {rec['id']}: unknown kind {rec['kind']!r}")
    return tuple(out)


def effect_targets() -> tuple[Target, ...]:
    """The fitted pooled treatment effects (treated - control BBB by week)."""
    return tuple(t for t in parse_targets(_targets_doc()) if t.kind == "effect")


def load_setup(
    *,
    table: ParameterTable | None = None,
    free: tuple[str, ...] | None = None,
    targets: tuple[Target, ...] | None = None,
    nodes: int | None = None,
) -> Setup:
    table = table or default_parameters()
    return _setup(table, free or free_parameters(table), targets, nodes)


def _setup(
    table: ParameterTable,
    free: tuple[str, ...],
    targets: tuple[Target, ...] | None = None,
    nodes: int | None = None,
) -> Setup:
    doc = _targets_doc()
    base = typical_design()
    arms = tuple(
        replace(
            base,
            dose_ug=float(a["dose_ug"]),
            dose_times_days=(float(a["hours_post_injury"]) / 24.0,),
            label=f"typical IV {a['dose_ug']:g} ug at {a['hours_post_injury']:g} h",
        )
        for a in doc["typical_design"]["arms"]
    )
    ba = doc["between_animal"]
    sdp = ba["sd_prior"]
    return Setup(
        targets=targets or parse_targets(doc),
        sources=dict(doc["sources"]),
        arms=arms,
        control=base.control(),
        free=free,
        table=table,
        animal_parameters=tuple(ba["parameters"]),
        sd_prior=(float(sdp["value"]), float(sdp["low"]), float(sdp["high"])),
        nodes=int(nodes or ba.get("nodes", 5)),
        meta={"between_animal_source": " ".join(str(ba["source"]).split())},
    )


# --- the forward model: z-space -> parameters -> predicted targets ------------------------------


def to_parameters(setup: Setup, z: FloatArray) -> dict[str, FloatArray]:
    """Map ``z`` (m, d) to natural-unit values of the free parameters and the animal SD."""
    u = stats.norm.cdf(z)
    out = {n: setup.table.params[n].ppf(u[:, j]) for j, n in enumerate(setup.free)}
    if SD_NAME not in setup.free:
        med, lo, hi = setup.sd_prior
        sigma = (np.log(hi) - np.log(lo)) / (2 * _Z95)
        out[SD_NAME] = med * np.exp(sigma * z[:, -1])
    return out


def to_z(setup: Setup, values: dict[str, float]) -> FloatArray:
    """Inverse of :func:`to_parameters` for one parameter set."""
    z = []
    for n in setup.free:
        p = setup.table.params[n]
        grid = np.linspace(1e-6, 1 - 1e-6, 20001)
        u = float(np.interp(values[n], p.ppf(grid), grid))
        z.append(float(stats.norm.ppf(u)))
    if SD_NAME not in setup.free:
        med, lo, hi = setup.sd_prior
        sigma = (np.log(hi) - np.log(lo)) / (2 * _Z95)
        z.append(float(np.log(values[SD_NAME] / med) / sigma))
    return np.asarray(z)


def predict(
    setup: Setup, theta: dict[str, FloatArray], *, extra: dict[str, FloatArray] | None = None
) -> dict[str, FloatArray]:
    """Model value of every target for ``m`` parameter sets (one vectorised integration).

    Group means and SDs are taken over animals (Gauss-Hermite nodes of the random effect).
    """
    m = len(theta[SD_NAME])
    k = setup.nodes
    zn, wn = np.polynomial.hermite_e.hermegauss(k)
    wn = wn / wn.sum()
    params: dict[str, Any] = {n: np.full(m * k, v) for n, v in setup.table.nominal().items()}
    for n, v in {**theta, **(extra or {})}.items():
        if n != SD_NAME or n in setup.table.params:
            params[n] = np.repeat(np.asarray(v, float), k)
    if setup.animal_effects:  # the model applies f50 x exp(animal_sd x animal_z) itself
        for n in setup.animal_effects:
            params[n] = np.tile(zn, m)
    else:
        factor = np.exp(np.outer(theta[SD_NAME], zn)).ravel()  # (m*k,), animal-major per draw
        for n in setup.animal_parameters:
            params[n] = params[n] * factor
    designs = [*setup.arms, setup.control]
    trajs = integrate_many(designs, params, m * k)
    days = trajs[0].days
    scores = [t.values["score"].reshape(len(days), m, k) for t in trajs]
    means = [s @ wn for s in scores]  # (days, m)
    ctrl = scores[-1]
    ctrl_sd = np.sqrt(np.einsum("dmk,k->dm", (ctrl - means[-1][..., None]) ** 2, wn))
    effect = np.mean([mu - means[-1] for mu in means[:-1]], axis=0)
    out = {}
    for t in setup.targets:
        i = int(np.searchsorted(days, t.day))
        series = {"control_mean": means[-1], "control_sd": ctrl_sd, "effect": effect}[t.kind]
        out[t.id] = series[i]
    return out


def log_likelihood(setup: Setup, pred: dict[str, FloatArray]) -> FloatArray:
    r = np.array([(pred[t.id] - t.mid) / t.sd for t in setup.targets])
    ll = -0.5 * np.sum(r**2, axis=0)
    return np.where(np.isfinite(ll), ll, -np.inf)


def log_posterior(setup: Setup, z: FloatArray) -> FloatArray:
    z = np.atleast_2d(z)
    lp = -0.5 * np.sum(z**2, axis=1)
    # beyond 6 prior SDs the prior density is negligible and quantile functions reach 0 or inf
    # (a rate of 0 breaks the solver's declared decays): such proposals are rejected unsolved
    ok = np.all(np.abs(z) <= Z_MAX, axis=1)
    out = np.full(len(z), -np.inf)
    if ok.any():
        with np.errstate(all="ignore"):
            ll = log_likelihood(setup, predict(setup, to_parameters(setup, z[ok])))
        out[ok] = lp[ok] + ll
    return out


# --- the sampler ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Size of a calibration run. The committed posterior states the settings it was made with."""

    walkers: int = 88  # >= 2 x the 43 coordinates
    steps: int = 3000
    burn: int = 1000
    keep: int = 1000  # posterior draws written to the file
    seed: int = 20261129

    def check(self, ndim: int) -> None:
        if self.walkers < 2 * ndim or self.walkers % 2:
            raise ValueError(f"walkers must be even and >= {2 * ndim} (2 x dimensions)")
        if not 0 <= self.burn < self.steps:
            raise ValueError("burn must be >= 0 and < steps")


COMMITTED = Settings()  # the run behind the shipped posterior.yaml


@dataclass
class Calibration:
    setup: Setup
    settings: Settings
    chain: FloatArray  # (steps, walkers, d) in z-space
    log_prob: FloatArray  # (steps, walkers)
    acceptance: FloatArray  # (walkers,)
    draws: dict[str, FloatArray]  # natural units, thinned post-burn draws
    conditioned: tuple[str, ...] = ()

    def posterior(self) -> Posterior:
        s = self.settings
        return Posterior(
            free=self.setup.free,
            draws=self.draws,
            animal_parameters=self.setup.animal_parameters,
            conditioned=frozenset(self.conditioned),
            meta={
                "label": "posterior draws (emcee ensemble MCMC, differential-evolution moves) of the free "
                "parameters given the calibration targets in calibration_targets.yaml",
                "settings": {
                    "walkers": s.walkers,
                    "steps": s.steps,
                    "burn": s.burn,
                    "keep": s.keep,
                    "seed": s.seed,
                    "gauss_hermite_nodes": self.setup.nodes,
                },
                "diagnostics": diagnostics_summary(self),
            },
        )


def run(
    setup: Setup,
    settings: Settings = COMMITTED,
    *,
    progress: Callable[[int], None] | None = None,
    find_conditioned: bool = True,
) -> Calibration:
    """Sample the posterior with emcee; every walker of a step runs in one solver call."""
    import emcee

    ndim = len(setup.names)
    settings.check(ndim)
    rng = np.random.default_rng(settings.seed)
    p0 = start_point(setup) + 0.3 * rng.standard_normal((settings.walkers, ndim))
    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    sampler = emcee.EnsembleSampler(
        settings.walkers, ndim, lambda z: log_posterior(setup, z), vectorize=True, moves=moves
    )
    sampler.random_state = np.random.RandomState(settings.seed).get_state()
    for _ in sampler.sample(p0, iterations=settings.steps):
        if progress:
            progress(1)
    chain = sampler.get_chain()
    flat = chain[settings.burn :].reshape(-1, ndim)
    idx = np.linspace(0, len(flat) - 1, min(settings.keep, len(flat))).round().astype(int)
    draws = to_parameters(setup, flat[idx])
    cal = Calibration(
        setup,
        settings,
        chain,
        sampler.get_log_prob(),
        np.asarray(sampler.acceptance_fraction),
        draws,
    )
    if find_conditioned:
        cal.conditioned = calibrated_parameters(setup)  # moves a target, not calibrated: none
    return cal


def start_point(setup: Setup, iterations: int = 150) -> FloatArray:
    """The posterior mode in ``z`` (L-BFGS-B from the prior median, gradients by one vectorised
    finite-difference call): the walkers start around it, so the burn-in is spent mixing."""
    from scipy.optimize import minimize

    d = len(setup.names)

    def objective(z: FloatArray) -> tuple[float, FloatArray]:
        h = 1e-3
        lp = log_posterior(setup, np.vstack([z, z + h * np.eye(d)]))
        if not np.isfinite(lp[0]):
            return 1e10, np.zeros(d)
        grad = -(lp[1:] - lp[0]) / h
        return float(-lp[0]), np.where(np.isfinite(grad), grad, 0.0)

    res = minimize(objective, np.zeros(d), jac=True, method="L-BFGS-B",
                   options={"maxiter": iterations})  # fmt: skip
    return np.asarray(res.x, dtype=float)


def calibrated_parameters(setup: Setup, share: float = SCREEN_SHARE) -> tuple[str, ...]:
    """Uncertain population parameters (other than ``setup.free``) that the targets can inform:
    moving one across its prior's 5-95 % range (the others at nominal) moves some calibration
    output by more than ``share`` x that target's likelihood SD.

    These are calibrated with the others (:func:`free_parameters`). For the rest the
    likelihood is flat to within a tenth of a target SD over their prior, so their posterior is
    their prior and they are sampled from it.
    """
    return tuple(n for n, r in target_leverage(setup).items() if r > share)


def target_leverage(setup: Setup) -> dict[str, float]:
    """Per uncertain population parameter not in ``setup.free``: the largest change of any
    calibration output over the parameter's 5-95 % prior range, in units of that target's SD."""
    skip = set(setup.free) | set(roles(setup.table, "animal")) | set(roles(setup.table, "design"))
    others = [n for n in setup.table.uncertain if n not in skip]
    m = 2 * len(others) + 1
    theta: dict[str, FloatArray] = {n: np.full(m, setup.table.params[n].value) for n in setup.free}
    if SD_NAME not in theta:
        theta[SD_NAME] = np.full(m, setup.sd_prior[0])
    extra = {n: np.full(m, setup.table.params[n].value) for n in others}
    for j, n in enumerate(others):
        extra[n][1 + 2 * j], extra[n][2 + 2 * j] = setup.table.params[n].ppf(np.array([0.05, 0.95]))
    pred = predict(replace(setup, nodes=1), theta, extra=extra)
    sd = {t.id: t.sd for t in setup.targets}
    return {
        n: max(float(abs(v[2 + 2 * j] - v[1 + 2 * j])) / sd[k] for k, v in pred.items())
        for j, n in enumerate(others)
    }


def diagnostics_summary(cal: Calibration) -> dict[str, Any]:
    """Acceptance, integrated autocorrelation time and effective sample size per parameter."""
    from emcee.autocorr import integrated_time

    post = cal.chain[cal.settings.burn :]
    tau = integrated_time(post, quiet=True, tol=0)
    n_post = post.shape[0] * post.shape[1]
    return {
        "acceptance_mean": round(float(np.mean(cal.acceptance)), 3),
        "acceptance_range": [
            round(float(np.min(cal.acceptance)), 3),
            round(float(np.max(cal.acceptance)), 3),
        ],
        "autocorr_time_steps": {
            n: round(float(t), 1) for n, t in zip(cal.setup.names, tau, strict=True)
        },
        "ess": {n: round(float(n_post / t), 1) for n, t in zip(cal.setup.names, tau, strict=True)},
        "chain_longer_than_50_tau": bool(post.shape[0] > 50 * float(np.max(tau))),
    }
