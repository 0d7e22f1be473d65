"""The main job: a therapy spec in, a report out (mechanisms, evidence, recovery, risks, options).

The notebook call is ``ex.evaluate(spec)`` (:func:`~exosci.evaluate.result.evaluate_design`,
returning an :class:`~exosci.evaluate.result.Evaluation`); this package's own ``evaluate`` is
:func:`exosci.evaluate.core.evaluate`, which returns the plain JSON document. Members load on
first use, so ``import exosci`` (which registers this package) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from exosci._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:  # the names as mypy sees them; at run time they load on first use
    from exosci.evaluate.alternatives import rank_alternatives, variants
    from exosci.evaluate.core import evaluate
    from exosci.evaluate.render import render_html, write_report
    from exosci.evaluate.result import Evaluation, evaluate_design
    from exosci.evaluate.risks import DesignFeatures, Risk, assess_risks

_EXPORTS = {
    "rank_alternatives": "exosci.evaluate.alternatives",
    "variants": "exosci.evaluate.alternatives",
    "evaluate": "exosci.evaluate.core",
    "render_html": "exosci.evaluate.render",
    "write_report": "exosci.evaluate.render",
    "Evaluation": "exosci.evaluate.result",
    "evaluate_design": "exosci.evaluate.result",
    "DesignFeatures": "exosci.evaluate.risks",
    "Risk": "exosci.evaluate.risks",
    "assess_risks": "exosci.evaluate.risks",
}

__getattr__ = lazy_getattr(__name__, _EXPORTS)

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

__dir__ = lazy_dir(__all__)
