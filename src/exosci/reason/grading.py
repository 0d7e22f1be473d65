"""Certainty of evidence after GRADE for preclinical animal evidence, with the reasons.

Follows Hooijmans et al., *PLoS One* 2018 (GRADE for animal intervention studies: a body of
animal studies starts at *high* certainty and is rated down for risk of bias, indirectness,
inconsistency, imprecision and publication bias) and SYRCLE's risk-of-bias tool (Hooijmans et al.,
*BMC Med Res Methodol* 2014). Three levels of the same scale are used here:

- **a record** (one evidence entry): an experiment starts *high*; rated down one level for risk
  of bias when random allocation or blinded outcome assessment is not reported (SYRCLE items 1/3
  and 7), one for an injury model that is not SCI (or not reported), two for in vitro / in silico
  work (no injured animal), one for a species that is neither rodent nor primate. A review-level
  claim is *low* at best, a curator's inference and an ungraded record *very low*.
- **a path**: as certain as its weakest link (a chain of findings is no stronger than its least
  supported step); the reasons of the links that limit it are listed.
- **a profile axis** (a body of evidence): the best certainty among its direct supporting items,
  rated down for inconsistency (opposing evidence at least half the support), imprecision (fewer
  than two independent studies) and indirectness (only indirect chains).

One grading rule per kind of claim (:func:`claim_kind`, :data:`GRADE_RULES`) keeps the same kind of
statement graded the same way throughout the graph; ``tests/kb/test_grading_rules.py`` walks every
statement and checks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from exosci.kb.schema import INJURY_MODEL_LABELS, SCI_INJURY_MODELS, Entity, Evidence, Statement

LEVELS: tuple[str, ...] = ("very low", "low", "moderate", "high")
DIRECT_SPECIES = frozenset({"rat", "mouse", "monkey", "human", "unspecified"})


@dataclass(frozen=True)
class Certainty:
    """A GRADE certainty level and the reasons it is not higher (empty when high)."""

    level: str
    reasons: tuple[str, ...] = ()

    @property
    def rank(self) -> int:
        return LEVELS.index(self.level)

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "reasons": list(self.reasons)}


def _down(start: int, steps: list[tuple[int, str]]) -> Certainty:
    rank = start - sum(n for n, _ in steps)
    return Certainty(LEVELS[max(0, rank)], tuple(r for _, r in steps))


def record_certainty(ev: Evidence) -> Certainty:
    """Certainty of one evidence record, with the reasons for each level it was rated down."""
    if ev.grade == "review_claim":
        claim = (
            0,
            "review-level claim: the cited study's own data for this link are not described",
        )
        return _down(1, [claim, *_indirect_model(ev)])
    if ev.grade == "curator_inferred":
        return Certainty(
            "very low", ("curator-inferred link, not tested as such by any cited study",)
        )
    if ev.grade != "experimental":
        return Certainty("very low", ("kind of evidence not stated (not graded)",))
    steps: list[tuple[int, str]] = []
    if ev.model in ("in_vitro", "in_silico"):
        steps.append((2, f"indirectness: {ev.model.replace('_', ' ')} (no injured animal)"))
    else:
        rob = {"randomised": ev.randomised, "blinded": ev.blinded}
        unclear = [k for k, v in rob.items() if v != "yes"]
        if unclear:
            said = ", ".join(f"{k} {rob[k].replace('_', ' ')}" for k in unclear)
            steps.append((1, f"risk of bias (SYRCLE): {said}"))
        steps += _indirect_model(ev)
    if ev.species not in DIRECT_SPECIES:
        steps.append(
            (1, f"indirectness: {ev.species.replace('_', ' ')}, neither rodent nor primate")
        )
    elif ev.species == "unspecified":
        steps.append((0, "species not reported"))
    return _down(3, steps)


def _indirect_model(ev: Evidence) -> list[tuple[int, str]]:
    inj = ev.injury_model
    if inj is None or inj in SCI_INJURY_MODELS or inj == "in_vitro":
        return []
    return [(1, f"indirectness: {INJURY_MODEL_LABELS[inj]}")]


def indirectness_factor(ev: Evidence) -> float:
    """Weight factor for the evidence's population: 0.5 per level rated down for a non-SCI or
    unreported injury model (species and in vitro work have their own weights)."""
    return 0.5 if _indirect_model(ev) else 1.0


def weakest(certainties: Iterable[tuple[str, Certainty]]) -> Certainty:
    """A path's certainty: its weakest link's, with the reasons of every link at that level."""
    items = list(certainties)
    if not items:
        return Certainty("high")
    low = min(c.rank for _, c in items)
    where: dict[str, list[str]] = {}
    for label, c in items:
        if c.rank == low:
            for r in c.reasons:
                where.setdefault(r, []).append(label)
    return Certainty(LEVELS[low], tuple(f"{r} ({'; '.join(links)})" for r, links in where.items()))


def best(certainties: Iterable[Certainty]) -> Certainty | None:
    """The highest certainty among ``certainties`` (None when there are none)."""
    return max(certainties, key=lambda c: c.rank, default=None)


def body_certainty(
    direct: list[Certainty],
    indirect: list[Certainty],
    *,
    n_studies: int,
    support: float,
    opposition: float,
) -> Certainty | None:
    """Certainty of a body of evidence (one profile axis); None when there is no evidence."""
    top = best(direct)
    steps: list[tuple[int, str]] = []
    if top is None:
        top = best(indirect)
        if top is None:
            return None if opposition == 0 else Certainty("very low", ("only opposing evidence",))
        steps.append((1, "indirectness: only chains through general process-level claims"))
    if support > 0 and opposition >= 0.5 * support:
        steps.append((1, "inconsistency: opposing evidence is at least half the support"))
    if n_studies < 2:
        steps.append(
            (1, f"imprecision: {n_studies} independent stud{'y' if n_studies == 1 else 'ies'}")
        )
    steps.append((0, "publication bias not assessed"))
    out = _down(top.rank, steps)
    inherited = tuple(f"best item: {r}" for r in top.reasons if not r.startswith("best item:"))
    return Certainty(out.level, inherited + out.reasons)


# ---------------------------------------------------------------- grading rules per claim kind

# predicates that state what a product is, where it comes from or how it is made or given
PRODUCT_FACTS = frozenset(
    {
        "derived_from",
        "secretes",
        "part_of",
        "has_marker",
        "delivered_by",
        "engineered_with",
        "preconditioned_by",
        "administered_by",
        "combined_with",
    }
)

# kind of claim -> the grades it may carry, and why (one rule per kind)
GRADE_RULES: dict[str, tuple[frozenset[str], str]] = {
    "axis_definition": (
        frozenset({"review_claim"}),
        "a process belongs to a repair mechanism because Table 2 says so: a review claim",
    ),
    "mechanism_to_recovery": (
        frozenset({"curator_inferred"}),
        "a repair mechanism leading to recovery is the curators' link; no cited study tested it",
    ),
    "product_fact": (
        frozenset({"review_claim"}),
        "what a product is, comes from or is made with is stated by the review, not measured as a"
        " result",
    ),
    "study_finding": (
        frozenset({"experimental", "review_claim", "curator_inferred"}),
        "experimental exactly when the record names the cited study's own model (in vivo, in"
        " vitro, clinical); review_claim / curator_inferred otherwise",
    ),
}


def claim_kind(st: Statement, entities: Mapping[str, Entity]) -> str:
    """The kind of claim a statement makes (a key of :data:`GRADE_RULES`)."""
    stype = entities[st.subject].type if st.subject in entities else None
    otype = entities[st.object].type if st.object in entities else None
    if st.predicate in PRODUCT_FACTS:
        return "product_fact"
    if stype == "mechanism" and otype == "outcome":
        return "mechanism_to_recovery"
    if stype == "process" and otype == "mechanism":
        return "axis_definition"
    return "study_finding"


def rule_violations(st: Statement, entities: Mapping[str, Entity]) -> list[str]:
    """Why a statement's evidence breaks its kind's grading rule (empty when it follows it)."""
    kind = claim_kind(st, entities)
    allowed, why = GRADE_RULES[kind]
    out = []
    for i, ev in enumerate(st.evidence):
        if ev.grade not in allowed:
            out.append(f"{st.id} evidence {i}: {kind} graded {ev.grade!r} ({why})")
        if kind == "study_finding" and (ev.grade == "experimental") != (
            ev.model in ("in_vivo", "in_vitro", "clinical", "in_silico")
        ):
            out.append(f"{st.id} evidence {i}: {kind} graded {ev.grade!r} with model {ev.model!r}")
    return out


def annotate_show(doc: dict[str, Any], statements: Iterable[Statement]) -> dict[str, Any]:
    """Add each evidence record's injury model and certainty (with reasons) to a ``kb show``
    document, in place; statements are matched by id (records the store lacks are left)."""
    by_id = {st.id: st for st in statements}
    for key in ("statements", "inherited_statements"):
        for row in doc.get(key, []):
            st = by_id.get(row.get("id", ""))
            if st is None or len(st.evidence) != len(row.get("evidence", [])):
                continue
            for ev_doc, ev in zip(row["evidence"], st.evidence, strict=True):
                cert = record_certainty(ev)
                ev_doc["injury_model"] = ev.injury_model
                ev_doc["co_therapy"] = list(ev.co_therapy)
                ev_doc["comparator"] = ev.comparator
                ev_doc["certainty"] = cert.level
                ev_doc["certainty_reasons"] = list(cert.reasons)
            row["certainty"] = max(
                (record_certainty(ev) for ev in st.evidence), key=lambda c: c.rank
            ).level
    return doc
