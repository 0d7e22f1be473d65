"""miRPath-style modes: enrichment per miRNA, merged across the miRNAs of a profile.

DIANA-miRPath (Vlachos et al., Nucleic Acids Res 2015;43:W460, doi:10.1093/nar/gkv403) offers
three ways to read a group of miRNAs against pathways:

- ``genes-union``: one ORA on the union of all the miRNAs' targets (exosci's default ``ora``);
- ``pathways-union``: one ORA per miRNA, each set's per-miRNA p-values merged with Fisher's
  method (``scipy.stats.combine_pvalues``); Fisher assumes independent tests, which shared
  targets break, so the merged p-value ranks sets rather than calibrates them (said);
- ``pathways-intersection``: one ORA per miRNA, a set's p-value the largest per-miRNA p-value
  (the intersection-union test, valid without independence): small only when every miRNA
  hits the set.

The per-miRNA p-value matrix is kept (``per_mirna``) for the miRNA x pathway heatmap.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import combine_pvalues

from exosci.cargo.design import Design
from exosci.cargo.enrich import EnrichmentResult, enrich_batch
from exosci.cargo.genesets import GeneSets
from exosci.cargo.stats import bh_qvalues
from exosci.cargo.targets import TargetTable

Mode = Literal["genes-union", "pathways-union", "pathways-intersection"]
MODES: tuple[str, ...] = ("genes-union", "pathways-union", "pathways-intersection")


def per_mirna_pvalues(
    mirnas: list[str], targets: TargetTable, genesets: GeneSets, design: Design, species: str
) -> pd.DataFrame:
    """Sets x miRNAs matrix of one-sided hypergeometric p-values, one ORA per miRNA."""
    profiles = pd.DataFrame(np.eye(len(mirnas)), index=mirnas, columns=mirnas)
    batch = enrich_batch(
        profiles, targets, genesets, species=species, design=design, min_cpm=0.5, n_perm=0
    )
    return batch.pvalues


def merge_modes(union: EnrichmentResult, per_mirna: pd.DataFrame, mode: Mode) -> EnrichmentResult:
    """The genes-union result with its p- and q-values replaced by the mode's merged ones."""
    pv = per_mirna.reindex(union.table["set"]).to_numpy(dtype=float)
    pv = np.clip(np.nan_to_num(pv, nan=1.0), 1e-300, 1.0)
    if mode == "pathways-union":
        merged = np.array([combine_pvalues(row, method="fisher").pvalue for row in pv])
    else:
        merged = pv.max(axis=1)
    table = union.table.copy()
    table["pvalue"] = merged
    table["qvalue"] = bh_qvalues(merged)
    table["mirnas_hitting"] = (pv < 1.0).sum(axis=1)
    table = table.sort_values(["pvalue", "set"], kind="stable").reset_index(drop=True)
    note = (
        f"mode {mode}: {per_mirna.shape[1]} per-miRNA ORAs merged per set; the overlap and "
        "genes columns are the genes-union ones"
    )
    return EnrichmentResult(
        table,
        union.mirnas,
        mode,
        union.universe,
        union.query_genes,
        (*union.notes, note),
        union.resources,
        union.gene_sets,
        per_mirna,
    )
