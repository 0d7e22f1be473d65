"""`exosci validate`: the model against published comparisons it was never fitted to."""

from __future__ import annotations

import html
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
def validate(
    draws: int = typer.Option(200, "--draws", "-n", help="Posterior draws per experiment."),
    seed: int = typer.Option(0, "--seed", help="Seed of the parameter draws."),
    variant: str = typer.Option(
        "shipped",
        "--variant",
        help="Judge a deliberately wrong model instead (power check): no-design-differences, "
        "effect-x3 or effect-x1/3.",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the validation table as HTML (or .md / .json)."
    ),
    dossier: Path | None = typer.Option(
        None, "--dossier", help="Regenerate the credibility dossier (Markdown) at this path."
    ),
    power: bool = typer.Option(
        False,
        "--power",
        help="Also judge the deliberately wrong models (no design differences, effect x3 and "
        "x1/3): how many targets each fails.",
    ),
    force: bool = FORCE_OPTION,
    loso: bool = typer.Option(
        False,
        "--loso",
        help="Instead: leave-one-study-out prediction on the numeric outcome table (exosci meta).",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Run the published validation comparisons as model experiments: model vs published."""
    if loso:
        from exosci.cli.meta import loso_report

        return loso_report(as_json=as_json)
    from exosci.evaluate.validation import SHIPPED, VARIANTS, table_markdown
    from exosci.evaluate.validation import validate as run_validation

    if draws < 20:
        raise UserInputError(f"--draws {draws}: accepted: an integer >= 20.")
    known = {"shipped": SHIPPED, **VARIANTS}
    if variant not in known:
        raise UserInputError(f"--variant {variant!r}: accepted: {', '.join(known)}.")
    if dossier and variant != "shipped":
        raise UserInputError("--dossier: the dossier is of the shipped model; drop --variant.")
    check_outputs({"-o": output, "--dossier": dossier}, force=force)
    from exosci.cli.model import _progress
    from exosci.evaluate.validation import targets_doc

    total = len(targets_doc()["targets"])
    with _progress(total, "validate", not as_json) as bar:
        task = bar.add_task(f"{total} validation experiments", total=total)
        doc = run_validation(
            n=draws, seed=seed, variant=known[variant], progress=lambda k: bar.advance(task, k)
        )
    if power:
        from exosci.evaluate.validation import power as run_power

        doc["power"] = run_power(n=draws, seed=seed, shipped=doc if variant == "shipped" else None)
    written = []
    if output:
        suffix = output.suffix.lower()
        if suffix == ".json":
            import json

            output.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        elif suffix == ".md":
            output.write_text(table_markdown(doc) + "\n", encoding="utf-8")
        else:
            output.write_text(render_html(doc), encoding="utf-8")
        written.append(str(output))
    if dossier:
        from exosci.evaluate.dossier import write_dossier

        written.append(str(write_dossier(dossier, validation=doc)))
    doc["written"] = written
    if as_json:
        emit_json(doc)
        return
    console.print(f"[yellow]{doc['label']}[/]")
    if variant != "shipped":
        console.print(
            f"[red]WRONG MODEL on purpose ({variant}): {doc['variant']['description']}[/]"
        )
    t = Table(title="model vs published (validation targets, never fitted)")
    for col in ("target", "published", "model median [5-95 %]", "verdict", "why"):
        t.add_column(col)
    for r in doc["targets"]:
        m = r["model"]
        colour = {"pass": "green", "MISS": "red"}.get(r["verdict"], "yellow")
        t.add_row(
            f"{r['id']} ({r['source_key']})",
            r["published"],
            f"{m['median']:.2f} [{m['p05']:.2f}, {m['p95']:.2f}] {m['unit']}",
            f"[{colour}]{r['verdict']}[/]",
            r["why"] + (f"; likely reason: {r['if_missed']}" if r["if_missed"] else ""),
        )
    console.print(t)
    console.print(f"{doc['passed']} of {doc['judged']} targets pass under the strict rules.")
    for rule, text in doc["rules"].items():
        console.print(f"  {rule}: {text}")
    for lk in doc["leaks"]:
        console.print(
            f"[red]LEAK: {lk['target']} shares its paper with the model ({lk['shared']} in "
            f"{lk['where']})[/]"
        )
    for m in doc["moved"]:
        console.print(f"moved out of validation: {m['id']} ({m['source']}): {m['reason']}")
    for name, p in doc.get("power", {}).items():
        console.print(
            f"power: wrong model {name} fails {len(p['failed'])} of {p['judged']}: "
            f"{', '.join(p['failed']) or 'none'}"
        )
    for w in written:
        console.print(f"wrote {w}")


def render_html(doc: dict[str, Any]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr class={e(r['verdict'])}><td>{e(r['claim'])}</td><td>{e(r['published'])}<br>"
        f"<span class=s>{e(r['source'])}</span></td>"
        f"<td>{r['model']['median']:.2f} [{r['model']['p05']:.2f}, {r['model']['p95']:.2f}] "
        f"{e(r['model']['unit'])}<br><span class=s>{e(r['model']['band'])}</span></td>"
        f"<td>{e(r['rule'])}</td><td><b>{e(r['verdict'])}</b><br>{e(r['why'])}"
        f"<br><span class=s>{e(r['if_missed'])}</span></td></tr>"
        for r in doc["targets"]
    )
    rules = "".join(f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in doc["rules"].items())
    notes = (
        "".join(
            f"<li class=MISS>LEAK: {e(lk['target'])} shares {e(lk['shared'])} with "
            f"{e(lk['where'])}</li>"
            for lk in doc.get("leaks", [])
        )
        + "".join(
            f"<li>moved out of validation: {e(m['id'])} ({e(m['source'])}): {e(m['reason'])}</li>"
            for m in doc.get("moved", [])
        )
        + "".join(
            f"<li>power: wrong model {e(name)} fails {len(p['failed'])} of {p['judged']}: "
            f"{e(', '.join(p['failed']) or 'none')}</li>"
            for name, p in doc.get("power", {}).items()
        )
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>exosci validation</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto}}td,th{{padding:3px 8px;
border-bottom:1px solid #ddd;text-align:left;vertical-align:top}}.s{{font-size:80%;color:#555}}
tr.MISS{{background:#fde2e2}}tr.pass{{background:#e6f4ea}}.warn{{background:#fff3cd;padding:6px}}
</style></head><body><h1>exosci validation</h1><p class=warn>{e(doc["label"])}</p>
<p>Model: {e(doc["variant"]["name"])} ({e(doc["variant"]["description"])}).
{doc["passed"]} of {doc["judged"]} targets pass under the strict rules ({doc["draws"]} draws,
seed {doc["seed"]}).</p><ul>{rules}</ul>
<ul>{notes}</ul>
<table><tr><th>claim</th><th>published</th><th>model</th><th>rule</th><th>verdict</th></tr>
{rows}</table></body></html>"""
