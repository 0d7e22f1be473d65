"""Effect sizes and their sampling variances (the ``escalc`` step of a meta-analysis).

Continuous outcomes (two arms: treated ``1`` vs control ``2``):

- ``MD``: raw mean difference, v = sd1²/n1 + sd2²/n2.
- ``SMD``: standardised mean difference (pooled SD) with Hedges' small-sample correction
  J ≈ 1 − 3/(4N − 9), N = n1 + n2 (Hedges' g), from statsmodels' ``effectsize_smd``, with its
  variance N/(n1·n2) + g²/(2(N − 3.94)) (Borenstein et al., Introduction to Meta-Analysis 2009).
- ``NMD``: normalised mean difference as CAMARADES uses it for animal studies (Vesterinen et al.,
  J Neurosci Methods 2014;221:92, doi 10.1016/j.jneumeth.2013.09.010): the treated-vs-control
  difference as a percentage of the deficit of the control arm relative to a sham (uninjured)
  value, ``100·(m1 − m2)/(sham − m2)``, with each arm's SD scaled the same way. For locomotor
  scales the sham value defaults to the scale's normal score (BBB 21, BMS 9).
- ``ROM``: log ratio of means, log(m1/m2), v = sd1²/(n1·m1²) + sd2²/(n2·m2²) (Hedges, Gurevitch &
  Curtis, Ecology 1999;80:1150).

Binary outcomes (2×2 counts ``ai, bi`` events/non-events treated, ``ci, di`` control): ``RR`` log
risk ratio and ``OR`` log odds ratio from statsmodels' ``effectsize_2proportions``; a study with
a zero cell gets 0.5 added to each of its four cells (metafor's default ``add=1/2, to="only0"``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from exosci.errors import UserInputError

Measure = Literal["MD", "SMD", "NMD", "ROM", "RR", "OR", "GEN"]
CONTINUOUS = ("MD", "SMD", "NMD", "ROM")
BINARY = ("RR", "OR")
MEASURES: dict[str, str] = {
    "MD": "mean difference (treated − control), in the outcome's units",
    "SMD": "standardised mean difference, Hedges' g",
    "NMD": "normalised mean difference, % of the control deficit recovered (CAMARADES)",
    "ROM": "log ratio of means, log(treated/control)",
    "RR": "log risk ratio (2×2 counts)",
    "OR": "log odds ratio (2×2 counts)",
    "GEN": "precomputed effects (yi, vi) as given",
}
#: Normal (uninjured) score of each locomotor scale: the default sham value of ``NMD``.
SCALE_NORMAL = {"BBB": 21.0, "BMS": 9.0}


def _arr(x: object) -> np.ndarray:
    return np.asarray(x, dtype=float)


def continuous_effects(
    n1: object,
    mean1: object,
    sd1: object,
    n2: object,
    mean2: object,
    sd2: object,
    *,
    measure: Literal["MD", "SMD", "NMD", "ROM"] = "SMD",
    sham: object | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Effect ``yi`` and sampling variance ``vi`` of two-arm summaries (arrays of equal length).

    ``sham`` (for ``NMD``) is the uninjured value of the outcome per study (or one number).
    """
    n1a, m1, s1, n2a, m2, s2 = (_arr(a) for a in (n1, mean1, sd1, n2, mean2, sd2))
    if measure == "MD":
        return m1 - m2, s1**2 / n1a + s2**2 / n2a
    if measure == "SMD":
        from statsmodels.stats.meta_analysis import effectsize_smd

        g, v = effectsize_smd(m1, s1, n1a, m2, s2, n2a)
        return np.asarray(g, dtype=float), np.asarray(v, dtype=float)
    if measure == "NMD":
        if sham is None:
            raise UserInputError(
                "measure NMD needs the sham (uninjured) value of the outcome: give a `sham` "
                "column, or a `scale` column (BBB or BMS) so the scale's normal score is used."
            )
        deficit = _arr(sham) - m2
        if np.any(deficit == 0):
            raise UserInputError(
                "measure NMD is undefined where the control mean equals the sham value "
                "(no deficit to normalise by); use MD or SMD for those studies."
            )
        y = 100.0 * (m1 - m2) / deficit
        v = (100.0 / deficit) ** 2 * (s1**2 / n1a + s2**2 / n2a)
        return y, v
    if measure == "ROM":
        if np.any(m1 <= 0) or np.any(m2 <= 0):
            raise UserInputError(
                "measure ROM (log ratio of means) needs positive means in both arms; a score of 0 "
                "cannot be logged. Use MD, SMD or NMD instead."
            )
        return np.log(m1 / m2), s1**2 / (n1a * m1**2) + s2**2 / (n2a * m2**2)
    raise UserInputError(
        f"Unknown measure {measure!r} for two-arm summaries; accepted: {', '.join(CONTINUOUS)}."
    )


