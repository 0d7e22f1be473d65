"""Signed path search: all simple signed paths from one node to a set of targets, scored.

The search is a depth-first enumeration pruned by the exact remaining distance to the targets
(one reverse breadth-first search), so it never walks a branch that cannot reach a target within
the length limit; paths never visit an entity twice (with either polarity).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass

import networkx as nx

from exosci.reason.graph import Node, SignedGraph

LENGTH_DECAY = 0.85  # each further edge multiplies a path's score by this
DEFAULT_PATH_LIMIT = 5000  # enumeration cap per query (strongest edges are explored first)


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


def distances_to(g: nx.DiGraph, targets: Collection[Node]) -> dict[Node, int]:
    """Shortest number of edges from every node that can reach one of ``targets``."""
    dist: dict[Node, int] = {t: 0 for t in targets if t in g}
    queue = deque(dist)
    while queue:
        v = queue.popleft()
        for u in g.predecessors(v):
            if u not in dist:
                dist[u] = dist[v] + 1
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
) -> list[RawPath]:
    """Simple signed paths from ``source`` to any of ``targets`` with at most ``max_length``
    edges, best score first (ties: shorter first)."""
    g = sg.graph
    target_set = set(targets)
    dist = distances_to(g, target_set) if dist is None else dist
    if source not in dist or dist[source] > max_length:
        return []
    found: list[tuple[Node, ...]] = []
    stack: list[Node] = [source]
    seen: set[str] = {source[0]}

    def successors(u: Node, depth: int) -> list[Node]:
        nxt = [
            v
            for v in g.successors(u)
            if v[0] not in seen and v in dist and depth + 1 + dist[v] <= max_length
        ]
        nxt.sort(key=lambda v: -sg.support(u, v).strength)
        return nxt

    iters = [iter(successors(source, 0))]
    while iters and len(found) < limit:
        nxt = next(iters[-1], None)
        if nxt is None:
            iters.pop()
            seen.discard(stack.pop()[0])
            continue
        stack.append(nxt)
        if nxt in target_set:  # a path ends at its first target
            found.append(tuple(stack))
            stack.pop()
            continue
        seen.add(nxt[0])
        iters.append(iter(successors(nxt, len(stack) - 1)))
    paths = [RawPath(p, path_score(sg, p)) for p in found]
    paths.sort(key=lambda p: (-p.score, p.length, p.nodes))
    return paths


def shortest_length(sg: SignedGraph, source: Node, targets: Collection[Node]) -> int | None:
    """Edges on the shortest signed path from ``source`` to any target, ignoring length limits."""
    dist = distances_to(sg.graph, targets)
    return dist.get(source)
