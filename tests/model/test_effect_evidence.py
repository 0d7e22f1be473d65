"""Magnitudes from numbers (issue 19): a product's rows in a numeric outcome table move its
effect term through the meta-regression (exosci.meta.design_deviation), in their direction and
by their size; without rows the term keeps its prior."""

from __future__ import annotations

import math

import pandas as pd

from exosci.meta import design_deviation
from exosci.model.effect import TAU_PRODUCT, numeric_observation, product_term


def _table(better: float) -> pd.DataFrame:
    rows = []
    for i in range(8):  # other products near the pooled effect
        rows.append({"yi": 4.0 + (i % 3 - 1) * 0.8, "vi": 0.5, "product": f"exo:o{i}",
                     "study_id": f"s{i}", "scale": "BBB"})  # fmt: skip
    for i in range(4):  # the product's own studies
        rows.append({"yi": 4.0 + better, "vi": 0.5, "product": "exo:x", "study_id": f"x{i}",
                     "scale": "BBB"})  # fmt: skip
    return pd.DataFrame(rows)


def _term(better: float) -> tuple[float, float]:
    obs = numeric_observation(design_deviation(_table(better), {"product": "exo:x"}))
    assert obs is not None
    t = product_term([], "exo:x", source="src:bmsc", numeric=obs)
    assert t.basis == "numeric" and any("meta-regression" in str(s) for s in t.studies)
    return t.mean, t.sd


def test_numeric_rows_move_a_product_their_way_and_by_their_size() -> None:
    up, sd_up = _term(3.0)
    down, _ = _term(-2.0)
    small, _ = _term(1.0)
    assert up > small > 0 > down
    assert sd_up < math.hypot(TAU_PRODUCT, 0.12)  # the rows narrow the prior
    none = product_term([], "exo:x", source="src:bmsc", numeric=None)
    assert none.basis == "prior only" and none.mean == 0.0


def test_a_table_without_the_products_rows_adds_nothing() -> None:
    dev = design_deviation(_table(3.0), {"product": "exo:absent"})
    assert numeric_observation(dev) is None


def test_an_early_part_can_also_slow_recovery_and_that_fades_too() -> None:
    """A prior that "may help or harm" needs both signs on the early channel: a negative early
    part slows the return of function at week 1 and leaves the plateau alone. (Seen failing
    when the early channel was clipped at 0: the day-7 difference was exactly 0.)"""
    from dataclasses import replace

    import numpy as np

    from exosci.model import default_parameters, reference_design
    from exosci.model.design import EffectDraw
    from exosci.model.simulate import paired_run

    def gain(design: object, day: int) -> float:
        p = {k: np.asarray([v]) for k, v in default_parameters().nominal().items()}
        _, tr, ct = paired_run(design, p, 1, outputs=("score",))  # type: ignore[arg-type]
        return float(tr["score"][day, 0] - ct["score"][day, 0])

    ref = reference_design()
    slow = replace(ref, effect=(EffectDraw("x#early", float(np.log(0.5)), 0.0, "early"),))
    d7 = gain(slow, 7) - gain(ref, 7)
    d28 = gain(slow, 28) - gain(ref, 28)
    assert d7 < -0.3
    assert abs(d28) < 0.25 * abs(d7)
