"""The main job: one therapy spec judged as one JSON-able document.

Mechanisms, evidence, predicted recovery, delivery, risks and ranked alternatives, each built by
one stage function; rendered to HTML by :mod:`exosci.evaluate.render`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from exosci import __version__
from exosci.errors import UserInputError
from exosci.evaluate.alternatives import ENSEMBLE_BATCH, is_implanted, rank_alternatives
from exosci.evaluate.published import fitted_effects, published_range_flags, validation_target
from exosci.evaluate.risks import DesignFeatures, assess_risks
from exosci.kb.schema import PREDICATES
from exosci.kb.store import KnowledgeBase, default_kb
from exosci.model.design import AXES
from exosci.model.parameters import ParameterTable, default_parameters
from exosci.model.simulate import ASSUMPTIONS, LABEL, SimulationResult, ensemble, uncertainty_block
from exosci.therapy import ResolveCache, ResolvedTherapy, TherapySpec, resolve_spec
from exosci.therapy.domain import Domain, assess
from exosci.therapy.spec import parse_spec

REPORT_DAYS = (1, 3, 7, 14, 21, 28, 35, 42)
CLINICAL_SPECIES = ("human", "monkey")
REPORT_OUTPUTS = ("score", "lesion_free", "exposure", "lesion_auc")  # all the report reads


def _quantiles(x: np.ndarray) -> dict[str, float]:
    q = np.quantile(x, [0.5, 0.05, 0.95])
    return {"median": float(q[0]), "p05": float(q[1]), "p95": float(q[2])}


def _day_index(days: np.ndarray, day: float) -> int:
    return int(np.argmin(np.abs(days - day)))


def band_label(sim: SimulationResult) -> str:
    """What the 5-95 % bands of this ensemble are.

    As the simulator labels them (posterior draws: uncertainty of the mean effect or
    between-animal spread), else prior draws.
    """
    given = sim.extra.get("band_label")
    if given:
        return str(given)
    if not _draws_are_priors(sim.table):
        try:
            from exosci.model.posterior import BANDS
        except ImportError:
            BANDS = {}
        band = str(sim.extra.get("band", "mean"))
        return "5th-95th percentile over virtual subjects: " + BANDS.get(
            band, "calibrated parameter draws (the simulator does not say which band)"
        )
    return (
        "5th-95th percentile over virtual subjects, each a draw of every uncertain parameter "
        "from its prior: model uncertainty, mixing uncertainty of the mean effect with "
        "between-animal spread; it is neither one alone"
    )


def _draws_are_priors(table: ParameterTable) -> bool:
    """Whether the ensemble's subjects are plain prior draws (checked, not assumed)."""
    from exosci.model.simulate import batch_params

    drawn = batch_params(table, 4, np.random.SeedSequence(0))
    prior = table.sample(4, np.random.default_rng(np.random.SeedSequence(0)))
    return all(np.array_equal(drawn[k], prior[k]) for k in prior)


def gain_definition(score: str, day: int, n: int) -> str:
    """The one definition of "predicted gain" used in the summary, the alternatives and JSON."""
    return (
        f"Predicted gain = median over {n} virtual subjects of the paired difference treated − "
        f"untreated control in {score} at day {day} (each subject is one draw of the model's "
        "parameters, simulated with and without the therapy); 90 % band = 5th–95th percentile "
        "of the same per-subject differences."
    )


def prediction_block(sim: SimulationResult) -> dict[str, Any]:
    """Final-day score for treated, control and their paired gain, plus a small time table."""
    days = sim.days
    tr, ct = sim.treated["score"], sim.control["score"]
    horizon = sim.design.horizon_days
    last = _day_index(days, horizon)
    table_days = [d for d in REPORT_DAYS if d <= horizon]
    idx = [_day_index(days, d) for d in table_days]
    gain_by_day = {d: _quantiles(tr[i] - ct[i]) for d, i in zip(table_days, idx, strict=True)}
    out: dict[str, Any] = {
        "label": LABEL,
        "score_name": sim.design.score_name,
        "score_max": sim.design.score_max,
        "horizon_days": horizon,
        "samples": sim.n_samples,
        "treated_final": _quantiles(tr[last]),
        "control_final": _quantiles(ct[last]),
        "gain": _quantiles(tr[last] - ct[last]),
        "table_days": table_days,
        "table_treated": [float(np.median(tr[i])) for i in idx],
        "table_control": [float(np.median(ct[i])) for i in idx],
        "gain_by_day": gain_by_day,
        "gain_definition": gain_definition(sim.design.score_name, horizon, sim.n_samples),
        "band": band_label(sim),
        "benchmark": None,
    }
    if sim.design.species == "rat":
        out["benchmark"] = _for_scale(gain_by_day)
    return out


