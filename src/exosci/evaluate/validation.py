"""Validation: run the published comparisons of ``validation_targets.yaml`` as model experiments.

Each target declares its arms (therapy specs), the outcome measured on them and the rule that
compares model and publication (see the file's header). Nothing here is fitted: the parameters
come from the calibration posterior (:mod:`exosci.model.posterior`), whose targets are other
papers (checked by DOI and key, :mod:`exosci.model.leakage`). The result says, target by
target, what the model predicts, what was published, and whether the strict rule passes; misses
are reported with the reason declared in advance, never tuned away.

A :class:`Variant` turns the model into a deliberately wrong one (no design differences, the
treatment effect x3 or x1/3): the suite has power only if each of them fails several targets.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from exosci._yaml import load_text
from exosci.model.design import Design, reference_design
from exosci.model.parameters import FloatArray, default_parameters
from exosci.model.posterior import BANDS, parameter_draws, posterior_status
from exosci.model.simulate import OUTPUTS
from exosci.model.solver import Trajectory, integrate_many

LABEL = (
    "MODEL VALIDATION: model predictions (posterior draws; never fitted to these figures) next "
    "to published comparisons, judged by strict rules on the model's 5-95 % interval. A miss is "
    "reported with its declared reason, not tuned away."
)
RULES = {
    "value": "pass if the published value lies inside the model's 5-95 % interval",
    "comparison": "pass if the model's whole 5-95 % interval lies on the published side of the "
    "threshold and, where a value was published, contains it",
    "indistinguishable": "pass if the model's whole 5-95 % interval lies within +-margin",
}
SMD_ANIMALS = 15  # virtual animals per group and posterior draw (stratified over the animal prior)


@dataclass(frozen=True)
class Variant:
    """A transformation of the model for power checks (the shipped model is :data:`SHIPPED`).

    ``design`` maps each arm's design before simulation; ``effect_scale`` multiplies every
    simulated treatment effect on the score (treated - control, per virtual subject; the treated
    score stays inside the scale). Delivery outputs are left as they are.
    """

    name: str
    description: str
    design: Callable[[Design], Design] | None = None
    effect_scale: float = 1.0


def _typical_course(d: Design) -> Design:
    """The typical design of the pooled studies on the same animal, injury and horizon."""
    typical = reference_design(species=d.species)
    return replace(typical, severity=d.severity, horizon_days=d.horizon_days, label=d.label)


SHIPPED = Variant("shipped", "the model as shipped")
VARIANTS: dict[str, Variant] = {
    "no-design-differences": Variant(
        "no-design-differences",
        "every design gives the typical design's course (IV MSC-type vesicles at the pooled "
        "dose and time): source, cargo, route, carrier, dose and timing change nothing",
        design=_typical_course,
    ),
    "effect-x3": Variant(
        "effect-x3", "every treatment effect three times the model's", effect_scale=3.0
    ),
    "effect-x1/3": Variant(
        "effect-x1/3", "every treatment effect a third of the model's", effect_scale=1 / 3
    ),
}


@cache
def targets_doc() -> dict[str, Any]:
    """The shipped validation targets (``model/validation_targets.yaml``), read once."""
    text = resources.files("exosci.model").joinpath("validation_targets.yaml").read_text("utf-8")
    return dict(load_text(text))


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k != "exosome":
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@dataclass(frozen=True)
class Arm:
    name: str
    spec: dict[str, Any]
    design: Design
    outside: tuple[str, ...] = ()  # features outside the model's calibrated domain


def resolve_arms(target: dict[str, Any], base_spec: dict[str, Any]) -> list[Arm]:
    """Therapy specs of a target's arms, resolved to model designs through the product path."""
    from exosci.therapy import parse_spec, resolve_spec
    from exosci.therapy.domain import assess

    base = _merge(base_spec, target.get("base", {}))
    arms = []
    for name, over in target["arms"].items():
        spec = _merge(base, over or {})
        spec.setdefault("name", f"{target['id']}: {name}")
        resolved = resolve_spec(parse_spec(spec, where=f"validation target {target['id']}"))
        arms.append(Arm(name, spec, resolved.design, assess(resolved).outside))
    return arms


Runs = dict[str, tuple[FloatArray, dict[str, FloatArray], dict[str, FloatArray]]]


