"""meta: quantitative synthesis of study outcomes (effect sizes, random-effects pooling,
heterogeneity, subgroups, meta-regression, small-study checks, forest and funnel plots).

``ex.meta.analyze("studies.csv", measure="SMD", by="route")`` runs the whole analysis; the parts
are :func:`effects`, :func:`pool`, :func:`subgroups`, :func:`metareg`, :func:`egger`,
:func:`trimfill`, :func:`forest_plot` and :func:`funnel_plot`. The numeric outcome table
(:func:`shipped_outcomes`, :func:`read_outcomes`, :func:`read_syrf`) feeds :func:`design_prior`,
the model's design-effect prior, and :func:`loso`, its leave-one-study-out check.

Names load on first use: ``from exosci.meta import design_prior`` imports numpy and pydantic
only (no pandas or scipy), so the model can read the table on every evaluation.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "MetaAnalysis": "analysis",
    "analyze": "analysis",
    "effects": "analysis",
    "EggerResult": "bias",
    "TrimFillResult": "bias",
    "egger": "bias",
    "trimfill": "bias",
    "MEASURES": "effectsize",
    "binary_effects": "effectsize",
    "continuous_effects": "effectsize",
    "escalc": "effectsize",
    "MetaRegResult": "regression",
    "SubgroupResult": "regression",
    "metareg": "regression",
    "subgroups": "regression",
    "comparisons": "outcomes",
    "read_outcomes": "outcomes",
    "read_syrf": "outcomes",
    "shipped_outcomes": "outcomes",
    "template_path": "outcomes",
    "draw_forest": "plots",
    "draw_funnel": "plots",
    "forest_plot": "plots",
    "funnel_plot": "plots",
    "PoolResult": "pooling",
    "pool": "pooling",
    "DesignPrior": "prior",
    "design_prior": "prior",
    "DesignDeviation": "prior",
    "design_deviation": "prior",
    "loso": "prior",
    "OutcomeRow": "records",
    "effect_records": "records",
    "read_rows": "records",
    "shipped_rows": "records",
    "read_effects": "table",
}

__all__ = [
    "DesignDeviation",
    "DesignPrior",
    "EggerResult",
    "MEASURES",
    "MetaAnalysis",
    "MetaRegResult",
    "OutcomeRow",
    "PoolResult",
    "SubgroupResult",
    "TrimFillResult",
    "analyze",
    "binary_effects",
    "comparisons",
    "continuous_effects",
    "design_deviation",
    "design_prior",
    "draw_forest",
    "draw_funnel",
    "effect_records",
    "effects",
    "egger",
    "escalc",
    "forest_plot",
    "funnel_plot",
    "loso",
    "metareg",
    "pool",
    "read_effects",
    "read_outcomes",
    "read_rows",
    "read_syrf",
    "shipped_outcomes",
    "shipped_rows",
    "subgroups",
    "template_path",
    "trimfill",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'exosci.meta' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"exosci.meta.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
