"""One call for a whole analysis: read → effect sizes → pool → subgroups / meta-regression → bias."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from exosci.errors import UserInputError
from exosci.meta.bias import EggerResult, TrimFillResult, egger, trimfill
from exosci.meta.effectsize import MEASURES, escalc
from exosci.meta.pooling import PoolResult, pool
from exosci.meta.regression import MetaRegResult, SubgroupResult, metareg, subgroups
from exosci.meta.table import read_effects


@dataclass(frozen=True)
class MetaAnalysis:
    """The results of :func:`analyze`; ``to_dict()`` is the ``exosci meta --json`` document."""

    table: pd.DataFrame
    pooled: PoolResult
    subgroups: SubgroupResult | None
    metareg: MetaRegResult | None
    egger: EggerResult | None
    trimfill: TrimFillResult | None
    notes: list[str]

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = self.pooled.to_dict()
        doc["measure_meaning"] = MEASURES.get(self.pooled.measure, "")
        doc["source"] = self.table.attrs.get("source", "table")
        doc["sd_from_sem"] = bool(self.table.attrs.get("sd_from_sem", False))
        if self.subgroups is not None:
            doc.update(self.subgroups.to_dict())
        if self.metareg is not None:
            doc["meta_regression"] = self.metareg.to_dict()
        doc["small_study"] = {
            "egger": self.egger.to_dict() if self.egger else None,
            "trimfill": self.trimfill.to_dict() if self.trimfill else None,
        }
        doc["notes"] = self.notes
        return doc

    def to_frame(self) -> pd.DataFrame:
        """One row per study (effect, CI, weight) and the pooled row."""
        return self.pooled.to_frame()

    def _repr_html_(self) -> str:
        return self.pooled._repr_html_()

    def __repr__(self) -> str:
        extra = [
            f"by={self.subgroups.by}" if self.subgroups else "",
            f"mods={len(self.metareg.coefficients) - 1}" if self.metareg else "",
        ]
        return f"MetaAnalysis({self.pooled!r}{''.join(', ' + e for e in extra if e)})"

    def forest(self, path: str | Path | None = None) -> Any:
        """The forest plot (matplotlib Figure), written as PNG when ``path`` is given."""
        from exosci.meta.plots import forest_plot

        return forest_plot(self.pooled, path)

    def funnel(self, path: str | Path | None = None) -> Any:
        """The funnel plot (with trim-and-fill imputations), PNG when ``path`` is given."""
        from exosci.meta.plots import funnel_plot

        return funnel_plot(self.pooled, path, filled=self.trimfill)


def effects(
    source: str | Path | pd.DataFrame, *, measure: str | None = None, sem: bool = False
) -> pd.DataFrame:
    """The table with ``yi`` and ``vi`` added (``measure`` as in :data:`MEASURES`)."""
    table = read_effects(source, sem=sem)
    if isinstance(source, pd.DataFrame):  # keep where the rows came from and their measure
        for key in ("source", "measure"):
            if key in source.attrs:
                table.attrs[key] = source.attrs[key]
    return escalc(table, measure=measure)


def analyze(
    source: str | Path | pd.DataFrame,
    *,
    measure: str | None = None,
    method: str = "REML",
    knha: bool = False,
    by: str | None = None,
    mods: Sequence[str] = (),
    sem: bool = False,
    level: float = 0.95,
) -> MetaAnalysis:
    """Run a meta-analysis of a table (path or DataFrame); see :mod:`exosci.meta.table` for shapes."""
    table = effects(source, measure=measure, sem=sem)
    pooled = pool(table, method=method, knha=knha, level=level)
    notes: list[str] = []
    if "study_id" in table.columns and table["study_id"].nunique() < len(table):
        notes.append(
            f"{len(table)} rows come from {table['study_id'].nunique()} studies (e.g. several time "
            "points of one study); they are pooled as independent, which overstates precision."
        )
    if table.attrs.get("sd_from_sem"):
        notes.append("SDs were computed from SEMs as SEM·√n.")
    sub = subgroups(table, by, method=method, knha=knha, level=level) if by else None
    reg = metareg(table, list(mods), method=method, knha=knha, level=level) if mods else None
    eg = tf = None
    se = table["vi"].to_numpy(dtype=float) ** 0.5
    if pooled.k >= 3 and float(se.max() - se.min()) <= 1e-12 * float(se.max()):
        notes.append("all studies have the same precision: no Egger test or trim and fill.")
    elif pooled.k >= 3:
        try:  # optional checks: a degenerate table gets a note, not a failed analysis
            eg = egger(table)
            tf = trimfill(table, method=method)
        except UserInputError as exc:
            notes.append(f"small-study checks skipped: {exc}")
        if pooled.k < 10:
            notes.append(
                f"k = {pooled.k}: small-study tests have little power below 10 studies "
                "(Sterne et al., BMJ 2011;343:d4002)."
            )
    else:
        notes.append("fewer than 3 studies: no Egger test or trim and fill.")
    return MetaAnalysis(table, pooled, sub, reg, eg, tf, notes)