def _simulate(
    arms: list[Arm], params: dict[str, FloatArray], n: int, outputs: tuple[str, ...], v: Variant
) -> Runs:
    """Treated and control of every arm on the same ``n`` parameter sets (paired)."""
    out: Runs = {}
    by_horizon: dict[int, list[Arm]] = {}
    for a in arms:
        by_horizon.setdefault(a.design.horizon_days, []).append(a)
    for group in by_horizon.values():
        designs = [v.design(a.design) if v.design else a.design for a in group] * 2
        scales = [1.0] * len(group) + [0.0] * len(group)
        trajs: list[Trajectory] = integrate_many(designs, params, n, dose_scales=scales)
        for i, a in enumerate(group):
            tr, ct = trajs[i], trajs[i + len(group)]
            treated = {k: tr.values[OUTPUTS[k][0]] for k in outputs}
            control = {k: ct.values[OUTPUTS[k][0]] for k in outputs}
            if v.effect_scale != 1.0 and "score" in treated:
                gain = treated["score"] - control["score"]
                top = designs[i].score_max
                treated["score"] = np.clip(control["score"] + v.effect_scale * gain, 0.0, top)
            out[a.name] = (tr.days, treated, control)
    return out


def _at(days: FloatArray, day: float) -> int:
    return int(np.argmin(np.abs(days - day)))


def _interval(x: FloatArray, band: str, unit: str) -> dict[str, Any]:
    q = np.quantile(x, [0.05, 0.5, 0.95])
    return {
        "median": float(q[1]),
        "p05": float(q[0]),
        "p95": float(q[2]),
        "band": band,
        "unit": unit,
    }


def _smd(arms: list[Arm], o: dict[str, Any], n: int, seed: int, v: Variant) -> dict[str, Any]:
    """Standardised mean difference per posterior draw, over a stratified group of animals.

    Each of the ``n`` draws is one plausible population (posterior parameters and the design's
    own effect draw, as in the ``mean`` band); its animals differ by the per-animal effects,
    placed at the midpoints of ``SMD_ANIMALS`` equal-probability strata. The SMD of a draw is
    (mean treated - mean control) / pooled within-group SD; the interval is over draws, so it
    carries the uncertainty of the design's effect as well as of the population parameters.
    """
    table = default_parameters()
    pop = parameter_draws(n, np.random.default_rng(seed), table=table, band="mean")
    animal = table.by_role("animal")
    if not animal:
        raise ValueError("the parameter table has no per-animal effect: an SMD needs one")
    m = SMD_ANIMALS
    params = {k: np.repeat(np.asarray(x, float), m) for k, x in pop.items()}
    u = (np.arange(m) + 0.5) / m
    rng = np.random.default_rng(seed + 1)
    for name in animal:  # stratified per parameter, strata paired at random across parameters
        params[name] = np.tile(table.params[name].ppf(rng.permutation(u)), n)
    runs = _simulate(arms, params, n * m, ("score",), v)
    days, tr, ct = runs[o["arm"]]
    i = _at(days, o["day"])
    t = tr["score"][i].reshape(n, m)
    c = ct["score"][i].reshape(n, m)
    sd = np.sqrt((t.var(axis=1, ddof=1) + c.var(axis=1, ddof=1)) / 2)
    smd = (t.mean(axis=1) - c.mean(axis=1)) / np.maximum(sd, 1e-9)
    band = "uncertainty of the mean effect (design effect and posterior), SMD over animals"
    return _interval(smd, band, "SMD")


def measure(
    target: dict[str, Any], arms: list[Arm], *, n: int, seed: int, variant: Variant = SHIPPED
) -> dict[str, Any]:
    """The target's outcome as model draws (5 %, median, 95 %)."""
    o = target["outcome"]
    kind = o["kind"]
    if kind == "smd":
        return _smd(arms, o, n, seed, variant)
    outputs = ("score", o["output"]) if kind == "exposure_ratio" else ("score",)
    params = parameter_draws(n, np.random.default_rng(seed), band="mean")
    runs = _simulate(arms, params, n, outputs, variant)

    def gain(arm: str, day: float) -> FloatArray:
        days, tr, ct = runs[arm]
        i = _at(days, day)
        return np.asarray(tr["score"][i] - ct["score"][i])

    if kind == "gain":
        x = np.mean([gain(o["arm"], d) for d in o["days"]], axis=0)
        unit = "score points"
    elif kind == "gain_difference":
        a, b = o["arms"]
        x = gain(a, o["day"]) - gain(b, o["day"])
        unit = "score points"
    elif kind == "exposure_ratio":
        a, b = o["arms"]
        name = o["output"]
        da, tra, _ = runs[a]
        db, trb, _ = runs[b]
        x = tra[name][_at(da, o["day"])] / np.maximum(trb[name][_at(db, o["day"])], 1e-12)
        unit = f"ratio of {name}"
    else:
        raise ValueError(f"validation target {target['id']}: unknown outcome {kind!r}")
    return _interval(x, "uncertainty of the mean effect", unit)


