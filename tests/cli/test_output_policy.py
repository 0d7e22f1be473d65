"""Issue 26, item 4: one output policy for every command (``check_outputs``), checked first.

Never an input, never two outputs on one path, an existing file only with ``--force``; each
refusal is exit 2 before any work and leaves every file as it was.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from exosci.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n old figure"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(args: list[str], *keep: Path, says: str) -> None:
    before = {p: _digest(p) for p in keep}
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert says in " ".join(result.output.split()), result.output
    assert {p: _digest(p) for p in keep} == before  # nothing written


def test_cargo_enrich_never_plots_over_its_input_list(tmp_path: Path) -> None:
    listing = tmp_path / "list.png"
    shutil.copyfile(EXAMPLES / "cargo-bmsc-mirnas.txt", listing)
    args = ["cargo", "enrich", str(listing), "--plot", str(listing)]
    _refused(args, listing, says="is an input of this command")
    _refused([*args, "--force"], listing, says="is an input of this command")


def test_release_fit_does_not_replace_an_existing_spec_without_force(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copyfile(EXAMPLES / "iv-bmsc-exos-rat.yaml", spec)
    data = EXAMPLES / "release-chitosan-fast.csv"
    _refused(
        ["release", "fit", str(data), "--spec-block", str(spec)],
        spec,
        says="exists; pass --force to overwrite it",
    )
    forced = runner.invoke(app, ["release", "fit", str(data), "--spec-block", str(spec), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "carrier:" in spec.read_text()


def test_simulate_does_not_overwrite_an_existing_plot_without_force(tmp_path: Path) -> None:
    plot = tmp_path / "existing.png"
    plot.write_bytes(PNG)
    spec = EXAMPLES / "iv-bmsc-exos-rat.yaml"
    _refused(
        ["simulate", str(spec), "-n", "10", "--plot", str(plot)],
        plot,
        says="exists; pass --force to overwrite it",
    )


def test_evaluate_never_writes_the_html_and_its_json_to_one_path(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copyfile(EXAMPLES / "iv-bmsc-exos-rat.yaml", spec)
    out = tmp_path / "spec.json"
    args = ["evaluate", str(spec), "-o", str(out), "--force"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "the same file as -o" in " ".join(result.output.split())
    assert not out.exists()


def test_evaluate_json_sidecar_never_lands_on_the_spec(tmp_path: Path) -> None:
    spec = tmp_path / "design.json"
    spec.write_text((EXAMPLES / "iv-bmsc-exos-rat.yaml").read_text())  # content unused
    args = ["evaluate", str(spec), "-o", str(tmp_path / "design.html"), "--force"]
    _refused(args, spec, says="is an input of this command")


def test_an_output_reached_through_a_symlink_to_the_input_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "curve.csv"
    shutil.copyfile(EXAMPLES / "release-chitosan-fast.csv", data)
    link = tmp_path / "figure.png"
    link.symlink_to(data)
    _refused(
        ["release", "fit", str(data), "--plot", str(link), "--force"],
        data,
        says="is an input of this command",
    )


def test_two_options_naming_one_file_are_refused(tmp_path: Path) -> None:
    same = tmp_path / "out.png"
    spec = EXAMPLES / "iv-bmsc-exos-rat.yaml"
    result = runner.invoke(
        app, ["simulate", str(spec), "-n", "10", "--plot", str(same), "--sbml", str(same)]
    )
    assert result.exit_code == 2, result.output
    assert "the same file as --plot" in " ".join(result.output.split())


_OUTPUT_OPTIONS = {
    "--plot",
    "--spec-block",
    "--sbml",
    "--out",
    "--report",
    "--dossier",
    "-o",
    "--funnel",
}


def test_every_command_writing_a_file_offers_force() -> None:
    def walk(cmd, path=()):  # type: ignore[no-untyped-def]
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, (*path, name))

    writers = []
    for path, cmd in walk(get_command(app)):
        opts = {o for p in getattr(cmd, "params", []) for o in getattr(p, "opts", [])}
        if opts & _OUTPUT_OPTIONS:
            writers.append(" ".join(path))
            assert "--force" in opts, f"`exosci {' '.join(path)}` writes files but has no --force"
    assert {"evaluate", "simulate", "cargo enrich", "release fit", "qc nta"} <= set(writers)


@pytest.mark.parametrize("name", ["", ".", ".."])
def test_check_outputs_refuses_names_that_are_folders(name: str, tmp_path: Path) -> None:
    from exosci.cli._common import check_outputs
    from exosci.errors import UserInputError

    with pytest.raises(UserInputError, match="is a folder"):
        check_outputs({"-o": Path(name)}, force=True)


def test_kb_build_does_not_replace_an_existing_file_without_force(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copyfile(EXAMPLES / "iv-bmsc-exos-rat.yaml", spec)
    _refused(["kb", "build", str(spec)], spec, says="exists; pass --force to overwrite it")


def test_kb_import_never_uses_its_input_as_the_store(tmp_path: Path) -> None:
    listing = tmp_path / "mti.csv"
    listing.write_text("miRTarBase ID,miRNA\n")
    args = ["kb", "import", str(listing), "--kind", "mirtarbase", "--store", str(listing)]
    _refused(args, listing, says="is an input of this command")
