"""Ranked alternatives: change one element of a design, simulate the same virtual subjects, and
judge each change by its paired difference from the design (median and 90 % interval), with
the head-to-head evidence for that change beside it.

Three verdicts (:mod:`exosci.evaluate.verdicts`): better/worse (interval excludes 0 and
|median| >= 1 BBB point), equivalent (only by a cited finding, named in the row), not separable
with current evidence (with the reason). The paired difference shares only what is common to
the two designs (the virtual animal, its injury and physiology, and the effect terms both
designs carry); a term one design does not share has its own independent draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from exosci.errors import UserInputError
from exosci.evaluate import verdicts
from exosci.kb.store import KnowledgeBase
from exosci.model.design import Design
from exosci.model.parameters import FloatArray, ParameterTable, default_parameters
from exosci.therapy import ResolveCache, ResolvedTherapy, TherapySpec, resolve_spec
from exosci.therapy.spec import ExosomeSpec

# Candidate elements, as names users would type (resolved through the graph like any spec).
SOURCES = (
    "bone marrow MSC",
    "umbilical cord MSC",
    "adipose-derived MSC",
    "neural stem cell",
    "M2 macrophage",
    "regulatory T cells",
    "endothelial cell",
    "Schwann cell",
    "induced pluripotent stem cells",
)
CARRIERS = (
    "hyaluronic acid hydrogel",
    "collagen scaffold",
    "gelatin sponge",
    "light-cured hydrogel",
)
ROUTES = ("intravenous", "intranasal", "intrathecal", "local implantation")
# Batch size of the headline ensemble; the draws of ensemble(samples, seed) depend on it.
ENSEMBLE_BATCH = 2500
# A paired difference smaller than this (BBB points) is not called better/worse: a choice of
# this report (assumption), set below the between-animal SD of BBB that rat groups typically
# show at the plateau (roughly 1-2.5 points), so a smaller change could not be seen in a study.
MIN_DIFFERENCE_BBB = 1.0
SCORE_RANGE = {"BBB": 21.0, "BMS": 9.0}
_ORDER = verdicts.ORDER


@dataclass(frozen=True)
class Variant:
    change: str
    kind: str
    spec: TherapySpec


def _with_exosome(spec: TherapySpec, **update: Any) -> TherapySpec:
    base = spec.exosome or ExosomeSpec(source="bone marrow MSC")
    ex = base.model_copy(update=update)
    return spec.model_copy(update={"exosome": ex})


def is_implanted(spec: TherapySpec) -> bool:
    """Local implantation (a carrier or bolus placed in the lesion) needs surgery per dose."""
    route = spec.route.strip().lower()
    return "implant" in route or route in ("local", "intralesional")


def _one_implantation(spec: TherapySpec) -> tuple[TherapySpec, str]:
    """``spec`` moved into the lesion once: several doses become one of the same total."""
    n = spec.timing.doses
    if n <= 1:
        return spec, ""
    total = spec.dose.amount * n
    timing = spec.timing.model_copy(update={"doses": 1, "interval_days": 0.0})
    dose = spec.dose.model_copy(update={"amount": total})
    note = f", one implantation of the {n} × {spec.dose.amount:g} {spec.dose.unit} total"
    return spec.model_copy(update={"timing": timing, "dose": dose}), note


def variants(spec: TherapySpec) -> list[Variant]:
    """One-element changes of ``spec`` worth comparing (source, preconditioning, carrier, route,
    timing). Without vesicles, the alternatives are the vesicle designs themselves.

    Repeated dosing is not offered for a locally implanted design (each dose would be another
    surgery); see :func:`not_offered`.
    """
    out: list[Variant] = []
    ex = spec.exosome
    if ex is None:
        base = spec.model_copy(  # the typical pooled design: free vesicles, IV, one dose
            update={
                "exosome": ExosomeSpec(source="bone marrow MSC"),
                "route": "intravenous",
                "carrier": None,
            }
        )
        if base.dose.amount <= 0:
            base = base.model_copy(update={"dose": base.dose.model_copy(update={"amount": 200})})
        return [
            Variant(f"give {s} exosomes (IV, 200 ug)", "source", _with_exosome(base, source=s))
            for s in SOURCES
        ]
    for s in SOURCES:
        if s.lower() != ex.source.lower():
            out.append(Variant(f"source: {s}", "source", _with_exosome(spec, source=s)))
    if not any("hypox" in p.lower() for p in ex.preconditioning):
        out.append(
            Variant(
                "add hypoxic preconditioning",
                "preconditioning",
                _with_exosome(spec, preconditioning=[*ex.preconditioning, "hypoxia"]),
            )
        )
    current_carrier = (spec.carrier_name or "").lower()
    implanted, note = _one_implantation(spec)
    for c in CARRIERS:
        if c != current_carrier:
            out.append(
                Variant(
                    f"carrier: {c} (local implantation{note})",
                    "carrier",
                    implanted.model_copy(update={"carrier": c, "route": "local implantation"}),
                )
            )
    for r in ROUTES:
        if r != spec.route.lower() and r != "local implantation":
            out.append(
                Variant(
                    f"route: {r}, no carrier",
                    "route",
                    spec.model_copy(update={"route": r, "carrier": None}),
                )
            )
    if spec.timing.start_hours_post_injury > 1:
        timing = spec.timing.model_copy(update={"start_hours_post_injury": 1.0})
        out.append(
            Variant("start 1 h after injury", "timing", spec.model_copy(update={"timing": timing}))
        )
    if spec.timing.doses == 1 and not is_implanted(spec):
        timing = spec.timing.model_copy(update={"doses": 3, "interval_days": 1.0})
        out.append(
            Variant(
                "three daily doses instead of one",
                "timing",
                spec.model_copy(update={"timing": timing}),
            )
        )
    return out


def not_offered(spec: TherapySpec) -> list[dict[str, Any]]:
    """Changes deliberately left out, with the reason (shown in the report)."""
    if spec.exosome is not None and spec.timing.doses == 1 and is_implanted(spec):
        return [
            {
                "change": "three daily doses instead of one",
                "kind": "timing",
                "not_offered": "the vesicles are implanted in the lesion: each further dose "
                "would be another surgery",
            }
        ]
    return []


def _evidence_count(kb: KnowledgeBase, ids: set[str]) -> int:
    return sum(1 for s in kb.curated.statements if s.subject in ids or s.object in ids)


def subject_draws(
    table: ParameterTable, samples: int, seed: int, *, batch_size: int = ENSEMBLE_BATCH
) -> dict[str, FloatArray]:
    """The parameter draws of :func:`exosci.model.simulate.ensemble` for ``samples`` and ``seed``:
    the same virtual subjects, in the same order."""
    from exosci.model.simulate import batch_params, batch_plan

    parts = [batch_params(table, size, ss) for size, ss in batch_plan(samples, seed, batch_size)]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def paired_final_scores(
    designs: list[Design], params: dict[str, FloatArray], n: int, *, control: bool = True
) -> tuple[list[FloatArray], FloatArray | None]:
    """Final-day score of each design (and of the untreated control), per virtual subject.

    All designs (and one shared control) run in a single vectorised integration on the same
    ``n`` parameter sets, so every difference between two of them is paired.
    """
    from exosci.model.solver import integrate_many

    if not designs:
        return [], None
    sub = {k: np.asarray(v)[:n] for k, v in params.items()}
    runs = integrate_many(
        [*designs, designs[0]] if control else designs,
        sub,
        n,
        dose_scales=[1.0] * len(designs) + ([0.0] if control else []),
        outputs=["score"],
    )
    finals = [np.asarray(r.values["score"][-1], float) for r in runs]
    return (finals[:-1], finals[-1]) if control else (finals, None)


def quantiles(x: FloatArray) -> dict[str, float]:
    q = np.quantile(x, [0.5, 0.05, 0.95])
    return {"median": float(q[0]), "p05": float(q[1]), "p95": float(q[2])}


def min_difference(score_name: str) -> float:
    """The smallest difference worth calling one: 1 BBB point, scaled to the score's range."""
    return MIN_DIFFERENCE_BBB * SCORE_RANGE[score_name] / SCORE_RANGE["BBB"]


