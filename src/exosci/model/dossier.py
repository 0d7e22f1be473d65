"""The credibility dossier (``docs/credibility.md``), generated from the code and the data.

Organised as ASME V&V 40 (context of use, model risk, verification, validation, applicability)
and the ten rules of Erdemir et al., "Credible practice of modeling and simulation in
healthcare: ten rules from a multidisciplinary perspective", J Transl Med 2020;18:369
(doi:10.1186/s12967-020-02540-4). Every number in it is
computed here (solver error against the scipy reference, calibration diagnostics, the validation
table), so regenerating it is the only way to change it: ``exosci validate --dossier
docs/credibility.md``; a test fails when the committed file differs from what this produces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from exosci.model.calibrate import load_setup
from exosci.model.design import reference_design
from exosci.model.equations import STATES
from exosci.model.parameters import default_parameters
from exosci.model.posterior import BANDS, load_posterior, posterior_status

DOSSIER_DRAWS = 100  # posterior draws per validation experiment in the dossier
DOSSIER_SEED = 0


def verification_numbers() -> dict[str, Any]:
    """Largest difference between the fast solver and scipy solve_ivp (LSODA, rtol 1e-8)."""
    from exosci.model.reference import reference_solve
    from exosci.model.simulate import paired_run

    table = default_parameters()
    design = reference_design()
    nominal = table.nominal()
    days, tr, _ = paired_run(design, {k: np.asarray([v]) for k, v in nominal.items()}, 1)
    ref = reference_solve(design, nominal)
    fast = tr["score"][:, 0]
    slow = ref.values["score"][:, 0]
    n = min(len(fast), len(slow))
    err = float(np.max(np.abs(fast[:n] - slow[:n])))
    return {"max_abs_score_error": err, "days": int(days[n - 1]), "design": design.label}


def _independence(validation: dict[str, Any]) -> list[str]:
    """What the leakage check found, and the targets moved out of validation (with why)."""
    leaks = validation.get("leaks", [])
    if leaks:
        lines = [
            "Independence check FAILED: these targets share a paper with the model (they are "
            "not validation until moved or replaced):",
            "",
            *[
                f"- {lk['target']} ({lk['source_key']}): {lk['shared']} in {lk['where']}"
                for lk in leaks
            ],
        ]
    else:
        lines = [
            "Independence check (exosci.model.leakage): no target's paper is a parameter or "
            "prior source, a calibration source, a paper the model's code cites or a reference "
            "of the knowledge graph (compared by DOI, PMID, PMC id, citation key and source key).",
        ]
    moved = validation.get("moved", [])
    if moved:
        lines += ["", "Moved out of validation because the model was built from their paper:", ""]
        lines += [f"- {m['id']} ({m['source']}, now {m['to']}): {m['reason']}." for m in moved]
    return [*lines, ""]


def _power_lines(power: dict[str, dict[str, Any]] | None, shipped: dict[str, Any]) -> list[str]:
    if not power:
        return []
    misses = shipped["judged"] - shipped["passed"]
    lines = [
        "Power of the suite: the same targets against deliberately wrong models "
        "(`exosci validate --variant NAME`); each should fail several.",
        "",
        "| wrong model | targets it fails | of those, passed by the shipped model |",
        "| --- | --- | --- |",
    ]
    for name, p in power.items():
        failed = ", ".join(p["failed"]) or "none"
        both = p.get("failed_where_shipped_passes", [])
        lines.append(
            f"| {name}: {p['description']} | {len(p['failed'])} of {p['judged']}: {failed} | "
            f"{len(both)}: {', '.join(both) or 'none'} |"
        )
    lines += [
        "",
        f"The shipped model itself misses {misses} of {shipped['judged']}: a target that both "
        "it and a wrong model miss does not tell them apart, so the last column is the power "
        "the suite has today.",
    ]
    return [*lines, ""]


def _domain_lines() -> list[str]:
    """The applicability domain as the therapy layer defines it (one source for both)."""
    from exosci.therapy.domain import LABELS, definition

    lines = []
    for feature, rec in definition()["features"].items():
        note = " ".join(str(rec.get("out_note") or rec.get("ignored_note") or "").split())
        note = (note[:1].upper() + note[1:]).rstrip(".") + "." if note else ""
        read = "" if rec.get("modelled", True) else " (not read by the model)"
        lines.append(f"- {LABELS.get(feature, feature)}{read}: calibrated on {rec['text']}. {note}")
    return lines


def _bound(err: float) -> str:
    """A decade bound (stable across platforms, unlike the last digits of the error)."""
    return f"1e{int(np.ceil(np.log10(max(err, 1e-15)))):d}"


def _fmt_interval(m: dict[str, Any]) -> str:
    return f"{m['median']:.2f} [{m['p05']:.2f}, {m['p95']:.2f}]"


def render_dossier(
    validation: dict[str, Any] | None = None, power: dict[str, dict[str, Any]] | None = None
) -> str:
    from exosci.model.validate import power as run_power
    from exosci.model.validate import table_markdown
    from exosci.model.validate import validate as run_validation

    if validation is None:
        validation = run_validation(n=DOSSIER_DRAWS, seed=DOSSIER_SEED)
    if power is None:
        power = run_power(n=DOSSIER_DRAWS, seed=DOSSIER_SEED, shipped=validation)
    setup = load_setup()
    post = load_posterior()
    status = posterior_status()
    table = default_parameters()
    ver = verification_numbers()
    n_free = len(setup.free)
    n_assumption = sum("assumption" in p.source for p in table.params.values())
    diag = post.meta.get("diagnostics", {}) if post else {}
    settings = post.meta.get("settings", {}) if post else {}
    misses = [r for r in validation["targets"] if r["verdict"] == "MISS"]
    cal_rows = "\n".join(
        f"| {t.id} | day {t.day} | {t.published} | {t.ref} |" for t in setup.targets
    )
    lines = [
        "# Credibility dossier of the exosci therapy model",
        "",
        "<!-- GENERATED by `exosci validate --dossier docs/credibility.md` from the code and the",
        "     data; do not edit by hand (tests/model/test_validate.py fails when it is stale). -->",
        "",
        "Organised as ASME V&V 40-2018 (risk-informed credibility for a context of use) and the",
        "ten rules for credible practice of modeling and simulation in healthcare (Erdemir et",
        "al., J Transl Med 2020;18:369, doi:10.1186/s12967-020-02540-4).",
        "",
        "## 1. Question of interest and context of use",
        "",
        "Question: for a proposed exosome (small EV) therapy after thoracic spinal cord injury in",
        "rodents, how much locomotor recovery (BBB 0-21 in rats, BMS 0-9 in mice) should a",
        "preclinical study expect over the untreated course, and how do dose, route, carrier and",
        "timing change it?",
        "",
        "Context of use: ranking and sizing *preclinical* designs before an experiment, as a",
        "hypothesis generator next to the literature. Not for clinical decisions, not a",
        "substitute for an animal study, not for human dosing.",
        "",
        "Model risk (V&V 40): model influence is moderate (one input among literature and",
        "expert judgement); decision consequence is low to moderate (a misjudged preclinical",
        "design costs animals and time, no patient is exposed). The credibility activities below",
        "are sized for that risk.",
        "",
        "## 2. The model",
        "",
        f"{len(STATES)} ODE states (delivery compartments, inflammation, barrier, vessels,",
        "tissue loss, scar, regrowth, function), one formula table shared by the fast solver,",
        f"the scipy reference and the SBML export; {len(table.params)} parameters, each with",
        f"value, unit, prior and source ({n_assumption} of them marked as assumptions);",
        f"{n_free} free parameters calibrated: {', '.join(setup.free)}"
        + ("." if "animal_sd" in setup.free else ", plus the between-animal SD of lesion size."),
        "",
        "## 3. Code verification",
        "",
        "The compiled ensemble solver against scipy `solve_ivp` (LSODA, rtol 1e-8) on the",
        f"same formulas, {ver['design']}, days 0-{ver['days']}: largest score difference",
        f"below {_bound(ver['max_abs_score_error'])} BBB points (tests: tests/model/test_model_solver.py",
        "checks every route and a carrier; the SBML export is re-simulated by libRoadRunner in",
        "tests/model/test_model_interop.py).",
        "",
        "## 4. Calibration (fitted; not evidence of validity)",
        "",
        "Bayesian calibration with emcee (affine-invariant ensemble MCMC, Foreman-Mackey et al.,",
        "PASP 2013, doi:10.1086/670067) over the vectorised solver; Gaussian likelihood on the",
        "published means with their CIs or ranges; priors from parameters.yaml.",
        "",
        "| target | when | published (fitted) | source |",
        "| --- | --- | --- | --- |",
        cal_rows,
        "",
    ]
    if post is not None:
        tau = diag.get("autocorr_time_steps", {})
        ess = diag.get("ess", {})
        lines += [
            f"Run: {', '.join(f'{k} {v}' for k, v in settings.items())}; mean acceptance "
            f"{diag.get('acceptance_mean', float('nan')):.2f}; autocorrelation time "
            f"{max(tau.values()) if tau else float('nan'):.1f} steps at most; effective samples "
            f"{min(ess.values()) if ess else float('nan'):.0f} at least; chain longer than 50 "
            f"autocorrelation times: {diag.get('chain_longer_than_50_tau')}. Posterior vs prior "
            "and posterior predictive per target: `exosci calibrate --shipped --report calib.html`.",
            "",
        ]
    else:
        lines += ["No posterior is shipped: Monte Carlo runs sample the priors.", ""]
    lines += [
        "## 5. Validation against comparators (never fitted)",
        "",
        "Published comparisons run as model experiments (`exosci validate`), judged by strict",
        "rules on the model's 5-95 % interval:",
        "",
        *[f"- {k}: {v}." for k, v in validation["rules"].items()],
        "",
        table_markdown(validation),
        "",
        *_independence(validation),
        *_power_lines(power, validation),
    ]
    if misses:
        lines += ["Misses, and why they are kept rather than tuned away:", ""]
        lines += [f"- {r['id']}: {r['why']}. Likely reason: {r['if_missed']}." for r in misses]
        lines.append("")
    lines += [
        "## 6. Uncertainty quantification",
        "",
        *[f"- band `{k}`: {v}." for k, v in BANDS.items()],
        f"- from the posterior: {', '.join(status.get('from_posterior', [])) or 'none'}.",
        f"- held at nominal (they move the calibration outputs; the posterior is conditional on "
        f"them): {len(status.get('held_at_nominal', []))} parameters.",
        f"- the design's own effect, drawn per subject (widens where evidence is thin): "
        f"{', '.join(status.get('design_effect_draws', [])) or 'none'}.",
        f"- per-animal effects (between-animal band only): "
        f"{', '.join(status.get('animal_effects', [])) or 'none'}.",
        f"- sampled from their priors (not informed by the calibration targets): "
        f"{', '.join(status.get('prior_sampled', [])) or 'none'}.",
        "- not represented: structural uncertainty (one model structure), publication bias in",
        "  the pooled effects (several source meta-analyses report funnel asymmetry).",
        "",
        "## 7. Limits of applicability",
        "",
        "The calibrated domain, feature by feature (exosci/therapy/domain.yaml; every evaluation",
        "shows its design against it in the report, the CLI, the JSON and `ev.flags`):",
        "",
        *_domain_lines(),
        "",
        "## 8. The ten rules (Erdemir et al. 2020): where each is met",
        "",
        "| rule | in exosci |",
        "| --- | --- |",
        "| 1 define context clearly | section 1; the label on every model output |",
        "| 2 use contextually appropriate data | calibration_targets.yaml, validation_targets.yaml, parameter sources |",
        "| 3 evaluate within context | `exosci validate` (section 5) |",
        "| 4 list limitations explicitly | section 7; assumptions in every simulate document |",
        "| 5 use version control | git history; posterior.yaml records its run settings |",
        "| 6 document appropriately | parameters.yaml (value, unit, prior, source); this dossier |",
        "| 7 disseminate broadly | SBML export; JSON outputs; open source |",
        "| 8 get independent reviews | the repository's issue reviews; peer tools re-simulate the SBML |",
        "| 9 test competing implementations | fast solver vs scipy reference vs libRoadRunner (section 3) |",
        "| 10 conform to standards | SBML L3; MIRIAM-style sources; ASME V&V 40 structure |",
        "",
    ]
    return "\n".join(lines)


def write_dossier(
    path: str | Path,
    *,
    validation: dict[str, Any] | None = None,
    power: dict[str, dict[str, Any]] | None = None,
) -> Path:
    if validation is not None and (
        validation.get("draws") != DOSSIER_DRAWS
        or validation.get("seed") != DOSSIER_SEED
        or validation.get("variant", {}).get("name", "shipped") != "shipped"
    ):
        validation = None  # the dossier always uses the shipped model at its own draws and seed
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_dossier(validation, power), encoding="utf-8")
    return out
