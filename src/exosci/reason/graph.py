"""The signed directed graph over the store's statements (INDRA's signed model-checker layout).

Every entity ``x`` becomes two nodes, ``(x, +1)`` ("x goes up") and ``(x, -1)`` ("x goes down").
A causal statement ``s -[p]-> o`` with sign ``σ = PREDICATES[p]`` adds the edges
``(s, +1) -> (o, σ)`` and ``(s, -1) -> (o, -σ)``; non-causal predicates (sign 0) add nothing.
The sign of a path from ``(subject, +1)`` is then the polarity of the node it reaches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Literal, Protocol

from exosci.kb.curated import DATA_DIR, Curated, _read_references
from exosci.kb.schema import PREDICATES, Entity, Evidence, HierarchyLink, Reference, Statement

if TYPE_CHECKING:  # networkx and DuckDB cost ~0.1 s to import; a query needs neither
    import networkx as nx

    from exosci.kb.store import KnowledgeBase

Node = tuple[str, int]

# Weights used to rank evidence. Clinical > in vivo > in vitro; primate > other mammals > rodent.
MODEL_WEIGHT: dict[str, float] = {
    "clinical": 1.0,
    "in_vivo": 0.8,
    "in_vitro": 0.45,
    "review": 0.3,
    "in_silico": 0.25,
}
SPECIES_WEIGHT: dict[str, float] = {
    "human": 1.0,
    "monkey": 1.0,
    "pig": 0.9,
    "dog": 0.9,
    "rat": 0.8,
    "mouse": 0.8,
    "zebrafish": 0.6,
    "fruit_fly": 0.4,
    "unspecified": 0.7,
}


class HasCurated(Protocol):
    """What reasoning needs from a knowledge base (``KnowledgeBase`` satisfies it)."""

    curated: Curated

    def resolve(self, name: str, *, types: tuple[str, ...] | None = None) -> Entity: ...


def evidence_weight(ev: Evidence) -> float:
    """Strength in (0, 1] of one evidence record, for ranking paths.

    An experiment weighs model x species; a review claim 0.3 and a curator inference or an
    ungraded record 0.15, whatever model the cited study used; evidence from a non-SCI or
    unreported injury model weighs half (GRADE's indirectness, see ``reason.grading``).
    """
    from exosci.reason.grading import indirectness_factor

    if ev.grade == "experimental":
        w = MODEL_WEIGHT.get(ev.model, 0.3) * SPECIES_WEIGHT.get(ev.species, 0.7)
    else:
        w = MODEL_WEIGHT["review"] if ev.grade == "review_claim" else 0.15
    return w * indirectness_factor(ev)


@dataclass(frozen=True)
class EdgeSupport:
    """The statements behind one signed edge, with their pooled strength."""

    statements: tuple[Statement, ...]
    strength: float  # noisy-or over independent references, in (0, 1)
    refs: tuple[int, ...]
    species: tuple[str, ...]
    models: tuple[str, ...]
    grades: tuple[str, ...] = ()  # evidence grades (schema.GRADES) behind the edge
    contexts: tuple[str, ...] = ()  # cell type / tissue contexts of its evidence
    papers: tuple[str, ...] = ()  # papers beyond the review (pmid:/doi: ids)


def edge_strength(statements: Iterable[Statement]) -> float:
    """Noisy-or of the best evidence weight per independent reference.

    A reference cited by several evidence records counts once (its best record), so repeating a
    citation does not inflate support; each further independent reference raises the strength.
    """
    best: dict[tuple[tuple[int, ...], tuple[str, ...]], float] = {}
    for st in statements:
        for ev in st.evidence:
            key = (tuple(sorted(ev.refs)), tuple(sorted(ev.papers)))
            best[key] = max(best.get(key, 0.0), evidence_weight(ev))
    miss = 1.0
    for w in best.values():
        miss *= 1.0 - w
    return 1.0 - miss


def _support(statements: list[Statement]) -> EdgeSupport:
    evs = [ev for st in statements for ev in st.evidence]
    return EdgeSupport(
        statements=tuple(statements),
        strength=edge_strength(statements),
        refs=tuple(sorted({n for ev in evs for n in ev.refs})),
        species=tuple(sorted({ev.species for ev in evs})),
        models=tuple(sorted({ev.model for ev in evs})),
        grades=tuple(sorted({ev.grade for ev in evs})),
        contexts=tuple(sorted({ev.context for ev in evs if ev.context})),
        papers=tuple(sorted({p for ev in evs for p in ev.papers})),
    )


@dataclass(frozen=True)
class SignedGraph:
    """A signed graph plus the records it was built from.

    Held as plain adjacency (no networkx): building and searching it then costs no import.
    :attr:`graph` gives the same graph as a ``networkx.DiGraph`` for peer checks and export.
    """

    entities: dict[str, Entity]
    references: dict[int, Reference] = field(default_factory=dict)
    # Plain adjacency for the search loops: successors strongest first, with edge strength.
    succ: dict[Node, list[tuple[Node, float]]] = field(default_factory=dict)
    pred: dict[Node, list[Node]] = field(default_factory=dict)
    # The support of every edge, in insertion order (source node order, then target).
    edges: dict[tuple[Node, Node], EdgeSupport] = field(default_factory=dict)

    def name(self, entity_id: str) -> str:
        ent = self.entities.get(entity_id)
        return ent.name if ent else entity_id

    def support(self, u: Node, v: Node) -> EdgeSupport:
        return self.edges[u, v]

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The same signed graph as a ``networkx.DiGraph`` (edge data ``support`` and ``sign``)."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(self.succ)
        for (u, v), sup in self.edges.items():
            g.add_edge(u, v, support=sup, sign=u[1] * v[1])
        return g


def signed_graph(kb: HasCurated) -> SignedGraph:
    """Build (and cache on the knowledge base object) the signed graph of its statements."""
    cached = getattr(kb, "_exosci_signed_graph", None)
    key = (id(kb.curated), len(kb.curated.statements))
    if cached is not None and cached[0] == key:
        sg: SignedGraph = cached[1]
        return sg
    sg = build_signed_graph(
        kb.curated.entities.values(), kb.curated.statements, kb.curated.references
    )
    with contextlib.suppress(AttributeError):  # a frozen stand-in: just do not cache
        kb._exosci_signed_graph = (key, sg)  # type: ignore[attr-defined]
    return sg


def build_signed_graph(
    entities: Iterable[Entity],
    statements: Iterable[Statement],
    references: dict[int, Reference] | None = None,
) -> SignedGraph:
    """The signed graph of ``statements`` (only causal predicates become edges)."""
    ents = {e.id: e for e in entities}
    grouped: dict[tuple[str, str, int], list[Statement]] = {}
    for st in statements:
        sign = PREDICATES[st.predicate]
        if sign == 0:
            continue
        grouped.setdefault((st.subject, st.object, sign), []).append(st)
    # Nodes in insertion order: the entities, then any entity only a statement cites.
    out: dict[Node, dict[Node, EdgeSupport]] = {}
    for eid in ents:
        out[eid, 1] = {}
        out[eid, -1] = {}
    for (subj, obj, sign), sts in grouped.items():
        for eid in (subj, obj):  # statements may cite entities not passed in
            out.setdefault((eid, 1), {})
            out.setdefault((eid, -1), {})
        sup = _support(sts)
        for pol in (1, -1):
            out[subj, pol][obj, pol * sign] = sup
    succ: dict[Node, list[tuple[Node, float]]] = {n: [] for n in out}
    pred: dict[Node, list[Node]] = {n: [] for n in out}
    edges: dict[tuple[Node, Node], EdgeSupport] = {}
    for u, nbrs in out.items():
        for v, sup in nbrs.items():
            succ[u].append((v, sup.strength))
            pred[v].append(u)
            edges[u, v] = sup
    for succs in succ.values():
        succs.sort(key=lambda x: (-x[1], x[0]))
    return SignedGraph(ents, dict(references or {}), succ, pred, edges)


@cache
def package_references() -> dict[int, Reference]:
    """The review's reference list shipped with the package."""
    return _read_references(DATA_DIR / "references.tsv")


class RecordsKB:
    """A knowledge base over in-memory records only (no DuckDB): enough for reasoning."""

    def __init__(self, curated: Curated) -> None:
        self.curated = curated

    def resolve(self, name: str, *, types: tuple[str, ...] | None = None) -> Entity:
        """The entity ``name`` means (same rules as :meth:`KnowledgeBase.resolve`)."""
        from exosci.kb.resolve import resolver

        return resolver(self.curated).resolve(name, types=types)

    def ancestors(self, entity_id: str) -> list[str]:
        """Ids of what ``entity_id`` is a kind or a part of, nearest first."""
        from exosci.kb.hierarchy import ancestors

        return ancestors(self.curated, entity_id)

    def descendants(self, entity_id: str) -> list[str]:
        """Ids of the kinds and parts of ``entity_id``, nearest first."""
        from exosci.kb.hierarchy import descendants

        return descendants(self.curated, entity_id)


def kb_from_records(
    entities: Sequence[Entity],
    statements: Sequence[Statement],
    *,
    references: dict[int, Reference] | None = None,
    backend: Literal["duckdb", "memory"] = "duckdb",
    hierarchy: Sequence[HierarchyLink] = (),
) -> KnowledgeBase | RecordsKB:
    """A knowledge base over hand-made records (for tests, imports and what-if graphs).

    ``backend="duckdb"`` gives a real in-memory ``KnowledgeBase`` (tables, search, show);
    ``"memory"`` a light :class:`RecordsKB` with ``curated`` and ``resolve`` only, which is
    all reasoning needs and builds ~100x faster. References default to the review's list, so
    evidence may cite any of its numbers. Records are not cross-validated beyond pydantic.
    """
    refs = references if references is not None else package_references()
    origin = {"entity:" + e.id: "records" for e in entities}
    origin.update({"statement:" + s.id: "records" for s in statements})
    cur = Curated(
        refs,
        {e.id: e for e in entities},
        list(statements),
        [],
        origin,
        "records",
        list(hierarchy),
    )
    if backend == "memory":
        return RecordsKB(cur)
    import duckdb

    # the store's own loader keeps tables and names consistent
    from exosci.kb.store import KnowledgeBase, _fill

    con = duckdb.connect(":memory:")
    _fill(con, cur)
    return KnowledgeBase(con, cur)
