from __future__ import annotations

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


def test_version_flag_prints_the_installed_distribution_version() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"exosci {version('exosci')}"


def test_suite_does_not_touch_the_users_cache() -> None:
    import os
    from pathlib import Path

    cache = Path(os.environ["EXOSCI_CACHE_DIR"]).resolve()
    assert Path.home().resolve() / ".cache" not in cache.parents