def verdict(delta: dict[str, float], threshold: float) -> verdicts.Verdict:
    """The model's verdict with no cited finding: ``better``/``worse`` only when the 90 %
    interval excludes 0 and |median| >= threshold, else ``not separable``."""
    return cast(verdicts.Verdict, verdicts.judge(delta, threshold)["verdict"])


def _source_id(kb: KnowledgeBase, r: ResolvedTherapy) -> str | None:
    from exosci.therapy.resolve import _cell_source

    ents = r.entities.get("exosome.source") or []
    return _cell_source(kb, ents[0]) if ents else None


def _term_keys(r: ResolvedTherapy) -> dict[str, Any]:
    terms = r.effect.terms if r.effect is not None else ()
    return {t.key: t for t in terms}


def judge_change(
    kb: KnowledgeBase,
    kind: str,
    base: ResolvedTherapy,
    alt: ResolvedTherapy,
    delta: dict[str, float],
    threshold: float,
) -> dict[str, Any]:
    """Verdict, its reason and the head-to-head evidence for changing ``base`` into ``alt``."""
    mine, theirs = _term_keys(base), _term_keys(alt)
    new = {t.entity for k, t in theirs.items() if k not in mine}
    gone = {t.entity for k, t in mine.items() if k not in theirs}
    changed = [theirs[k] for k in theirs if k not in mine] + [
        mine[k] for k in mine if k not in theirs
    ]
    evidence = verdicts.head_to_heads(changed, new | gone)
    equiv = None
    reasons: list[str] = []
    if kind == "source":
        a, b = _source_id(kb, base), _source_id(kb, alt)
        equiv = verdicts.find_equivalence("source", a, b, base.design.species)
        products = {t.entity for t in changed if t.kind == "product"}
        evidence = verdicts.design_head_to_heads(kb, "source", products)
        if not evidence["count"]:
            reasons.append("no head-to-head study of these sources in the knowledge graph")
        reasons.append(
            "each product has its own independent draw ("
            + ", ".join(f"{t.name}: {t.basis}" for t in changed if t.kind == "product")
            + ")"
        )
    elif kind in verdicts.PK_ASSUMPTIONS:
        field = {"carrier": "carrier", "route": "route"}.get(kind)
        ids = {e.id for r in (base, alt) for e in (r.entities.get(field, []) if field else [])}
        evidence = verdicts.design_head_to_heads(kb, kind, ids)
        reasons.append(verdicts.PK_ASSUMPTIONS[kind])
        if not evidence["count"]:
            reasons.append("no head-to-head study of this change in the knowledge graph")
    else:
        if not evidence["count"]:
            reasons.append("no head-to-head study of this change in the knowledge graph")
        reasons += verdicts.term_reasons(changed, new | gone)
    out = verdicts.judge(delta, threshold, equivalence=equiv, reasons=reasons)
    out["evidence"] = evidence
    out["effect_terms"] = [  # the terms only one of the two designs has (own draws)
        {
            "name": t.name,
            "in": "alternative" if t.key in theirs else "this design",
            "basis": t.basis,
            "fold_median": d["fold_median"],
            "fold_90": d["fold_90"],
        }
        for t in changed
        for d in (t.to_dict(),)
    ]
    return out


