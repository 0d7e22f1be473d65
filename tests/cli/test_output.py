"""CLI output when it is not a terminal: whole table cells, no ``<bool>`` in help, quiet --json.

``CliRunner`` captures output in memory, so stdout is not a TTY here, as in a pipe.
"""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from exosci.cli import app


def _walk(cmd, path=()):  # type: ignore[no-untyped-def]
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _walk(sub, (*path, name))


def test_piped_tables_keep_every_cell_whole() -> None:
    # the id 'mech:inflammation-suppression' was cut to 'mech:inflammation-suppr…' at 80 columns
    result = CliRunner().invoke(app, ["kb", "search", "inflammation"], env={"COLUMNS": None})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert "mech:inflammation-suppression" in result.stdout


def test_a_too_long_cell_folds_instead_of_being_cut() -> None:
    from rich.table import Table

    from exosci.cli._common import PIPE_WIDTH, console

    table = Table()
    table.add_column("id", no_wrap=True)
    long_id = "x" * (PIPE_WIDTH + 40)
    table.add_row(long_id)
    with console.capture() as cap:
        console.print(table)
    text = cap.get()
    assert "…" not in text
    assert sum(line.count("x") for line in text.splitlines()) == len(long_id)


def test_no_command_help_shows_a_bool_type_for_flags() -> None:
    runner = CliRunner()
    for path, _cmd in _walk(get_command(app)):
        out = runner.invoke(app, [*path, "--help"]).output
        assert "<bool>" not in out, f"exosci {' '.join(path)} --help shows <bool>"
    # other option types are still shown
    assert re.search(r"<int", runner.invoke(app, ["evaluate", "--help"]).output)


@pytest.mark.slow  # one small evaluation
def test_evaluate_reports_its_stages_and_json_mode_keeps_stderr_empty(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from exosci.evaluate import evaluate_design

    spec = Path(__file__).resolve().parents[2] / "examples" / "iv-bmsc-exos-rat.yaml"
    stages: list[str] = []
    evaluate_design(
        spec,
        samples=10,
        alternative_samples=10,
        sensitivity_trajectories=2,
        progress=lambda stage, done, total: stages.append(stage),
    )
    assert list(dict.fromkeys(stages)) == ["ensemble", "alternatives", "sensitivity"]
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        app, ["evaluate", str(spec), "-o", str(out), "--samples", "10", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no progress display with --json
    assert result.stdout.lstrip().startswith("{")