def _for_scale(gain_by_day: dict[int, dict[str, float]]) -> str | None:
    """The model's weekly gain next to published figures, saying which of them were fitted."""
    fitted = [t for t in fitted_effects() if t["day"] in gain_by_day]
    if not fitted:
        return None
    pairs = "; ".join(
        f"week {t['day'] // 7}: model {gain_by_day[t['day']]['median']:+.1f} vs "
        f"{t['value']:+.2f} ({t['low']:g} to {t['high']:g})"
        for t in fitted
    )
    ye = validation_target("bmsc_vs_control")
    return (
        "FITTED (calibration targets, so agreement is expected, not evidence): the pooled "
        "stem-cell exosome effect in rats, BBB weighted mean difference with 95 % CI, from a "
        f"40-study network meta-analysis (Cytotherapy 2024;26:1-10): {pairs}. NOT FITTED "
        f"(validation, `exosci validate`): BMSC exosomes vs control, {ye['published']['text']} "
        "(Ye et al., Front Mol Neurosci 2024; doi:10.3389/fnmol.2024.1448777)."
    )


def delivery_block(res: ResolvedTherapy, sim: SimulationResult) -> dict[str, Any]:
    """How much vesicle reaches the lesion, when, and what the carrier/route contribute."""
    d = sim.design
    days = sim.days
    total_dose = d.dose_ug * len(d.dose_times_days)
    lesion = sim.treated["lesion_free"]
    auc = sim.treated["lesion_auc"][-1]
    peak_idx = np.argmax(np.median(lesion, axis=1))
    exposure = sim.treated["exposure"]
    week1 = _day_index(days, 7)
    return {
        "label": "model prediction",
        "route": d.route,
        "carrier": res.spec.carrier_name,
        "release": None if d.release is None else vars(d.release),
        "dose_ug_per_administration": d.dose_ug,
        "administrations": len(d.dose_times_days),
        "total_dose_ug": total_dose,
        "lesion_auc_ug_day": _quantiles(auc),
        "lesion_peak_ug": _quantiles(lesion.max(axis=0)),
        "lesion_peak_day": float(days[peak_idx]),
        "mean_exposure_week1": _quantiles(exposure[: week1 + 1].mean(axis=0)),
        "notes": list(res.notes),
        "targeted": d.targeted,
    }


def _evidence_summary(kb: KnowledgeBase, entity_ids: list[str]) -> dict[str, Any]:
    ids = set(entity_ids)
    sts = [s for s in kb.curated.statements if s.subject in ids or s.object in ids]
    evs = [ev for s in sts for ev in s.evidence]
    return {
        "statements": len(sts),
        "references": len({n for ev in evs for n in ev.refs}),
        "in_vivo": sum(ev.model == "in_vivo" for ev in evs),
        "in_vitro": sum(ev.model == "in_vitro" for ev in evs),
        "clinical": sum(ev.model == "clinical" for ev in evs),
        "species": sorted({ev.species for ev in evs} - {"unspecified"}),
    }


def _features(kb: KnowledgeBase, res: ResolvedTherapy) -> DesignFeatures:
    spec = res.spec
    src = res.entities.get("exosome.source", [])
    carrier = res.entities.get("carrier", [])
    return DesignFeatures(
        species=spec.species if spec.species in ("rat", "mouse") else res.design.species,
        route=res.entities["route"][0].id,
        start_hours_post_injury=spec.timing.start_hours_post_injury,
        dose_ug=res.design.dose_ug if spec.exosome else None,
        source=_source_id(kb, src[0].id) if src else None,
        product=res.product.id if res.product else None,
        carrier=carrier[0].id if carrier else None,
        engineered=bool(spec.exosome and spec.exosome.engineering),
    )


def _source_id(kb: KnowledgeBase, given: str) -> str:
    """The cell source behind the spec's source (it may name a product)."""
    if given.startswith("src:"):
        return given
    for st in kb.curated.statements:
        if st.subject == given and st.predicate == "derived_from":
            return st.object
    return given


