"""`exosci evaluate` (the main job) and `exosci compare`."""

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
    check_scheduler,
    cli_errors,
    console,
    emit_json,
    err_console,
)
from exosci.errors import UserInputError
from exosci.limits import MAX_SAMPLES, MAX_SEED


def _progress_cb(progress: Any) -> Any:
    tasks: dict[str, Any] = {}

    def cb(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    return cb


def _run(
    spec_path: Path, samples: int, seed: int, scheduler: str | None, quiet: bool
) -> dict[str, Any]:
    """The evaluation document (the same as ``ex.evaluate`` and POST /api/evaluate), with a
    progress display."""
    from exosci._engine_stamp import compile_message, expected_compile_seconds

    said: list[str] = []  # each compile line once: now (before numpy loads) or below

    def say(msg: str) -> None:
        if msg not in said:
            said.append(msg)
            err_console.print(f"[dim]{escape(msg)}[/]")

    seconds = expected_compile_seconds()
    if seconds is not None:
        say(compile_message(seconds))
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from exosci.model.compiled import start_engine

    start_engine(notify=say)
    from exosci.evaluate.core import evaluate
    from exosci.therapy import load_spec

    spec = load_spec(spec_path)
    if quiet:
        return evaluate(spec, samples=samples, seed=seed, scheduler=scheduler)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        return evaluate(
            spec, samples=samples, seed=seed, scheduler=scheduler, progress=_progress_cb(progress)
        )


@cli_errors
def evaluate(
    spec: Path = typer.Argument(..., help="Therapy spec (YAML or JSON; see examples/)."),
    output: Path = typer.Option(
        Path("report.html"),
        "-o",
        "--output",
        help="HTML report to write (JSON and PNGs beside it).",
    ),
    samples: int = typer.Option(
        1000, min=10, max=MAX_SAMPLES, help="Virtual subjects in the main ensemble."
    ),
    seed: int = typer.Option(0, min=0, max=MAX_SEED, help="Seed of every random step."),
    scheduler: str | None = typer.Option(
        None, help="Dask scheduler address to run the ensemble on a cluster."
    ),
    force: bool = typer.Option(
        False, "--force", help="Overwrite an existing report (and its JSON) at --output."
    ),
    json: bool = JSON_OPTION,
) -> None:
    """Evaluate a therapy design (the main job): one HTML report with JSON and plots.

    The report holds the design's mechanisms and evidence, predicted recovery, delivery,
    translational risks and ranked alternatives.
    """
    # Fail before the work: the JSON sidecar is OUTPUT with .json, so `-o design.html` next to
    # design.json would overwrite the spec; an old report is replaced only with --force.
    json_path = output.with_suffix(".json") if output.name not in ("", ".", "..") else output
    check_outputs({"-o": output, "its JSON report": json_path}, inputs=[spec], force=force)
    check_scheduler(scheduler)
    # A forked worker imports matplotlib and warms it up on idle CPU while the evaluation runs,
    # then draws the figures and the page (None where forking is not safe: drawn in-process).
    from exosci.cli._plot_worker import PlotWorker

    worker = PlotWorker.start()
    try:
        full = _run(spec, samples, seed, scheduler, quiet=json)
        from exosci.evaluate.render import write_report
        from exosci.evaluate.result import Evaluation

        sent = worker is not None and worker.send(full)
        written = write_report(full, output, rendered=worker.report if worker and sent else None)
    finally:
        if worker is not None:
            worker.close()
    doc = Evaluation(full).to_dict()  # the JSON sidecar's and POST /api/evaluate's document
    if json:
        emit_json(doc)
        return
    p = doc["prediction"]
    console.print(f"[bold]{doc['spec']['name']}[/]  [yellow](model prediction)[/]")
    console.print(
        f"  {p['score_name']} at day {p['horizon_days']}: treated {p['treated_final']['median']:.1f}"
        f" vs control {p['control_final']['median']:.1f}; gain {p['gain']['median']:+.1f} "
        f"(90 % band {p['gain']['p05']:+.1f} to {p['gain']['p95']:+.1f})"
    )
    outlook = p.get("clinical_outlook")
    if outlook:  # a human/monkey spec: the BBB numbers are the rat model's
        console.print(f"[bold yellow]{escape(outlook['species'])}:[/] {escape(outlook['note'])}")
    _print_domain(doc.get("domain"))
    table = Table(title="mechanism profile", show_header=True)
    table.add_column("axis")
    table.add_column("score", justify="right")
    table.add_column("n (+/−)", justify="right")
    table.add_column("confidence")
    table.add_column("best path for (↑) / against (↓)")
    for axis, m in doc["mechanisms"].items():
        lines = []
        if m.get("best_supporting"):
            lines.append("↑ " + m["best_supporting"]["display"])
        if m.get("best_opposing"):
            lines.append("↓ " + m["best_opposing"]["display"])
        table.add_row(
            axis,
            f"{m['score']:.2f}",
            f"{m.get('n_support', 0)}/{m.get('n_oppose', 0)}",
            m.get("confidence", ""),
            "\n".join(lines) or "—",
        )
    console.print(table)
    for flag in p.get("flags", []):
        style = "bold red" if flag["severity"] == "warning" else "cyan"
        console.print(
            f"[{style}]{'FLAG' if flag['severity'] == 'warning' else 'note'}:[/] {flag['text']}"
        )
    top = [a for a in doc["alternatives"] if "delta" in a][:6]
    alt = Table(title="ranked alternatives (model, paired: Δ vs this design)")
    for col in ("#", "change", "Δ median (90 % interval)", "verdict", "head-to-head"):
        alt.add_column(col)
    for i, a in enumerate(top, 1):
        ev = a.get("evidence") or {}
        h2h = (
            "—"
            if not ev
            else f"{ev['count']}"
            + (f" (refs {', '.join(map(str, ev['refs']))})" if ev.get("refs") else "")
        )
        d = a["delta"]
        delta = "—" if a["is_current"] else f"{d['median']:+.2f} ({d['p05']:+.2f}..{d['p95']:+.2f})"
        verdict = f"gain {a['gain']['median']:+.1f}" if a["is_current"] else a["verdict"]
        change = escape(a["change"])
        if a.get("leaves_domain"):
            change += f" [yellow](beyond the domain: {', '.join(a['leaves_domain'])})[/]"
        alt.add_row(str(i), change, delta, verdict, h2h)
    console.print(alt)
    console.print(f"[dim]{doc['alternatives_method']['text']}[/]")
    for a in doc["alternatives"]:
        if a.get("not_offered"):
            console.print(f"not offered: {escape(a['change'])} ({a['not_offered']})")
    highs = [r for r in doc["risks"] if r["severity"] != "low"]
    console.print(f"{len(doc['risks'])} risks ({len(highs)} moderate or high); see the report.")
    console.print(f"report: {written['html']}  (JSON: {written['json']})")


_STATUS_STYLE = {"in": "green", "out": "bold red", "ignored": "yellow"}
_STATUS_TEXT = {"in": "in", "out": "OUT", "ignored": "ignored by the model"}


def _print_domain(domain: dict[str, Any] | None) -> None:
    """The applicability domain: one row per design feature, then its one-line summary."""
    if not domain:
        return
    table = Table(title="applicability domain (calibrated design mix of the pooled studies)")
    for col in ("feature", "this design", "calibrated domain", "status"):
        table.add_column(col)
    for f in domain["features"]:
        status = f["status"]
        shown = _STATUS_TEXT[status]
        if status != "ignored" and not f.get("modelled", True):
            shown += " (ignored by the model)"
        table.add_row(
            escape(f["label"]),
            escape(f["value"]),
            escape(f["calibrated"]),
            f"[{_STATUS_STYLE[status]}]{shown}[/]",
        )
    console.print(table)
    style = "bold red" if domain["outside"] else "green"
    console.print(f"[{style}]{escape(domain['summary'])}[/]")


@cli_errors
def compare(
    specs: list[Path] = typer.Argument(..., help="Two or more therapy specs."),
    samples: int = typer.Option(
        500, min=10, max=MAX_SAMPLES, help="Virtual subjects per design (same draws for all)."
    ),
    seed: int = typer.Option(0, min=0, max=MAX_SEED, help="Seed of every random step."),
    plot: Path | None = typer.Option(None, help="Write an overlay plot of predicted scores (PNG)."),
    force: bool = FORCE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Compare therapy designs side by side on the same virtual subjects (paired)."""
    from exosci.evaluate.compare import compare_specs
    from exosci.therapy import load_spec

    if len(specs) < 2:
        raise UserInputError(f"compare needs two or more specs; got {len(specs)}.")
    check_outputs({"--plot": plot}, inputs=specs, force=force)
    doc = compare_specs(
        [load_spec(p) for p in specs],
        samples=samples,
        seed=seed,
        plot=plot,
        files=[p.name if len({q.name for q in specs}) == len(specs) else str(p) for p in specs],
    )
    if json:
        emit_json(doc)
        return
    for warning in doc["warnings"]:
        err_console.print(f"[bold yellow]warning:[/] {warning}")
    table = Table(title="designs compared (model predictions, paired draws)")
    for col in (
        "design",
        "score",
        "treated",
        "control",
        "gain (5-95 %)",
        "lesion AUC",
        "statements",
        "outside the calibrated domain",
    ):
        table.add_column(col)
    for row in doc["designs"]:
        g = row["gain"]
        table.add_row(
            escape(row["name"]),
            f"{row['score_name']} 0-{row['score_max']:g}",
            f"{row['treated_final']:.1f}",
            f"{row['control_final']:.1f}",
            f"{g['median']:+.1f} ({g['p05']:+.1f}..{g['p95']:+.1f})",
            f"{row['lesion_auc_ug_day']:.3g}",
            str(row["evidence_statements"]),
            escape(", ".join(row.get("outside_domain") or []) or "—"),
        )
    console.print(table)
    diff = Table(title="A − B, final day (paired: same virtual subjects)")
    for col in ("A", "B", "A − B median (90 % interval)", "verdict"):
        diff.add_column(col)
    for d in doc["differences"]:
        if "delta" in d:
            q = d["delta"]
            shown = f"{q['median']:+.2f} ({q['p05']:+.2f}..{q['p95']:+.2f}) {d['score_name']}"
            why = f"\n[dim]{escape(d['verdict_reason'])}[/]" if d.get("verdict_reason") else ""
            diff.add_row(escape(d["a"]), escape(d["b"]), shown, d["verdict"] + why)
        else:
            diff.add_row(escape(d["a"]), escape(d["b"]), "—", f"not compared: {d['skipped']}")
    console.print(diff)
    console.print(f"[dim]{doc['method']}[/]")
    if plot:
        console.print(f"plot: {plot} (one panel per species)")