def binary_effects(
    ai: object, bi: object, ci: object, di: object, *, measure: Literal["RR", "OR"] = "RR"
) -> tuple[np.ndarray, np.ndarray]:
    """Log risk ratio or log odds ratio and its variance from 2×2 counts (arrays)."""
    from statsmodels.stats.meta_analysis import effectsize_2proportions

    a, b, c, d = (_arr(x) for x in (ai, bi, ci, di))
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    a, b, c, d = (np.where(zero, x + 0.5, x) for x in (a, b, c, d))
    statistic = {"RR": "risk-ratio", "OR": "odds-ratio"}.get(measure)
    if statistic is None:
        raise UserInputError(
            f"Unknown measure {measure!r} for 2×2 counts; accepted: {', '.join(BINARY)}."
        )
    y, v = effectsize_2proportions(a, a + b, c, c + d, statistic=statistic)
    return np.asarray(y, dtype=float), np.asarray(v, dtype=float)


def sd_from_sem(sem: object, n: object) -> np.ndarray:
    """SD = SEM·√n (an arm's standard error of the mean back to its standard deviation)."""
    return _arr(sem) * np.sqrt(_arr(n))


def escalc(frame: pd.DataFrame, *, measure: str | None = None) -> pd.DataFrame:
    """Add ``yi`` and ``vi`` to a validated effect table (see :func:`exosci.meta.table.read_effects`).

    The frame carries its shape in ``frame.attrs["shape"]`` ("effects", "arms" or "counts").
    """
    shape = frame.attrs.get("shape", "effects")
    out = frame.copy()
    if shape == "effects":
        out.attrs["measure"] = measure or frame.attrs.get("measure") or "GEN"
        return out
    if shape == "counts":
        m = (measure or "RR").upper()
        if m not in BINARY:
            raise UserInputError(
                f"--measure {m} does not apply to 2×2 counts; accepted: {', '.join(BINARY)}."
            )
        y, v = binary_effects(out["ai"], out["bi"], out["ci"], out["di"], measure=m)  # type: ignore[arg-type]
    else:
        m = (measure or "SMD").upper()
        if m not in CONTINUOUS:
            raise UserInputError(
                f"--measure {m} does not apply to two-arm summaries; accepted: "
                f"{', '.join(CONTINUOUS)}."
            )
        sham = None
        if m == "NMD":
            sham = _sham_values(out)
        y, v = continuous_effects(
            out["n1"],
            out["mean1"],
            out["sd1"],
            out["n2"],
            out["mean2"],
            out["sd2"],
            measure=m,  # type: ignore[arg-type]
            sham=sham,
        )
    out["yi"] = y
    out["vi"] = v
    out.attrs["measure"] = m
    return out


def _sham_values(frame: pd.DataFrame) -> np.ndarray | None:
    if "sham" in frame.columns and frame["sham"].notna().all():
        return _arr(frame["sham"])
    if "scale" in frame.columns:
        scales = frame["scale"].astype(str).str.upper()
        unknown = sorted(set(scales) - set(SCALE_NORMAL))
        if not unknown:
            values = scales.map(SCALE_NORMAL).to_numpy(dtype=float)
            if "sham" in frame.columns:
                values = np.where(frame["sham"].notna(), frame["sham"], values)
            return _arr(values)
    return None
