"""Read the package's own curated YAML fast: libyaml's C parser when PyYAML has it.

``yaml.CSafeLoader`` builds the same Python objects as ``yaml.SafeLoader`` (same safe
constructor, same YAML 1.1 resolver; a test checks every curated file of this package both ways)
about ten times faster; without libyaml it falls back to the pure-Python loader. For the
package's own files only: user documents go through :mod:`exosci.yamlsafe` (alias budget,
line-numbered errors).
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_curated(path: Traversable | Path) -> Any:
    """Parse one curated YAML file of the package (safe types only)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506
