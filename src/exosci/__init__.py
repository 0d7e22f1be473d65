"""exosci: a workbench for exosome therapies for spinal cord injury.

The notebook API (``import exosci as ex``), each returning pandas DataFrames or objects that
hold them:

- ``ex.evaluate(spec)`` -> :class:`~exosci.evaluate.Evaluation` (the main job)
- ``ex.simulate(spec)`` -> tidy DataFrame of the model's treated/control/difference bands
- ``ex.explain(subject, to=...)`` -> DataFrame of signed, cited paths
- ``ex.kb.search / statements / show / outcome_studies / profile`` -> knowledge-graph tables
- ``ex.cargo.enrich(mirnas=[...] | counts=DataFrame)`` -> enrichment result (``.table``)
- ``ex.qc.read_nta(path)``, ``ex.qc.check_prep(...)`` -> vesicle QC
- ``ex.release.fit(df)`` -> release-kinetics fits (``.to_frame()``)
- ``ex.meta.analyze(table)`` -> meta-analysis of study outcomes (pooled effect, τ², I², plots)
- ``ex.settings`` -> folders, caps and switches (each also set by an ``EXOSCI_*`` variable)

Everything is imported on first use, so ``import exosci`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

REVIEW_DOI = "10.3389/fneur.2025.1645457"

_FUNCTIONS = {
    "evaluate": ("exosci.evaluate.result", "evaluate_design"),
    "simulate": ("exosci.therapy.simulate", "simulate_spec"),
    "explain": ("exosci.reason.query", "explain_frame"),
    "Evaluation": ("exosci.evaluate.result", "Evaluation"),
    "ExosciWarning": ("exosci.errors", "ExosciWarning"),
    "settings": ("exosci._settings", "settings"),
}
_SUBPACKAGES = (
    "kb",
    "cargo",
    "qc",
    "release",
    "model",
    "reason",
    "therapy",
    "meta",
    "design",
    "datasets",
)

__all__ = ["REVIEW_DOI", "__version__", *_FUNCTIONS, *_SUBPACKAGES]

# ``exosci.evaluate`` names both a subpackage and the notebook call ``ex.evaluate(spec)``. The
# import system binds a subpackage to its parent's attribute only when it first loads it; so the
# subpackage is registered here, once (its ``__init__`` is lazy: this costs no import time), and
# the name is handed back to ``__getattr__``, which returns the function. Later imports
# (``from exosci.evaluate import Evaluation``, ``import exosci.evaluate.core``) find the package
# in ``sys.modules`` and leave ``ex.evaluate`` alone.
importlib.import_module("exosci.evaluate")
del globals()["evaluate"]


def _version() -> str:
    """The version in pyproject.toml, as installed (``importlib.metadata`` is read only when
    asked: importing it costs more than a ``kb show``'s own work)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("exosci")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _version()
        globals()[name] = value
        return value
    if name in _FUNCTIONS:
        module, attr = _FUNCTIONS[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"exosci.{name}")
    raise AttributeError(f"module 'exosci' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API only (tab completion offers ``ex.evaluate``, not import helpers)."""
    return sorted(__all__)
