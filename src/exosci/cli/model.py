"""`exosci simulate` and `exosci calibrate`: run and calibrate the therapy model."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from exosci.cli._common import (
    FORCE_OPTION,
    JSON_OPTION,
    check_outputs,
    check_scheduler,
    cli_errors,
    console,
    emit_json,
)
from exosci.errors import UserInputError
from exosci.limits import MAX_CLUSTER_SAMPLES, MAX_SAMPLES, MAX_SEED


def _progress(total: int, label: str, enabled: bool) -> Any:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not enabled,
        transient=True,
    )


@cli_errors
def simulate(
    spec: Path = typer.Argument(..., help="Therapy spec (YAML or JSON)."),
    samples: int = typer.Option(
        1000,
        "--samples",
        "-n",
        min=1,
        max=MAX_CLUSTER_SAMPLES,
        help=f"Virtual subjects (Monte Carlo): up to {MAX_SAMPLES} locally, "
        f"{MAX_CLUSTER_SAMPLES} with --scheduler.",
    ),
    seed: int = typer.Option(
        0, "--seed", min=0, max=MAX_SEED, help="Seed of the ensemble (numpy SeedSequence)."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address; batches run on the cluster."
    ),
    plot: Path | None = typer.Option(None, "--plot", help="Write a PNG of score and states."),
    sensitivity: str | None = typer.Option(
        None, "--sensitivity", help="Also rank parameters for the day-42 score: sobol or morris."
    ),
    sbml: Path | None = typer.Option(None, "--sbml", help="Export the nominal model as SBML."),
    band: str = typer.Option(
        "mean",
        "--band",
        help="What the 5-95 % band is: mean (uncertainty of the mean effect) or animal "
        "(between-animal spread).",
    ),
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Predict locomotor recovery for a therapy spec: treated vs control, median and 5-95 % band."""
    from exosci.therapy.simulate import simulate_run

    check_scheduler(scheduler)
    if sbml:
        from exosci.errors import require

        require("libsbml", extra="sbml", feature="--sbml export")  # before the simulation
    check_outputs({"--plot": plot, "--sbml": sbml}, inputs=[spec], force=force)
    if samples < 1:
        raise UserInputError(f"--samples {samples}: accepted: an integer >= 1.")
    if scheduler is None and samples > MAX_SAMPLES:
        raise UserInputError(
            f"--samples {samples}: more than {MAX_SAMPLES} virtual subjects on this machine; "
            f"run larger ensembles (up to {MAX_CLUSTER_SAMPLES}) on a cluster with --scheduler."
        )
    if band not in ("mean", "animal"):
        raise UserInputError(f"--band {band!r}: accepted: mean or animal.")
    if sensitivity not in (None, "sobol", "morris"):
        raise UserInputError(f"--sensitivity {sensitivity!r}: accepted: sobol or morris.")
    from exosci.therapy import load_spec

    loaded = load_spec(spec)
    with _progress(samples, "ensemble", not as_json) as bar:
        task = bar.add_task(f"simulating {samples} subjects", total=samples)
        run = simulate_run(
            loaded,
            samples=samples,
            seed=seed,
            scheduler=scheduler,
            progress=lambda k: bar.advance(task, k),
            band=band,
            trajectories=plot is not None,  # else quantiles are streamed (bounded memory)
        )
    result, design = run.result, run.design
    # The same document as POST /api/simulate; options below add their own keys.
    doc = run.to_dict()
    if sensitivity:
        from exosci.model.sensitivity import sensitivity as run_sensitivity

        method: Literal["sobol", "morris"] = "sobol" if sensitivity == "sobol" else "morris"
        doc["sensitivity"] = run_sensitivity(
            design, method=method, seed=seed, scheduler=scheduler
        ).to_dict()
    if plot:
        from exosci.model.plot import plot_simulation
        from exosci.model.simulate import SimulationResult

        assert isinstance(result, SimulationResult)
        doc["plot"] = str(plot_simulation(result, plot))
    if sbml:
        from exosci.errors import require

        require("libsbml", extra="sbml", feature="--sbml export")
        from exosci.model.sbml import to_sbml

        sbml.write_text(to_sbml(design), encoding="utf-8")
        doc["sbml"] = str(sbml)
    if as_json:
        emit_json(doc)
        return
    _render(doc)


def _render(doc: dict[str, Any]) -> None:
    name = doc["score_name"]
    console.print(
        f"[bold]{doc['design']['label']}[/] - {doc['species']}, {doc['samples']} subjects"
    )
    console.print(f"[yellow]{doc['label']}[/]")
    if "band_label" in doc:
        console.print(f"band: {doc['band_label']}")
    for note in doc.get("notes", []):
        console.print(f"  note: {note}")
    table = Table(title=f"{name} score (median [5-95 %])")
    for col in ("day", "treated", "control", "difference"):
        table.add_column(col, justify="right")
    days = doc["days"]
    for i, day in enumerate(days):
        if day in (1, 3, 7, 14, 21, 28, 35, 42) or i == len(days) - 1:
            row = [f"{day:g}"]
            for arm in (
                doc["treated"]["score"],
                doc["control"]["score"],
                doc["difference"]["score"],
            ):
                row.append(f"{arm['median'][i]:.1f} [{arm['p05'][i]:.1f}, {arm['p95'][i]:.1f}]")
            table.add_row(*row)
    console.print(table)
    if doc.get("mechanisms"):
        console.print(
            "mechanism profile: "
            + ", ".join(f"{a} {v['score']:.2f}" for a, v in doc["mechanisms"].items())
        )
    if "sensitivity" in doc:
        s = doc["sensitivity"]
        top = sorted(s["indices"], key=lambda r: -r["total"])[:8]
        console.print(
            f"sensitivity ({s['method']}, {s['output']}): "
            + ", ".join(f"{r['name']} {r['total']:.2f}" for r in top)
        )
    for key in ("plot", "sbml"):
        if key in doc:
            console.print(f"wrote {doc[key]}")


