"""The uncertainty-respecting front (pure numpy): planted optimum, ties, constraint errors."""

from __future__ import annotations

import numpy as np
import pytest

from exosci.design.constraints import parse_constraints
from exosci.design.front import pareto_front
from exosci.errors import UserInputError


def _planted() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    n = 300
    animal = rng.normal(10, 2, n)  # what every design shares: the same virtual animals
    scores = np.stack(
        [
            animal + 3.0 + rng.normal(0, 0.2, n),  # 0: best on the effect ...
            animal + 1.0 + rng.normal(0, 3.0, n),  # 1 and 2: wide own draws, medians 0.5 apart
            animal + 0.5 + rng.normal(0, 3.0, n),
            animal - 2.0 + rng.normal(0, 0.2, n),  # 3: clearly worse
        ]
    )
    certainty = np.array([3, 2, 2, 1], float)  # ... and best on every other objective
    feasibility = np.array([3, 2.5, 2.5, 2], float)
    risk = np.array([1, 4, 4, 6], float)
    return scores, certainty, feasibility, risk


def test_planted_optimum_is_on_the_front_and_dominates_what_it_clearly_beats() -> None:
    s, c, f, r = _planted()
    fr = pareto_front(s, c, f, r, threshold=1.0)
    assert fr.on_front[0]
    assert fr.dominated_by[3] == 0
    # 1 and 2 lose to 0 by ~2 points with per-subject SD 3: P(Δ>0) < 0.9, so 0 does not
    # dominate them; they stay on the front
    assert fr.on_front[1] and fr.on_front[2]


def test_designs_the_evidence_cannot_separate_are_a_tie_not_ranked() -> None:
    s, c, f, r = _planted()
    fr = pareto_front(s, c, f, r, threshold=1.0)
    assert fr.tie_group[1] is not None and fr.tie_group[1] == fr.tie_group[2]
    assert fr.tie_group[0] is None  # the planted optimum is alone
    # a point-estimate Pareto rule would drop design 2 (lower median, equal elsewhere)
    assert np.median(s[1]) > np.median(s[2])


def test_a_design_worse_on_certainty_is_not_dominated_even_when_beaten_on_effect() -> None:
    s, c, f, r = _planted()
    c = c.copy()
    c[3] = 4.0  # design 3 now has the best-graded evidence
    fr = pareto_front(s, c, f, r, threshold=1.0)
    assert fr.on_front[3]


def test_dominance_needs_the_minimum_difference_not_only_probability() -> None:
    n = 300
    base = np.linspace(0, 10, n)
    s = np.stack([base + 0.5, base])  # always ahead, but by half a point < 1 BBB
    fr = pareto_front(s, np.ones(2), np.ones(2), np.ones(2), threshold=1.0)
    assert fr.on_front == [True, True] and fr.tie_group[0] == fr.tie_group[1]
    fr = pareto_front(s, np.ones(2), np.ones(2), np.ones(2), threshold=0.4)
    assert fr.dominated_by[1] == 0


def test_constraint_errors_name_the_field_and_what_is_accepted() -> None:
    with pytest.raises(UserInputError, match="routes.*accepted: intravenous"):
        parse_constraints({"routes": ["intravenus"]})
    with pytest.raises(UserInputError, match="known fields: max_surgeries"):
        parse_constraints({"max_surgery": 0})
    with pytest.raises(UserInputError, match="dose_budget_ug"):
        parse_constraints({"dose_budget_ug": -5})
    with pytest.raises(UserInputError, match="exclude_immunogenicity"):
        parse_constraints({"exclude_immunogenicity": ["high"]})
