"""The bridge to the therapy model: release fractions from a fitted model, and the spec block."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import yaml
from numpy.typing import ArrayLike, NDArray

from exosci.errors import UserInputError
from exosci.release.fit import ReleaseFit
from exosci.release.models import get_model


def release_fraction(
    model: str, params: Mapping[str, float], t_days: ArrayLike
) -> NDArray[np.float64]:
    """Cumulative fraction of the load released (0–1) at times ``t_days`` after implantation.

    Stable API for the therapy model. ``model`` is a registry name (``exosci.release.MODELS``) and
    ``params`` its parameters for time in days, exactly as in a spec's
    ``carrier.release.params`` (and as ``fit_release`` reports them). The model's percent is
    divided by 100 and clipped to [0, 1]; times ≤ 0 give 0 (nothing released before the start);
    Makoid–Banakar and Peppas–Sahlin (k2 < 0) are held at their peak once their curve turns
    down, so the cumulative release never falls.
    Raises ``UnknownNameError`` for an unknown model and ``UserInputError`` for missing, extra,
    non-finite or out-of-range parameters or non-finite times.
    """
    m = get_model(model)
    given = set(params)
    expected = set(m.param_names)
    if given != expected:
        raise UserInputError(
            f"release model {m.name!r} takes parameters {', '.join(m.param_names)}; got "
            f"{', '.join(sorted(given)) or 'none'} (missing: {', '.join(sorted(expected - given)) or '-'}, "
            f"unknown: {', '.join(sorted(given - expected)) or '-'})."
        )
    values: dict[str, float] = {}
    for p in m.params:
        try:
            v = float(params[p.name])
        except (TypeError, ValueError):
            raise UserInputError(
                f"release model {m.name!r}: parameter {p.name} = {params[p.name]!r} is not a number."
            ) from None
        if not (np.isfinite(v) and p.lower <= v <= p.upper):
            raise UserInputError(
                f"release model {m.name!r}: parameter {p.name} = {v!r} is outside "
                f"[{p.lower:g}, {p.upper:g}] {p.unit} (time in days)."
            )
        values[p.name] = v
    t = np.asarray(t_days, dtype=float)
    if not np.all(np.isfinite(t)):
        raise UserInputError("release_fraction: t_days contains NaN or infinite times.")
    tt = np.clip(t, 0.0, None)
    if m.monotone_until is not None:
        tt = np.minimum(tt, m.monotone_until(**values))
    frac = m.percent(tt, values) / 100.0
    frac = np.where(t > 0, np.nan_to_num(frac, nan=0.0, posinf=1.0, neginf=0.0), 0.0)
    return np.asarray(np.clip(frac, 0.0, 1.0), dtype=np.float64)


def carrier_block(
    fit: ReleaseFit, *, model: str | None = None, name: str = "fitted carrier"
) -> dict[str, Any]:
    """The therapy-spec ``carrier`` block for one fitted model (default: the AIC-best)."""
    chosen = model or fit.best
    if chosen is None:
        raise UserInputError(
            f"{fit.profile.source}: no ranked model to put in the spec; name one with --spec-model."
        )
    mf = fit.get(chosen)
    return {
        "carrier": {
            "name": name,
            "release": {
                "model": mf.name,
                "params": {k: float(f"{v:.6g}") for k, v in mf.params.items()},
                "time_unit": "day",
            },
        }
    }


def carrier_yaml(fit: ReleaseFit, *, model: str | None = None, name: str = "fitted carrier") -> str:
    """``carrier_block`` as YAML, with a provenance comment (source, criteria, fit subset)."""
    block = carrier_block(fit, model=model, name=name)
    mf = fit.get(block["carrier"]["release"]["model"])
    head = (
        f"# release model fitted by `exosci release fit` to {fit.profile.source}\n"
        f"# {get_model(mf.name).formula}; t in days, F in % of the load\n"
        f"# R2adj {mf.r2_adj:.4f}, AIC {mf.aic:.2f}, MSC {mf.msc:.2f}, fitted on {mf.fitted_on}"
        + (f", AIC rank {mf.rank}" if mf.rank else "")
        + "\n# a descriptive in-vitro fit: in vivo release may differ\n"
    )
    return head + yaml.safe_dump(block, sort_keys=False, allow_unicode=True)
