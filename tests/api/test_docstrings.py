"""The public API is documented: a summary for every exported name, numpy sections and
working examples for the functions in ``docs/reference/api.md``."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import exosci

ROOT = Path(__file__).resolve().parents[2]
API_MD = ROOT / "docs" / "reference" / "api.md"


def _packages() -> list[str]:
    return ["exosci"] + [
        m.name for m in pkgutil.walk_packages(exosci.__path__, "exosci.") if m.ispkg
    ]


def test_every_name_a_package_exports_has_a_one_line_summary() -> None:
    missing = []
    for name in _packages():
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr, None)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            doc = obj.__doc__ or ""
            # a dataclass without a docstring gets "Name(field, ...)" generated for it
            if not doc.strip() or doc.startswith(f"{obj.__name__}("):
                missing.append(f"{name}.{attr}")
    assert not missing, f"no docstring summary: {missing}"


def _documented() -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for target in re.findall(r"^::: (\S+)", API_MD.read_text(encoding="utf-8"), re.M):
        try:
            module = importlib.import_module(target)
        except ImportError:
            mod, _, attr = target.rpartition(".")
            out.append((target, getattr(importlib.import_module(mod), attr)))
            continue
        out += [
            (f"{target}.{n}", o)
            for n, o in vars(module).items()
            if inspect.isfunction(o) and o.__module__ == target and not n.startswith("_")
        ]
    return out


def test_functions_in_the_api_reference_have_numpy_sections_and_an_example() -> None:
    gaps = []
    for name, obj in _documented():
        doc = inspect.getdoc(obj) or ""
        if inspect.isclass(obj):
            needed: tuple[str, ...] = ("Examples",)
        elif inspect.signature(obj).parameters:  # type: ignore[arg-type]
            needed = ("Parameters", "Returns", "Examples")
        else:
            needed = ("Returns", "Examples")
        gaps += [f"{name}: {s}" for s in needed if not re.search(rf"^{s}\n-+$", doc, re.M)]
    assert not gaps, gaps


@pytest.mark.parametrize(
    "module",
    [
        "exosci.registry",
        "exosci.vocabulary",
        "exosci.kb.query",
        "exosci.reason.query",
        "exosci.release.fit",
        "exosci.qc.misev",
        "exosci.therapy.domain",
        "exosci.therapy.open_names",
    ],
)
def test_docstring_examples_run(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # examples name files under examples/
    result = doctest.testmod(
        importlib.import_module(module), optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert result.attempted > 0, f"no examples ran in {module}"
    assert result.failed == 0, f"{result.failed} failing example(s) in {module}"
