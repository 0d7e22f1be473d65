"""Compare several designs on the same virtual subjects (same seed, same parameter draws).

Each difference A - B is paired on what the designs truly share (the virtual animal, its
injury and physiology, and the effect terms both carry); a product or modification only one of
them has brings its own independent draw. Verdicts: A better / B better, equivalent (only by a
cited finding) or not separable with current evidence, with the reason and the head-to-head
studies for what differs (:mod:`exosci.evaluate.verdicts`).

Rat BBB (0-21) and mouse BMS (0-9) are different scales: designs of different species are
never put on one axis (one plot panel per species) and never subtracted from each other.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from exosci.evaluate.alternatives import judge_change, min_difference, quantiles
from exosci.evaluate.verdicts import PK_ASSUMPTIONS
from exosci.kb.store import KnowledgeBase, default_kb
from exosci.model.simulate import LABEL, ensemble
from exosci.therapy import ResolvedTherapy, TherapySpec, resolve_spec
from exosci.therapy.domain import assess

Curve = tuple[str, str, str, float, np.ndarray, np.ndarray, np.ndarray]


def unique_labels(names: list[str], files: list[str] | None = None) -> list[str]:
    """Row names: the spec names, with the file (or position) added where a name repeats."""
    counts = Counter(names)
    out = []
    for i, name in enumerate(names):
        if counts[name] > 1:
            out.append(f"{name} ({files[i] if files else f'#{i + 1}'})")
        else:
            out.append(name)
    return out


def compare_specs(
    specs: list[TherapySpec],
    *,
    kb: KnowledgeBase | None = None,
    samples: int = 500,
    seed: int = 0,
    plot: Path | None = None,
    files: list[str] | None = None,
) -> dict[str, Any]:
    """Final score, paired gain, lesion exposure and evidence count for each spec, and the
    paired difference A - B (median, 90 % interval) between every two of the same species."""
    kb = kb or default_kb()
    labels = unique_labels([s.name for s in specs], files)
    rows: list[dict[str, Any]] = []
    curves: list[Curve] = []
    finals: list[np.ndarray] = []
    resolved: list[ResolvedTherapy] = []
    for label, spec in zip(labels, specs, strict=True):
        res = resolve_spec(spec, kb)
        resolved.append(res)
        d = res.design
        sim = ensemble(d, samples=samples, seed=seed, outputs=("score", "lesion_auc"))
        tr, ct = sim.treated["score"], sim.control["score"]
        ids = set(res.evidence_entities())
        rows.append(
            {
                "name": label,
                "spec_name": spec.name,
                "file": files[len(rows)] if files else None,
                "species": d.species,
                "score_name": d.score_name,
                "score_max": d.score_max,
                "horizon_days": d.horizon_days,
                "treated_final": float(np.median(tr[-1])),
                "control_final": float(np.median(ct[-1])),
                "gain": quantiles(tr[-1] - ct[-1]),
                "lesion_auc_ug_day": float(np.median(sim.treated["lesion_auc"][-1])),
                "mechanisms": {} if res.profile is None else res.profile.scores(),
                "outside_domain": list(assess(res).outside),
                "effect": None if res.effect is None else res.effect.to_dict(),
                "evidence_statements": sum(
                    1 for s in kb.curated.statements if s.subject in ids or s.object in ids
                ),
            }
        )
        finals.append(np.asarray(tr[-1], float))
        curves.append(
            (
                label,
                d.species,
                d.score_name,
                d.score_max,
                sim.days,
                np.median(tr, axis=1),
                np.median(ct, axis=1),
            )
        )
    species = sorted({r["species"] for r in rows})
    warnings = []
    if len(species) > 1:
        warnings.append(
            "Designs of different species are compared: rat BBB (0-21) and mouse BMS (0-9) are "
            "different scales, so they are shown in separate panels and no difference is "
            "computed between them."
        )
    out = {
        "label": LABEL,
        "samples": samples,
        "seed": seed,
        "designs": rows,
        "differences": _differences(rows, finals, resolved, kb),
        "warnings": warnings,
        "method": (
            "A − B = design A minus design B in the final-day score on the same virtual subjects "
            "(same seed and parameter draws): median over subjects and 5th–95th percentile of "
            "the per-subject differences. A or B better only when that interval excludes 0 and "
            "|median| >= 1 BBB point (BMS: 9/21 of a point); equivalent only where a cited "
            "finding says so (named); otherwise not separable with current evidence, with the "
            "reason. Shared: the virtual animal, its injury and physiology and the effect terms "
            "both designs carry; every other effect term has its own independent draw."
        ),
    }
    if plot is not None:
        fig = compare_figure(curves)
        fig.savefig(plot, dpi=110, bbox_inches="tight")
    return out


def _differing(a: TherapySpec, b: TherapySpec) -> list[str]:
    """The spec elements in which ``a`` and ``b`` differ (``exosome.source``, ``route`` ...)."""
    da = a.model_dump(mode="json", exclude={"name"})
    db = b.model_dump(mode="json", exclude={"name"})
    out = []
    for k in sorted(set(da) | set(db)):
        va, vb = da.get(k), db.get(k)
        if k == "exosome" and isinstance(va, dict) and isinstance(vb, dict):
            out += [f"exosome.{j}" for j in sorted(set(va) | set(vb)) if va.get(j) != vb.get(j)]
        elif va != vb:
            out.append(k)
    return out


def _product(r: ResolvedTherapy) -> str | None:
    """The product term's entity (the vesicles before any modification)."""
    terms = r.effect.terms if r.effect is not None else ()
    return next((t.entity for t in terms if t.kind == "product"), None)


