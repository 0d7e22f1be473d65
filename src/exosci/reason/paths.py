"""Signed path search: all simple signed paths from one node to a set of targets, scored.

The search is a depth-first enumeration pruned by the exact remaining distance to the targets,
so it never walks a branch that cannot reach a target within the length limit. The distances
come from a breadth-first search backwards from the targets, restricted to the nodes the source
reaches within the limit (so a query costs about the size of the source's forward cone, not
of the graph). Paths never visit an entity twice, with either polarity.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

from exosci.reason.graph import Node, SignedGraph

LENGTH_DECAY = 0.85  # each further edge multiplies a path's score by this
DEFAULT_PATH_LIMIT = 5000  # enumeration cap per query (strongest edges are explored first)


class StepConstraint(Protocol):
    """A hook that may refuse a step given the path so far (e.g. incompatible contexts)."""

    def start(self) -> Any: ...

    def step(self, state: Any, u: Node, v: Node) -> tuple[bool, Any]: ...


@dataclass(frozen=True)
class RawPath:
    """A path of signed nodes and its score."""

    nodes: tuple[Node, ...]
    score: float

    @property
    def sign(self) -> int:
        return self.nodes[-1][1] * self.nodes[0][1]

    @property
    def length(self) -> int:
        return len(self.nodes) - 1


def forward_distances(sg: SignedGraph, source: Node, max_length: int) -> dict[Node, int]:
    """Edges from ``source`` to every node it reaches in at most ``max_length`` steps."""
    dist = {source: 0}
    queue = deque([source])
    while queue:
        u = queue.popleft()
        if dist[u] >= max_length:
            continue
        for v, _ in sg.succ.get(u, ()):
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


def distances_to(
    sg: SignedGraph,
    targets: Collection[Node],
    *,
    within: dict[Node, int] | None = None,
    max_length: int | None = None,
) -> dict[Node, int]:
    """Shortest number of edges from nodes to any of ``targets``.

    With ``within`` (forward distances from a source) and ``max_length``, only nodes on some
    source-to-target walk of at most ``max_length`` edges are visited; their distances are
    still exact, because every node on such a node's shortest route qualifies too.
    """
    dist: dict[Node, int] = {t: 0 for t in targets if t in sg.pred}
    if within is not None:
        dist = {t: 0 for t in dist if t in within}
    queue = deque(dist)
    while queue:
        v = queue.popleft()
        d = dist[v] + 1
        for u in sg.pred.get(v, ()):
            if u in dist:
                continue
            if within is not None and (u not in within or within[u] + d > (max_length or 0)):
                continue
            dist[u] = d
            queue.append(u)
    return dist


def path_score(sg: SignedGraph, nodes: tuple[Node, ...]) -> float:
    """Product of edge strengths times ``LENGTH_DECAY ** (length - 1)``; in [0, 1]."""
    score = 1.0
    for u, v in zip(nodes, nodes[1:], strict=False):
        score *= sg.support(u, v).strength
    return score * LENGTH_DECAY ** max(len(nodes) - 2, 0)


def find_paths(
    sg: SignedGraph,
    source: Node,
    targets: Collection[Node],
    *,
    max_length: int,
    limit: int = DEFAULT_PATH_LIMIT,
    dist: dict[Node, int] | None = None,
    constraint: StepConstraint | None = None,
) -> list[RawPath]:
    """Simple signed paths from ``source`` to any of ``targets`` with at most ``max_length``
    edges, best score first (ties: shorter first).

    ``dist`` may be passed when many sources share the same targets (unrestricted
    :func:`distances_to`); by default it is computed for this source only. ``constraint``
    refuses steps that do not fit the path walked so far (its state travels with the walk).
    """
    target_set = set(targets)
    if dist is None:
        fwd = forward_distances(sg, source, max_length)
        dist = distances_to(sg, target_set, within=fwd, max_length=max_length)
    if source not in dist or dist[source] > max_length:
        return []
    found: list[tuple[tuple[Node, ...], float]] = []
    stack: list[Node] = [source]
    scores: list[float] = [1.0]
    states: list[Any] = [constraint.start() if constraint else None]
    seen: set[str] = {source[0]}

    def successors(u: Node, depth: int) -> list[tuple[Node, float, Any]]:
        budget = max_length - depth - 1
        out = []
        for v, w in sg.succ.get(u, ()):
            if v[0] in seen or dist.get(v, budget + 1) > budget:
                continue
            state = None
            if constraint is not None:
                ok, state = constraint.step(states[-1], u, v)
                if not ok:
                    continue
            out.append((v, w, state))
        return out

    iters = [iter(successors(source, 0))]
    while iters and len(found) < limit:
        step = next(iters[-1], None)
        if step is None:
            iters.pop()
            seen.discard(stack.pop()[0])
            scores.pop()
            states.pop()
            continue
        v, w, state = step
        if v in target_set:  # a path ends at its first target
            found.append(((*stack, v), scores[-1] * w))
            continue
        stack.append(v)
        scores.append(scores[-1] * w)
        states.append(state)
        seen.add(v[0])
        iters.append(iter(successors(v, len(stack) - 1)))
    paths = [RawPath(p, s * LENGTH_DECAY ** max(len(p) - 2, 0)) for p, s in found]
    paths.sort(key=lambda p: (-p.score, p.length, p.nodes))
    return paths


def shortest_length(sg: SignedGraph, source: Node, targets: Collection[Node]) -> int | None:
    """Edges on the shortest signed path from ``source`` to any target, ignoring length limits."""
    return distances_to(sg, targets).get(source)
