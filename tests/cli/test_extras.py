"""Optional features name the extra to install instead of failing with an ImportError."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.errors import MissingExtraError, require


def test_require_names_the_extra_for_a_missing_module() -> None:
    with pytest.raises(MissingExtraError, match=r"pip install 'exosci\[web\]'"):
        require("surely_not_an_installed_module_xyz", extra="web", feature="exosci serve")


def test_serve_without_the_web_extra_exits_2_with_the_install_command(monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "exosci[web]" in result.output


def _without(monkeypatch, module: str) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == module else real(name, *a)
    )


@pytest.mark.parametrize("command", ["simulate", "evaluate"])
def test_scheduler_without_the_dask_extra_names_the_extra_before_connecting(
    monkeypatch, command: str
) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    _without(monkeypatch, "distributed")
    spec = Path(__file__).resolve().parents[2] / "examples" / "iv-bmsc-exos-rat.yaml"
    # nothing listens on port 9: with dask installed this would be 'cannot connect'
    result = CliRunner().invoke(app, [command, str(spec), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "exosci[dask]" in result.output


def test_sbml_export_without_the_extra_fails_before_simulating(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    _without(monkeypatch, "libsbml")

    def no_simulation(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the ensemble ran before the missing extra was reported")

    monkeypatch.setattr("exosci.therapy.simulate.simulate_run", no_simulation)
    spec = Path(__file__).resolve().parents[2] / "examples" / "iv-bmsc-exos-rat.yaml"
    out = tmp_path / "m.xml"
    result = CliRunner().invoke(app, ["simulate", str(spec), "-n", "10", "--sbml", str(out)])
    assert result.exit_code == 2
    assert "exosci[sbml]" in result.output
    assert not out.exists()
