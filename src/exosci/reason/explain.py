"""``explain``: signed, ranked, cited paths from a subject to an object (INDRA model-checker codes)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from exosci.errors import UnknownNameError, UserInputError
from exosci.kb.schema import Entity
from exosci.reason.graph import HasCurated, Node, SignedGraph, signed_graph
from exosci.reason.paths import RawPath, find_paths, shortest_length

ResultCode = Literal[
    "PATHS_FOUND",
    "NO_PATHS_FOUND",
    "SUBJECT_NOT_FOUND",
    "OBJECT_NOT_FOUND",
    "MAX_PATH_LENGTH_EXCEEDED",
]
Direction = Literal["up", "down"]

# Preferred entity types when a name is ambiguous; any type is accepted as a fallback.
SUBJECT_TYPES = (
    "cell_source",
    "exosome",
    "mirna",
    "rna",
    "gene",
    "small_molecule",
    "material",
    "delivery_system",
    "intervention",
)
OBJECT_TYPES = ("mechanism", "outcome", "process", "pathway", "gene", "cell_type")


@dataclass(frozen=True)
class ExplainEdge:
    """One step of a path: the pooled statements from ``source`` to ``target``."""

    source: str  # entity ids
    target: str
    predicate: str  # of the best-supported statement
    predicates: tuple[str, ...]
    sign: int
    refs: tuple[int, ...]
    dois: tuple[str, ...]
    statements: tuple[str, ...]
    models: tuple[str, ...]
    species: tuple[str, ...]
    strength: float


@dataclass(frozen=True)
class ExplainPath:
    """A signed path: ``sign`` is +1 if the subject going up makes the object go up."""

    sign: int
    nodes: tuple[str, ...]  # entity ids
    edges: tuple[ExplainEdge, ...]
    score: float


@dataclass(frozen=True)
class ExplainResult:
    """Outcome of one query; ``result`` is one of INDRA's model-checker codes."""

    result: ResultCode
    subject_query: str
    object_query: str
    subject: Entity | None = None
    object: Entity | None = None
    paths: tuple[ExplainPath, ...] = ()
    max_length: int = 6
    sign: Direction | None = None
    shortest_length: int | None = None  # set with MAX_PATH_LENGTH_EXCEEDED
    suggestions: tuple[str, ...] = ()  # closest names when a name is unknown
    names: dict[str, str] = field(default_factory=dict)  # entity id -> name, for rendering

    def to_dict(self) -> dict[str, Any]:
        """The DESIGN.md ``explain`` JSON document (plus ids, DOIs and evidence details)."""
        nm = self.names
        return {
            "result": self.result,
            "subject": self.subject.name if self.subject else self.subject_query,
            "object": self.object.name if self.object else self.object_query,
            "subject_id": self.subject.id if self.subject else None,
            "object_id": self.object.id if self.object else None,
            "max_length": self.max_length,
            "sign": self.sign,
            "shortest_length": self.shortest_length,
            "suggestions": list(self.suggestions),
            "paths": [
                {
                    "sign": p.sign,
                    "nodes": [nm[n] for n in p.nodes],
                    "ids": list(p.nodes),
                    "edges": [
                        {
                            "source": nm[e.source],
                            "target": nm[e.target],
                            "predicate": e.predicate,
                            "predicates": list(e.predicates),
                            "sign": e.sign,
                            "refs": list(e.refs),
                            "dois": list(e.dois),
                            "statements": list(e.statements),
                            "models": list(e.models),
                            "species": list(e.species),
                        }
                        for e in p.edges
                    ],
                    "score": p.score,
                }
                for p in self.paths
            ],
        }


def _resolve(kb: HasCurated, name: str, types: tuple[str, ...]) -> Entity:
    try:
        return kb.resolve(name, types=types)
    except UnknownNameError:
        return kb.resolve(name)


def explain(
    kb: HasCurated,
    subject: str,
    obj: str,
    *,
    max_length: int = 6,
    sign: Direction | None = None,
    limit: int = 10,
) -> ExplainResult:
    """Signed paths by which ``subject`` going up moves ``obj``, best evidence first.

    Parameters
    ----------
    subject, obj
        Names, synonyms, ids or CURIEs (resolved forgivingly).
    max_length
        Longest path in edges (1-12).
    sign
        ``"up"``: only paths that increase the object; ``"down"``: only decreasing ones.
    limit
        Most paths returned.

    Unknown names give ``SUBJECT_NOT_FOUND``/``OBJECT_NOT_FOUND`` with suggestions; a path that
    exists only beyond ``max_length`` gives ``MAX_PATH_LENGTH_EXCEEDED`` with its length.
    """
    if not 1 <= max_length <= 12:
        raise UserInputError(f"max_length must be between 1 and 12, got {max_length}")
    if sign not in (None, "up", "down"):
        raise UserInputError(f"sign must be 'up' or 'down', got {sign!r}")
    res = ExplainResult("NO_PATHS_FOUND", subject, obj, max_length=max_length, sign=sign)
    try:
        subj_ent = _resolve(kb, subject, SUBJECT_TYPES)
    except UnknownNameError as exc:
        return replace(res, result="SUBJECT_NOT_FOUND", suggestions=tuple(exc.suggestions))
    res = replace(res, subject=subj_ent)
    try:
        obj_ent = _resolve(kb, obj, OBJECT_TYPES)
    except UnknownNameError as exc:
        return replace(res, result="OBJECT_NOT_FOUND", suggestions=tuple(exc.suggestions))
    res = replace(res, object=obj_ent)
    if subj_ent.id == obj_ent.id:
        return res
    sg = signed_graph(kb)
    polarities = {"up": (1,), "down": (-1,), None: (1, -1)}[sign]
    targets = [(obj_ent.id, p) for p in polarities]
    source: Node = (subj_ent.id, 1)
    raw = find_paths(sg, source, targets, max_length=max_length)
    if not raw:
        shortest = shortest_length(sg, source, targets)
        if shortest is not None and shortest > max_length:  # reachable, only not in the limit
            return replace(res, result="MAX_PATH_LENGTH_EXCEEDED", shortest_length=shortest)
        return res
    paths = tuple(_path(sg, p) for p in raw[:limit])
    names = {n: sg.name(n) for p in paths for n in p.nodes}
    return replace(res, result="PATHS_FOUND", paths=paths, names=names)


def _path(sg: SignedGraph, raw: RawPath) -> ExplainPath:
    edges = []
    for u, v in zip(raw.nodes, raw.nodes[1:], strict=False):
        sup = sg.support(u, v)
        ordered = sorted(sup.statements, key=lambda s: (-len(s.evidence), s.id))
        edges.append(
            ExplainEdge(
                source=u[0],
                target=v[0],
                predicate=ordered[0].predicate,
                predicates=tuple(dict.fromkeys(s.predicate for s in ordered)),
                sign=ordered[0].sign,
                refs=sup.refs,
                dois=tuple(sg.references[n].doi for n in sup.refs if n in sg.references),
                statements=tuple(s.id for s in ordered),
                models=sup.models,
                species=sup.species,
                strength=sup.strength,
            )
        )
    return ExplainPath(raw.sign, tuple(n for n, _ in raw.nodes), tuple(edges), raw.score)
