"""Three verdicts for a paired difference between two designs, and the evidence beside it.

* **better / worse**: the model's paired 90 % interval excludes 0 *and* |median| is at least
  one BBB point (or its BMS equivalent);
* **equivalent**: only where a cited finding says the two designs do not differ
  (:data:`EQUIVALENCE_FINDINGS`; the finding is named in the verdict, it never sets a prior);
* **not separable with current evidence**: everything else, with the reason (prior only,
  direction-only evidence, assumed pharmacokinetics, no head-to-head study, a difference below
  the margin).

The head-to-head studies for a change (modified against native vesicles, from the outcome
table) are listed beside the model's difference: count, direction, grade and references.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from exosci.reason.graph import HasCurated

Verdict = Literal["better", "worse", "equivalent", "not separable", "current"]
NOT_SEPARABLE = "not separable"
ORDER = {"better": 0, "current": 1, "equivalent": 1, NOT_SEPARABLE: 1, "worse": 2}


@dataclass(frozen=True)
class EquivalenceFinding:
    """A cited finding that two designs differing only in ``kind`` do not differ."""

    id: str
    kind: str  # the element the designs differ in ("source")
    members: frozenset[str]  # entity ids (cell sources) the finding covers
    species: str
    citation: str
    finding: str


EQUIVALENCE_FINDINGS: tuple[EquivalenceFinding, ...] = (
    EquivalenceFinding(
        id="nma40-sources",
        kind="source",
        members=frozenset({"src:bmsc", "src:admsc", "src:ucmsc", "src:nsc"}),
        species="rat",
        citation="network meta-analysis of 40 rat studies, Cytotherapy 2024;26(1):1-10",
        finding="no significant difference among BMSC-, AD-MSC-, UC-MSC- and NSC-derived "
        "exosomes at any week 1-4 (pooled week-4 effect 4.54 BBB, 95 % CI 3.42-5.66; NSC "
        "ranked first): absence of a detected difference, cited as the equivalence source, "
        "never as a prior",
    ),
)

PK_ASSUMPTIONS = {
    "route": "assumed pharmacokinetics (barrier crossing k_cross, nasal and CSF transfer, "
    "lesion washout are assumptions)",
    "carrier": "assumed pharmacokinetics (carrier retention and lesion washout are "
    "assumptions; release curves from in vitro data)",
    "timing": "assumed pharmacokinetics and lesion kinetics (the pooled studies span 30 min-24 h "
    "with no data on timing within that window)",
}


def find_equivalence(
    kind: str, a: str | None, b: str | None, species: str
) -> EquivalenceFinding | None:
    """The cited finding that designs with elements ``a`` and ``b`` are equivalent, if any."""
    for f in EQUIVALENCE_FINDINGS:
        if f.kind == kind and f.species == species and a in f.members and b in f.members:
            return f
    return None


def model_separates(delta: Mapping[str, float], threshold: float) -> bool:
    """The model's own test: the 90 % interval excludes 0 and |median| >= threshold."""
    excludes = delta["p05"] > 0.0 or delta["p95"] < 0.0
    return excludes and abs(delta["median"]) >= threshold


def judge(
    delta: Mapping[str, float],
    threshold: float,
    *,
    equivalence: EquivalenceFinding | None = None,
    reasons: Sequence[str] = (),
) -> dict[str, Any]:
    """The verdict on a paired difference with its reason (``verdict``, ``verdict_reason`` and,
    for an equivalence, ``equivalence_source``)."""
    if model_separates(delta, threshold):
        v: Verdict = "better" if delta["median"] > 0 else "worse"
        out: dict[str, Any] = {
            "verdict": v,
            "verdict_reason": f"the paired 90 % interval excludes 0 and |median| >= {threshold:.2g}"
            + "".join(f"; basis: {r}" for r in reasons),
        }
        if equivalence is not None:
            out["verdict_reason"] += (
                f"; note: a cited finding reports no difference ({equivalence.citation})"
            )
        return out
    if equivalence is not None:
        return {
            "verdict": "equivalent",
            "verdict_reason": f"cited finding: {equivalence.finding} ({equivalence.citation}); "
            "the model's interval is shown beside it",
            "equivalence_source": {"id": equivalence.id, "citation": equivalence.citation},
        }
    why = list(reasons)
    excludes = delta["p05"] > 0.0 or delta["p95"] < 0.0
    if excludes:
        why.insert(
            0,
            f"the interval excludes 0 but |median| < {threshold:.2g} (below what a study "
            "could see)",
        )
    else:
        why.insert(0, "the paired 90 % interval includes 0")
    return {"verdict": NOT_SEPARABLE, "verdict_reason": "; ".join(why)}