def rank_alternatives(
    *,
    spec: TherapySpec,
    kb: KnowledgeBase,
    base: ResolvedTherapy | None = None,
    samples: int = 300,
    seed: int = 0,
    headline_samples: int | None = None,
    headline_gain: dict[str, float] | None = None,
    headline_finals: tuple[FloatArray, FloatArray] | None = None,
    table: ParameterTable | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache: ResolveCache | None = None,
) -> dict[str, Any]:
    """The design and its one-change variants, ranked by their paired difference from it.

    Parameters
    ----------
    base
        ``spec`` already resolved (resolved here when not given).
    samples
        Virtual subjects the alternatives are simulated on: the first ``samples`` subjects of
        the headline ensemble (same seed, same parameter draws).
    headline_samples, headline_gain
        Size and gain quantiles of the headline ensemble; the "this design" row shows that gain
        unchanged, so the report has one gain figure.
    headline_finals
        Final-day treated and control scores per subject of the headline ensemble: reused for
        this design and the control instead of integrating them again.
    cache
        Look-ups shared with the resolution of ``base`` (:class:`exosci.therapy.ResolveCache`
        of the same ``kb``; a new one when not given): the variants repeat most of them.

    Returns
    -------
    dict
        ``rows`` ("this design" first, then better, then equivalent / not separable, then
        worse; each group by median difference; each row with ``verdict``, ``verdict_reason``,
        ``evidence`` (head-to-head studies: count, direction, refs) and, for an equivalence,
        ``equivalence_source``), ``not_offered``, ``skipped`` and ``method``.
    """
    cache = cache if cache is not None and cache.kb is kb else ResolveCache(kb)
    base = base or resolve_spec(spec, kb, cache=cache)
    table = table or default_parameters()
    n_head = headline_samples or samples
    n = min(samples, n_head)
    score_name = base.design.score_name
    threshold = min_difference(score_name)
    cands = variants(spec)
    resolved: list[tuple[Variant, ResolvedTherapy]] = []
    skipped: list[dict[str, Any]] = []
    for v in cands:
        try:
            r = resolve_spec(v.spec, kb, cache=cache)
        except UserInputError as exc:
            skipped.append({"change": v.change, "kind": v.kind, "skipped": str(exc)})
            continue
        same_vesicles = r.product is not None and base.product is not None
        if v.kind == "source" and same_vesicles and r.product.id == base.product.id:  # type: ignore[union-attr]
            continue  # another name for the vesicles already in the design
        resolved.append((v, r))
    if progress:
        progress(0, len(cands))
    params = subject_draws(table, n_head, seed)
    if headline_finals is not None:
        current = np.asarray(headline_finals[0], float)[:n]
        control = np.asarray(headline_finals[1], float)[:n]
        finals, _ = paired_final_scores([r.design for _, r in resolved], params, n, control=False)
    else:
        (current, *finals), ctl = paired_final_scores(
            [base.design] + [r.design for _, r in resolved], params, n
        )
        control = cast(FloatArray, ctl)
    if progress:
        progress(len(cands), len(cands))
    own_gain = quantiles(current - control)
    rows: list[dict[str, Any]] = [
        {
            "change": "this design",
            "kind": "current",
            "gain": headline_gain or own_gain,
            "delta": {"median": 0.0, "p05": 0.0, "p95": 0.0},
            "verdict": "current",
            "verdict_reason": "this design",
            "evidence_statements": _evidence_count(kb, set(base.evidence_entities())),
            "is_current": True,
        }
    ]
    for (v, r), fin in zip(resolved, finals, strict=True):
        delta = quantiles(fin - current)
        doses = r.spec.timing.doses
        judged = judge_change(kb, v.kind, base, r, delta, threshold)
        row: dict[str, Any] = {
            "change": v.change,
            "kind": v.kind,
            "delta": delta,
            **judged,
            "evidence_statements": _evidence_count(kb, set(r.evidence_entities())),
            "is_current": False,
            "spec": v.spec.model_dump(mode="json", exclude_defaults=True),
        }
        if r.design.route == "local" and doses > 1:
            row["repeated_surgery"] = doses
            row["change"] += f" — needs {doses} surgeries (one per implantation)"
        rows.append(row)
    # "this design" first, then better, then the unseparated, then worse (each by median)
    rows.sort(key=lambda r: (not r["is_current"], _ORDER[r["verdict"]], -r["delta"]["median"]))
    return {
        "rows": rows,
        "not_offered": not_offered(spec),
        "skipped": skipped,
        "method": {
            "subjects": n,
            "headline_subjects": n_head,
            "score_name": score_name,
            "horizon_days": base.design.horizon_days,
            "min_difference": threshold,
            "this_design_gain_on_subjects": own_gain,
            "text": _method_text(n, n_head, score_name, base.design.horizon_days, threshold),
        },
    }


def _method_text(n: int, n_head: int, score: str, day: int, threshold: float) -> str:
    subset = (
        f"the first {n} of the {n_head} virtual subjects of the headline prediction"
        if n < n_head
        else f"the same {n} virtual subjects as the headline prediction"
    )
    scale = (
        ""
        if score == "BBB"
        else f" (1 BBB point scaled to the BMS range: 1 × 9/21 = {threshold:.2f} BMS points)"
    )
    return (
        f"Δ = alternative minus this design in {score} at day {day}, simulated on {subset} "
        "(same parameter draws, so the difference is paired); shown as the median over subjects "
        "and the 5th–95th percentile of the per-subject differences (90 % interval). An "
        "alternative is called better or worse only when that interval excludes 0 and "
        f"|median Δ| ≥ {threshold:.2g} {score} point{'' if threshold == 1 else 's'}{scale}; "
        "equivalent only where a cited finding says so (named in the row); otherwise not "
        "separable with current evidence, with the reason. The two designs share the virtual "
        "animal, its injury and physiology and the effect terms both carry; every other effect "
        "term (another product, another modification) has its own independent draw, so the "
        "interval is as wide as the evidence leaves it. Head-to-head studies for each change "
        "are listed beside its difference."
    )
