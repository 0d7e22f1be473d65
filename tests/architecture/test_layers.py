"""The layer contract, checked over every import statement of the package.

import-linter (``.ci/run``) checks the ``[tool.importlinter]`` table of pyproject.toml on
grimp's graph. This test reads the same table and checks it again on a graph of its own, built
from an AST walk that records every ``import`` -- at module level and inside functions, where
lazy imports hide run-time cycles -- so that the rule holds whatever grimp decides to count.
Imports under ``if TYPE_CHECKING:`` are type hints, not run-time dependencies, and are skipped
by both.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "exosci"

# Strongly connected sets of modules (import cycles) through lazy (function-level) imports that live in files another engineer was
# editing when the contract landed (issue 25). Each is broken by moving what the two share
# down; remove it then. The test fails on an entry that is no longer a cycle.
KNOWN_CYCLES: set[frozenset[str]] = set()  # none left: every cycle was broken (issue 25)


@dataclass(frozen=True)
class Import:
    """One import statement: the importing module, the imported module, the line."""

    source: str
    target: str
    line: int


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below ``node`` except the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for sub in child.orelse:
                yield sub
                yield from _walk(sub)
            continue
        yield child
        yield from _walk(child)


def modules(package: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``) for every module under ``package``."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_pkg)
    return out


def imports(package: Path) -> list[Import]:
    """Every run-time import of one package by one of its modules, function-level included."""
    mods = modules(package)
    root = package.name
    found = []
    for name, (path, is_pkg) in mods.items():
        for node in _walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_pkg else name.split(".")[:-1]
                    here = here[: len(here) - (node.level - 1)]
                    base = ".".join(here + ([node.module] if node.module else []))
                # ``from pkg import module`` imports the module
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names
                ]
            for target in dict.fromkeys(targets):
                if target == root or target.startswith(root + "."):
                    found.append(Import(name, target, node.lineno))
    return found


def layer_table(pyproject: Path) -> tuple[list[set[str]], set[tuple[str, str]]]:
    """The layers (top first) and the ignored imports of the ``layers`` contract."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["id"] == "layers"]
    layers = [
        {part.strip() for part in row.replace("|", ":").split(":")} for row in contract["layers"]
    ]
    ignored = set()
    for line in contract.get("ignore_imports", []):
        source, target = (s.strip() for s in line.split("->"))
        ignored.add((source, target))
    return layers, ignored


def _layer_of(module: str, layers: list[set[str]]) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None  # the package root itself (lazy re-exports only)
    for i, row in enumerate(layers):
        if parts[1] in row:
            return i
    raise AssertionError(f"{module} is in no layer of the contract; add it to pyproject.toml")


def upward_imports(package: Path, layers: list[set[str]]) -> list[Import]:
    """Imports from a lower layer to a higher one (the rule is: only sideways or down)."""
    bad = []
    for imp in imports(package):
        a, b = _layer_of(imp.source, layers), _layer_of(imp.target, layers)
        if a is not None and b is not None and b < a:
            bad.append(imp)
    return bad


def module_cycles(package: Path) -> set[frozenset[str]]:
    """Sets of modules that import each other, at any depth (package ``__init__``s excluded:
    their lazy re-exports are not a module's dependency)."""
    mods = modules(package)
    graph = nx.DiGraph()
    for imp in imports(package):
        inits = imp.target not in mods or mods[imp.source][1] or mods[imp.target][1]
        if imp.source != imp.target and not inits:
            graph.add_edge(imp.source, imp.target)
    return {frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1}


def test_no_module_imports_a_higher_layer_even_inside_a_function() -> None:
    layers, ignored = layer_table(ROOT / "pyproject.toml")
    bad = upward_imports(PACKAGE, layers)
    unexpected = [i for i in bad if (i.source, i.target) not in ignored]
    assert not unexpected, "upward imports (move what they share down):\n" + "\n".join(
        f"  {i.source}:{i.line} -> {i.target}" for i in unexpected
    )
    stale = ignored - {(i.source, i.target) for i in bad}
    assert not stale, f"ignore_imports lists imports that no longer go up; remove them: {stale}"


def test_no_import_cycle_between_modules_beyond_the_recorded_ones() -> None:
    cycles = module_cycles(PACKAGE)
    assert cycles <= KNOWN_CYCLES, f"new import cycles: {cycles - KNOWN_CYCLES}"
    assert cycles >= KNOWN_CYCLES, f"cycles now broken; drop them: {KNOWN_CYCLES - cycles}"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / "pkg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "pkg"


LAYERS = [{"top"}, {"low"}]


def test_the_checker_finds_an_upward_import_hidden_in_a_function(tmp_path: Path) -> None:
    pkg = _package(
        tmp_path,
        {
            "__init__.py": "",
            "top/__init__.py": "",
            "top/a.py": "from pkg.low import b\n",
            "low/__init__.py": "",
            "low/b.py": "def f():\n    from pkg.top import a\n    return a\n",
        },
    )
    bad = upward_imports(pkg, LAYERS)
    assert [(i.source, i.target, i.line) for i in bad] == [("pkg.low.b", "pkg.top.a", 2)]
    assert module_cycles(pkg) == {frozenset({"pkg.low.b", "pkg.top.a"})}


def test_the_checker_skips_type_hints_and_resolves_relative_imports(tmp_path: Path) -> None:
    pkg = _package(
        tmp_path,
        {
            "__init__.py": "",
            "top/__init__.py": "",
            "top/a.py": "X = 1\n",
            "low/__init__.py": "",
            "low/b.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.top import a\n"
                "from . import c\n"
            ),
            "low/c.py": "from ..top.a import X\n",
        },
    )
    bad = upward_imports(pkg, LAYERS)
    assert [(i.source, i.target) for i in bad] == [("pkg.low.c", "pkg.top.a")]


def test_a_module_outside_every_layer_is_an_error(tmp_path: Path) -> None:
    pkg = _package(tmp_path, {"__init__.py": "", "stray.py": "from pkg.top import a\n"})
    with pytest.raises(AssertionError, match="in no layer"):
        upward_imports(pkg, LAYERS)
