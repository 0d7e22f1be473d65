"""`exosci data ...`: fetch, verify and locate the public resources cargo analysis uses."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from exosci.cli._common import JSON_OPTION, cli_errors, console, emit_json, err_console

app = typer.Typer(
    help="Public resources (miRTarBase, TargetScan, Reactome, MSigDB, miRBase): fetch once, "
    "verify, reuse offline.",
    no_args_is_help=True,
)


@app.command("list")
@cli_errors
def list_cmd(json: bool = JSON_OPTION) -> None:
    """Every known resource: release, source, licence, checksum, and what is cached here."""
    from exosci.datasets import data_dir, status

    rows = [s.to_dict() for s in status()]
    if json:
        emit_json({"data_dir": str(data_dir()), "resources": rows})
        return
    table = Table(title=f"data resources (cache: {data_dir()})")
    for col in ("name", "kind", "release", "here", "source / how", "licence"):
        table.add_column(col, overflow="fold")
    for r in rows:
        here = "prepared" if r["prepared"] else ("fetched" if r["fetched"] else "-")
        how = r["url"] or f"manual: {r['manual']}"
        table.add_row(r["name"], r["kind"], r["release"], here, how, r["licence"])
    console.print(table)
    console.print(
        "[dim]checksums: none pinned in advance (these files could not be downloaded when the "
        "registry was written); the first fetch records the SHA-256 it saw and `exosci data "
        "verify` checks against it from then on[/]"
    )


@app.command("fetch")
@cli_errors
def fetch_cmd(
    names: list[str] = typer.Argument(..., help="Resource name(s); see `exosci data list`."),
    force: bool = typer.Option(False, "--force", help="Download again even if cached."),
    json: bool = JSON_OPTION,
) -> None:
    """Download (resuming an unfinished transfer), verify, cache and prepare resources."""
    from exosci.datasets import fetch

    done = []
    for name in names:
        info = fetch(name, force=force, progress=None if json else err_console.print)
        done.append(info)
        if not json:
            console.print(
                f"[green]{name}[/]: {info['action']}; release {info['release']}; "
                f"{info['size']:,} bytes; sha256 {info['sha256']} ({info['checksum_source']}); "
                f"{info.get('prepared_rows', 0):,} rows prepared",
                highlight=False,
            )
    if json:
        emit_json({"fetched": done})


@app.command("add")
@cli_errors
def add_cmd(
    name: str = typer.Argument(..., help="Resource name (e.g. exocarta, targetscan-mouse)."),
    file: Path = typer.Argument(..., help="The file you downloaded."),
    release: str | None = typer.Option(
        None,
        "--release",
        help="The file's release, when neither its name nor its header states it "
        "(else recorded as 'unknown (user file)').",
    ),
    json: bool = JSON_OPTION,
) -> None:
    """Register a file downloaded by hand (for resources that cannot be fetched)."""
    from exosci.datasets import add

    info = add(name, file, release=release)
    if json:
        emit_json(info)
        return
    console.print(
        f"[green]{name}[/]: added; release {info['release']} (from the {info['release_basis']}); "
        f"sha256 {info['sha256']}",
        highlight=False,
    )


@app.command("path")
@cli_errors
def path_cmd(name: str = typer.Argument(..., help="Resource name.")) -> None:
    """Print the cached file of a resource (error with the fetch command when absent)."""
    from exosci.datasets import path

    typer.echo(str(path(name)))


@app.command("verify")
@cli_errors
def verify_cmd(
    name: str | None = typer.Argument(None, help="One resource (default: every fetched one)."),
    json: bool = JSON_OPTION,
) -> None:
    """Re-hash cached files against their pinned or first-fetch SHA-256 (exit 1 on mismatch)."""
    from exosci.datasets import verify

    report = verify(name)
    if json:
        emit_json(report)
    else:
        if not report["resources"]:
            console.print("nothing fetched yet: see `exosci data list`")
        for r in report["resources"]:
            if r["ok"]:
                console.print(f"[green]ok[/] {r['name']} sha256 {r['sha256']}", highlight=False)
            else:
                console.print(f"[red]FAILED[/] {r['name']}: {r['problem']}", highlight=False)
    if not report["ok"]:
        raise typer.Exit(1)
