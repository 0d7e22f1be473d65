"""The sparse matrices every enrichment runs on: miRNA keys x genes and gene sets x genes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse

from exosci.cargo.genesets import GeneSets
from exosci.cargo.orthologs import gene_key
from exosci.cargo.targets import TargetTable
from exosci.errors import UserInputError

UniverseKind = Literal["targets", "annotated"]


@dataclass(frozen=True)
class Universe:
    """The background N of the hypergeometric test, and how it was chosen."""

    kind: str  # "targets", "annotated" or "user"
    size: int
    description: str


@dataclass(frozen=True)
class TargetMatrices:
    """Universe genes (keys), miRNA keys, the target matrix T and the set matrix G.

    (Not a therapy design: that is :class:`exosci.model.design.Design`.)
    """

    genes: list[str]
    display: list[str]  # symbol to show for each gene (the gene set's spelling)
    mirna_index: dict[str, int]
    targets: sparse.csr_matrix  # miRNA keys x universe genes, 0/1
    sets: sparse.csr_matrix  # gene sets x universe genes, 0/1
    set_names: list[str]
    set_sizes: np.ndarray
    universe: Universe
    notes: tuple[str, ...]
    set_counts: dict[str, object] | None = None  # given, tested, skipped by reason


# The old name, for cargo/enrich.py until it is renamed there (it was being edited when the
# class was renamed, issue 25); not exported by exosci.cargo.
Design = TargetMatrices


def build_design(
    targets: TargetTable,
    genesets: GeneSets,
    *,
    universe: UniverseKind | Sequence[str] = "targets",
    min_size: int = 5,
    max_size: int = 2000,
) -> TargetMatrices:
    """Restrict sets to the universe, drop sets outside [min_size, max_size], build matrices.

    ``universe``: ``"targets"`` = genes with a target row that are in at least one gene set
    (only genes that could have been hit and could have counted); ``"annotated"`` = every gene
    in the gene sets (gseapy's default); a list = exactly those genes (as gseapy's
    ``background=list``: the query and the sets are cut to it).
    """
    display: dict[str, str] = {}
    key_of: dict[str, str] = {}
    for members_ in genesets.sets.values():
        for g in members_:
            if g not in key_of:
                key_of[g] = gene_key(g)
                display.setdefault(key_of[g], g)
    annotated = set(display)
    frame = targets.frame
    if isinstance(universe, str):
        if universe == "annotated":
            keys = set(annotated)
            desc = "all genes in the gene sets"
        elif universe == "targets":
            keys = annotated & {str(g) for g in pd.unique(frame["gene_key"])}
            desc = "genes with at least one miRNA-target row that are in at least one gene set"
        else:
            raise UserInputError(
                f"universe {universe!r}: expected 'targets', 'annotated' or a list of genes"
            )
        kind = universe
    else:
        keys = {gene_key(g) for g in universe if str(g).strip()}
        if not keys:
            raise UserInputError("the universe gene list is empty")
        kind, desc = "user", "the genes given as universe"
    genes = sorted(keys)
    if not genes:
        raise UserInputError(
            "the universe is empty: no gene of the target tables is in any gene set (check the "
            "species and the gene identifiers: symbols are expected)"
        )
    for g in genes:
        display.setdefault(g, g)
    gidx = {g: i for i, g in enumerate(genes)}
    rows: list[int] = []
    cols: list[int] = []
    names: list[str] = []
    sizes: list[int] = []
    notes: list[str] = []
    small: list[str] = []
    large: list[str] = []
    for name, members in genesets.sets.items():
        idx = sorted({gidx[k] for k in map(key_of.__getitem__, members) if k in gidx})
        if len(idx) < min_size:
            small.append(name)
            continue
        if len(idx) > max_size:
            large.append(name)
            continue
        rows.extend([len(names)] * len(idx))
        cols.extend(idx)
        names.append(name)
        sizes.append(len(idx))
    given = len(genesets.sets)
    skipped = len(small) + len(large)
    summary = (
        f"gene sets: {given} given, {len(names)} tested (those with {min_size}-{max_size} "
        f"genes in the universe of {len(genes)})"
    )
    if skipped:
        parts = []
        if small:
            parts.append(f"{len(small)} with fewer than {min_size} universe genes")
        if large:
            parts.append(f"{len(large)} with more than {max_size}")
        summary += f", {skipped} skipped by size: " + "; ".join(parts)
    notes.append(summary)
    set_counts: dict[str, object] = {
        "given": given,
        "tested": len(names),
        "min_size": min_size,
        "max_size": max_size,
        "skipped_too_small": len(small),
        "skipped_too_large": len(large),
        "skipped_examples": (small + large)[:5],
    }
    gmat = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(names), len(genes)), dtype=np.float64
    )
    # integer codes throughout: the target table can have millions of rows
    gkey = pd.Categorical(frame["gene_key"])
    mkey = pd.Categorical(frame["key"])
    gene_col = np.asarray([gidx.get(str(c), -1) for c in gkey.categories], dtype=np.int64)
    gcodes = np.where(gkey.codes >= 0, gene_col[np.maximum(gkey.codes, 0)], -1)
    ok = (gcodes >= 0) & (mkey.codes >= 0)
    mkeys = [str(c) for c in mkey.categories]
    tmat = sparse.csr_matrix(
        (np.ones(int(ok.sum())), (mkey.codes[ok], gcodes[ok])),
        shape=(len(mkeys), len(genes)),
        dtype=np.float64,
    )
    tmat.sum_duplicates()
    tmat.data[:] = 1.0  # a miRNA targets a gene or not (several rows/sources count once)
    # miRNAs whose every target lies outside the universe keep a (empty) row: known, no target
    mirna_index = {k: i for i, k in enumerate(mkeys)}
    return TargetMatrices(
        genes,
        [display[g] for g in genes],
        mirna_index,
        tmat,
        gmat,
        names,
        np.asarray(sizes, dtype=np.int64),
        Universe(kind, len(genes), desc),
        tuple(notes),
        set_counts,
    )
