"""Model-independent comparison of two release profiles: FDA difference (f1) and similarity (f2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from exosci.errors import UserInputError
from exosci.release.profile import ReleaseProfile, as_profile

ProfileLike = ReleaseProfile | pd.DataFrame | Mapping[str, Sequence[Any]] | str | Path


@dataclass(frozen=True)
class Similarity:
    """f1/f2 of a test profile against a reference, with the time points used."""

    f1: float
    f2: float
    n_points: int
    t_days: tuple[float, ...]
    reference: str
    test: str
    notes: tuple[str, ...] = field(default=())

    @property
    def similar(self) -> bool:
        """FDA rule of thumb: f1 within 0–15 and f2 within 50–100."""
        return self.f1 <= 15.0 and self.f2 >= 50.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "f1": self.f1,
            "f2": self.f2,
            "similar": self.similar,
            "n_points": self.n_points,
            "t_days": list(self.t_days),
            "reference": self.reference,
            "test": self.test,
            "notes": list(self.notes),
            "definition": "FDA (1997): f1 = 100·Σ|R−T|/ΣR; f2 = 50·log10(100/√(1 + Σ(R−T)²/n)); "
            "similar if f1 ≤ 15 and f2 ≥ 50",
        }


def f1_f2(reference: ArrayLike, test: ArrayLike) -> tuple[float, float]:
    """The bare FDA formulas on two equal-length vectors of mean % released."""
    r = np.asarray(reference, dtype=float)
    t = np.asarray(test, dtype=float)
    if r.shape != t.shape or r.ndim != 1 or len(r) == 0:
        raise UserInputError(
            f"f1/f2 need two profiles with the same number of time points, got {len(r)} and "
            f"{len(t)}."
        )
    if r.sum() <= 0:
        raise UserInputError("f1 is undefined when the reference releases nothing (ΣR = 0).")
    f1 = 100.0 * float(np.sum(np.abs(r - t)) / np.sum(r))
    f2 = 50.0 * float(np.log10(100.0 / np.sqrt(1.0 + np.mean((r - t) ** 2))))
    return f1, f2


def similarity(
    reference: ProfileLike,
    test: ProfileLike,
    *,
    after_85: Literal["one", "all"] = "one",
    time_unit: str | None = None,
) -> Similarity:
    """f1 and f2 of ``test`` against ``reference`` at their common time points (FDA 1997).

    Both profiles must have the same time points (compared in days). Time zero is left out, and
    with ``after_85="one"`` only the first point at which both profiles have released ≥ 85 % is
    kept of the points beyond it, as the FDA guidance recommends.
    """
    ref = as_profile(reference, time_unit=time_unit)
    tst = as_profile(test, time_unit=time_unit)
    if ref.n_points != tst.n_points or not np.allclose(
        ref.t_days, tst.t_days, rtol=1e-9, atol=1e-12
    ):
        only_r = sorted(set(np.round(ref.t_days, 9)) - set(np.round(tst.t_days, 9)))
        only_t = sorted(set(np.round(tst.t_days, 9)) - set(np.round(ref.t_days, 9)))
        raise UserInputError(
            f"f1/f2 need the same time points in both profiles: {ref.source} has "
            f"{ref.n_points}, {tst.source} has {tst.n_points}; only in the reference (days): "
            f"{_fmt(only_r)}; only in the test: {_fmt(only_t)}. Resample or measure at the same "
            "times; interpolating is not part of the FDA definition."
        )
    keep = ref.t_days > 0
    notes: list[str] = []
    if not keep.all():
        notes.append("time zero left out")
    both85 = np.flatnonzero(keep & (ref.percent >= 85.0) & (tst.percent >= 85.0))
    if after_85 == "one" and len(both85) > 1:
        keep[both85[1] :] = False
        notes.append("only one point after both profiles reached 85 % (FDA)")
    n = int(keep.sum())
    if n == 0:
        raise UserInputError(f"{ref.source} and {tst.source} share no time point after zero.")
    if n < 3:
        notes.append(f"only {n} time point(s); the FDA guidance asks for at least 3")
    for prof in (ref, tst):
        if prof.sd is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                cv = 100.0 * prof.sd / prof.percent
            first = np.flatnonzero(keep)[0]
            early = keep.copy()
            early[first + 1 :] = False
            if np.any(cv[early] > 20.0) or np.any(cv[keep & ~early] > 10.0):
                notes.append(
                    f"{prof.source}: replicate CV above 20 % at the first point or 10 % later; "
                    "FDA advises against f2 with such variability"
                )
    f1, f2 = f1_f2(ref.percent[keep], tst.percent[keep])
    return Similarity(
        f1=f1,
        f2=f2,
        n_points=n,
        t_days=tuple(float(x) for x in ref.t_days[keep]),
        reference=ref.source,
        test=tst.source,
        notes=tuple(notes),
    )


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:g}" for v in values[:8]) + (" ..." if len(values) > 8 else "") or "none"
