"""Module attributes loaded on first use (PEP 562), for packages whose members pull in heavy
libraries: importing the package (the CLI does on every start) then costs nothing."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_getattr(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``exports[name]`` (a module path) on first access
    to ``name``, keeps the value on the package and returns it."""

    def __getattr__(name: str) -> Any:
        if name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


def lazy_dir(public: Iterable[str]) -> Callable[[], list[str]]:
    """A module ``__dir__`` listing the public names (eager and lazy), so tab completion in a
    notebook offers ``ex.kb.search`` before it is first used, and no import helpers."""
    names = sorted(set(public))

    def __dir__() -> list[str]:
        return list(names)

    return __dir__
