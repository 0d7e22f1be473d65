"""exosci: a workbench for exosome therapies for spinal cord injury."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:  # single source: the version in pyproject.toml, as installed
    __version__ = version("exosci")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"
REVIEW_DOI = "10.3389/fneur.2025.1645457"

__all__ = ["REVIEW_DOI", "__version__"]
