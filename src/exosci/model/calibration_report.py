"""The calibration report: posterior vs prior, sampler diagnostics, posterior predictive checks."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

from exosci.model.calibrate import Calibration, Setup, predict, to_parameters
from exosci.model.parameters import FloatArray
from exosci.model.posterior import Posterior

LABEL = (
    "MODEL CALIBRATION (Bayesian, emcee). The targets below were FITTED: agreement with them is "
    "not validation. Validation on results the calibration never saw: `exosci validate`."
)


def _q(x: FloatArray) -> list[float]:
    return [round(float(v), 4) for v in np.quantile(x, [0.05, 0.5, 0.95])]


def prior_vs_posterior(setup: Setup, post: Posterior, n_prior: int = 4000) -> list[dict[str, Any]]:
    """Per parameter: prior and posterior 5/50/95 % and the shrinkage of the 90 % width."""
    z = np.random.default_rng(0).standard_normal((n_prior, len(setup.names)))
    prior = to_parameters(setup, z)
    rows = []
    for n in setup.names:
        pq, qq = _q(prior[n]), _q(post.draws[n])
        width_p, width_q = pq[2] - pq[0], qq[2] - qq[0]
        p = setup.table.params.get(n)
        rows.append(
            {
                "name": n,
                "unit": p.unit if p else "log-SD",
                "prior": pq,
                "posterior": qq,
                "width_ratio": round(width_q / width_p, 3) if width_p > 0 else None,
                "prior_text": p.prior_text if p else "lognormal (5-95 %) " + str(setup.sd_prior),
            }
        )
    return rows


def predictive_checks(setup: Setup, post: Posterior, n: int = 120) -> list[dict[str, Any]]:
    """Posterior predictive (uncertainty of the mean) of every target vs its published interval."""
    idx = np.linspace(0, post.size - 1, min(n, post.size)).round().astype(int)
    theta = {k: post.draws[k][idx] for k in setup.names}
    pred = predict(setup, theta)
    rows = []
    for t in setup.targets:
        q = _q(pred[t.id])
        covers = q[0] <= t.high and q[2] >= t.low  # 90 % predictive interval meets the target
        rows.append(
            {
                "id": t.id,
                "kind": t.kind,
                "day": t.day,
                "published": t.published,
                "low": t.low,
                "high": t.high,
                "model_p05": q[0],
                "model_median": q[1],
                "model_p95": q[2],
                "covers": bool(covers),
                "median_inside": bool(t.low <= q[1] <= t.high),
                "source": t.source,
                "ref": t.ref,
            }
        )
    return rows


def build_report(
    setup: Setup, post: Posterior, cal: Calibration | None = None, *, predictive_draws: int = 120
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "label": LABEL,
        "method": "emcee affine-invariant ensemble sampler (Foreman-Mackey et al., PASP 2013; "
        "doi:10.1086/670067); Gaussian likelihood on the published means (range or 95 % CI); "
        "prior from parameters.yaml; group mean and SD over animals by Gauss-Hermite quadrature",
        "typical_design": [d.label for d in setup.arms],
        "free_parameters": list(setup.free),
        "between_animal": {
            "parameters": list(setup.animal_parameters),
            "source": setup.meta.get("between_animal_source", ""),
        },
        "settings": post.meta.get("settings", {}),
        "diagnostics": post.meta.get("diagnostics", {}),
        "held_at_nominal": sorted(post.conditioned),
        "parameters": prior_vs_posterior(setup, post),
        "predictive": predictive_checks(setup, post, predictive_draws),
        "bands": {
            "mean": "uncertainty of the mean effect",
            "animal": "between-animal spread",
        },
        "sources": setup.sources,
    }
    if cal is not None:
        doc["chain_shape"] = list(cal.chain.shape)
    return doc


def render_text(doc: dict[str, Any]) -> list[str]:
    lines = [doc["label"], ""]
    d = doc["diagnostics"]
    if d:
        lines.append(
            f"acceptance {d['acceptance_mean']:.2f}; autocorrelation time (steps) "
            + ", ".join(f"{k} {v:g}" for k, v in d["autocorr_time_steps"].items())
        )
    return lines


def _ratio(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def render_html(doc: dict[str, Any], path: str | Path) -> Path:
    e = html.escape
    rows_p = "".join(
        f"<tr><td>{e(r['name'])}</td><td>{e(r['unit'])}</td><td>{e(r['prior_text'])}</td>"
        f"<td>{r['prior'][1]:.4g} [{r['prior'][0]:.4g}, {r['prior'][2]:.4g}]</td>"
        f"<td>{r['posterior'][1]:.4g} [{r['posterior'][0]:.4g}, {r['posterior'][2]:.4g}]</td>"
        f"<td>{_ratio(r['width_ratio'])}</td></tr>"
        for r in doc["parameters"]
    )
    rows_t = "".join(
        f"<tr><td>{e(r['id'])}</td><td>{r['day']}</td><td>{e(r['published'])}</td>"
        f"<td>{r['model_median']:.2f} [{r['model_p05']:.2f}, {r['model_p95']:.2f}]</td>"
        f"<td>{'yes' if r['covers'] else 'NO'}</td><td class=s>{e(r['source'][:90])}</td></tr>"
        for r in doc["predictive"]
    )
    d = doc["diagnostics"]
    diag = (
        "".join(
            f"<tr><td>{e(k)}</td><td>{v:g}</td><td>{d['ess'][k]:g}</td></tr>"
            for k, v in d.get("autocorr_time_steps", {}).items()
        )
        if d
        else ""
    )
    s = doc["settings"]
    body = f"""<!doctype html><html><head><meta charset="utf-8"><title>exosci calibration</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}td,th{{padding:2px 8px;
border-bottom:1px solid #ddd;text-align:left}}.s{{font-size:80%;color:#555}}
.warn{{background:#fff3cd;padding:6px}}</style></head><body>
<h1>exosci calibration report</h1><p class=warn>{e(doc["label"])}</p>
<p>{e(doc["method"])}.</p>
<p>Typical design (pooled effect = mean over these arms): {e("; ".join(doc["typical_design"]))}.</p>
<p>Run: {e(", ".join(f"{k} {v}" for k, v in s.items()))}. Held at nominal (they move the
calibration outputs but are not free): {e(", ".join(doc["held_at_nominal"]) or "none")}.</p>
<h2>Sampler diagnostics</h2>
<p>Mean acceptance {d.get("acceptance_mean", float("nan")):.2f}
(range {d.get("acceptance_range", ["?", "?"])}); chain longer than 50 autocorrelation times:
{d.get("chain_longer_than_50_tau", "?")}.</p>
<table><tr><th>parameter</th><th>autocorrelation time (steps)</th><th>effective samples</th></tr>
{diag}</table>
<h2>Posterior vs prior</h2>
<p>median [5 %, 95 %]; width ratio = posterior / prior 90 % width (1 = the data said nothing).</p>
<table><tr><th>parameter</th><th>unit</th><th>prior</th><th>prior quantiles</th>
<th>posterior quantiles</th><th>width ratio</th></tr>{rows_p}</table>
<h2>Posterior predictive vs each calibration target</h2>
<p>Band: uncertainty of the mean effect (each draw a typical animal; untreated SD over animals).</p>
<table><tr><th>target</th><th>day</th><th>published</th><th>model median [5-95 %]</th>
<th>90 % band meets target</th><th>source</th></tr>{rows_t}</table>
</body></html>"""
    out = Path(path)
    out.write_text(body, encoding="utf-8")
    return out
