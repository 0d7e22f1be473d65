"""Mechanism profile: how strongly published evidence says a design acts on each repair axis.

One sentence: *an axis score is the weighted count of independent studies (distinct review
references) whose signed evidence chains connect this design to a better state of the axis,
minus those connecting it to a worse state, weighted by evidence grade (in vivo > in vitro >
review claim > curator inference), species and injury model (SCI > other disease models), and
mapped to [0, 1] by* ``net / (net + 1)``. *Its certainty is GRADE's for preclinical evidence
(``exosci.reason.grading``): a chain is as certain as its weakest link, an axis as its best chain,
rated down for inconsistency and imprecision, each with the reasons.*
The formula, its parts and a worked example are in ``docs/profile.md``.

The therapy model scales its five repair axes by this profile; ``exosci kb profile`` shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from exosci.errors import UnknownNameError
from exosci.kb.contexts import lineage
from exosci.kb.schema import Entity, Evidence
from exosci.reason.explain import SUBJECT_TYPES
from exosci.reason.grading import (
    Certainty,
    body_certainty,
    indirectness_factor,
    record_certainty,
    weakest,
)
from exosci.reason.graph import HasCurated, Node, SignedGraph, signed_graph
from exosci.reason.paths import RawPath, distances_to, find_paths
from exosci.vocabulary import REPAIR_AXES as AXES

AXIS_MECHANISM: dict[str, str] = {
    "neuroprotection": "mech:neuroprotection",
    "axon_regeneration": "mech:axon-regeneration",
    "inflammation": "mech:inflammation-suppression",
    "angiogenesis_bscb": "mech:angiogenesis-bscb",
    "ecm": "mech:ecm-regulation",
}
# The processes that define each axis (Table 2's "core functions"). Their edge into the axis'
# mechanism node is the axis definition, not evidence, and weighs nothing against a path.
AXIS_PROCESSES: dict[str, frozenset[str]] = {
    "neuroprotection": frozenset(
        {"proc:neuronal-survival", "proc:neuronal-apoptosis", "proc:ferroptosis"}
    ),
    "axon_regeneration": frozenset(
        {
            "proc:axon-growth",
            "proc:synapse-formation",
            "proc:myelination",
            "proc:nsc-recruitment",
            "proc:synaptic-transmission",
            "proc:axon-guidance",
        }
    ),
    "inflammation": frozenset(
        {"proc:neuroinflammation", "proc:m1-polarization", "proc:m2-polarization"}
    ),
    "angiogenesis_bscb": frozenset(
        {"proc:angiogenesis", "proc:bscb-integrity", "proc:vasodilation"}
    ),
    "ecm": frozenset({"proc:ecm-remodeling", "proc:glial-scar", "proc:cspg-deposition"}),
}

# Evidence record weight = grade weight x (for experimental records) model x species weight.
GRADE_WEIGHT: dict[str, float] = {
    "experimental": 1.0,
    "review_claim": 0.3,
    "curator_inferred": 0.15,
    "not_graded": 0.15,
}
MODEL_WEIGHT: dict[str, float] = {
    "clinical": 1.0,
    "in_vivo": 1.0,
    "in_vitro": 0.5,
    "in_silico": 0.25,
    "review": 0.3,  # only reached by a record mislabelled experimental; grades forbid it
}
SPECIES_WEIGHT: dict[str, float] = {
    "human": 1.0,
    "monkey": 1.0,
    "pig": 0.95,
    "dog": 0.95,
    "rat": 0.9,
    "mouse": 0.9,
    "zebrafish": 0.6,
    "fruit_fly": 0.4,
    "unspecified": 0.8,
}
HALF_SATURATION = 1.0  # net evidence at which the score is 0.5 (about one in vivo study)
CONFIDENCE_VALUE: dict[str, float] = {
    "high": 0.9,
    "moderate": 0.7,
    "low": 0.4,
    "very low": 0.15,
    "none": 0.0,
}

FORMULA = (
    "score = net / (net + 1), net = max(0, S+ - S-); S+ (S-) = sum over independent studies "
    "(distinct references observing the design's own link; a design link that is only a claim "
    "counts once per claim) of the weakest-edge weight of their best chain; weight = model x "
    "species for experimental records (in vivo 1, in vitro 0.5; primate 1, rodent 0.9), 0.3 for "
    "review claims, 0.15 for curator inferences, times 0.5 for a non-SCI or unreported injury "
    "model (GRADE indirectness); a record made with a co-therapy counts only when the profile "
    "includes it; a source's 'secretes' link defines the product and weighs nothing; indirect "
    "chains (through a process- or pathway-level link that is only a claim) count at most as "
    "much as the direct evidence. Certainty (GRADE): a chain is as certain as its weakest link."
)

# the product a source secretes is a definition of the product, not evidence
DEFINITIONAL = frozenset({"secretes"})


def record_weight(ev: Evidence, given: frozenset[str] | None = None) -> float:
    """Weight of one evidence record (see :data:`FORMULA`); 0 when it credits a combination
    with a co-therapy that ``given`` (the profiled entities) does not include."""
    if given is not None and ev.co_therapy and not set(ev.co_therapy) <= given:
        return 0.0
    w = GRADE_WEIGHT.get(ev.grade, 0.15)
    if ev.grade == "experimental":
        w *= MODEL_WEIGHT.get(ev.model, 0.3) * SPECIES_WEIGHT.get(ev.species, 0.8)
    return w * indirectness_factor(ev)


@dataclass(frozen=True)
class _Edge:
    weight: float  # best record weight on the edge
    grade: str  # grade of that record
    refs: tuple[int, ...]  # every reference behind the edge
    study_weights: dict[int, float]  # reference -> best experimental record weight
    contexts: frozenset[str]  # cell contexts (CL) its records name
    certainty: Certainty = Certainty("very low")  # best certainty among credited records
    study_certainty: dict[int, Certainty] = field(default_factory=dict)  # per experiment
    vivo_refs: frozenset[int] = frozenset()  # references with in vivo / clinical experiments
    species: tuple[str, ...] = ()
    injury_models: tuple[str, ...] = ()
    definitional: bool = False  # a source secreting its product: a definition, weightless


def _edge(sg: SignedGraph, u: Node, v: Node, given: frozenset[str] | None = None) -> _Edge:
    sup = sg.support(u, v)
    best: tuple[float, str] = (0.0, "curator_inferred")
    studies: dict[int, float] = {}
    certs: dict[int, Certainty] = {}
    top: Certainty | None = None
    vivo: set[int] = set()
    contexts: set[str] = set()
    species: set[str] = set()
    injuries: set[str] = set()
    for st in sup.statements:
        for ev in st.evidence:
            w = record_weight(ev, given)
            if w <= 0:
                continue
            c = record_certainty(ev)
            if top is None or c.rank > top.rank:
                top = c
            species.add(ev.species)
            injuries.add(ev.injury_model or "none (claim)")
            if w > best[0]:
                best = (w, ev.grade)
            if ev.grade == "experimental":
                for r in ev.refs:
                    studies[r] = max(studies.get(r, 0.0), w)
                    if r not in certs or c.rank > certs[r].rank:
                        certs[r] = c
                    if ev.model in ("in_vivo", "clinical"):
                        vivo.add(r)
            # a vesicle carrying cargo is observed in the donor cell, not where the cargo acts
            if st.predicate != "carries" and ev.context and ev.context.startswith("CL:"):
                contexts.add(ev.context)
    return _Edge(
        best[0],
        best[1],
        sup.refs,
        studies,
        frozenset(contexts),
        top or Certainty("very low", ("no record credited to this profile",)),
        certs,
        frozenset(vivo),
        tuple(sorted(species)),
        tuple(sorted(injuries)),
        all(s.predicate in DEFINITIONAL for s in sup.statements),
    )


@dataclass(frozen=True)
class AxisScore:
    """Net published support for a positive effect on one axis, with the evidence behind it."""

    score: float
    support: float = 0.0  # S+: weighted count of independent supporting studies/claims
    opposition: float = 0.0  # S-: the same for opposing ones
    evidence: list[dict[str, Any]] = field(default_factory=list)  # supporting, then opposing
    n_support: int = 0
    n_oppose: int = 0
    confidence: str = "none"  # GRADE certainty: high, moderate, low, very low, none
    excluded: list[dict[str, Any]] = field(default_factory=list)  # mixed-context chains
    confidence_reasons: tuple[str, ...] = ()  # why the certainty is not higher

    @property
    def confidence_value(self) -> float:
        return CONFIDENCE_VALUE[self.confidence]

    @property
    def supporting(self) -> list[dict[str, Any]]:
        return [e for e in self.evidence if e["sign"] > 0]

    @property
    def opposing(self) -> list[dict[str, Any]]:
        return [e for e in self.evidence if e["sign"] < 0]

    def to_dict(self) -> dict[str, Any]:
        sup, opp = self.supporting, self.opposing
        return {
            "score": self.score,
            "support": self.support,
            "opposition": self.opposition,
            "n_support": self.n_support,
            "n_oppose": self.n_oppose,
            "evidence_count": self.n_support + self.n_oppose,
            "confidence": self.confidence,
            "confidence_value": self.confidence_value,
            "confidence_reasons": list(self.confidence_reasons),
            "best_supporting": sup[0] if sup else None,
            "best_opposing": opp[0] if opp else None,
            "evidence": self.evidence,
            "excluded": self.excluded,
        }


@dataclass(frozen=True)
class MechanismProfile:
    """Scores in [0, 1] for the five axes of :data:`AXES`, keyed by axis name."""

    entities: tuple[str, ...]
    axes: dict[str, AxisScore]
    max_length: int = 6
    gathered: tuple[str, ...] = ()  # more specific products whose evidence was included

    def to_dict(self) -> dict[str, Any]:
        return {
            "entities": list(self.entities),
            "gathered_from": list(self.gathered),
            "max_length": self.max_length,
            "formula": FORMULA,
            "axes": {axis: self.axes[axis].to_dict() for axis in AXES},
        }

    def scores(self) -> dict[str, float]:
        return {axis: self.axes[axis].score for axis in AXES}


def mechanism_profile(
    kb: HasCurated,
    entity_ids: Sequence[str],
    *,
    max_length: int = 6,
    gather_descendants: bool = True,
) -> MechanismProfile:
    """Published support of ``entity_ids`` (acting together) for each repair axis.

    Parameters
    ----------
    kb
        A knowledge base (``default_kb()``, a store, or ``kb_from_records(...)``).
    entity_ids
        Entity ids acting together, e.g. an exosome product plus its preconditioning,
        engineering, cargo and co-therapy entities. Unknown ids contribute nothing.
    max_length
        Longest signed path (in edges) that counts.
    gather_descendants
        Include evidence observed for more specific products (``is_a`` descendants of an
        exosome product), each chain labelled with the product it was observed for. Evidence
        never flows down: a modified product gets its own evidence only.

    See ``docs/profile.md`` (and :data:`FORMULA`): per axis and sign, every independent study
    (or claim) contributes the weight of its strongest chain, a chain weighs as much as its
    weakest edge (length itself costs nothing), and ``score = net / (net + 1)``.
    """
    sg = signed_graph(kb)
    given = list(dict.fromkeys(entity_ids))
    sources: dict[str, str] = {}  # source node -> the given entity it stands for
    gathered: list[str] = []
    for eid in given:
        if eid not in sg.entities:
            continue
        sources.setdefault(eid, eid)
        if gather_descendants and sg.entities[eid].type == "exosome":
            for child in _descendants(kb, eid):
                if child in sg.entities and child not in sources:
                    sources[child] = eid
                    gathered.append(child)
    edges: dict[tuple[Node, Node], _Edge] = {}
    given_set = frozenset(given)
    table = _table_items(sg, sources, given_set)
    axes = {
        axis: _axis_score(
            sg,
            sources,
            axis,
            edges,
            max_length=max_length,
            extra=table.get(axis, []),
            given=given_set,
        )
        for axis in AXES
    }
    return MechanismProfile(tuple(given), axes, max_length, tuple(gathered))


def _table_items(
    sg: SignedGraph, sources: dict[str, str], given: frozenset[str] = frozenset()
) -> dict[str, list[tuple[int, int, float, dict[str, Any]]]]:
    """Outcome-table rows (``kb/outcomes/studies.yaml``) of the profiled products, per axis.

    Each row is a study's own in vivo result for the product on a repair axis; it joins the
    chains of the same study (a study counts once) and adds studies the graph lacks. A row
    whose arm had a co-therapy (ref 130's paclitaxel, ref 74's exercise) credits the
    combination: it counts only when the profile includes every co-therapy.
    """
    from exosci.kb.studies import package_arms

    out: dict[str, list[tuple[int, int, float, dict[str, Any]]]] = {}
    for arm in package_arms():
        if arm.product not in sources or arm.product not in sg.entities:
            continue
        ev = Evidence(
            refs=[arm.ref],
            model="in_vivo" if arm.grade == "experimental" else "review",
            species=arm.species,
            grade=arm.grade,
            injury_model=arm.injury_model,
            co_therapy=list(arm.co_therapy),
            randomised=arm.randomised,
            blinded=arm.blinded,
            text=arm.id,
        )
        w = record_weight(ev, given | set(sources))
        if w <= 0:
            continue
        cert = record_certainty(ev)
        for o in arm.outcomes:
            if o.axis not in AXIS_MECHANISM or o.direction == 0:
                continue
            mech = AXIS_MECHANISM[o.axis]
            rec = {
                "path": [sg.name(arm.product), f"{o.measure} (outcome table)", sg.name(mech)],
                "ids": [arm.product, mech],
                "sign": o.direction,
                "refs": [arm.ref],
                "observed_for": arm.product,
                "observed_for_name": sg.name(arm.product),
                "gathered": arm.product != sources[arm.product],
                "edges": [],
                "grade": arm.grade,
                "in_vivo": arm.grade == "experimental",
                "mixed_context": False,
                "studies": [arm.ref],
                "kind": "study" if arm.grade == "experimental" else "claim",
                "comparator": o.comparator,
                "co_therapy": list(arm.co_therapy),
                "from_table": arm.id,
                "certainty": cert.level,
                "certainty_reasons": list(cert.reasons),
            }
            out.setdefault(o.axis, []).append((o.direction, arm.ref, w, rec))
    return out


def _descendants(kb: HasCurated, entity_id: str) -> list[str]:
    from exosci.kb.hierarchy import descendants

    return list(descendants(kb.curated, entity_id))


def _contexts_compatible(contexts: list[frozenset[str]]) -> bool:
    """Whether one cell context per edge can be chosen so that all lie on one lineage."""
    sets = [c for c in contexts if c]
    if len(sets) < 2:
        return True

    def related(a: str, b: str) -> bool:
        return a in lineage(b) or b in lineage(a)

    def pick(i: int, chosen: list[str]) -> bool:
        if i == len(sets):
            return True
        return any(
            all(related(c, d) for d in chosen) and pick(i + 1, [*chosen, c]) for c in sets[i]
        )

    return pick(0, [])


def _axis_score(
    sg: SignedGraph,
    sources: dict[str, str],
    axis: str,
    edges: dict[tuple[Node, Node], _Edge],
    *,
    max_length: int,
    extra: Sequence[tuple[int, int, float, dict[str, Any]]] = (),
    given: frozenset[str] = frozenset(),
) -> AxisScore:
    mech = AXIS_MECHANISM[axis]
    if mech not in sg.entities:
        return AxisScore(0.0)
    targets = [(mech, 1), (mech, -1)]
    dist = distances_to(sg, targets)
    # (sign, kind, refs) -> (weight, indirect, evidence record); one entry per independent item
    best: dict[tuple[int, str, frozenset[int]], tuple[float, bool, dict[str, Any]]] = {}
    excluded: dict[tuple[str, ...], dict[str, Any]] = {}
    for src, stands_for in sources.items():
        if src == mech:
            continue
        for path in find_paths(sg, (src, 1), targets, max_length=max_length, dist=dist):
            found = _path_items(sg, path, axis, edges, src, stands_for, given)
            for key, weight, indirect, ev in found:
                if ev["mixed_context"]:
                    excluded.setdefault(tuple(ev["ids"]), ev)
                    continue
                full = (path.sign, key[0], key[1])
                old = best.get(full)  # an item's direct chains win over its indirect ones
                if old is None or (not indirect, weight) > (not old[1], old[0]):
                    best[full] = (weight, indirect, ev)
    for sign, ref, weight, rec in extra:  # outcome-table rows: direct, keyed by their study
        kind = "study" if rec["kind"] == "study" else "claim"
        full = (sign, kind, frozenset({ref}))
        old = best.get(full)
        if old is None or (True, weight) > (not old[1], old[0]):
            best[full] = (weight, False, rec)
    totals = {1: {False: 0.0, True: 0.0}, -1: {False: 0.0, True: 0.0}}
    counts = {1: 0, -1: 0}
    studies: set[int] = set()
    direct: list[Certainty] = []
    indirect_c: list[Certainty] = []
    items: list[dict[str, Any]] = []
    for (sign, _kind, _refs), (weight, indirect, ev) in best.items():
        totals[sign][indirect] += weight
        counts[sign] += 1
        if sign > 0:
            cert = Certainty(ev["certainty"], tuple(ev["certainty_reasons"]))
            (indirect_c if indirect else direct).append(cert)
            if ev["kind"] != "claim" and not indirect:
                studies.update(ev["studies"][:1])  # the study behind the design's own link
        items.append({**ev, "weight": weight, "indirect": indirect})
    # indirect chains may add to direct evidence, never stand in for it
    s_pos = totals[1][False] + min(totals[1][True], totals[1][False])
    s_neg = totals[-1][False] + min(totals[-1][True], totals[-1][False])
    net = max(0.0, s_pos - s_neg)
    items.sort(key=lambda e: (-e["sign"], e["indirect"], -e["weight"], len(e["ids"]), e["ids"]))
    body = body_certainty(
        direct, indirect_c, n_studies=len(studies), support=s_pos, opposition=s_neg
    )
    return AxisScore(
        score=net / (net + HALF_SATURATION),
        support=s_pos,
        opposition=s_neg,
        evidence=items,
        n_support=counts[1],
        n_oppose=counts[-1],
        confidence=body.level if body else "none",
        excluded=sorted(excluded.values(), key=lambda e: (len(e["ids"]), e["ids"])),
        confidence_reasons=body.reasons if body else (),
    )


def _path_items(
    sg: SignedGraph,
    path: RawPath,
    axis: str,
    edges: dict[tuple[Node, Node], _Edge],
    src: str,
    stands_for: str,
    given: frozenset[str] = frozenset(),
) -> list[tuple[tuple[str, frozenset[int]], float, bool, dict[str, Any]]]:
    """The independent evidence items one chain contributes: (key, weight, indirect, record).

    Every link is graded: the chain weighs as much as its weakest scored link, is in vivo only
    when every scored link has an in vivo experiment, credits the studies of every link and is
    as certain as its weakest link. The item is keyed by the study (or claim) behind the
    design's own link, so one study counts once however many chains start from it.
    """
    pairs = list(zip(path.nodes, path.nodes[1:], strict=False))
    info: list[_Edge] = []
    for u, v in pairs:
        if (u, v) not in edges:
            edges[(u, v)] = _edge(sg, u, v, given)
        info.append(edges[(u, v)])
    ids = [n for n, _ in path.nodes]
    membership = ids[-2] in AXIS_PROCESSES[axis]  # the last edge is the axis definition
    scored_idx = [
        i
        for i, e in enumerate(info)
        if not (membership and i == len(info) - 1) and not e.definitional
    ]
    if not scored_idx:
        return []
    scored = [info[i] for i in scored_idx]
    weakest_w = min(e.weight for e in scored)
    if weakest_w <= 0:  # a link only a combination the profile lacks supports
        return []
    claims = [pairs[i] for i in scored_idx if info[i].grade != "experimental"]
    indirect = any(_generic(sg, u[0]) for u, _v in claims)
    ctx = [
        e.contexts
        for (u, v), e in zip(pairs, info, strict=True)
        if _molecular(sg, u[0]) or _molecular(sg, v[0])
    ]
    label = [f"{sg.name(u[0])} → {sg.name(v[0])}" for u, v in pairs]
    record: dict[str, Any] = {
        "path": [sg.name(n) for n in ids],
        "ids": ids,
        "sign": path.sign,
        "refs": sorted({r for e in info for r in e.refs}),
        "observed_for": src,
        "observed_for_name": sg.name(src),
        "gathered": src != stands_for,
        "edges": [
            {
                "from": u[0],
                "to": v[0],
                "sign": u[1] * v[1],
                "grade": e.grade,
                "weight": round(e.weight, 4),
                "refs": list(e.refs),
                "studies": sorted(e.study_weights),
                "species": list(e.species),
                "injury_models": list(e.injury_models),
                "certainty": e.certainty.level,
                "certainty_reasons": list(e.certainty.reasons),
                "axis_definition": membership and i == len(pairs) - 1,
                "definitional": e.definitional,
            }
            for i, ((u, v), e) in enumerate(zip(pairs, info, strict=True))
        ],
        "grade": min(
            (e.grade for e in scored), key=lambda g: GRADE_WEIGHT.get(g, 0), default="experimental"
        ),
        "in_vivo": False,
        "mixed_context": not _contexts_compatible(ctx),
    }
    first_i = scored_idx[0]
    first = info[first_i]
    rest = scored_idx[1:]
    rest_vivo = all(info[i].vivo_refs for i in rest)
    later_studies = {r for i in rest for r in info[i].study_weights}

    def certainty(first_cert: Certainty) -> Certainty:
        links = [(label[first_i], first_cert)] + [(label[i], info[i].certainty) for i in rest]
        return weakest(links)

    if not first.study_weights:  # the design's own link is a claim: one item per claim
        refs = frozenset(first.refs)
        cert = certainty(first.certainty)
        return [
            (
                ("claim", refs),
                weakest_w,
                indirect,
                {
                    **record,
                    "studies": sorted(refs | later_studies),
                    "kind": "claim",
                    "certainty": cert.level,
                    "certainty_reasons": list(cert.reasons),
                },
            )
        ]
    out = []  # one item per study that observed the design's own link, as strong as the chain
    for ref, w in sorted(first.study_weights.items()):
        cert = certainty(first.study_certainty[ref])
        rec = {
            **record,
            "studies": [ref, *sorted(later_studies - {ref})],
            "kind": "study" if not claims else "study+claim",
            "in_vivo": ref in first.vivo_refs and rest_vivo,
            "certainty": cert.level,
            "certainty_reasons": list(cert.reasons),
        }
        out.append((("study", frozenset({ref})), min(w, weakest_w), indirect, rec))
    return out


def _molecular(sg: SignedGraph, entity_id: str) -> bool:
    """Intracellular signalling nodes: their edges hold only within one cell type."""
    ent = sg.entities.get(entity_id)
    return ent is not None and ent.type in ("gene", "pathway", "mirna", "rna")


def _generic(sg: SignedGraph, subject: str) -> bool:
    """A link from a process or pathway: general biology, shared by every design's chains.

    When such a link is only a review claim or an inference, a chain through it is indirect
    evidence for the axis (GRADE's indirectness): it may add to direct evidence, never stand in
    for it.
    """
    ent = sg.entities.get(subject)
    return ent is not None and ent.type in ("process", "pathway")


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