@cli_errors
def calibrate(
    walkers: int = typer.Option(
        0, "--walkers", help="Ensemble walkers (0 = the committed run's setting)."
    ),
    steps: int = typer.Option(0, "--steps", help="MCMC steps (0 = the committed setting)."),
    burn: int = typer.Option(-1, "--burn", help="Steps discarded as burn-in (-1 = committed)."),
    seed: int | None = typer.Option(None, "--seed", help="Seed (default: the committed seed)."),
    write: bool = typer.Option(
        False, "--write", help="Write the draws into the package's posterior.yaml."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the posterior draws to this file."),
    shipped: bool = typer.Option(
        False, "--shipped", help="Do not sample: report on the shipped posterior."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Write the calibration report (HTML; .json for JSON)."
    ),
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Bayesian calibration (emcee) of the free parameters on the published calibration targets.

    Prints posterior vs prior, sampler diagnostics and the posterior predictive of every target.
    """
    from dataclasses import replace as dc_replace

    from exosci.model import calibrate as cal_mod
    from exosci.model.calibration_report import build_report, render_html
    from exosci.model.posterior import load_posterior, shipped_posterior_path, write_posterior

    check_outputs({"--out": out, "--report": report}, force=force)
    setup = cal_mod.load_setup()
    settings = cal_mod.COMMITTED
    if walkers:
        settings = dc_replace(settings, walkers=walkers)
    if steps:
        settings = dc_replace(settings, steps=steps, burn=min(settings.burn, steps // 2))
    if burn >= 0:
        settings = dc_replace(settings, burn=burn)
    if seed is not None:
        settings = dc_replace(settings, seed=seed)
    try:
        settings.check(len(setup.names))
    except ValueError as exc:
        raise UserInputError(f"calibrate: {exc} (dimensions: {len(setup.names)}).") from None
    calibration = None
    if shipped:
        post = load_posterior()
        if post is None:
            raise UserInputError("--shipped: the package has no posterior.yaml; run without it.")
        if set(post.free) != set(setup.free):
            raise UserInputError(
                f"--shipped: the shipped posterior covers {sorted(post.free)} but the free "
                f"parameters are now {sorted(setup.free)}: rerun `exosci calibrate --write`."
            )
    else:
        with _progress(settings.steps, "mcmc", not as_json) as bar:
            task = bar.add_task(
                f"emcee: {settings.walkers} walkers x {settings.steps} steps", total=settings.steps
            )
            calibration = cal_mod.run(setup, settings, progress=lambda k: bar.advance(task, k))
        post = calibration.posterior()
    doc = build_report(setup, post, calibration)
    written = []
    if write:
        written.append(str(write_posterior(post, shipped_posterior_path())))
        load_posterior.cache_clear()
    if out:
        written.append(str(write_posterior(post, out)))
    if report:
        if report.suffix.lower() == ".json":
            import json

            report.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        else:
            render_html(doc, report)
        written.append(str(report))
    doc["written"] = written
    if as_json:
        emit_json(doc)
        return
    _render_calibration(doc)


def _render_calibration(doc: dict[str, Any]) -> None:
    console.print(f"[yellow]{doc['label']}[/]")
    d = doc["diagnostics"]
    if d:
        console.print(
            f"acceptance {d['acceptance_mean']:.2f} {d['acceptance_range']}; "
            f"chain > 50 autocorrelation times: {d['chain_longer_than_50_tau']}"
        )
    t = Table(title="posterior vs prior (median [5 %, 95 %])")
    for col in ("parameter", "prior", "posterior", "width ratio", "tau (steps)", "ESS"):
        t.add_column(col)
    for r in doc["parameters"]:
        pr, po = r["prior"], r["posterior"]
        t.add_row(
            r["name"],
            f"{pr[1]:.3g} [{pr[0]:.3g}, {pr[2]:.3g}]",
            f"{po[1]:.3g} [{po[0]:.3g}, {po[2]:.3g}]",
            "" if r["width_ratio"] is None else f"{r['width_ratio']:.2f}",
            f"{d.get('autocorr_time_steps', {}).get(r['name'], float('nan')):.1f}",
            f"{d.get('ess', {}).get(r['name'], float('nan')):.0f}",
        )
    console.print(t)
    t2 = Table(title="posterior predictive (uncertainty of the mean) vs calibration targets")
    for col in ("target", "day", "published", "model median [5-95 %]", "covers", "source"):
        t2.add_column(col)
    for r in doc["predictive"]:
        t2.add_row(
            r["id"],
            str(r["day"]),
            r["published"],
            f"{r['model_median']:.2f} [{r['model_p05']:.2f}, {r['model_p95']:.2f}]",
            "yes" if r["covers"] else "[red]NO[/]",
            r["ref"].split()[0],
        )
    console.print(t2)
    for w in doc["written"]:
        console.print(f"wrote {w}")
