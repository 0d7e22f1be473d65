"""A Pareto front that respects uncertainty (pure numpy over per-subject scores).

Design A **dominates** design B only when

1. A beats B on the effect with high probability, paired on the same virtual subjects:
   P(Δ > 0) ≥ :data:`P_DOMINATE` (0.9) and median Δ ≥ the minimum difference (1 BBB point, or
   its BMS equivalent 9/21), Δ = score(A) − score(B) per subject at the horizon; and
2. A is no worse on every other objective: certainty ≥, feasibility ≥, risk ≤.

Designs on the front that neither separates from the other on the effect (condition 1 fails
both ways) and that are equal on the other objectives form a **tie**: the evidence cannot
tell them apart, so they are shown together, never ranked against each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exosci.model.parameters import FloatArray

P_DOMINATE = 0.9


@dataclass(frozen=True)
class FrontResult:
    dominated_by: list[int | None]  # the first candidate (by index) that dominates each one
    tie_group: list[int | None]  # front designs: an id shared by the designs of one tie
    on_front: list[bool]


def separates(diff: FloatArray, threshold: float, p: float = P_DOMINATE) -> bool:
    """True when the paired differences ``diff`` (A − B per subject) say A beats B."""
    return bool(np.mean(diff > 0) >= p and np.median(diff) >= threshold)


def _beats(scores: FloatArray, a: int, rest: np.ndarray, threshold: float, p: float) -> np.ndarray:
    """Which of ``rest`` candidate ``a`` beats on the effect (vectorised over ``rest``)."""
    if rest.size == 0:
        return np.zeros(0, bool)
    diff = scores[a][None, :] - scores[rest]
    return (np.mean(diff > 0, axis=1) >= p) & (np.median(diff, axis=1) >= threshold)


def pareto_front(
    scores: FloatArray,
    certainty: FloatArray,
    feasibility: FloatArray,
    risk: FloatArray,
    *,
    threshold: float,
    p: float = P_DOMINATE,
) -> FrontResult:
    """The front of candidates whose final scores per subject are the rows of ``scores``
    (shape ``(n_candidates, n_subjects)``, all on the same subjects in the same order).

    ``certainty`` and ``feasibility`` are better when larger, ``risk`` when smaller.
    """
    scores = np.asarray(scores, float)
    n = scores.shape[0]
    c, f, r = (np.asarray(x, float) for x in (certainty, feasibility, risk))
    dominated_by: list[int | None] = [None] * n
    order = np.argsort(-np.median(scores, axis=1), kind="stable")  # strong designs first
    for a in order:
        no_worse = (c[a] >= c) & (f[a] >= f) & (r[a] <= r)
        no_worse[a] = False
        cand = np.flatnonzero(no_worse & np.array([d is None for d in dominated_by]))
        for b in cand[_beats(scores, int(a), cand, threshold, p)]:
            dominated_by[int(b)] = int(a)
    # a design dominated only by designs that are themselves dominated is still dominated:
    # the relation is checked against every candidate, front or not, as stated above.
    front = [d is None for d in dominated_by]
    idx = [i for i in range(n) if front[i]]
    parent = {i: i for i in idx}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for k, i in enumerate(idx):
        for j in idx[k + 1 :]:
            if (c[i], f[i], r[i]) != (c[j], f[j], r[j]):
                continue
            d = scores[i] - scores[j]
            if not separates(d, threshold, p) and not separates(-d, threshold, p):
                parent[find(j)] = find(i)
    roots: dict[int, int] = {}
    groups: list[int | None] = [None] * n
    members: dict[int, int] = {}
    for i in idx:
        members[find(i)] = members.get(find(i), 0) + 1
    for i in idx:
        root = find(i)
        if members[root] > 1:
            groups[i] = roots.setdefault(root, len(roots) + 1)
    return FrontResult(dominated_by, groups, front)
