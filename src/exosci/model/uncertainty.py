"""Where a band's width comes from: the mean effect, assumed pharmacokinetics, animals.

Nested sampling on common random numbers. Three paired (treated - control) ensembles of one
design draw the same subjects from the same random streams
(:func:`exosci.model.posterior.parameter_draws`) and differ only in what is allowed to vary:

1. ``mean_effect``: the calibrated posterior (effect, lesion, and the delivery parameters the
   IV calibration informs jointly with the effect size), the prior draws of the uncalibrated
   non-delivery parameters and the design's own effect draws; every *assumed* delivery /
   pharmacokinetic parameter (``group: delivery``, not calibrated: carrier retention, CSF and
   nasal transport, homing, plasma half-lives) held at its median; a typical animal;
2. ``+ pharmacokinetics``: the assumed delivery parameters drawn as well (the ``mean`` band);
3. ``+ between-animal spread``: each subject is one animal (the ``animal`` band).

The variance of the gain that each step adds is that source's contribution, in this order
(mean effect first, then pharmacokinetics, then animals): a sequential decomposition, so with
interacting sources the order matters and it is stated. The assumed delivery parameters are
prior draws, independent of the posterior, so holding them is a clean conditioning; the
calibrated delivery parameters are not split off, because the calibration pins them only in
combination with the effect size (holding them alone would break that posterior correlation).
A step that *removes* variance is reported as 0 with ``negative_increment`` set, never silently.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exosci.model.design import Design
from exosci.model.parameters import FloatArray, ParameterTable, default_parameters

SOURCES = ("mean_effect", "pharmacokinetics", "between_animal")
LABELS = {
    "mean_effect": "uncertainty of the mean effect (calibrated posterior of the effect and "
    "lesion parameters, prior-only parameters, the design's own effect draws)",
    "pharmacokinetics": "assumed delivery and pharmacokinetics (delivery parameters the "
    "calibration does not inform: carrier retention, CSF and nasal transport, lesion homing, "
    "plasma half-lives)",
    "between_animal": "between-animal spread (lesion size at equal impact)",
}
METHOD = (
    "nested sampling on common random numbers: the same subjects drawn three times - assumed "
    "PK held at its median and a typical animal; then assumed PK drawn (the mean band); then one "
    "animal per "
    "subject (the animal band); each source's share is the variance its step adds to the "
    "paired gain (order: mean effect, pharmacokinetics, animals)"
)


def pharmacokinetic_parameters(table: ParameterTable) -> tuple[str, ...]:
    """Return the assumed delivery parameters that ``pharmacokinetics`` varies.

    They are ``group: delivery``, have a prior and are not calibrated.
    """
    from exosci.model.posterior import load_posterior

    post = load_posterior()
    calibrated = set(post.free) if post is not None else set()
    return tuple(
        n for n in table.uncertain if table.params[n].group == "delivery" and n not in calibrated
    )


def _gains(
    design: Design, table: ParameterTable, n: int, seed: int, days: list[int]
) -> dict[str, FloatArray]:
    from exosci.model.paired import paired_run
    from exosci.model.posterior import parameter_draws

    pk = pharmacokinetic_parameters(table)
    steps: dict[str, dict[str, Any]] = {
        "mean_effect": {"band": "mean", "hold": pk},
        "pharmacokinetics": {"band": "mean", "hold": ()},
        "between_animal": {"band": "animal", "hold": ()},
    }
    out: dict[str, FloatArray] = {}
    for name, kw in steps.items():
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        params = parameter_draws(n, rng, table=table, **kw)
        t, tr, ct = paired_run(design, params, n, outputs=("score",))
        idx = [int(np.searchsorted(t, d)) for d in days]
        out[name] = (tr["score"] - ct["score"])[idx]  # (days, n)
    return out


def decompose(
    design: Design,
    *,
    samples: int = 300,
    seed: int = 0,
    days: list[int] | None = None,
    table: ParameterTable | None = None,
) -> dict[str, Any]:
    """The variance of the predicted gain split into its three sources, per day (JSON-ready)."""
    if samples < 10:
        raise ValueError(f"samples: {samples} is too few for a variance split; accepted: >= 10")
    table = table or default_parameters()
    days = days or sorted(
        {d for d in (7, 14, 28) if d <= design.horizon_days} | {design.horizon_days}
    )
    g = _gains(design, table, samples, seed, days)
    cum = [np.var(g[s], axis=1, ddof=1) for s in SOURCES]  # cumulative variance per step
    inc = [cum[0], cum[1] - cum[0], cum[2] - cum[1]]
    negative = {s: bool(np.any(v < 0)) for s, v in zip(SOURCES, inc, strict=True)}
    inc = [np.clip(v, 0.0, None) for v in inc]
    total = np.maximum(sum(inc), 1e-12)

    def q(x: FloatArray) -> dict[str, list[float]]:
        med, lo, hi = np.quantile(x, [0.5, 0.05, 0.95], axis=1)
        return {"median": np.round(med, 4).tolist(), "p05": np.round(lo, 4).tolist(),
                "p95": np.round(hi, 4).tolist()}  # fmt: skip

    return {
        "label": "MODEL: where the width of the predicted gain's band comes from",
        "method": METHOD,
        "samples": samples,
        "seed": seed,
        "days": days,
        "sources": {s: LABELS[s] for s in SOURCES},
        "pharmacokinetic_parameters": list(pharmacokinetic_parameters(table)),
        "variance": {s: np.round(v, 5).tolist() for s, v in zip(SOURCES, inc, strict=True)},
        "share": {s: np.round(v / total, 4).tolist() for s, v in zip(SOURCES, inc, strict=True)},
        "negative_increment": negative,
        "bands": {
            "mean_effect": q(g["mean_effect"]),
            "mean_effect+pharmacokinetics": q(g["pharmacokinetics"]),
            "mean_effect+pharmacokinetics+between_animal": q(g["between_animal"]),
        },
    }
