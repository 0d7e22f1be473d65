"""Validation: run the published comparisons of ``validation_targets.yaml`` as model experiments.

Each target declares its arms (therapy specs), the outcome measured on them and the rule that
compares model and publication (see the file's header). Nothing here is fitted: the parameters
come from the calibration posterior (:mod:`exosci.model.posterior`), whose targets are different
figures. The result says, target by target, what the model predicts, what was published, and
whether the rule passes; misses are reported, never tuned away.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from exosci._yaml import load_text
from exosci.model.design import Design
from exosci.model.parameters import FloatArray, default_parameters
from exosci.model.posterior import BANDS, Band, parameter_draws, posterior_status
from exosci.model.simulate import OUTPUTS
from exosci.model.solver import Trajectory, integrate_many

LABEL = (
    "MODEL VALIDATION: model predictions (posterior draws; never fitted to these figures) next "
    "to published comparisons. A miss is reported, not tuned away."
)
RULES = {
    "overlap": "pass if the model's 5-95 % interval overlaps the published 95 % CI",
    "greater": "pass if the model median exceeds the threshold (for a published significant "
    "difference: if the whole 5-95 % interval does)",
    "indistinguishable": "pass if |median| < margin or the 5-95 % interval contains 0",
    "report": "shown next to the publication, no pass/fail",
}


@cache
def targets_doc() -> dict[str, Any]:
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


def resolve_arms(target: dict[str, Any], base_spec: dict[str, Any]) -> list[Arm]:
    """Therapy specs of a target's arms, resolved to model designs through the product path."""
    from exosci.therapy import parse_spec, resolve_spec

    base = _merge(base_spec, target.get("base", {}))
    arms = []
    for name, over in target["arms"].items():
        spec = _merge(base, over or {})
        spec.setdefault("name", f"{target['id']}: {name}")
        resolved = resolve_spec(parse_spec(spec, where=f"validation target {target['id']}"))
        arms.append(Arm(name, spec, resolved.design))
    return arms


def _simulate(
    arms: list[Arm],
    n: int,
    seed: int,
    band: Band,
    outputs: tuple[str, ...],
    *,
    typical_effect: bool = False,
) -> dict[str, tuple[FloatArray, dict[str, FloatArray], dict[str, FloatArray]]]:
    """Treated and control of every arm on the same ``n`` parameter draws (paired).

    ``typical_effect`` holds each design's own effect draw at its median: the animals of one
    study share the design's true effect, so a within-group SD must not include its uncertainty.
    """
    rng = np.random.default_rng(seed)
    table = default_parameters()
    params = parameter_draws(n, rng, table=table, band=band)
    if typical_effect:
        for name, p in table.params.items():
            if getattr(p, "role", "population") == "design":
                params[name] = np.full(n, p.value)
    out = {}
    by_horizon: dict[int, list[Arm]] = {}
    for a in arms:
        by_horizon.setdefault(a.design.horizon_days, []).append(a)
    for group in by_horizon.values():
        designs = [a.design for a in group] * 2
        scales = [1.0] * len(group) + [0.0] * len(group)
        trajs: list[Trajectory] = integrate_many(designs, params, n, dose_scales=scales)
        for i, a in enumerate(group):
            tr, ct = trajs[i], trajs[i + len(group)]
            out[a.name] = (
                tr.days,
                {k: tr.values[OUTPUTS[k][0]] for k in outputs},
                {k: ct.values[OUTPUTS[k][0]] for k in outputs},
            )
    return out


def _at(days: FloatArray, day: float) -> int:
    return int(np.argmin(np.abs(days - day)))


