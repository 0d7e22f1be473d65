"""`exosci meta TABLE`: pool study effects (random effects), heterogeneity, subgroups,
meta-regression, small-study checks, forest and funnel plots."""

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
from exosci.errors import UserInputError


@cli_errors
def meta(
    table: Path | None = typer.Argument(
        None,
        help="CSV/TSV with `study, yi, vi` (or sei), two-arm summaries `n1, mean1, sd1, n2, mean2, "
        "sd2` (sem1/sem2 or --sem for SEMs), or 2×2 counts `ai, bi, ci, di`; with --outcomes a "
        "numeric outcome table (the shipped one when omitted), with --syrf a SyRF-style export.",
    ),
    outcomes: bool = typer.Option(
        False,
        "--outcomes",
        help="TABLE is a numeric outcome table (template CSV): pool its treated-vs-control mean "
        "differences and pooled rows (validation-only rows left out).",
    ),
    syrf: bool = typer.Option(
        False, "--syrf", help="TABLE is a SyRF-style annotation export (implies --outcomes)."
    ),
    include_validation: bool = typer.Option(
        False,
        "--include-validation",
        help="With --outcomes: also pool rows flagged validation_only (never do this to fit).",
    ),
    scale: str = typer.Option("BBB", "--scale", help="With --outcomes: BBB (rat) or BMS (mouse)."),
    measure: str | None = typer.Option(
        None,
        "--measure",
        help="MD, SMD (Hedges' g; default for arms), NMD (CAMARADES), ROM (log ratio of means), "
        "RR or OR (log; default RR for counts).",
    ),
    method: str = typer.Option("REML", "--method", help="τ² estimator: REML, DL, PM or EE."),
    knha: bool = typer.Option(
        False, "--knha", help="Hartung–Knapp–Sidik–Jonkman CIs (t with k − p df)."
    ),
    by: str | None = typer.Option(None, "--by", help="Subgroup analysis by this column."),
    mods: list[str] | None = typer.Option(
        None, "--mods", help="Meta-regression moderator column (repeatable)."
    ),
    sem: bool = typer.Option(False, "--sem", help="sd1/sd2 hold SEMs: convert with SD = SEM·√n."),
    level: float = typer.Option(0.95, "--level", min=0.5, max=0.999, help="Confidence level."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the forest plot (PNG)."),
    funnel: Path | None = typer.Option(None, "--funnel", help="Write the funnel plot (PNG)."),
    force: bool = FORCE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Meta-analyse a table of studies: pooled effect with CI and prediction interval, τ², I², Q,
    optional subgroups (--by) and meta-regression (--mods), Egger's test and trim and fill."""
    from exosci.meta import analyze

    check_outputs(
        {"--plot": plot, "--funnel": funnel}, inputs=[table] if table else [], force=force
    )
    if method.upper() not in ("REML", "DL", "PM", "EE"):
        raise UserInputError(f"--method {method!r} is not known; accepted: REML, DL, PM, EE.")
    source: Any = table
    if outcomes or syrf:
        source = _outcome_effects(table, syrf=syrf, scale=scale, include=include_validation)
    elif table is None:
        raise UserInputError("exosci meta needs a TABLE (or --outcomes for the shipped table).")
    result = analyze(
        source,
        measure=measure.upper() if measure else None,
        method=method.upper(),
        knha=knha,
        by=by,
        mods=mods or (),
        sem=sem,
        level=level,
    )
    doc = result.to_dict()
    if plot is not None:
        result.forest(plot)
        doc["plot"] = str(plot)
    if funnel is not None:
        result.funnel(funnel)
        doc["funnel"] = str(funnel)
    if json:
        emit_json(doc)
        return
    _render(doc)


def _outcome_effects(table: Path | None, *, syrf: bool, scale: str, include: bool) -> Any:
    from exosci.meta import comparisons, read_outcomes, read_syrf, shipped_outcomes

    if syrf and table is None:
        raise UserInputError("--syrf needs the export file as TABLE.")
    rows = read_syrf(table) if syrf and table else read_outcomes(table) if table else None
    if rows is None:
        rows = shipped_outcomes()
    if scale.upper() not in ("BBB", "BMS"):
        raise UserInputError(f"--scale {scale!r}: accepted: BBB, BMS.")
    eff = comparisons(rows, include_validation=include)
    eff = eff[eff["scale"] == scale.upper()] if len(eff) else eff
    if len(eff) == 0:
        raise UserInputError(
            f"No {scale.upper()} treated-vs-control effects in the table (arm pairs need n on both "
            "arms and SD or SEM; pooled rows need measure MD or WMD)."
        )
    eff = eff.reset_index(drop=True)
    eff.attrs["measure"] = "MD"
    eff.attrs["source"] = str(table) if table else "shipped outcome table"
    return eff


def _render(doc: dict[str, Any]) -> None:
    console.print(
        f"[bold]{doc['measure']}[/] ({doc['measure_meaning']}), {doc['method']} τ², "
        f"{'HKSJ t' if doc['test'] == 'knha' else 'z'} intervals, k = {doc['k']}"
    )
    console.print(
        f"pooled {doc['estimate']:.4g} (SE {doc['se']:.3g}), {doc['level']:.0%} CI "
        f"{doc['ci_low']:.4g} to {doc['ci_high']:.4g}, p = {doc['pval']:.3g}; prediction interval "
        f"{doc['pi_low']:.4g} to {doc['pi_high']:.4g}"
    )
    console.print(
        f"heterogeneity: τ² = {doc['tau2']:.4g}, I² = {doc['i2']:.1f} %, "
        f"Q = {doc['q']:.4g} (df {doc['q_df']}, p = {doc['q_pval']:.3g})"
    )
    studies = Table(
        title=f"studies ({doc['measure']}, {doc['level']:.0%} CI from each study's variance)"
    )
    for col in ("study", "effect", "SE", "weight %"):
        studies.add_column(col, justify="left" if col == "study" else "right")
    for st in doc["studies"]:
        studies.add_row(
            st["study"], f"{st['yi']:.4g}", f"{st['vi'] ** 0.5:.3g}", f"{st['weight_pct']:.1f}"
        )
    console.print(studies)
    if "subgroups" in doc:
        t = Table(title=f"subgroups by {doc['by']}")
        for col in ("subgroup", "k", "estimate", "CI", "τ²", "I² %"):
            t.add_column(col)
        for name, g in doc["subgroups"].items():
            t.add_row(
                name,
                str(g["k"]),
                f"{g['estimate']:.4g}",
                f"{g['ci_low']:.4g} to {g['ci_high']:.4g}",
                f"{g['tau2']:.3g}",
                f"{g['i2']:.0f}",
            )
        console.print(t)
        d = doc["test_for_subgroup_differences"]
        console.print(f"subgroup difference: Q = {d['q']:.4g}, df {d['df']}, p = {d['pval']:.3g}")
    if "meta_regression" in doc:
        reg = doc["meta_regression"]
        t = Table(title=f"meta-regression ({reg['method']}), R² = {reg['r2']}")
        for col in ("term", "estimate", "SE", "p", "CI"):
            t.add_column(col)
        for c in reg["coefficients"]:
            t.add_row(
                c["term"],
                f"{c['estimate']:.4g}",
                f"{c['se']:.3g}",
                f"{c['pval']:.3g}",
                f"{c['ci_low']:.4g} to {c['ci_high']:.4g}",
            )
        console.print(t)
        console.print(f"residual τ² = {reg['tau2']:.4g}; moderators p = {reg['qm_pval']:.3g}")
    eg = doc["small_study"]["egger"]
    if eg:
        console.print(
            f"Egger's test ({eg['model']}): slope {eg['slope']:.3g}, p = {eg['pval']:.3g}; "
            f"limit estimate {eg['limit_estimate']:.4g}"
        )
    tf = doc["small_study"]["trimfill"]
    if tf:
        console.print(
            f"trim and fill: {tf['k0']} missing on the {tf['side']}; adjusted "
            f"{tf['adjusted']['estimate']:.4g} ({tf['note']})"
        )
    for note in doc["notes"]:
        console.print(f"[dim]note: {note}[/]")
    for key in ("plot", "funnel"):
        if key in doc:
            console.print(f"wrote {doc[key]}")


def loso_report(*, as_json: bool) -> None:
    """`exosci validate --loso`: leave-one-study-out on the shipped numeric outcome table."""
    from exosci.meta import loso

    doc = loso()
    if as_json:
        emit_json(doc)
        return
    console.print(
        f"leave-one-study-out on the numeric outcome table: {doc['studies']} studies, "
        f"{doc['rows']} rows"
    )
    if doc["coverage"] is not None:
        console.print(
            f"coverage of the {doc['level']:.0%} interval: {doc['coverage']:.0%}; "
            f"Spearman rho {doc['spearman']}"
        )
    console.print(f"[dim]{doc['note']}[/]")
