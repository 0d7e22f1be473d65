"""``search(constraints)``: the uncertainty-respecting Pareto front of therapy designs.

Every candidate and the baseline run on the same virtual subjects (the first ``samples``
subjects of ``exosci evaluate --samples N --seed S``, same parameter draws; the effect terms a
design shares with another share their draw): common random numbers, so every difference is
paired. Small spaces are searched exhaustively (chunks of candidates per engine call); large
ones by optuna's NSGA-II sampler, each generation in one engine call.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exosci.design.constraints import Constraints, load_constraints, parse_constraints
from exosci.design.front import P_DOMINATE, pareto_front
from exosci.design.objectives import (
    CERTAINTY_RULE,
    FEASIBILITY_RULE,
    RISK_RULE,
    Objectives,
    objectives,
)
from exosci.design.result import DesignSearch
from exosci.design.space import (
    FIELDS,
    SourceGrades,
    choices,
    enumerate_space,
    key,
    make_spec,
    source_grades,
    space_size,
    violations,
)
from exosci.errors import UserInputError
from exosci.evaluate.alternatives import min_difference, paired_final_scores, subject_draws
from exosci.kb.store import KnowledgeBase
from exosci.model.parameters import FloatArray, ParameterTable, default_parameters
from exosci.therapy import ResolveCache, ResolvedTherapy, resolve_spec
from exosci.therapy.spec import TherapySpec

Progress = Callable[[str, int, int], None]


@dataclass(eq=False)
class Candidate:
    spec: TherapySpec
    point: dict[str, Any]
    res: ResolvedTherapy | None  # dropped once simulated: memory stays flat over candidates
    design: Any
    obj: Objectives
    finals: FloatArray | None = None
    is_baseline: bool = False


class _Runner:
    """Prepares candidates (constraints, resolution, objectives) and simulates them paired."""

    def __init__(self, c: Constraints, kb: KnowledgeBase, params: dict[str, FloatArray], n: int):
        self.c, self.kb, self.params, self.n = c, kb, params, n
        self.cache = ResolveCache(kb)
        self.seen: dict[str, Candidate | None] = {}
        self.candidates: list[Candidate] = []
        self.excluded: dict[str, int] = {}
        self.skipped: dict[str, int] = {}
        self.grades: dict[str, SourceGrades] = {}
        self.baseline_design: Any = None
        self.same_as_baseline = 0
        self.engine_seconds = 0.0
        self.engine_calls = 0

    def prepare(self, point: dict[str, Any]) -> Candidate | None:
        spec = make_spec(self.c, point)
        k = key(spec)
        if k in self.seen:
            return self.seen[k]
        grades = self.grades.get(point["source"]) or source_grades(self.kb, point["source"])
        self.grades[point["source"]] = grades
        why = violations(spec, self.c, grades)
        cand: Candidate | None = None
        if why:
            for w in why:
                reason = w.split(" (")[0].split(":")[0]
                self.excluded[reason] = self.excluded.get(reason, 0) + 1
        else:
            try:
                res = resolve_spec(spec, self.kb, cache=self.cache)
                if _same(res.design, self.baseline_design):
                    self.seen[k] = None  # the baseline itself: its row represents it
                    self.same_as_baseline += 1
                    return None
                cand = Candidate(spec, point, res, res.design, objectives(self.kb, res, grades))
            except UserInputError as exc:
                msg = str(exc).split(";")[0][:160]
                self.skipped[msg] = self.skipped.get(msg, 0) + 1
        self.seen[k] = cand
        return cand

    def simulate(self, cands: list[Candidate]) -> None:
        """One engine call for ``cands`` (those not yet simulated)."""
        import time

        todo = [x for x in cands if x.finals is None]
        if not todo:
            return
        t = time.perf_counter()
        finals, _ = paired_final_scores(
            [x.design for x in todo], self.params, self.n, control=False
        )
        self.engine_seconds += time.perf_counter() - t
        self.engine_calls += 1
        for x, f in zip(todo, finals, strict=True):
            x.finals = np.array(f, float)  # a copy: a view would keep the chunk alive
            x.res = None  # the profile and evidence lists are not needed any more
            self.candidates.append(x)


def _same(a: Any, b: Any) -> bool:
    """Two model designs that differ at most in their label (e.g. two names of one product)."""
    import dataclasses

    return b is not None and dataclasses.replace(a, label="") == dataclasses.replace(b, label="")


def _admissible(run: _Runner) -> list[dict[str, Any]]:
    """The points of the space that satisfy every constraint (specs built, nothing resolved)."""
    grades: dict[str, SourceGrades] = {}
    out, seen = [], set()
    for point in enumerate_space(run.c):
        spec = make_spec(run.c, point)
        k = key(spec)
        if k in seen:
            continue
        seen.add(k)
        g = grades.setdefault(point["source"], source_grades(run.kb, point["source"]))
        why = violations(spec, run.c, g)
        for w in why:
            reason = w.split(" (")[0].split(":")[0]
            run.excluded[reason] = run.excluded.get(reason, 0) + 1
        if not why:
            out.append(point)
    return out


def _exhaustive(run: _Runner, points: list[dict[str, Any]], progress: Progress | None) -> None:
    total = len(points)
    chunk: list[Candidate] = []
    for i, point in enumerate(points):
        cand = run.prepare(point)
        if cand is not None and cand.finals is None and cand not in chunk:
            chunk.append(cand)
        if len(chunk) >= run.c.search.engine_chunk:
            run.simulate(chunk)
            chunk = []
        if progress and i % 16 == 0:
            progress("candidates", i, total)
    run.simulate(chunk)
    if progress:
        progress("candidates", total, total)


def _nsga2(run: _Runner, base: FloatArray, seed: int, progress: Progress | None) -> None:
    import warnings

    try:
        import optuna
    except ImportError:  # pragma: no cover - the extra is part of the test install
        raise UserInputError(
            "this space is larger than search.exhaustive_max and needs optuna's NSGA-II: "
            "pip install 'exosci[design]' (or raise search.exhaustive_max)."
        ) from None

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    s = run.c.search
    with warnings.catch_warnings():  # constraints_func is marked experimental (optuna 4)
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.NSGAIISampler(
            population_size=s.population,
            seed=seed,
            constraints_func=lambda t: t.user_attrs["violations"],
        )
    study = optuna.create_study(
        directions=["maximize", "maximize", "maximize", "minimize"], sampler=sampler
    )
    ch = choices(run.c)
    for gen in range(s.generations):
        trials = [study.ask() for _ in range(s.population)]
        cands: list[Candidate | None] = []
        for tr in trials:
            point = {f: tr.suggest_categorical(f, ch[f]) for f in FIELDS}
            if point["carrier"].strip().lower() != "none":
                point["route"] = "local implantation"
            cands.append(run.prepare(point))
        run.simulate([x for x in dict.fromkeys(c for c in cands if c is not None)])
        for tr, cand in zip(trials, cands, strict=True):
            if cand is None or cand.finals is None:
                tr.set_user_attr("violations", [1.0])
                study.tell(tr, [-1e3, -2.0, -10.0, 1e3])
                continue
            tr.set_user_attr("violations", [0.0])
            d = float(np.median(cand.finals - base))
            o = cand.obj
            study.tell(tr, [d, float(o.certainty_rank), o.feasibility, float(o.risk)])
        if progress:
            progress("generations", gen + 1, s.generations)


def _q(x: FloatArray) -> dict[str, float]:
    q = np.quantile(x, [0.5, 0.05, 0.95])
    return {"median": float(q[0]), "p05": float(q[1]), "p95": float(q[2])}


def _mc_error(x: FloatArray) -> float:
    """Monte Carlo standard error of a median from ``len(x)`` subjects (normal approximation,
    1.2533 SD / sqrt(n)); the "quantile error" a re-evaluation on other subjects would show."""
    return float(1.2533 * np.std(x) / np.sqrt(len(x)))


def search(
    constraints: Constraints | dict[str, Any] | str | Path,
    *,
    seed: int = 0,
    samples: int = 300,
    kb: KnowledgeBase | None = None,
    table: ParameterTable | None = None,
    progress: Progress | None = None,
) -> DesignSearch:
    """Search the designs a lab can make for the front worth an animal study.

    Parameters
    ----------
    constraints
        :class:`~exosci.design.constraints.Constraints`, a mapping of its fields, or a YAML path.
    seed, samples
        The virtual subjects (those of ``exosci evaluate --seed SEED --samples SAMPLES``).
    table
        Parameter table the subjects are drawn from (default: the shipped one).
    """
    from exosci import __version__
    from exosci.kb.store import default_kb

    if isinstance(constraints, str | Path):
        c = load_constraints(constraints)
    else:
        c = parse_constraints(constraints)
    if samples < 20:
        raise UserInputError(f"samples: {samples} is too few for paired probabilities; >= 20.")
    kb = kb or default_kb()
    table = table or default_parameters()
    params = subject_draws(table, samples, seed)
    run = _Runner(c, kb, params, samples)
    try:
        base_res = resolve_spec(c.baseline_spec(), kb, cache=run.cache)
    except UserInputError as exc:
        raise UserInputError(f"baseline: {exc}") from None
    run.baseline_design = base_res.design
    (base_f,), ctl = paired_final_scores([base_res.design], params, samples)
    control = np.asarray(ctl, float)
    baseline = Candidate(
        base_res.spec,
        {},
        base_res,
        base_res.design,
        objectives(kb, base_res, source_grades(kb, base_res.spec.exosome.source))
        if base_res.spec.exosome
        else objectives(kb, base_res, source_grades(kb, "")),
        np.asarray(base_f, float),
        is_baseline=True,
    )
    size = space_size(c)
    admissible = _admissible(run) if size <= 20 * c.search.exhaustive_max else None
    method = (
        "exhaustive"
        if admissible is not None and len(admissible) <= c.search.exhaustive_max
        else "nsga2"
    )
    if method == "exhaustive":
        _exhaustive(run, admissible or [], progress)
    else:
        _nsga2(run, baseline.finals, seed, progress)  # type: ignore[arg-type]
    return _assemble(c, kb, run, baseline, control, seed, samples, method, size, __version__)


def _assemble(
    c: Constraints,
    kb: KnowledgeBase,
    run: _Runner,
    baseline: Candidate,
    control: FloatArray,
    seed: int,
    samples: int,
    method: str,
    size: int,
    version: str,
) -> DesignSearch:
    allc = [baseline, *run.candidates]
    scores = np.stack([np.asarray(x.finals) for x in allc])
    score_name = baseline.design.score_name
    thr = min_difference(score_name)
    fr = pareto_front(
        scores,
        np.array([x.obj.certainty_rank for x in allc], float),
        np.array([x.obj.feasibility for x in allc], float),
        np.array([x.obj.risk for x in allc], float),
        threshold=thr,
    )
    rows: list[dict[str, Any]] = []
    for i, x in enumerate(allc):
        d = scores[i] - scores[0]
        gain = scores[i] - control
        dom = fr.dominated_by[i]
        o = x.obj
        ex = x.spec.exosome
        rows.append(
            {
                "name": x.spec.name,
                "is_baseline": x.is_baseline,
                "source": ex.source if ex else None,
                "preconditioning": ", ".join(ex.preconditioning) if ex else "",
                "engineering": ", ".join(ex.engineering) if ex else "",
                "cargo": ", ".join(ex.cargo) if ex else "",
                "carrier": x.spec.carrier_name or "none",
                "route": x.spec.route,
                "dose_ug": x.spec.dose.amount,
                "start_hours": x.spec.timing.start_hours_post_injury,
                "doses": x.spec.timing.doses,
                "gain": {**_q(gain), "mc_error": _mc_error(gain)},
                "delta": {
                    **_q(d),
                    "p_at_least_min": float(np.mean(d >= thr)),
                    "p_positive": float(np.mean(d > 0)),
                },
                "certainty": o.certainty,
                "certainty_reason": o.certainty_reason,
                "feasibility": o.feasibility,
                "feasibility_reason": o.feasibility_reason,
                "risk": o.risk,
                "risks": o.risks,
                "grades": o.grades,
                "surgeries": o.surgeries,
                "total_dose_ug": o.total_dose_ug,
                "outside_domain": list(o.outside_domain),
                "on_front": fr.on_front[i],
                "dominated_by": allc[dom].spec.name if dom is not None else None,
                "tie_group": fr.tie_group[i],
                "spec": x.spec.model_dump(mode="json"),
            }
        )
    front = sorted(
        (r for r in rows if r["on_front"]), key=lambda r: (-r["delta"]["median"], r["name"])
    )
    doc = {
        "label": "MODEL PREDICTION (semi-quantitative, hypothesis-generating): the front of "
        "designs under the stated constraints; every gain is a model output",
        "front": front,
        "candidates": rows,
        "baseline": rows[0],
        "counts": {
            "space": size,
            "simulated": len(run.candidates),
            "front": len(front),
            "excluded_by_constraint": dict(sorted(run.excluded.items())),
            "not_resolvable": dict(sorted(run.skipped.items())),
            "same_as_baseline": run.same_as_baseline,
        },
        "method": {
            "search": method,
            "optimiser": "optuna NSGAIISampler" if method == "nsga2" else None,
            "engine_calls": run.engine_calls,
            "engine_seconds": round(run.engine_seconds, 3),
            "score_name": score_name,
            "horizon_days": c.horizon_days,
            "min_difference": thr,
            "p_dominate": P_DOMINATE,
            "dominance": (
                f"A dominates B only when P(Δ > 0) ≥ {P_DOMINATE} and median Δ ≥ {thr:.2g} "
                f"{score_name} (Δ = A − B per virtual subject at day {c.horizon_days}, paired) "
                "and A is no worse on certainty, feasibility and risk; front designs that "
                "neither separates and that are equal on the rest share a tie group"
            ),
            "certainty": CERTAINTY_RULE,
            "feasibility": FEASIBILITY_RULE,
            "risk": RISK_RULE,
            "gain": f"{score_name} at day {c.horizon_days}, design minus untreated control on "
            f"the same {samples} virtual subjects; mc_error = Monte Carlo standard error of "
            "the median (1.2533 SD/√n)",
        },
        "provenance": {
            "version": version,
            "data_hash": kb.meta()["content_hash"],
            "seed": seed,
            "samples": samples,
            "date": _dt.date.today().isoformat(),
            "constraints": c.model_dump(mode="json"),
        },
    }
    return DesignSearch(doc)
