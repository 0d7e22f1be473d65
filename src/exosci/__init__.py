"""exosci: a workbench for exosome therapies for spinal cord injury."""

from __future__ import annotations

__version__ = "0.1.0"
REVIEW_DOI = "10.3389/fneur.2025.1645457"

__all__ = ["REVIEW_DOI", "__version__"]