def _references(kb: KnowledgeBase, doc: dict[str, Any]) -> list[dict[str, Any]]:
    numbers: set[int] = set()
    for axis in doc["mechanisms"].values():
        for ev in axis["evidence"]:
            numbers.update(ev.get("refs", []))
    for risk in doc["risks"]:
        numbers.update(risk.get("refs", []))
    refs = kb.curated.references
    return [refs[n].model_dump() for n in sorted(numbers) if n in refs]


def _design_rows(res: ResolvedTherapy) -> list[tuple[str, str]]:
    spec = res.spec
    ex = spec.exosome
    rows = [
        ("species", spec.species),
        ("injury", f"{spec.injury.severity} {spec.injury.model} at {spec.injury.level}"),
    ]
    if ex:
        rows.append(
            ("vesicles", f"{ex.source}" + (f" → {res.product.name}" if res.product else ""))
        )
        for key in ("preconditioning", "engineering", "cargo", "co_therapies"):
            vals = getattr(ex, key)
            if vals:
                rows.append((key.replace("_", "-"), ", ".join(vals)))
    else:
        rows.append(("vesicles", "none (cell-free / vehicle control)"))
    rows += [(f"read as ({o.field})", o.note) for o in res.open_names]
    rows += [
        ("carrier", spec.carrier_name or "none"),
        ("route", spec.route),
        ("dose", f"{spec.dose.amount:g} {spec.dose.unit} × {spec.timing.doses}"),
        (
            "timing",
            f"first dose {spec.timing.start_hours_post_injury:g} h after injury"
            + (f", every {spec.timing.interval_days:g} d" if spec.timing.doses > 1 else ""),
        ),
        ("horizon", f"{spec.horizon_days} days"),
    ]
    return rows


@dataclass(frozen=True)
class _Run:
    """What every stage of one evaluation shares: the inputs and the single resolution."""

    spec: TherapySpec  # as given (a human design stays human for the domain and risks)
    model_spec: TherapySpec  # as simulated (a clinical species becomes its rat proxy)
    clinical: bool
    kb: KnowledgeBase
    cache: ResolveCache  # shared with the alternatives' resolutions
    res: ResolvedTherapy
    samples: int
    seed: int
    scheduler: Any
    progress: Callable[[str, int, int], None] | None


