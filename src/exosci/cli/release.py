"""`exosci release ...`: fit kinetic models to exosome-release curves from carriers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from exosci.cli._common import (
    FORCE_OPTION,
    JSON_OPTION,
    check_outputs,
    cli_errors,
    console,
    emit_json,
)
from exosci.limits import MAX_SEED

app = typer.Typer(
    help="Fit release-kinetics models (DDSolver library) to cumulative-release data.",
    no_args_is_help=True,
)


@app.command("fit")
@cli_errors
def fit_cmd(
    data: Path = typer.Argument(
        ...,
        help="CSV: time column (time_h, time_d, time_min, time_w, or time + --time-unit), then "
        "cumulative % released, replicate columns, or mean and sd columns.",
    ),
    time_unit: str | None = typer.Option(
        None, "--time-unit", help="Unit of a bare `time` column: min, h, d or w."
    ),
    model: list[str] | None = typer.Option(
        None, "--model", "-m", help="Fit only this model (repeatable; see `exosci release models`)."
    ),
    allow_over_100: bool = typer.Option(
        False, "--allow-over-100", help="Accept cumulative percentages above 100."
    ),
    plot: Path | None = typer.Option(None, "--plot", help="Write data and fitted curves (PNG)."),
    spec_block: Path | None = typer.Option(
        None, "--spec-block", help="Write the therapy-spec `carrier:` block (YAML) of a fit."
    ),
    spec_model: str | None = typer.Option(
        None, "--spec-model", help="Model for --spec-block (default: the AIC-best)."
    ),
    carrier_name: str = typer.Option(
        "fitted carrier", "--carrier-name", help="Carrier name for --spec-block."
    ),
    compare: Path | None = typer.Option(
        None, "--compare", help="Second profile (same time points) for f1/f2 similarity."
    ),
    seed: int = typer.Option(
        0, "--seed", min=0, max=MAX_SEED, help="Seed of the multi-start perturbations."
    ),
    force: bool = FORCE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Fit the model library to a release curve, rank by AIC, and optionally plot, write a
    spec block, and compare with a second profile (f1/f2)."""
    from exosci.release import carrier_yaml, fit_release, plot_fits, read_profile, similarity

    check_outputs({"--plot": plot, "--spec-block": spec_block}, inputs=[data, compare], force=force)

    profile = read_profile(data, time_unit=time_unit, allow_over_100=allow_over_100)
    result = fit_release(profile, models=model or None, seed=seed)
    doc = result.to_dict()
    if compare is not None:
        other = read_profile(compare, time_unit=time_unit, allow_over_100=allow_over_100)
        doc["similarity"] = similarity(profile, other).to_dict()
    if spec_block is not None:
        spec_block.write_text(carrier_yaml(result, model=spec_model, name=carrier_name))
        doc["spec_block"] = str(spec_block)
    if plot is not None:
        doc["plot"] = str(plot_fits(result, plot))
    if json:
        emit_json(doc)
        return
    _render(doc)


def _render(doc: dict[str, Any]) -> None:
    table = Table(title=f"release models for {doc['source']} (t in days, F in %)")
    for col in ("rank", "model", "parameters", "R²adj", "AIC", "MSC"):
        table.add_column(col, justify="right" if col in ("rank", "R²adj", "AIC", "MSC") else "left")
    for m in doc["models"]:
        params = ", ".join(f"{k}={v:.4g}" for k, v in m["params"].items())
        if m["params_at_bound"]:
            params += f" [at bound: {', '.join(m['params_at_bound'])}]"
        table.add_row(
            str(m["rank"] or "-"),
            m["label"] + ("" if m["rank"] else f" ({m['fitted_on']})"),
            params,
            _f(m["r2_adj"], ".4f"),
            _f(m["aic"], ".2f"),
            _f(m["msc"], ".2f"),
        )
    console.print(table)
    console.print(f"ranking: {doc['ranking']}; weighting: {doc['weighting']}")
    console.print(f"[bold]best (lowest AIC):[/] {doc['best']}")
    for s in doc["skipped"]:
        console.print(f"skipped {s['name']}: {s['reason']}")
    kp = doc["korsmeyer_peppas_n"]
    if kp:
        console.print(f"Korsmeyer–Peppas n = {kp['n']:.3f}:")
        for geometry in ("thin film", "cylinder", "sphere"):
            console.print(f"  {geometry}: {kp[geometry]}")
        console.print(f"  [dim]{kp['note']}[/]")
    sim = doc.get("similarity")
    if sim:
        verdict = "similar" if sim["similar"] else "not similar"
        console.print(
            f"f1 = {sim['f1']:.2f}, f2 = {sim['f2']:.2f} over {sim['n_points']} points: {verdict} "
            "(FDA: f1 ≤ 15 and f2 ≥ 50)"
        )
        for note in sim["notes"]:
            console.print(f"  note: {note}")
    for key in ("plot", "spec_block"):
        if key in doc:
            console.print(f"wrote {doc[key]}")
    console.print(f"[dim]{doc['note']}[/]")


def _f(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


@app.command("models")
@cli_errors
def models_cmd(json: bool = JSON_OPTION) -> None:
    """List the release-model registry: formulas, parameters, units and bounds."""
    from exosci.release import MODELS

    doc = [
        {
            "name": m.name,
            "label": m.label,
            "formula": m.formula,
            "params": [
                {
                    "name": p.name,
                    "unit": p.unit,
                    "lower": p.lower,
                    "upper": p.upper,
                    "meaning": p.meaning,
                }
                for p in m.params
            ],
            "fit_max_percent": m.fit_max_percent,
            "doc": m.doc,
        }
        for m in MODELS.values()
    ]
    if json:
        emit_json({"models": doc})
        return
    table = Table(title="release models (t in days, F in % of the load)")
    for col in ("name", "formula", "parameters"):
        table.add_column(col)
    for m in MODELS.values():
        params = ", ".join(f"{p.name} [{p.unit}]" for p in m.params)
        table.add_row(m.name, m.formula, params)
    console.print(table)
