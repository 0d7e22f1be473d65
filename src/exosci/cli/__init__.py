"""The `exosci` command line: a thin layer that parses, calls the library and renders."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperOption

from exosci.cli import cargo, data, design, kb, kb_import, qc, reason, release, web  # noqa: F401  (kb_import adds `kb import`)
from exosci.cli import evaluate as evaluate_cli
from exosci.cli import formats as formats_cli
from exosci.cli import meta as meta_cli
from exosci.cli import model as model_cli
from exosci.cli import validate as validate_cli

_display_type_rich = TyperOption.display_type_rich


def _flag_without_type(self: TyperOption, ctx: Any) -> str | None:
    """A flag (``--json``, ``--force``) takes no value: show no ``<bool>`` type in --help."""
    if self.is_flag:
        return None
    return _display_type_rich(self, ctx)


# typer >= 0.2x prints a ``<bool>`` type beside every flag in --help; a flag has no value to
# type, so exosci's help leaves the type column empty for flags (other options keep theirs).
TyperOption.display_type_rich = _flag_without_type  # type: ignore[method-assign]

app = typer.Typer(
    name="exosci",
    help="Design and judge exosome therapies for spinal cord injury.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        from exosci import __version__

        typer.echo(f"exosci {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Design and judge exosome therapies for spinal cord injury."""


app.add_typer(kb.app, name="kb")
app.add_typer(cargo.app, name="cargo")
app.add_typer(data.app, name="data")
app.add_typer(qc.app, name="qc")
app.add_typer(release.app, name="release")
app.add_typer(design.app, name="design")
app.command("evaluate")(evaluate_cli.evaluate)
app.command("compare")(evaluate_cli.compare)
app.command("serve")(web.serve)
app.command("explain")(reason.explain)
app.command("simulate")(model_cli.simulate)
app.command("calibrate")(model_cli.calibrate)
app.command("validate")(validate_cli.validate)
app.command("formats")(formats_cli.formats)
app.command("meta")(meta_cli.meta)

__all__ = ["app", "main"]


def main() -> None:
    """Run the ``exosci`` command line (the console-script entry point)."""
    app()
