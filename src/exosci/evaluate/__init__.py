"""The main job: a therapy spec in, a report out (mechanisms, evidence, recovery, risks, options)."""

from __future__ import annotations

from exosci.evaluate.alternatives import rank_alternatives, variants
from exosci.evaluate.core import evaluate
from exosci.evaluate.render import render_html, write_report
from exosci.evaluate.risks import DesignFeatures, Risk, assess_risks

__all__ = [
    "DesignFeatures",
    "Risk",
    "assess_risks",
    "evaluate",
    "rank_alternatives",
    "render_html",
    "variants",
    "write_report",
]