_KIND = {
    "exosome.source": "source",
    "carrier": "carrier",
    "route": "route",
    "timing": "timing",
    "exosome.preconditioning": "preconditioning",
    "exosome.engineering": "engineering",
    "exosome.cargo": "cargo",
    "exosome.co_therapies": "co_therapies",
}


def _differences(
    rows: list[dict[str, Any]],
    finals: list[np.ndarray],
    resolved: list[ResolvedTherapy],
    kb: KnowledgeBase,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, j in combinations(range(len(rows)), 2):
        a, b = rows[i], rows[j]
        entry: dict[str, Any] = {"a": a["name"], "b": b["name"], "score_name": a["score_name"]}
        if a["species"] != b["species"]:
            entry["skipped"] = f"different species ({a['species']} vs {b['species']})"
        elif a["horizon_days"] != b["horizon_days"]:
            entry["skipped"] = (
                f"different horizons (day {a['horizon_days']} vs day {b['horizon_days']})"
            )
        else:
            delta = quantiles(finals[i] - finals[j])
            entry["delta"] = delta
            diff = _differing(resolved[i].spec, resolved[j].spec)
            if "exosome.source" in diff and _product(resolved[i]) == _product(resolved[j]):
                diff.remove("exosome.source")  # two names of the same vesicles
            kinds = sorted({_KIND.get(d, d) for d in diff})
            kind = kinds[0] if len(kinds) == 1 else "several"
            judged = judge_change(
                kb, kind, resolved[j], resolved[i], delta, min_difference(a["score_name"])
            )
            if kind == "several":
                pk = [PK_ASSUMPTIONS[k] for k in kinds if k in PK_ASSUMPTIONS]
                judged["verdict_reason"] += "".join(f"; {t}" for t in pk) + (
                    f"; the designs differ in {', '.join(diff)}"
                    if diff
                    else "; the two specs describe the same design (0 for every subject)"
                )
            v = judged.pop("verdict")
            entry["verdict"] = {"better": "A better", "worse": "B better"}.get(v, v)
            entry["differs_in"] = diff
            entry.update(judged)
        out.append(entry)
    return out


def compare_figure(curves: list[Curve]) -> Any:
    """One panel per species, each on its own score scale (never rat and mouse on one axis)."""
    from exosci.evaluate.render import new_figure

    species = list(dict.fromkeys(c[1] for c in curves))
    fig = new_figure(figsize=(7.5 * len(species), 4))
    axes = fig.subplots(1, len(species), squeeze=False, sharey=False)
    for ax, sp in zip(axes[0], species, strict=True):
        mine = [c for c in curves if c[1] == sp]
        score, top = mine[0][2], mine[0][3]
        for label, _, _, _, days, tr, _ in mine:
            ax.plot(days, tr, lw=2, label=label)
        drawn: list[np.ndarray] = []
        for label, _, _, _, days, _, ct in mine:  # one line per distinct control course
            if not any(len(c) == len(ct) and np.allclose(c, ct) for c in drawn):
                name = f"untreated control ({sp})" if not drawn else f"control for {label}"
                ax.plot(days, ct, color="#888", ls="--" if not drawn else ":", label=name)
                drawn.append(ct)
        ax.set_ylim(0, top)
        ax.set_xlabel("days after injury")
        ax.set_ylabel(f"{score} score, 0-{top:g} (median)")
        ax.set_title(f"{sp}: {score} — MODEL PREDICTION")
        ax.legend(frameon=False, fontsize=8)
    return fig
