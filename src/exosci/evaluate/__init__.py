"""The main job: a therapy spec in, a report out (mechanisms, evidence, recovery, risks, options)."""

from __future__ import annotations

import sys
import types
from typing import Any

from exosci.evaluate.alternatives import rank_alternatives, variants
from exosci.evaluate.core import evaluate
from exosci.evaluate.render import render_html, write_report
from exosci.evaluate.result import Evaluation, evaluate_design
from exosci.evaluate.risks import DesignFeatures, Risk, assess_risks


class _CallableModule(types.ModuleType):
    """``exosci.evaluate`` is both this package and the notebook call ``ex.evaluate(spec)``."""

    def __call__(self, spec: Any, **options: Any) -> Evaluation:
        return evaluate_design(spec, **options)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "Evaluation",
    "evaluate_design",
    "DesignFeatures",
    "Risk",
    "assess_risks",
    "evaluate",
    "rank_alternatives",
    "render_html",
    "variants",
    "write_report",
]
