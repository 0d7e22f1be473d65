"""`exosci kb import FILE --kind ...`: add a public database file to a store, atomically."""

from __future__ import annotations

from pathlib import Path

import typer

from exosci.cli._common import JSON_OPTION, check_outputs, cli_errors, console, emit_json
from exosci.cli.kb import app


@app.command("import")
@cli_errors
def import_cmd(
    file: Path = typer.Argument(..., help="The downloaded file."),
    kind: str | None = typer.Option(
        None,
        "--kind",
        help="mirtarbase | targetscan | gmt | mirbase | exocarta | indra-json | pairs (a "
        "mirna,gene table, as `cargo enrich --targets` takes) (default: by name).",
    ),
    store: Path = typer.Option(..., "--store", help="Store file to add to (built if missing)."),
    json: bool = JSON_OPTION,
) -> None:
    """Import a miRTarBase, TargetScan, GMT, miRBase, ExoCarta or INDRA file into a store."""
    from exosci.errors import UserInputError
    from exosci.kb.loaders import LOADERS, detect_kind, import_file

    check_outputs({"--store": store}, inputs=[file], force=True)  # updated in place by design
    chosen = kind or detect_kind(file)
    if chosen is None:
        raise UserInputError(
            f"{file}: cannot tell the kind from the name; give --kind "
            f"({', '.join(k for k in LOADERS if k != 'kb-curated')})"
        )
    doc = import_file(file, kind=chosen, store=store)
    if json:
        emit_json(doc)
        return
    rows = ", ".join(f"{n} {t}" for t, n in doc["rows"].items())
    console.print(f"imported {file} as {chosen} into {store}: {rows}")
    for note in doc["notes"]:
        console.print(f"[dim]note: {note}[/]")
