"""``explain``: signed, ranked, cited paths from a subject to an object (INDRA model-checker codes)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from exosci.errors import UnknownNameError, UserInputError
from exosci.kb.hierarchy import evidence_sources
from exosci.kb.schema import Entity
from exosci.reason.context import ContextConstraint, ContextMode, label, path_context
from exosci.reason.graph import HasCurated, Node, SignedGraph, signed_graph
from exosci.reason.paths import RawPath, distances_to, find_paths, shortest_length

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
    papers: tuple[str, ...]  # papers beyond the review: pmid:/doi: ids
    statements: tuple[str, ...]
    models: tuple[str, ...]
    species: tuple[str, ...]
    strength: float
    grades: tuple[str, ...] = ()  # evidence grades behind the step (schema.GRADES)
    injury_models: tuple[str, ...] = ()  # injury models of its records (schema.INJURY_MODELS)
    certainty: str = "very low"  # GRADE certainty of the step's best record
    certainty_reasons: tuple[str, ...] = ()
    in_vivo: bool = False  # some record is an in vivo or clinical experiment
    co_therapy: tuple[str, ...] = ()  # co-therapies the step's records were observed with


@dataclass(frozen=True)
class ExplainPath:
    """A signed path: ``sign`` is +1 if the subject going up makes the object go up.

    ``observed_for`` is set when the path starts at a more specific entity than the subject
    (evidence for BMSC exosomes answering a question about MSC exosomes); ``reached`` when it
    ends at a part or kind of the object. ``contexts`` lists the cell types / tissues the steps
    were observed in; ``mixed_context`` flags a path joining steps from incompatible ones.
    """

    sign: int
    nodes: tuple[str, ...]  # entity ids
    edges: tuple[ExplainEdge, ...]
    score: float
    observed_for: str | None = None
    reached: str | None = None
    contexts: tuple[str, ...] = ()
    mixed_context: bool = False
    context_breaks: tuple[int, ...] = ()  # edge indices where the context changes
    unknown_context_steps: int = 0
    context_status: str = "consistent"  # consistent | unverified | mixed (see PathContext)
    certainty: str = "very low"  # the weakest step's (GRADE: a chain is no stronger)
    certainty_reasons: tuple[str, ...] = ()
    in_vivo: bool = False  # every step has an in vivo or clinical experiment


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
    context: ContextMode = "strict"
    excluded_mixed: int = 0  # paths left out because they join incompatible contexts (strict)
    message: str | None = None  # why a name did not resolve (e.g. a slash name is a chain)

    def to_dict(self) -> dict[str, Any]:
        """The ``explain`` JSON document (plus ids, DOIs and evidence details)."""
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
            "message": self.message,
            "context_mode": self.context,
            "excluded_mixed_context_paths": self.excluded_mixed,
            "paths": [
                {
                    "sign": p.sign,
                    "nodes": [nm[n] for n in p.nodes],
                    "ids": list(p.nodes),
                    "observed_for": nm[p.observed_for] if p.observed_for else None,
                    "observed_for_id": p.observed_for,
                    "reached": nm[p.reached] if p.reached else None,
                    "reached_id": p.reached,
                    "contexts": [label(c) for c in p.contexts],
                    "context_ids": list(p.contexts),
                    "mixed_context": p.mixed_context,
                    "context_status": p.context_status,
                    "context_breaks": list(p.context_breaks),
                    "unknown_context_steps": p.unknown_context_steps,
                    "certainty": p.certainty,
                    "certainty_reasons": list(p.certainty_reasons),
                    "in_vivo": p.in_vivo,
                    "edges": [
                        {
                            "source": nm[e.source],
                            "target": nm[e.target],
                            "predicate": e.predicate,
                            "predicates": list(e.predicates),
                            "sign": e.sign,
                            "refs": list(e.refs),
                            "dois": list(e.dois),
                            "papers": list(e.papers),
                            "statements": list(e.statements),
                            "models": list(e.models),
                            "species": list(e.species),
                            "grades": list(e.grades),
                            "injury_models": list(e.injury_models),
                            "certainty": e.certainty,
                            "certainty_reasons": list(e.certainty_reasons),
                            "in_vivo": e.in_vivo,
                            "co_therapy": list(e.co_therapy),
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
    context: ContextMode = "strict",
    upward: bool = True,
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
    context
        ``"strict"``: never join steps observed in incompatible cell types / tissues (the
        number left out is reported); ``"loose"``: join them, flagging each mixed path.
    upward
        Also gather evidence observed for the subject's kinds (``is_a`` descendants; each such
        path is labelled with the entity it was observed for) and paths reaching a kind of the
        object. Parts are not used: a part may oppose its complex (PTEN in PI3K/Akt). Evidence never flows downward: a specific subject never inherits a generic
        entity's paths.

    Unknown names give ``SUBJECT_NOT_FOUND``/``OBJECT_NOT_FOUND`` with suggestions; a path that
    exists only beyond ``max_length`` gives ``MAX_PATH_LENGTH_EXCEEDED`` with its length.
    """
    if not 1 <= max_length <= 12:
        raise UserInputError(f"max_length must be between 1 and 12, got {max_length}")
    if sign not in (None, "up", "down"):
        raise UserInputError(f"sign must be 'up' or 'down', got {sign!r}")
    if context not in ("strict", "loose"):
        raise UserInputError(f"context must be 'strict' or 'loose', got {context!r}")
    res = ExplainResult(
        "NO_PATHS_FOUND", subject, obj, max_length=max_length, sign=sign, context=context
    )
    try:
        subj_ent = _resolve(kb, subject, SUBJECT_TYPES)
    except UnknownNameError as exc:
        return replace(
            res,
            result="SUBJECT_NOT_FOUND",
            suggestions=tuple(exc.suggestions),
            message=str(exc),
        )
    res = replace(res, subject=subj_ent)
    try:
        obj_ent = _resolve(kb, obj, OBJECT_TYPES)
    except UnknownNameError as exc:
        return replace(
            res, result="OBJECT_NOT_FOUND", suggestions=tuple(exc.suggestions), message=str(exc)
        )
    res = replace(res, object=obj_ent)
    if subj_ent.id == obj_ent.id:
        return res
    sg = signed_graph(kb)
    polarities = {"up": (1,), "down": (-1,), None: (1, -1)}[sign]
    sources = [subj_ent.id]
    ends = [obj_ent.id]
    if upward:
        sources = [d for d in evidence_sources(kb.curated, subj_ent.id) if d != obj_ent.id]
        ends = [d for d in evidence_sources(kb.curated, obj_ent.id) if d not in sources]
    targets = [(e, p) for e in ends for p in polarities]
    raw = _search(
        sg, sources, targets, max_length, ContextConstraint(sg) if context == "strict" else None
    )
    excluded = 0
    if context == "strict":
        loose = _search(sg, sources, targets, max_length, None)
        excluded = len({p.nodes for p in loose} - {p.nodes for p in raw})
    res = replace(res, excluded_mixed=excluded)
    if not raw:
        shortest = min(
            (d for src in sources if (d := shortest_length(sg, (src, 1), targets)) is not None),
            default=None,
        )
        if shortest is not None and shortest > max_length:  # reachable, only not in the limit
            return replace(res, result="MAX_PATH_LENGTH_EXCEEDED", shortest_length=shortest)
        return res
    paths = tuple(_path(sg, p, subject=subj_ent.id, obj=obj_ent.id) for p in raw[:limit])
    names = {n: sg.name(n) for p in paths for n in p.nodes}
    return replace(res, result="PATHS_FOUND", paths=paths, names=names)


