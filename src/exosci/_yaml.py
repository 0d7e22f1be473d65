"""Read the package's own YAML fast: libyaml's C parser when PyYAML has it.

``yaml.CSafeLoader`` builds the same Python objects as ``yaml.SafeLoader`` (same safe
constructor, same YAML 1.1 resolver; a test checks the shipped files both ways) about ten times
faster; without libyaml it falls back to the pure-Python loader. For the package's own files only:
user documents go through :mod:`exosci.yamlsafe` (alias budget, line-numbered errors). PyYAML is
imported on first use, so a command that parses no YAML does not load it.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any


def package_loader() -> Any:
    """The safe loader class to use for package data (C when available)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_text(text: str) -> Any:
    """Parse one YAML document of the package (safe types only)."""
    import yaml

    return yaml.load(text, Loader=package_loader())  # a safe loader


def load_package_file(path: Traversable | Path) -> Any:
    """Parse one YAML file of the package (safe types only)."""
    return load_text(path.read_text(encoding="utf-8"))
