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

import functools
from importlib import resources
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
    """The dossier as Markdown: the numbers computed here, the prose in ``evaluate/dossier.md``.

    Parameters
    ----------
    validation
        A validation run of the shipped model (``exosci.evaluate.validation.validate``); run here
        at the dossier's draws and seed when not given.
    power
        The suite's power against wrong models; run here when not given.
    """
    from exosci.evaluate.validation import power as run_power
    from exosci.evaluate.validation import validate as run_validation

    if validation is None:
        validation = run_validation(n=DOSSIER_DRAWS, seed=DOSSIER_SEED)
    if power is None:
        power = run_power(n=DOSSIER_DRAWS, seed=DOSSIER_SEED, shipped=validation)
    return str(_template().render(**dossier_context(validation, power)))


@functools.lru_cache(maxsize=1)
def _template() -> Any:
    """The dossier's jinja2 template (Markdown, so nothing is HTML-escaped)."""
    import jinja2

    env = jinja2.Environment(
        autoescape=False,  # Markdown for docs/, never served as HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    source = resources.files("exosci").joinpath("evaluate", "dossier.md")
    return env.from_string(source.read_text(encoding="utf-8"))


def dossier_context(
    validation: dict[str, Any], power: dict[str, dict[str, Any]] | None
) -> dict[str, Any]:
    """Every value the dossier template shows, computed from the code and the shipped data."""
    from exosci.evaluate.validation import table_markdown

    setup = load_setup()
    table = default_parameters()
    ver = verification_numbers()
    return {
        "n_states": len(STATES),
        "n_params": len(table.params),
        "n_assumption": sum("assumption" in p.source for p in table.params.values()),
        "free": list(setup.free),
        "verification": ver,
        "error_bound": _bound(ver["max_abs_score_error"]),
        "calibration_targets": setup.targets,
        "run_line": _run_line(load_posterior()),
        "validation": validation,
        "validation_table": table_markdown(validation),
        "independence": _independence(validation),
        "power_lines": _power_lines(power, validation),
        "misses": [r for r in validation["targets"] if r["verdict"] == "MISS"],
        "bands": BANDS,
        "status": _status_lists(posterior_status()),
        "domain_lines": _domain_lines(),
    }


def _run_line(post: Any) -> str:
    """The calibration run's settings and convergence diagnostics, in one paragraph."""
    if post is None:
        return "No posterior is shipped: Monte Carlo runs sample the priors."
    diag = post.meta.get("diagnostics", {})
    settings = post.meta.get("settings", {})
    tau = diag.get("autocorr_time_steps", {})
    ess = diag.get("ess", {})
    return (
        f"Run: {', '.join(f'{k} {v}' for k, v in settings.items())}; mean acceptance "
        f"{diag.get('acceptance_mean', float('nan')):.2f}; autocorrelation time "
        f"{max(tau.values()) if tau else float('nan'):.1f} steps at most; effective samples "
        f"{min(ess.values()) if ess else float('nan'):.0f} at least; chain longer than 50 "
        f"autocorrelation times: {diag.get('chain_longer_than_50_tau')}. Posterior vs prior "
        "and posterior predictive per target: `exosci calibrate --shipped --report calib.html`."
    )


def _status_lists(status: dict[str, Any]) -> dict[str, Any]:
    """Which parameters the posterior informs, holds, draws per subject or leaves to priors."""
    out: dict[str, Any] = {
        key: ", ".join(status.get(key, [])) or "none"
        for key in ("from_posterior", "design_effect_draws", "animal_effects", "prior_sampled")
    }
    out["held_at_nominal"] = len(status.get("held_at_nominal", []))
    return out


def write_dossier(
    path: str | Path,
    *,
    validation: dict[str, Any] | None = None,
    power: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """Write the dossier to ``path`` (always the shipped model at the dossier's draws and seed)."""
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