def _search(
    sg: SignedGraph,
    sources: list[str],
    targets: list[Node],
    max_length: int,
    constraint: ContextConstraint | None,
) -> list[RawPath]:
    """Paths from every source (the subject first, then its kinds and parts), best first."""
    dist = distances_to(sg, targets)
    found: list[RawPath] = []
    for src in sources:
        found += find_paths(
            sg, (src, 1), targets, max_length=max_length, dist=dist, constraint=constraint
        )
    found.sort(key=lambda p: (-p.score, p.length, p.nodes))
    return found


def _path(sg: SignedGraph, raw: RawPath, *, subject: str, obj: str) -> ExplainPath:
    from exosci.reason.grading import record_certainty, weakest

    edges = []
    links = []
    for u, v in zip(raw.nodes, raw.nodes[1:], strict=False):
        sup = sg.support(u, v)
        ordered = sorted(sup.statements, key=lambda s: (-len(s.evidence), s.id))
        evs = [ev for st in sup.statements for ev in st.evidence]
        cert = max((record_certainty(ev) for ev in evs), key=lambda c: c.rank)
        edge = ExplainEdge(
            source=u[0],
            target=v[0],
            predicate=ordered[0].predicate,
            predicates=tuple(dict.fromkeys(s.predicate for s in ordered)),
            sign=ordered[0].sign,
            refs=sup.refs,
            dois=tuple(sg.references[n].doi for n in sup.refs if n in sg.references),
            papers=sup.papers,
            statements=tuple(s.id for s in ordered),
            models=sup.models,
            species=sup.species,
            strength=sup.strength,
            grades=sup.grades,
            injury_models=tuple(sorted({ev.injury_model or "none (claim)" for ev in evs})),
            certainty=cert.level,
            certainty_reasons=cert.reasons,
            in_vivo=any(
                ev.grade == "experimental" and ev.model in ("in_vivo", "clinical") for ev in evs
            ),
            co_therapy=tuple(sorted({c for ev in evs for c in ev.co_therapy})),
        )
        edges.append(edge)
        if not all(s.predicate == "secretes" for s in ordered):  # a definition, not evidence
            links.append((f"{sg.name(u[0])} → {sg.name(v[0])}", cert))
    path_cert = weakest(links)
    ctx = path_context(sg, raw.nodes)
    start, end = raw.nodes[0][0], raw.nodes[-1][0]
    return ExplainPath(
        raw.sign,
        tuple(n for n, _ in raw.nodes),
        tuple(edges),
        raw.score,
        observed_for=start if start != subject else None,
        reached=end if end != obj else None,
        contexts=ctx.contexts,
        mixed_context=ctx.mixed,
        context_breaks=ctx.breaks,
        unknown_context_steps=ctx.unknown_steps,
        context_status=ctx.status,
        certainty=path_cert.level,
        certainty_reasons=path_cert.reasons,
        in_vivo=bool(edges) and all(e.in_vivo for e in edges),
    )
