"""Evidence contexts along a path: which cell type / tissue each step was observed in.

Each evidence record may name the cell type or tissue the study looked at (``context``: a CL /
UBERON CURIE or an entity id; older records only a free-text ``cell_type``). Two steps are
*compatible* when either context is unknown, when one context is the other or a kind of it
(microglia inside macrophage), when one is a tissue and the other a cell type (a spinal-cord
study covers the cells in it), or when both steps cite the same study (the paper made the link
itself). A path is *mixed* when some step cannot be read in a context compatible with the
steps before it. Vesicle-composition steps (``carries``, ``secretes``) are context-free: a
vesicle carries its cargo from the producing cell to the recipient cell by definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from exosci.kb.contexts import CONTEXTS, context_label, lineage
from exosci.kb.names import normalize
from exosci.kb.schema import Evidence
from exosci.reason.graph import Node, SignedGraph

ContextMode = Literal["strict", "loose"]
CONTEXT_FREE = frozenset({"carries", "secretes"})

# (context, refs of the evidence that saw it)
Observation = tuple[str, frozenset[int | str]]


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for curie, (label, _parent) in CONTEXTS.items():
        for form in (label, label.replace(" cell", ""), label + "s"):
            out.setdefault(normalize(form), curie)
    return out


def context_of(ev: Evidence) -> str | None:
    """The context an evidence record names: its ``context``, else its in-vitro ``cell_type``."""
    ctx = getattr(ev, "context", None)
    if ctx:
        return str(ctx)
    if ev.cell_type:
        key = normalize(ev.cell_type)
        labels = _labels()
        hit = labels.get(key) or labels.get(key[:-1] if key.endswith("s") else key)
        if hit is None and key.startswith("vascular"):
            hit = labels.get(key.removeprefix("vascular").rstrip("s"))
        return hit or f"text:{key}"
    return None


def label(context: str) -> str:
    """A readable label for a context."""
    if context.startswith("text:"):
        return context[5:]
    return context_label(context) or context


def compatible(a: str, b: str) -> bool:
    """Whether two contexts can be the same cells (equal, nested, or tissue vs cell type)."""
    if a == b:
        return True
    if a in set(lineage(b)) or b in set(lineage(a)):
        return True
    kinds = {a.split(":", 1)[0], b.split(":", 1)[0]}
    return kinds == {"UBERON", "CL"}  # a tissue study covers the cell types inside it


@dataclass(frozen=True)
class StepContext:
    """The contexts one signed edge was observed in."""

    observations: tuple[Observation, ...]  # known contexts with their references
    unknown: bool  # some evidence names no context
    free: bool  # a vesicle-composition step: constrains nothing

    @property
    def constrains(self) -> bool:
        return not self.free and bool(self.observations) and not self.unknown


def step_context(sg: SignedGraph, u: Node, v: Node) -> StepContext:
    """The contexts of the statements behind edge ``u -> v``."""
    sup = sg.support(u, v)
    obs: dict[Observation, None] = {}
    unknown = False
    for st in sup.statements:
        for ev in st.evidence:
            ctx = context_of(ev)
            ent = sg.entities.get(ctx) if ctx else None
            if ent is not None and ent.curie and ent.curie.startswith(("CL:", "UBERON:")):
                ctx = ent.curie  # an entity id used as context: compare by its ontology term
            if ctx is None:
                unknown = True
            else:
                obs[(ctx, frozenset([*ev.refs, *ev.papers]))] = None
    free = all(st.predicate in CONTEXT_FREE for st in sup.statements)
    return StepContext(tuple(obs), unknown, free)


State = tuple[Observation, ...] | None  # the readings still open after the steps so far


def advance(state: State, step: StepContext) -> tuple[State, bool]:
    """The state after one more step, and whether the step fits the steps before it."""
    if not step.constrains:
        return state, True
    if state is None:
        return step.observations, True
    fits = tuple(
        (c2, r2)
        for (c2, r2) in step.observations
        if any(compatible(c1, c2) or (r1 & r2) for (c1, r1) in state)
    )
    if fits:
        return fits, True
    return step.observations, False  # a break: later steps are judged against this one


@dataclass(frozen=True)
class PathContext:
    """What the contexts of one path say."""

    contexts: tuple[str, ...]  # distinct known contexts along the path, in order
    mixed: bool  # some step was observed in a context incompatible with the ones before
    breaks: tuple[int, ...]  # indices of the edges where the context changes incompatibly
    unknown_steps: int  # causal steps with no (or only partly) known context
    studies: int  # distinct studies (reference sets) behind the causal steps

    @property
    def status(self) -> Literal["consistent", "unverified", "mixed"]:
        """``mixed``: incompatible contexts joined; ``unverified``: different studies joined
        with some step's context unknown; ``consistent``: neither."""
        if self.mixed:
            return "mixed"
        if self.unknown_steps and self.studies > 1:
            return "unverified"
        return "consistent"


def path_context(sg: SignedGraph, nodes: Iterable[Node]) -> PathContext:
    """Judge the contexts along a path of signed nodes."""
    seq = list(nodes)
    state: State = None
    seen: dict[str, None] = {}
    breaks: list[int] = []
    unknown = 0
    studies: set[tuple[int, ...]] = set()
    for i, (u, v) in enumerate(zip(seq, seq[1:], strict=False)):
        step = step_context(sg, u, v)
        if not step.free:
            studies.add(sg.support(u, v).refs)
            if step.unknown or not step.observations:
                unknown += 1
            for ctx, _refs in step.observations:
                seen.setdefault(ctx, None)
        state, ok = advance(state, step)
        if not ok:
            breaks.append(i)
    return PathContext(tuple(seen), bool(breaks), tuple(breaks), unknown, len(studies))


class ContextConstraint:
    """The path-search hook that refuses steps incompatible with the path so far (strict)."""

    def __init__(self, sg: SignedGraph) -> None:
        self.sg = sg
        self._cache: dict[tuple[Node, Node], StepContext] = {}

    def start(self) -> State:
        return None

    def step(self, state: State, u: Node, v: Node) -> tuple[bool, State]:
        key = (u, v)
        sc = self._cache.get(key)
        if sc is None:
            sc = self._cache[key] = step_context(self.sg, u, v)
        new, ok = advance(state, sc)
        return ok, new
