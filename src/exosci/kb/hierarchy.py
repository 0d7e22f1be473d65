"""The entity hierarchy (``is_a`` / ``part_of``): ancestors and descendants of a node.

Evidence flows upward only: what is observed for a descendant (BMSC exosomes, a PI3K subunit)
counts, labelled, for its ancestors (MSC exosomes, PI3K/Akt), never downward. Reasoning and the
mechanism profile gather evidence for a node from :func:`descendants`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from exosci.kb.curated import Curated
from exosci.kb.schema import HierarchyLink, HierarchyRelation

ALL_RELATIONS: tuple[HierarchyRelation, ...] = ("is_a", "part_of")
# Evidence flows up ``is_a`` links only: a kind of X going up is X going up, but a part of a
# complex need not move it the same way (PTEN is part of the PI3K/Akt pathway and opposes it).
EVIDENCE_RELATIONS: tuple[HierarchyRelation, ...] = ("is_a",)


class _HasCurated(Protocol):
    curated: Curated


@dataclass(frozen=True)
class HierarchyIndex:
    """Parent and child lists of every node (built once per curated record set)."""

    up: dict[str, tuple[HierarchyLink, ...]]
    down: dict[str, tuple[HierarchyLink, ...]]


_INDEX: dict[int, tuple[Curated, HierarchyIndex]] = {}


def index(source: _HasCurated | Curated) -> HierarchyIndex:
    """The (cached) hierarchy index of a knowledge base or a curated record set."""
    cur = source if isinstance(source, Curated) else source.curated
    hit = _INDEX.get(id(cur))
    if hit is not None and hit[0] is cur:
        return hit[1]
    up: dict[str, list[HierarchyLink]] = {}
    down: dict[str, list[HierarchyLink]] = {}
    for link in getattr(cur, "hierarchy", ()):  # records pickled before the field existed
        up.setdefault(link.child, []).append(link)
        down.setdefault(link.parent, []).append(link)
    idx = HierarchyIndex(
        {k: tuple(v) for k, v in up.items()}, {k: tuple(v) for k, v in down.items()}
    )
    _INDEX[id(cur)] = (cur, idx)
    return idx


def _walk(
    start: str,
    step: dict[str, tuple[HierarchyLink, ...]],
    *,
    upward: bool,
    relations: Iterable[HierarchyRelation],
) -> list[str]:
    allowed = set(relations)
    seen = {start}
    out: list[str] = []
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for link in step.get(node, ()):
            if link.relation not in allowed:
                continue
            nxt = link.parent if upward else link.child
            if nxt not in seen:
                seen.add(nxt)
                out.append(nxt)
                queue.append(nxt)
    return out


def ancestors(
    source: _HasCurated | Curated,
    entity_id: str,
    *,
    relations: Iterable[HierarchyRelation] = ALL_RELATIONS,
) -> list[str]:
    """Ids of every node ``entity_id`` is a kind or a part of, nearest first (not itself)."""
    return _walk(entity_id, index(source).up, upward=True, relations=relations)


def descendants(
    source: _HasCurated | Curated,
    entity_id: str,
    *,
    relations: Iterable[HierarchyRelation] = ALL_RELATIONS,
) -> list[str]:
    """Ids of every kind and part of ``entity_id``, nearest first (not itself).

    These are the nodes whose evidence counts, labelled, for ``entity_id``.
    """
    return _walk(entity_id, index(source).down, upward=False, relations=relations)


def evidence_sources(source: _HasCurated | Curated, entity_id: str) -> list[str]:
    """``entity_id`` and every kind of it (``is_a`` descendants): the entities whose evidence
    counts, labelled, for ``entity_id`` with its sign unchanged."""
    return [entity_id, *descendants(source, entity_id, relations=EVIDENCE_RELATIONS)]


def parents(source: _HasCurated | Curated, entity_id: str) -> list[HierarchyLink]:
    """The direct links from ``entity_id`` up."""
    return list(index(source).up.get(entity_id, ()))


def children(source: _HasCurated | Curated, entity_id: str) -> list[HierarchyLink]:
    """The direct links to ``entity_id`` from below."""
    return list(index(source).down.get(entity_id, ()))


def is_descendant(source: _HasCurated | Curated, entity_id: str, ancestor_id: str) -> bool:
    """Whether ``ancestor_id`` is reached from ``entity_id`` going up."""
    return ancestor_id in ancestors(source, entity_id)