def head_to_heads(terms: Iterable[Any], new_entities: set[str]) -> dict[str, Any]:
    """Head-to-head studies (modified vs native vesicles) behind the effect terms of the
    entities a change adds: count, direction, grade, refs."""
    studies = []
    seen: set[tuple[str, str]] = set()
    for t in terms:
        if t.entity not in new_entities:
            continue
        for s in t.studies:
            if str(s.get("kind", "")).startswith("head-to-head"):
                key = (t.entity, str(s.get("ref")))
                if key not in seen:
                    seen.add(key)
                    studies.append(
                        {
                            "ref": s.get("ref"),
                            "product": s.get("product"),
                            "comparator": s.get("comparator"),
                            "direction": s.get("direction"),
                            "species": s.get("species"),
                            "grade": s.get("grade", "in vivo"),
                        }
                    )
    dirs = [s["direction"] for s in studies]
    return {
        "count": len(studies),
        "better": dirs.count("improved"),
        "no_difference": dirs.count("no_difference"),
        "worse": dirs.count("worse"),
        "refs": [s["ref"] for s in studies],
        "studies": studies,
    }


ROUTE_WORDS = ("intravenous", "tail vein", "intrathecal", "intranasal", "local", "intralesional")
TIMING_WORDS = ("hour", "day", "delayed", "early", "late", "acute", "chronic")


def _names(kb: HasCurated, ent_id: str) -> list[str]:
    ent = kb.curated.entities.get(ent_id)
    names = [ent.name, *ent.synonyms] if ent is not None else []
    return [n.lower() for n in names if len(n) > 2]


def design_head_to_heads(kb: HasCurated, kind: str, ids: set[str]) -> dict[str, Any]:
    """Head-to-head studies for a change of source, carrier, route or timing in the outcome
    table: SCI arms of one of the two designs' elements (``ids``: product, carrier or route
    entity ids) compared against the other (the other product named in the comparator; a
    vesicle comparator for a carrier; another route named for a route; a timing word for
    timing)."""
    getter = getattr(kb, "study_rows", None)
    rows = getter() if callable(getter) else []
    from exosci.model.effect import _is_native

    found = []
    for r in rows or []:
        if not r.get("sci", True):
            continue
        comp = str(r.get("comparator", "")).lower()
        if kind == "source":  # one product's arm against the other product's vesicles
            others = [i for i in ids if i != r.get("product")]
            hit = r.get("product") in ids and any(n in comp for o in others for n in _names(kb, o))
        elif kind == "carrier":
            hit = r.get("carrier") in ids and _is_native(comp)
        elif kind == "route":
            hit = r.get("route") in ids and any(w in comp for w in ROUTE_WORDS)
        elif kind == "timing":
            hit = _is_native(comp) and any(w in comp for w in TIMING_WORDS)
        else:
            hit = False
        if hit:
            d = r.get("direction")
            found.append(
                {
                    "ref": str(r.get("ref")),
                    "product": r.get("product"),
                    "comparator": r.get("comparator"),
                    "direction": {1: "improved", 0: "no_difference", -1: "worse"}.get(
                        d if isinstance(d, int) else -2, "unknown"
                    ),
                    "species": r.get("species"),
                    "grade": r.get("grade"),
                }
            )
    dirs = [s["direction"] for s in found]
    return {
        "count": len({s["ref"] for s in found}),
        "better": dirs.count("improved"),
        "no_difference": dirs.count("no_difference"),
        "worse": dirs.count("worse"),
        "refs": list(dict.fromkeys(s["ref"] for s in found)),
        "studies": found,
    }


def term_reasons(terms: Iterable[Any], new_entities: set[str]) -> list[str]:
    """Why the terms a change adds cannot separate it: each term's evidence basis."""
    out = []
    for t in terms:
        if t.entity in new_entities:
            out.append(f"{t.name}: {t.basis}")
    return out