def judge(target: dict[str, Any], model: dict[str, Any]) -> tuple[str, str]:
    """(verdict, why): verdict is ``pass`` or ``MISS`` under the strict rules of :data:`RULES`."""
    rule = target["rule"]
    kind = rule["kind"]
    lo, hi = model["p05"], model["p95"]
    pub = target.get("published", {})
    interval = f"model 5-95 % [{lo:.2f}, {hi:.2f}]"
    if kind == "value":
        v = float(pub["value"])
        where = "inside" if lo <= v <= hi else "above" if v > hi else "below"
        return ("pass" if where == "inside" else "MISS"), f"published {v:g} {where} {interval}"
    if kind == "comparison":
        thr = float(rule["than"])
        side = rule.get("side", "greater")
        if side not in ("greater", "less"):
            raise ValueError(f"validation target {target['id']}: side {side!r}: greater or less")
        on_side = lo > thr if side == "greater" else hi < thr
        why = f"{interval} {'wholly' if on_side else 'not wholly'} {side} than {thr:g}"
        ok = on_side
        if pub.get("value") is not None:
            v = float(pub["value"])
            inside = lo <= v <= hi
            ok = ok and inside
            why += f"; published {v:g} {'inside' if inside else 'outside'}"
        return ("pass" if ok else "MISS"), why
    if kind == "indistinguishable":
        m = float(rule["margin"])
        ok = -m <= lo and hi <= m
        return ("pass" if ok else "MISS"), f"{interval} {'within' if ok else 'not within'} +-{m:g}"
    raise ValueError(f"validation target {target['id']}: unknown rule {kind!r}")


def validate(
    *,
    n: int = 200,
    seed: int = 0,
    variant: Variant = SHIPPED,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Run every validation target; the document `exosci validate --json` prints."""
    from exosci.model.leakage import leaks

    doc = targets_doc()
    rows = []
    for t in doc["targets"]:
        arms = resolve_arms(t, doc["base_spec"])
        model = measure(t, arms, n=n, seed=seed, variant=variant)
        verdict, why = judge(t, model)
        rows.append(
            {
                "id": t["id"],
                "claim": t["claim"],
                "published": t["published"]["text"],
                "source": " ".join(str(doc["sources"][t["source"]]).split()),
                "source_key": t["source"],
                "model": model,
                "rule": t["rule"]["kind"],
                "verdict": verdict,
                "why": why,
                "if_missed": t.get("if_missed", "") if verdict == "MISS" else "",
                "arms": {a.name: a.spec for a in arms},
                "outside_domain": sorted({f for a in arms for f in a.outside}),
            }
        )
        if progress:
            progress(1)
    return {
        "label": LABEL,
        "variant": {"name": variant.name, "description": variant.description},
        "draws": n,
        "seed": seed,
        "bands": BANDS,
        "rules": RULES,
        "parameters": posterior_status(),
        "passed": sum(r["verdict"] == "pass" for r in rows),
        "judged": len(rows),
        "targets": rows,
        "moved": [dict(m) for m in doc.get("moved", [])],
        "leaks": [lk.to_dict() for lk in leaks()],
    }


def power(
    *, n: int = 100, seed: int = 0, shipped: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Run the suite against each deliberately wrong model of :data:`VARIANTS`.

    Says what each fails, and which of those the shipped model passes (``shipped``: its
    :func:`validate` document at the same draws and seed, run here if not given).
    """
    if shipped is None or (shipped["draws"], shipped["seed"]) != (n, seed):
        shipped = validate(n=n, seed=seed)
    passed = {r["id"] for r in shipped["targets"] if r["verdict"] == "pass"}
    out = {}
    for name, v in VARIANTS.items():
        doc = validate(n=n, seed=seed, variant=v)
        failed = [r["id"] for r in doc["targets"] if r["verdict"] == "MISS"]
        out[name] = {
            "description": v.description,
            "failed": failed,
            "failed_where_shipped_passes": [t for t in failed if t in passed],
            "judged": doc["judged"],
        }
    return out


def table_markdown(doc: dict[str, Any]) -> str:
    """The validation table as Markdown (README and credibility dossier)."""
    lines = [
        "| target | published | model (median [5-95 %]) | rule | verdict | outside the "
        "calibrated domain |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in doc["targets"]:
        m = r["model"]
        outside = ", ".join(r.get("outside_domain", [])) or "-"
        lines.append(
            f"| {r['claim']} ({r['source_key']}) | {r['published']} | "
            f"{m['median']:.2f} [{m['p05']:.2f}, {m['p95']:.2f}] {m['unit']} | {r['rule']} | "
            f"{r['verdict']} | {outside} |"
        )
    lines.append("")
    lines.append(
        f"{doc['passed']} of {doc['judged']} targets pass under the strict rules "
        f"({doc['draws']} posterior draws, seed {doc['seed']})."
    )
    return "\n".join(lines)


__all__ = [
    "RULES",
    "SHIPPED",
    "VARIANTS",
    "Variant",
    "judge",
    "measure",
    "power",
    "resolve_arms",
    "table_markdown",
    "targets_doc",
    "validate",
]
