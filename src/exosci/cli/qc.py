"""`exosci qc ...`: NTA import and MISEV checks of vesicle preparations."""

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
    finite_option,
)
from exosci.errors import UserInputError

app = typer.Typer(
    help="Vesicle quality: NTA size/concentration and MISEV checks.", no_args_is_help=True
)


def _num(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


@app.command()
@cli_errors
def nta(
    files: list[Path] = typer.Argument(..., help="NTA exports (NanoSight CSV, ZetaView TXT)."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write an overlay PNG of the distributions."
    ),
    plot_scale: str = typer.Option(
        "fraction", "--plot-scale", help="fraction (unit area per curve) or concentration."
    ),
    dilution: float | None = typer.Option(
        None,
        "--dilution",
        callback=finite_option(above=0, hi=1e9),
        help="Dilution used, for files that record none (must match if they do); > 0.",
    ),
    format: str | None = typer.Option(
        None, "--format", help="Skip detection; see `exosci qc formats`."
    ),
    allow_empty: bool = typer.Option(
        False, "--allow-empty", help="List empty runs (0 particles) instead of failing on them."
    ),
    force: bool = FORCE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Size distribution and concentration from NTA exports; one JSON object per file.

    With --json, one file gives one report object; several give {"samples": [report, ...],
    "flagged": [{file, problem}, ...]}. In a batch an empty or unreadable file is flagged and the
    rest are still reported (exit 2 when any file is flagged).
    """
    from exosci.qc import plot_nta

    check_outputs({"--plot": plot}, inputs=files, force=force)

    reports, flagged = _read_batch(files, format=format, dilution=dilution, allow_empty=allow_empty)
    if plot is not None:
        if plot_scale not in ("fraction", "concentration"):
            raise UserInputError(
                f"--plot-scale {plot_scale!r} is not known; use fraction or concentration."
            )
        plot_nta(reports, plot, scale="fraction" if plot_scale == "fraction" else "concentration")
    if json:
        docs = [r.model_dump() for r in reports]
        if len(files) == 1:
            emit_json(docs[0])
        else:
            emit_json({"samples": docs, "flagged": flagged})
        _exit_if_flagged(flagged)
        return
    table = Table(title="NTA summary (sizes in nm, number-weighted)")
    cols = (
        "#",
        "format",
        "dilution",
        "particles/mL",
        "mean",
        "mode",
        "SD",
        "D10",
        "D50",
        "D90",
        "span",
        "30-150nm",
        "<200nm",
    )
    for col in cols:
        table.add_column(col, justify="left" if col == "format" else "right")
    for i, r in enumerate(reports, start=1):
        mark = "" if r.concentration_corrected_for_dilution else "*"
        table.add_row(
            str(i),
            r.format,
            _num(r.dilution, "g"),
            _num(r.concentration_per_ml, ".3g") + mark,
            _num(r.mean_nm),
            _num(r.mode_nm),
            _num(r.sd_nm),
            _num(r.d10_nm),
            _num(r.d50_nm),
            _num(r.d90_nm),
            _num(r.span, ".2f"),
            _num(r.fraction_in_30_150_nm, ".0%"),
            _num(r.fraction_below_200_nm, ".0%"),
        )
    console.print(table)
    if any(not r.concentration_corrected_for_dilution and not r.empty for r in reports):
        console.print(
            "* as measured, NOT dilution-corrected: the file records no dilution (use --dilution)."
        )
    for i, r in enumerate(reports, start=1):
        console.print(f"[bold]{i}[/] {r.sample}  ({r.file})", highlight=False)
        for w in r.warnings:
            console.print(f"    [yellow]warning:[/] {w}", highlight=False)
    if plot is not None:
        console.print(f"plot written to {plot}")
    _exit_if_flagged(flagged)


def _read_batch(
    files: list[Path], *, format: str | None, dilution: float | None, allow_empty: bool
) -> tuple[list[Any], list[dict[str, str]]]:
    """Read every file; in a batch an empty or unreadable file is flagged, not fatal.

    One file keeps the strict behaviour (its error is the command's error, exit 2). With
    several, the readable ones are reported and each flagged file is named with its problem;
    the command still exits 2 so a script notices, after printing everything it could read.
    """
    from exosci.qc import read_nta

    if len(files) == 1:
        one = read_nta(
            files[0],
            format=format,
            dilution=dilution,
            on_empty="report" if allow_empty else "raise",
        )
        return [one], []
    reports, flagged = [], []
    for f in files:
        try:
            r = read_nta(f, format=format, dilution=dilution, on_empty="report")
        except UserInputError as exc:
            flagged.append({"file": str(f), "problem": str(exc)})
            continue
        if r.empty and not allow_empty:
            flagged.append({"file": str(f), "problem": "empty run: 0 particles tracked"})
            continue
        reports.append(r)
    if not reports:
        raise UserInputError(
            "no file could be reported: "
            + "; ".join(f"{x['file']}: {x['problem']}" for x in flagged)[:4000]
        )
    return reports, flagged


def _exit_if_flagged(flagged: list[dict[str, str]]) -> None:
    from exosci.cli._common import err_console

    for x in flagged:
        err_console.print(f"[red]flagged:[/] {x['file']}: {x['problem']}", highlight=False)
    if flagged:
        err_console.print(f"{len(flagged)} file(s) flagged; the others are reported above.")
        raise typer.Exit(2)


@app.command()
@cli_errors
def formats(json: bool = JSON_OPTION) -> None:
    """List the NTA export formats this version reads."""
    from exosci.qc import nta_formats

    docs: list[dict[str, Any]] = [f.describe() for f in nta_formats().values()]
    if json:
        emit_json({"formats": docs})
        return
    table = Table(title="NTA formats")
    for col in ("name", "instrument", "extensions", "percentiles", "description"):
        table.add_column(col)
    for d in docs:
        table.add_row(
            d["name"],
            d["instrument"],
            " ".join(d["extensions"]),
            d["percentile_rule"],
            d["description"],
        )
    console.print(table)


_STATUS = {"met": "[green]met[/]", "missed": "[red]missed[/]", "not applicable": "[dim]n/a[/]"}


@app.command()
@cli_errors
def check(
    prep: Path = typer.Argument(..., help="Preparation YAML (see examples/prep-example.yaml)."),
    json: bool = JSON_OPTION,
) -> None:
    """MISEV2018/2023 requirements, particle:protein purity, transparency, naming and storage advice."""
    from exosci.qc import check_prep

    report = check_prep(prep)
    if json:
        emit_json(report.model_dump())
        return
    table = Table(title=f"MISEV check: {report.prep}")
    for col in ("requirement", "guidelines", "status", "detail"):
        table.add_column(col)
    for r in report.requirements:
        table.add_row(
            r.text,
            " ".join(g.removeprefix("MISEV") for g in r.guidelines),
            _STATUS[r.status],
            r.detail,
        )
    console.print(table)
    for g, s in report.guidelines.items():
        console.print(
            f"[bold]{g}[/]: {len(s.met)} met, {len(s.missed)} missed"
            + (f" ({', '.join(s.missed)})" if s.missed else "")
        )
    if report.purity:
        p = report.purity
        console.print(
            f"[bold]purity[/]: {p.particles_per_ug:.3g} particles/µg protein -> {p.label} "
            f"[dim](thresholds: {p.provenance})[/]"
        )
        for c in p.caveats:
            console.print(f"  caveat: {c}")
    else:
        console.print(f"[bold]purity[/]: not computable ({report.purity_note})")
    t = report.transparency
    score = "-" if t.score is None else f"{t.score:.0%}"
    console.print(f"[bold]transparency[/] ({t.label}): {score} = {t.reported}/{t.applicable} items")
    for item in t.items:
        if item.applicable and not item.reported:
            console.print(f"  not reported: {item.text}")
    console.print(f"[bold]nomenclature[/]: {report.nomenclature.text}")
    for a in report.storage:
        console.print(f"[bold]storage[/] ({a.topic}): {a.text} [dim][{'; '.join(a.sources)}][/]")
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {w}")
