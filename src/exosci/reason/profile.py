"""Mechanism profile: how strongly a set of entities supports each of the five repair axes.

The therapy model scales its five repair axes by this profile; ``exosci kb profile`` shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from exosci.errors import UnknownNameError
from exosci.kb.schema import Entity
from exosci.reason.explain import SUBJECT_TYPES
from exosci.reason.graph import HasCurated, SignedGraph, signed_graph
from exosci.reason.paths import RawPath, distances_to, find_paths

AXES = ("neuroprotection", "axon_regeneration", "inflammation", "angiogenesis_bscb", "ecm")
AXIS_MECHANISM: dict[str, str] = {
    "neuroprotection": "mech:neuroprotection",
    "axon_regeneration": "mech:axon-regeneration",
    "inflammation": "mech:inflammation-suppression",
    "angiogenesis_bscb": "mech:angiogenesis-bscb",
    "ecm": "mech:ecm-regulation",
}
TOP_K = 5  # independent paths pooled per axis and sign
NEGATIVE_WEIGHT = 0.5  # how much full opposing evidence takes off a score


@dataclass(frozen=True)
class AxisScore:
    """Support for a positive effect on one axis, with the paths behind it (best first)."""

    score: float
    support: float = 0.0  # pooled strength of positive paths (S+)
    opposition: float = 0.0  # pooled strength of negative paths (S-)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "support": self.support,
            "opposition": self.opposition,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class MechanismProfile:
    """Scores in [0, 1] for the five axes of :data:`AXES`, keyed by axis name."""

    entities: tuple[str, ...]
    axes: dict[str, AxisScore]
    max_length: int = 6

    def to_dict(self) -> dict[str, Any]:
        return {
            "entities": list(self.entities),
            "max_length": self.max_length,
            "axes": {axis: self.axes[axis].to_dict() for axis in AXES},
        }

    def scores(self) -> dict[str, float]:
        return {axis: self.axes[axis].score for axis in AXES}


def pool(scores: Sequence[float], *, k: int = TOP_K) -> float:
    """Noisy-or of the ``k`` largest scores: ``1 - prod(1 - s)``; non-decreasing in each."""
    miss = 1.0
    for s in sorted(scores, reverse=True)[:k]:
        miss *= 1.0 - s
    return 1.0 - miss


def combine(positive: Sequence[float], negative: Sequence[float]) -> float:
    """Axis score from positive and negative path scores: ``S+ * (1 - 0.5 * S-)``."""
    return pool(positive) * (1.0 - NEGATIVE_WEIGHT * pool(negative))


def mechanism_profile(
    kb: HasCurated, entity_ids: Sequence[str], *, max_length: int = 6
) -> MechanismProfile:
    """Evidence-weighted support of ``entity_ids`` for a positive effect on each repair axis.

    Parameters
    ----------
    kb
        A knowledge base (``default_kb()``, a store, or ``kb_from_records(...)``).
    entity_ids
        Entity ids acting together, e.g. an exosome product plus its preconditioning,
        engineering, cargo and co-therapy entities. Unknown ids simply contribute nothing.
    max_length
        Longest signed path (in edges) that counts.

    Notes
    -----
    Signed paths run from ``(entity, +)`` to ``(mechanism, +)`` (positive) or
    ``(mechanism, -)`` (negative) over causal statements only (see :mod:`exosci.reason.graph`).

    * evidence record weight ``w = model × species`` with model clinical 1.0, in vivo 0.8,
      in vitro 0.45, review 0.3, in silico 0.25 and species human/monkey 1.0, pig/dog 0.9,
      rat/mouse 0.8, zebrafish 0.6, unspecified 0.7;
    * edge strength ``e = 1 - prod_r (1 - w_r)`` over independent references ``r`` (best record
      per reference), so more independent references give a stronger edge;
    * path score ``p = prod(e) × 0.85 ** (length - 1)`` (shorter paths score higher);
    * the same node sequence reached from several entities counts once;
    * ``S+ = 1 - prod(1 - p)`` over the 5 best positive paths, ``S-`` likewise for negative;
    * ``score = S+ × (1 - 0.5 × S-)``, in [0, 1].

    The score is monotone: it never decreases when a positive path is added or strengthened
    (with the negative paths unchanged), and never increases when a negative one is.
    """
    sg = signed_graph(kb)
    sources = [e for e in dict.fromkeys(entity_ids) if e in sg.entities]
    axes = {
        axis: _axis_score(sg, sources, AXIS_MECHANISM[axis], max_length=max_length) for axis in AXES
    }
    return MechanismProfile(tuple(dict.fromkeys(entity_ids)), axes, max_length)


def _axis_score(sg: SignedGraph, sources: list[str], mech: str, *, max_length: int) -> AxisScore:
    if mech not in sg.entities:
        return AxisScore(0.0)
    targets = [(mech, 1), (mech, -1)]
    dist = distances_to(sg, targets)
    best: dict[tuple[str, ...], RawPath] = {}
    for src in sources:
        if src == mech:
            continue
        for path in find_paths(sg, (src, 1), targets, max_length=max_length, dist=dist):
            key = tuple(n for n, _ in path.nodes)
            if key not in best or path.score > best[key].score:
                best[key] = path
    ranked = sorted(best.values(), key=lambda p: (-p.score, p.length, p.nodes))
    pos = [p.score for p in ranked if p.sign > 0]
    neg = [p.score for p in ranked if p.sign < 0]
    return AxisScore(
        score=combine(pos, neg),
        support=pool(pos),
        opposition=pool(neg),
        evidence=[_evidence(sg, p) for p in ranked],
    )


def _evidence(sg: SignedGraph, path: RawPath) -> dict[str, Any]:
    sups = [sg.support(u, v) for u, v in zip(path.nodes, path.nodes[1:], strict=False)]
    return {
        "path": [sg.name(n) for n, _ in path.nodes],
        "ids": [n for n, _ in path.nodes],
        "sign": path.sign,
        "score": path.score,
        "refs": sorted({r for s in sups for r in s.refs}),
        "species": sorted({x for s in sups for x in s.species}),
        "models": sorted({x for s in sups for x in s.models}),
    }


PROFILE_TYPES = SUBJECT_TYPES  # what can be profiled is what can start an explanation


def profile_of(
    kb: HasCurated, name: str, *, max_length: int = 6
) -> tuple[Entity, MechanismProfile]:
    """Resolve ``name`` (a source, exosome product, cargo, drug ...) and profile it alone."""
    try:
        ent = kb.resolve(name, types=PROFILE_TYPES)
    except UnknownNameError:
        ent = kb.resolve(name)
    return ent, mechanism_profile(kb, [ent.id], max_length=max_length)
