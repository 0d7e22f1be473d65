"""`exosci design search CONSTRAINTS.yaml`: the front of therapy designs under a lab's constraints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from exosci.cli._common import (
    FORCE_OPTION,
    JSON_OPTION,
    check_outputs,
    cli_errors,
    console,
    emit_json,
    err_console,
)
from exosci.errors import UserInputError
from exosci.limits import MAX_SAMPLES, MAX_SEED

app = typer.Typer(
    help="Search the designs a lab can make for the ones worth an animal study.",
    no_args_is_help=True,
)


def _run(path: Path, seed: int, samples: int, quiet: bool) -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from exosci.design import search

    if quiet:
        return search(path, seed=seed, samples=samples)
    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:

        def cb(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        return search(path, seed=seed, samples=samples, progress=cb)


@app.command("search")
@cli_errors
def search_cmd(
    constraints: Path = typer.Argument(..., help="Constraints YAML (see examples/design-*.yaml)."),
    seed: int = typer.Option(0, min=0, max=MAX_SEED, help="Seed of the virtual subjects."),
    samples: int = typer.Option(
        300, min=20, max=MAX_SAMPLES, help="Paired virtual subjects per design."
    ),
    plot: Path | None = typer.Option(None, "--plot", help="Write the front plot (PNG)."),
    write_specs: Path | None = typer.Option(
        None, "--write-specs", help="Folder to write each front design as a spec file."
    ),
    force: bool = FORCE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Search the designs allowed by CONSTRAINTS for the uncertainty-respecting Pareto front of
    gain over the baseline, certainty of the evidence, feasibility and risk (model output)."""
    check_outputs({"--plot": plot}, inputs=[constraints], force=force)
    if write_specs is not None and write_specs.exists() and not write_specs.is_dir():
        raise UserInputError(f"--write-specs {write_specs}: exists and is not a folder.")
    result = _run(constraints, seed, samples, quiet=json)
    if plot is not None:
        result.plot(plot)
    if write_specs is not None:
        result.write_specs(write_specs)
    doc = result.to_dict()
    if json:
        emit_json(doc)
        return
    m, prov, counts = doc["method"], doc["provenance"], doc["counts"]
    score = m["score_name"]
    table = Table(title=f"Design front ({len(doc['front'])} of {counts['simulated']} simulated)")
    for col in (
        "design",
        f"Δ {score} vs baseline",
        f"P(Δ≥{m['min_difference']:.2g})",
        "certainty",
        "feasib.",
        "risk",
        "tie",
        "domain",
    ):
        table.add_column(col)
    for r in doc["front"]:
        d = r["delta"]
        table.add_row(
            escape(r["name"]) + (" [dim](baseline)[/]" if r["is_baseline"] else ""),
            f"{d['median']:+.2f} ({d['p05']:+.1f} to {d['p95']:+.1f})",
            f"{d['p_at_least_min']:.2f}",
            r["certainty"],
            f"{r['feasibility']:g}",
            str(r["risk"]),
            str(r["tie_group"] or ""),
            "outside: " + ", ".join(r["outside_domain"]) if r["outside_domain"] else "in",
        )
    console.print(table)
    console.print(f"[yellow]{escape(doc['label'])}[/]")
    console.print(escape(m["dominance"]) + ".")
    console.print(
        f"search: {m['search']}, {counts['space']} points, {counts['simulated']} simulated, "
        f"{m['engine_calls']} engine calls; seed {prov['seed']}, {prov['samples']} subjects, "
        f"exosci {prov['version']}, data {prov['data_hash']}"
    )
    if plot is not None:
        console.print(f"plot: {plot}")
    if write_specs is not None:
        console.print(f"specs: {write_specs}/ ({len(doc['front'])} files)")