def measure(target: dict[str, Any], arms: list[Arm], *, n: int, seed: int) -> dict[str, Any]:
    """The target's outcome: model draws (mean band) or a point value (SMD, animal band)."""
    o = target["outcome"]
    kind = o["kind"]
    if kind == "smd":
        runs = _simulate(arms, n * 2, seed, "animal", ("score",), typical_effect=True)
        days, tr, ct = runs[o["arm"]]
        i = _at(days, o["day"])
        t, c = tr["score"][i], ct["score"][i]
        pooled = np.sqrt((np.var(t, ddof=1) + np.var(c, ddof=1)) / 2)
        # uncertainty of the SMD from a bootstrap over virtual animals (study-sized groups
        # would be wider; this is the model's own sampling uncertainty)
        rng = np.random.default_rng(seed)
        boot = []
        for _ in range(200):
            k = rng.integers(0, len(t), len(t))
            sd = np.sqrt((np.var(t[k], ddof=1) + np.var(c[k], ddof=1)) / 2)
            boot.append((t[k].mean() - c[k].mean()) / sd)
        value = (t.mean() - c.mean()) / pooled
        q = np.quantile(boot, [0.05, 0.95])
        return {
            "median": float(value),
            "p05": float(q[0]),
            "p95": float(q[1]),
            "band": "between-animal spread",
            "unit": "SMD",
        }
    outputs = (o.get("output", "score"),) if kind == "exposure_ratio" else ("score",)
    runs = _simulate(arms, n, seed, "mean", outputs)

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
    elif kind == "max_gain_difference":
        diffs = np.array(
            [gain(a, d) - gain(o["reference"], d) for a in o["arms"] for d in o["days"]]
        )
        pick = np.argmax(np.abs(np.median(diffs, axis=1)))
        x = diffs[pick]
        unit = "score points (largest over days)"
    elif kind == "exposure_ratio":
        a, b = o["arms"]
        name = o["output"]
        da, tra, _ = runs[a]
        db, trb, _ = runs[b]
        x = tra[name][_at(da, o["day"])] / np.maximum(trb[name][_at(db, o["day"])], 1e-12)
        unit = f"ratio of {name}"
    else:
        raise ValueError(f"validation target {target['id']}: unknown outcome {kind!r}")
    q = np.quantile(x, [0.05, 0.5, 0.95])
    return {
        "median": float(q[1]),
        "p05": float(q[0]),
        "p95": float(q[2]),
        "band": "uncertainty of the mean effect",
        "unit": unit,
    }


def judge(target: dict[str, Any], model: dict[str, Any]) -> tuple[str, str]:
    """(verdict, why): verdict is pass, MISS or report."""
    rule = target["rule"]
    kind = rule["kind"]
    med, lo, hi = model["median"], model["p05"], model["p95"]
    pub = target.get("published", {})
    if kind == "report":
        return "report", "reported next to the publication, not a pass/fail criterion"
    if kind == "overlap":
        plo, phi = pub["ci"]
        ok = lo <= phi and hi >= plo
        side = "above" if lo > phi else "below" if hi < plo else "overlapping"
        return (
            "pass" if ok else "MISS"
        ), f"model 5-95 % [{lo:.2f}, {hi:.2f}] {side} CI [{plo:g}, {phi:g}]"
    if kind == "greater":
        thr = float(rule["than"])
        if rule.get("significant"):
            return (
                "pass" if lo > thr else "MISS"
            ), f"5-95 % [{lo:.2f}, {hi:.2f}] vs threshold {thr:g} (a significant difference)"
        return ("pass" if med > thr else "MISS"), f"median {med:.2f} vs threshold {thr:g}"
    if kind == "indistinguishable":
        m = float(rule["margin"])
        ok = abs(med) < m or lo <= 0 <= hi
        return (
            "pass" if ok else "MISS"
        ), f"|median| {abs(med):.2f} vs margin {m:g}; 5-95 % [{lo:.2f}, {hi:.2f}]"
    raise ValueError(f"validation target {target['id']}: unknown rule {kind!r}")


def validate(
    *, n: int = 200, seed: int = 0, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Run every validation target; the document `exosci validate --json` prints."""
    doc = targets_doc()
    rows = []
    for t in doc["targets"]:
        arms = resolve_arms(t, doc["base_spec"])
        model = measure(t, arms, n=n, seed=seed)
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
            }
        )
        if progress:
            progress(1)
    counted = [r for r in rows if r["verdict"] != "report"]
    return {
        "label": LABEL,
        "draws": n,
        "seed": seed,
        "bands": BANDS,
        "rules": RULES,
        "parameters": posterior_status(),
        "passed": sum(r["verdict"] == "pass" for r in counted),
        "judged": len(counted),
        "targets": rows,
    }


def table_markdown(doc: dict[str, Any]) -> str:
    """The validation table as Markdown (README and credibility dossier)."""
    lines = [
        "| target | published | model (median [5-95 %]) | rule | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in doc["targets"]:
        m = r["model"]
        lines.append(
            f"| {r['claim']} ({r['source_key']}) | {r['published']} | "
            f"{m['median']:.2f} [{m['p05']:.2f}, {m['p95']:.2f}] {m['unit']} | {r['rule']} | "
            f"{r['verdict']} |"
        )
    lines.append("")
    lines.append(
        f"{doc['passed']} of {doc['judged']} judged targets pass ({doc['draws']} posterior "
        f"draws, seed {doc['seed']})."
    )
    return "\n".join(lines)


def with_table_rows(doc: dict[str, Any]) -> list[list[str]]:
    return [
        [
            r["id"],
            r["published"],
            f"{r['model']['median']:.2f} [{r['model']['p05']:.2f}, {r['model']['p95']:.2f}]",
            r["verdict"],
            r["why"],
        ]
        for r in doc["targets"]
    ]


__all__ = ["judge", "measure", "resolve_arms", "table_markdown", "targets_doc", "validate"]
