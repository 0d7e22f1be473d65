from __future__ import annotations

import typer
from typer.main import get_command
from typer.testing import CliRunner

from exosci.cli import app


def _walk(cmd, path=()):
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _walk(sub, (*path, name))


def test_every_command_has_help_text() -> None:
    root = get_command(app)
    runner = CliRunner()
    for path, cmd in _walk(root):
        assert (cmd.help or "").strip(), f"command {' '.join(path)!r} has no help text"
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)


def test_typer_app_is_a_typer() -> None:
    assert isinstance(app, typer.Typer)
