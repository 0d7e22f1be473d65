"""meta: quantitative synthesis of study outcomes (effect sizes, random-effects pooling,
heterogeneity, subgroups, meta-regression, small-study checks, forest and funnel plots).

``ex.meta.analyze("studies.csv", measure="SMD", by="route")`` runs the whole analysis; the parts
are :func:`effects`, :func:`pool`, :func:`subgroups`, :func:`metareg`, :func:`egger`,
:func:`trimfill`, :func:`forest_plot` and :func:`funnel_plot`. The numeric outcome table
(:func:`shipped_outcomes`, :func:`read_outcomes`, :func:`read_syrf`) feeds :func:`design_prior`,
the model's design-effect prior, and :func:`loso`, its leave-one-study-out check.
"""

from __future__ import annotations

from exosci.meta.analysis import MetaAnalysis, analyze, effects
from exosci.meta.bias import EggerResult, TrimFillResult, egger, trimfill
from exosci.meta.effects import MEASURES, binary_effects, continuous_effects, escalc
from exosci.meta.metareg import MetaRegResult, SubgroupResult, metareg, subgroups
from exosci.meta.outcomes import (
    OutcomeRow,
    comparisons,
    read_outcomes,
    read_syrf,
    shipped_outcomes,
    template_path,
)
from exosci.meta.plots import draw_forest, draw_funnel, forest_plot, funnel_plot
from exosci.meta.pool import PoolResult, pool
from exosci.meta.prior import DesignPrior, design_prior, loso
from exosci.meta.table import read_effects

__all__ = [
    "MEASURES",
    "DesignPrior",
    "OutcomeRow",
    "EggerResult",
    "MetaAnalysis",
    "MetaRegResult",
    "PoolResult",
    "SubgroupResult",
    "TrimFillResult",
    "analyze",
    "binary_effects",
    "comparisons",
    "continuous_effects",
    "design_prior",
    "draw_forest",
    "draw_funnel",
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
    "read_syrf",
    "shipped_outcomes",
    "subgroups",
    "template_path",
    "trimfill",
]