def evaluate(
    spec: TherapySpec,
    *,
    kb: KnowledgeBase | None = None,
    samples: int = 1000,
    seed: int = 0,
    alternative_samples: int = 300,
    sensitivity_trajectories: int = 16,
    scheduler: Any = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Evaluate one therapy design; the returned document is what the report shows.

    Parameters
    ----------
    spec
        A validated therapy spec (:func:`exosci.therapy.load_spec`).
    samples
        Virtual subjects in the main ensemble (paired treated/control).
    alternative_samples
        Virtual subjects per alternative design (same seed, so comparisons are paired).
    sensitivity_trajectories
        Morris trajectories for the sensitivity screen (0 skips it).
    progress
        Called as ``progress(stage, done, total)``.
    """
    run = _resolve_stage(spec, kb or default_kb(), samples, seed, scheduler, progress)
    sim = _ensemble_stage(run)
    mechanisms = _mechanisms_stage(run)
    risks = _risks_stage(run)
    prediction, animals = _prediction_stage(run, sim)
    alts = _alternatives_stage(run, sim, prediction, alternative_samples)
    domain = assess(spec, kb=run.kb)  # the spec as given: a human design is outside on species
    prediction["flags"] = (
        domain.flags() + open_name_flags(run.res) + summary_flags(run.res, prediction)
    )
    rows = _mark_domain(alts["rows"] + alts["not_offered"] + alts["skipped"], domain, run.kb)
    sensitivity = _sensitivity_stage(run, sensitivity_trajectories)
    if run.clinical:
        prediction["clinical_outlook"] = _clinical_outlook(run.kb, spec.species)
    doc = _assemble(run, sim, animals, mechanisms, domain, prediction, risks)
    doc["alternatives"] = rows
    doc["alternatives_method"] = alts["method"]
    doc["sensitivity"] = sensitivity
    return _finish(run, doc)


def _resolve_stage(
    spec: TherapySpec,
    kb: KnowledgeBase,
    samples: int,
    seed: int,
    scheduler: Any,
    progress: Callable[[str, int, int], None] | None,
) -> _Run:
    """Check the sample count and resolve the spec once (a clinical species as its rat proxy)."""
    if samples < 10:
        raise UserInputError(f"samples: {samples} is too few for 5-95 % bands; accepted: >= 10.")
    clinical = spec.species.strip().lower() in CLINICAL_SPECIES
    model_spec = spec.model_copy(update={"species": "rat"}) if clinical else spec
    cache = ResolveCache(kb)
    res = resolve_spec(model_spec, kb, cache=cache)  # the only resolution of this spec here
    return _Run(spec, model_spec, clinical, kb, cache, res, samples, seed, scheduler, progress)


def _ensemble_stage(run: _Run) -> SimulationResult:
    """The main paired treated/control ensemble."""
    progress, samples = run.progress, run.samples
    if progress:
        progress("ensemble", 0, samples)
    return ensemble(
        run.res.design,
        samples=samples,
        seed=run.seed,
        batch_size=ENSEMBLE_BATCH,  # alternatives re-draw these subjects with the same plan
        scheduler=run.scheduler,
        outputs=REPORT_OUTPUTS,
        progress=(lambda n: progress("ensemble", n, samples)) if progress else None,
    )


def _mechanisms_stage(run: _Run) -> dict[str, Any]:
    """The mechanism axes of the profile, each with its evidence chains annotated."""
    if run.res.profile is None:
        return {}
    return {a: _mechanism_block(run.kb, v) for a, v in run.res.profile.to_dict()["axes"].items()}


def _risks_stage(run: _Run) -> list[dict[str, Any]]:
    """The design's risks, judged on the species as given."""
    feats = _features(run.kb, run.res)
    if run.clinical:
        feats = DesignFeatures(**{**vars(feats), "species": run.spec.species})
    return [r.to_dict(run.kb) for r in assess_risks(run.kb, feats)]


def _prediction_stage(
    run: _Run, sim: SimulationResult
) -> tuple[dict[str, Any], SimulationResult | None]:
    """The predicted recovery with its uncertainty, and the between-animal band if any."""
    prediction = prediction_block(sim)
    prediction.update(uncertainty_block(run.res.design, run.samples, run.seed, True))
    animals = _animal_ensemble(
        run.res, sim, samples=run.samples, seed=run.seed, scheduler=run.scheduler
    )
    if animals is not None:
        prediction["animal_band"] = _animal_block(animals)
    return prediction, animals


def _alternatives_stage(
    run: _Run, sim: SimulationResult, prediction: dict[str, Any], alternative_samples: int
) -> dict[str, Any]:
    """The ranked alternative designs, paired with the main ensemble's subjects."""
    progress = run.progress
    return rank_alternatives(
        spec=run.model_spec,
        kb=run.kb,
        base=run.res,
        samples=alternative_samples,
        seed=run.seed,
        headline_samples=run.samples,
        headline_gain=prediction["gain"],
        headline_finals=(sim.treated["score"][-1], sim.control["score"][-1]),
        table=sim.table,
        progress=(lambda d, t: progress("alternatives", d, t)) if progress else None,
        cache=run.cache,
    )


def _sensitivity_stage(run: _Run, trajectories: int) -> dict[str, Any] | None:
    """The Morris screen of the final score, with its progress reported."""
    if run.progress:
        run.progress("sensitivity", 0, 1)
    out = sensitivity_block(run.res, seed=run.seed, n=trajectories)
    if run.progress:
        run.progress("sensitivity", 1, 1)
    return out


def _assemble(
    run: _Run,
    sim: SimulationResult,
    animals: SimulationResult | None,
    mechanisms: dict[str, Any],
    domain: Domain,
    prediction: dict[str, Any],
    risks: list[dict[str, Any]],
) -> dict[str, Any]:
    """The document in its published key order; the alternatives and sensitivity filled later."""
    res, kb = run.res, run.kb
    return {
        "spec": run.spec.model_dump(mode="json"),
        "resolved": {
            "product": res.product.id if res.product else None,
            "entities": {k: [e.id for e in v] for k, v in res.entities.items()},
            "open_names": [o.to_dict() for o in res.open_names],
            "notes": res.notes,
        },
        "mechanisms": mechanisms,
        "evidence_summary": _evidence_summary(kb, res.evidence_entities()),
        "domain": domain.to_dict(),
        "prediction": prediction,
        "delivery": delivery_block(res, sim),
        "risks": risks,
        "alternatives": None,
        "alternatives_method": None,
        "sensitivity": None,
        "assumptions": list(ASSUMPTIONS),
        "parameters": sim.table.records(),
        "timecourse": _timecourse(sim, animals),
        "provenance": {
            "version": __version__,
            "data_hash": kb.meta()["content_hash"],
            "seed": run.seed,
            "samples": run.samples,
            "date": _dt.date.today().isoformat(),
            "review_doi": "10.3389/fneur.2025.1645457",
        },
    }


def _timecourse(sim: SimulationResult, animals: SimulationResult | None) -> dict[str, Any]:
    """The bands over time for the plots (the animal band only when the simulator has one)."""
    out: dict[str, Any] = {
        "days": sim.days.tolist(),
        "treated": {k: _bands(sim.treated[k]) for k in ("score", "lesion_free", "exposure")},
        "control": {k: _bands(sim.control[k]) for k in ("score",)},
    }
    if animals is not None:
        out["animal"] = {
            "treated": {"score": _bands(animals.treated["score"])},
            "control": {"score": _bands(animals.control["score"])},
        }
    return out


def _finish(run: _Run, doc: dict[str, Any]) -> dict[str, Any]:
    """Add what is read off the assembled document: the cited references, the design table."""
    doc["references"] = _references(run.kb, doc)
    doc["design_rows"] = _design_rows(run.res)
    return doc


def open_name_flags(res: ResolvedTherapy) -> list[dict[str, Any]]:
    """One note for the names read beyond the knowledge graph (open vocabulary).

    It says how each was read; those without evidence in the graph carry only their wide prior.
    """
    if not res.open_names:
        return []
    prior_only = [o.given for o in res.open_names if not o.in_graph]
    text = (
        "Names read beyond the knowledge graph: " + "; ".join(o.note for o in res.open_names) + "."
    )
    if prior_only:
        text += (
            f" {', '.join(prior_only)}: no evidence in the knowledge graph, so each acts through "
            "its prior alone (centred on no effect, wide): the design's potency band widens and "
            "its median does not move (near the model's score ceiling the score band may not "
            "widen with it)."
        )
    return [
        {
            "kind": "open_vocabulary",
            "severity": "info",
            "text": text,
            "names": [o.to_dict() for o in res.open_names],
        }
    ]


def _mark_domain(
    rows: list[dict[str, Any]], current: Domain, kb: KnowledgeBase
) -> list[dict[str, Any]]:
    """Mark each alternative against the calibrated domain.

    ``outside_domain``: the features by which it lies outside ([] inside); ``leaves_domain``:
    those it newly takes outside.
    """
    for row in rows:
        if row.get("is_current"):
            row["outside_domain"] = list(current.outside)
            row["leaves_domain"] = []
        elif isinstance(row.get("spec"), dict):
            try:
                outside = assess(parse_spec(row["spec"]), kb=kb).outside
            except UserInputError:
                continue
            row["outside_domain"] = list(outside)
            row["leaves_domain"] = [f for f in outside if f not in current.outside]
    return rows


def _animal_ensemble(
    res: ResolvedTherapy, sim: SimulationResult, *, samples: int, seed: int, scheduler: Any
) -> SimulationResult | None:
    """The between-animal band, when the simulator has one (calibrated draws; not priors)."""
    if sim.extra.get("band") != "mean" or _draws_are_priors(sim.table):
        return None
    return ensemble(
        res.design,
        samples=samples,
        seed=seed,
        batch_size=ENSEMBLE_BATCH,
        scheduler=scheduler,
        outputs=("score",),
        band="animal",
    )


def _animal_block(animals: SimulationResult) -> dict[str, Any]:
    tr, ct = animals.treated["score"][-1], animals.control["score"][-1]
    return {
        "label": band_label(animals),
        "samples": animals.n_samples,
        "treated_final": _quantiles(tr),
        "control_final": _quantiles(ct),
        "gain": _quantiles(tr - ct),
    }


def summary_flags(res: ResolvedTherapy, prediction: dict[str, Any]) -> list[dict[str, Any]]:
    """What the summary must warn about: a gain outside the published range, repeated surgery."""
    flags = published_range_flags(
        prediction["gain_by_day"], res=res, horizon_days=prediction["horizon_days"]
    )
    doses = res.spec.timing.doses
    if res.spec.exosome is not None and doses > 1 and is_implanted(res.spec):
        flags.append(
            {
                "kind": "repeated_surgery",
                "severity": "warning",
                "text": f"{doses} doses of a locally implanted design: each dose after the first "
                "needs the lesion re-exposed (another surgery).",
            }
        )
    return flags


def _mechanism_block(kb: KnowledgeBase, axis: dict[str, Any]) -> dict[str, Any]:
    """One axis of the report: score, evidence count, confidence, best chain for and against."""
    best_for, best_against = axis.get("best_supporting"), axis.get("best_opposing")
    return {
        "score": axis["score"],
        "evidence_count": axis.get("evidence_count", len(axis["evidence"])),
        "n_support": axis.get("n_support", 0),
        "n_oppose": axis.get("n_oppose", 0),
        "confidence": axis.get("confidence", "none"),
        "confidence_value": axis.get("confidence_value", 0.0),
        "best_supporting": _annotate(kb, best_for) if best_for else None,
        "best_opposing": _annotate(kb, best_against) if best_against else None,
        "evidence": [_annotate(kb, e) for e in axis["evidence"]],
    }


def _annotate(kb: KnowledgeBase, evidence: dict[str, Any]) -> dict[str, Any]:
    """Add each step's predicate and sign, and a display string (→ keeps, ⊣ flips the sign)."""
    ids = evidence.get("ids") or []
    names = evidence["path"]
    steps: list[dict[str, Any]] = []
    text = names[0] if names else ""
    for i in range(len(ids) - 1):
        preds = [
            s.predicate
            for s in kb.curated.statements
            if s.subject == ids[i] and s.object == ids[i + 1] and s.sign != 0
        ]
        pred = preds[0] if preds else "?"
        sign = PREDICATES.get(pred, 1)
        steps.append({"source": names[i], "target": names[i + 1], "predicate": pred, "sign": sign})
        text += f" {'⊣' if sign < 0 else '→'} {names[i + 1]}"
    return {**evidence, "steps": steps, "display": text or " → ".join(names)}


DESIGN_FACTOR_LABELS = {
    "dose_scale": "dose (x0.25-4)",
    **{f"score_{a}": f"evidence for {a.replace('_', ' ')}" for a in AXES},
}


def sensitivity_block(res: ResolvedTherapy, *, seed: int, n: int) -> dict[str, Any] | None:
    """Which priors and design choices move the final score most (Morris elementary effects)."""
    if n <= 0 or res.design.dose_ug <= 0:
        return None
    from exosci.model.sensitivity import sensitivity

    out = sensitivity(res.design, method="morris", n=n, seed=seed).to_dict()
    table = default_parameters().params
    top = []
    for row in out["indices"][:12]:
        name = row["name"]
        label = DESIGN_FACTOR_LABELS.get(name) or (
            table[name].description if name in table else name
        )
        # the screen labels its factors (random-effect draws are ranked apart there)
        kind = row.get("kind") or _factor_kind(name, table)
        top.append({**row, "label": label, "kind": kind})
    return {**{k: v for k, v in out.items() if k != "indices"}, "trajectories": n, "top": top}


RANDOM_EFFECT_ROLES = {
    "animal": "random-effect draw (which animal)",
    "design": "random-effect draw (the design's effect)",
}


def _factor_kind(name: str, table: dict[str, Any]) -> str:
    """A Morris factor as the reader should take it.

    A design choice, a random-effect draw (which virtual animal, which draw of the design's
    effect: neither a choice nor a number to measure, only the spread the bands already show)
    or a parameter prior (a number to measure).
    """
    if name in DESIGN_FACTOR_LABELS:
        return "design choice"
    role = getattr(table.get(name), "role", "population")
    return RANDOM_EFFECT_ROLES.get(role, "parameter prior")


def _bands(x: np.ndarray) -> dict[str, list[float]]:
    q = np.quantile(x, [0.5, 0.05, 0.95], axis=1)
    return {
        "median": q[0].round(5).tolist(),
        "p05": q[1].round(5).tolist(),
        "p95": q[2].round(5).tolist(),
    }


def _clinical_outlook(kb: KnowledgeBase, species: str) -> dict[str, Any]:
    """For human/monkey specs: the model's numbers are a rat proxy; say what the clinic has."""
    trials = [e for e in kb.curated.entities.values() if e.type == "clinical_trial"]
    return {
        "species": species,
        "note": (
            "The lesion model covers rat and mouse only: the numbers above are a rat-model proxy "
            "of the same design, not a clinical prediction."
        ),
        "trials": [
            {"id": t.id, "name": t.name, "attributes": t.attributes, "refs": t.refs} for t in trials
        ],
    }
