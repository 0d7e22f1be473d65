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
