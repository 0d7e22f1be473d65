"""`exosci formats`: every pluggable kind (NTA formats, loaders, release models, ...) and its entries."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from exosci.cli._common import JSON_OPTION, cli_errors, console, emit_json


@cli_errors
def formats(json: bool = JSON_OPTION) -> None:
    """List the file formats, loaders, release models, exporters and enrichment methods."""
    from exosci.registry import all_registries

    registries = all_registries()
    if json:
        emit_json(
            {
                kind: {
                    "description": reg.description,
                    "entries": [e.to_dict() for e in reg.entries()],
                }
                for kind, reg in registries.items()
            }
        )
        return
    for kind, reg in registries.items():
        table = Table(title=f"{kind}s — {escape(reg.description)}", title_justify="left")
        table.add_column("name", no_wrap=True)
        table.add_column("description")
        for entry in reg.entries():
            table.add_row(escape(entry.name), escape(entry.description))
        console.print(table)
