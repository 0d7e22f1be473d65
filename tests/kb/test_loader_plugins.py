"""Loaders are plugins: outside code adds one through the ``exosci.loaders`` entry-point group."""

from __future__ import annotations

import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from exosci.errors import ExosciWarning
from exosci.kb.loaders import registry

PLUGIN = """
from pathlib import Path
from exosci.kb.loaders.base import Loader

def read(path: Path):
    raise NotImplementedError

LOADER = Loader(kind="toydb", description="A toy database (test plugin).",
                patterns=("*.toydb",), function=read, writes="targets")
NOT_A_LOADER = 42
"""


@pytest.fixture
def plugin_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "toy_exosci_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "toy_exosci_plugin"
    sys.modules.pop("toy_exosci_plugin", None)


def _ep(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=registry.GROUP)


def test_an_entry_point_adds_a_loader_beside_the_built_ins(plugin_module: str) -> None:
    loaders = registry._collect(listed=False, plugins=[_ep("toydb", f"{plugin_module}:LOADER")])
    assert loaders.get("toydb").writes == "targets"
    assert {"mirtarbase", "gmt", "targetscan"} <= set(loaders)  # built-ins kept
    assert [lo.kind for lo in loaders.values()][-1] == "toydb"


def test_a_module_entry_point_defining_loader_is_accepted(plugin_module: str) -> None:
    loaders = registry._collect(listed=False, plugins=[_ep("toydb", plugin_module)])
    assert "toydb" in loaders


def test_a_broken_or_clashing_plugin_is_skipped_with_a_warning(plugin_module: str) -> None:
    eps = [
        _ep("bad", f"{plugin_module}:NOT_A_LOADER"),
        _ep("missing", "no_such_module_for_exosci:LOADER"),
    ]
    with pytest.warns(ExosciWarning) as caught:
        loaders = registry._collect(eps, listed=False)
    text = " ".join(str(w.message) for w in caught)
    assert "'bad'" in text and "not an exosci Loader" in text and "'missing'" in text
    assert "bad" not in loaders and "toydb" not in loaders


def test_a_plugin_cannot_replace_a_built_in_kind(tmp_path: Path, plugin_module: str) -> None:
    clash = tmp_path / "clash_exosci_plugin.py"
    clash.write_text(PLUGIN.replace('kind="toydb"', 'kind="gmt"'))
    with pytest.warns(ExosciWarning, match="registered twice"):
        loaders = registry._collect(
            listed=False, plugins=[_ep("gmt", "clash_exosci_plugin:LOADER")]
        )
    assert loaders["gmt"].description != "A toy database (test plugin)."
    sys.modules.pop("clash_exosci_plugin", None)


def test_the_installed_registry_reads_the_entry_point_group() -> None:
    # the package itself declares no plugin; the group is read (an empty list here)
    assert isinstance(registry.plugin_entry_points(), list)
    assert "mirtarbase" in registry.LOADERS
