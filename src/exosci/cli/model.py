"""`exosci simulate` and `exosci calibrate`: run the therapy model from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from exosci.cli._common import (
    JSON_OPTION,
    check_outputs,
    check_scheduler,
    check_writable,
    cli_errors,
    console,
    emit_json,
)
from exosci.errors import UserInputError
from exosci.limits import MAX_SAMPLES, MAX_SEED


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
        1000, "--samples", "-n", min=1, max=MAX_SAMPLES, help="Virtual subjects (Monte Carlo)."
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
    as_json: bool = JSON_OPTION,
) -> None:
    """Predict locomotor recovery for a therapy spec: treated vs control, median and 5-95 % band."""
    from exosci.model.simulate import ensemble
    from exosci.therapy import load_spec, resolve_spec

    check_scheduler(scheduler)
    check_outputs([p for p in (plot, sbml) if p], inputs=[spec])
    check_writable(plot, "--plot")
    check_writable(sbml, "--sbml")
    if samples < 1:
        raise UserInputError(f"--samples {samples}: accepted: an integer >= 1.")
    if sensitivity not in (None, "sobol", "morris"):
        raise UserInputError(f"--sensitivity {sensitivity!r}: accepted: sobol or morris.")
    resolved = resolve_spec(load_spec(spec))
    design = resolved.design
    with _progress(samples, "ensemble", not as_json) as bar:
        task = bar.add_task(f"simulating {samples} subjects", total=samples)
        result = ensemble(
            design,
            samples=samples,
            seed=seed,
            scheduler=scheduler,
            progress=lambda k: bar.advance(task, k),
        )
    doc = result.to_dict()
    doc["spec"] = resolved.spec.model_dump()
    doc["notes"] = resolved.notes
    if resolved.profile is not None:
        doc["mechanisms"] = {
            a: {"score": s.score, "evidence": s.evidence[:5]}
            for a, s in resolved.profile.axes.items()
        }
    if sensitivity:
        from exosci.model.sensitivity import sensitivity as run_sensitivity

        method: Literal["sobol", "morris"] = "sobol" if sensitivity == "sobol" else "morris"
        doc["sensitivity"] = run_sensitivity(
            design, method=method, seed=seed, scheduler=scheduler
        ).to_dict()
    if plot:
        from exosci.model.plot import plot_simulation

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
    if "mechanisms" in doc:
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
    plot: Path | None = typer.Option(None, "--plot", help="Write the calibration figure (PNG)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Fit the free parameters to published anchors and report model vs target with residuals."""
    from exosci.model.calibrate import calibrate as run_calibration

    report = run_calibration()
    doc = report.to_dict()
    if plot:
        doc["plot"] = str(report.plot(plot))
    if as_json:
        emit_json(doc)
        return
    console.print(f"[yellow]{doc['label']}[/]")
    t = Table(title="calibration: model vs target")
    for col in ("target", "day", "target value", "model", "residual", "source"):
        t.add_column(col)
    for r in doc["targets"]:
        t.add_row(
            r["name"],
            f"{r['day']:g}",
            f"{r['target']:.2f}",
            f"{r['model']:.2f}",
            f"{r['residual']:+.2f}",
            r["source"][:50],
        )
    console.print(t)
    console.print(
        "fitted: "
        + ", ".join(f"{k} = {v:.4g}" for k, v in doc["fitted"].items())
        + f" (cost {doc['cost']:.3g})"
    )
    if plot:
        console.print(f"wrote {doc['plot']}")
