"""Treated and control of one design in one vectorised integration, and the output names.

Shared by the deterministic run, the ensembles (:mod:`exosci.model.simulate`) and the band
decomposition (:mod:`exosci.model.uncertainty`), which therefore do not import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from exosci.model.design import Design
from exosci.model.parameters import FloatArray
from exosci.model.solver import Trajectory, integrate

# Public output name -> model symbol, unit
OUTPUTS: dict[str, tuple[str, str]] = {
    "score": ("score", "points"),
    "neutrophils": ("Ne", "normalised"),
    "cytokines": ("C", "normalised"),
    "m1": ("M1", "normalised"),
    "m2": ("M2", "normalised"),
    "barrier": ("B", "integrity 0-1"),
    "vessels": ("V", "fraction of uninjured"),
    "neurons": ("N", "surviving at-risk tissue 0-1"),
    "apoptosis_loss": ("La", "fraction"),
    "ferroptosis_loss": ("Lf", "fraction"),
    "scar": ("Sc", "normalised"),
    "axons": ("R", "fraction of regrowable pool"),
    "function": ("F", "fraction"),
    "plasma": ("P", "ug"),
    "csf": ("Cs", "ug"),
    "lesion_free": ("Ex", "ug"),
    "lesion_cargo": ("I", "ug-eq"),
    "exposure": ("X", "0-1 (Emax response)"),
    "lesion_auc": ("AUC", "ug*day"),
}


def _pick(tr: Trajectory, names: Sequence[str], sl: slice) -> dict[str, FloatArray]:
    return {n: tr.values[OUTPUTS[n][0]][:, sl] for n in names}


def check_outputs(names: Sequence[str]) -> None:
    """Refuse output names the model does not have, naming those it has."""
    unknown = [n for n in names if n not in OUTPUTS]
    if unknown:
        raise ValueError(f"unknown outputs {unknown}; known: {', '.join(OUTPUTS)}")


def paired_run(
    design: Design,
    params: dict[str, Any],
    n: int,
    *,
    record_per_day: int = 1,
    outputs: Sequence[str] = tuple(OUTPUTS),
) -> tuple[FloatArray, dict[str, FloatArray], dict[str, FloatArray]]:
    """Treated and control for the same ``n`` parameter sets, in one vectorised integration."""
    both = {k: np.concatenate([np.broadcast_to(v, (n,))] * 2) for k, v in params.items()}
    scale = np.broadcast_to(np.asarray(params.get("dose_scale", 1.0), float), (n,))
    both["dose_scale"] = np.concatenate([scale, np.zeros(n)])
    check_outputs(outputs)
    symbols = [OUTPUTS[o][0] for o in outputs]
    tr = integrate(design, both, 2 * n, record_per_day=record_per_day, outputs=symbols)
    return tr.days, _pick(tr, outputs, slice(0, n)), _pick(tr, outputs, slice(n, 2 * n))
