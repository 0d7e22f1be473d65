from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom, spearmanr

from exosci.cargo import GeneSets, enrich_batch, mechanism_genesets
from exosci.cargo.enrich import enrich
from exosci.cargo.mirna_names import reference_from_names
from exosci.cargo.targets import TargetTable
from exosci.kb.loaders.tables import TARGET_COLUMNS


def _synthetic(rng: np.random.Generator, n_genes: int = 600, n_mirnas: int = 40, n_sets: int = 60):
    genes = [f"G{i}" for i in range(n_genes)]
    mirnas = [f"hsa-miR-{100 + i}-5p" for i in range(n_mirnas)]
    rows = []
    for m in mirnas:
        for g in rng.choice(genes, size=rng.integers(5, 60), replace=False):
            rows.append((m, g))
    frame = pd.DataFrame(rows, columns=["mirna", "gene"]).assign(
        gene_entrez=pd.NA,
        species="human",
        support="functional",
        experiments="",
        pmids="",
        score=1.0,
        source="synthetic",
    )[TARGET_COLUMNS]
    ref = reference_from_names(mirnas, label="synthetic")
    frame = frame.assign(
        prefix="hsa",
        key=frame["mirna"].str.lower().str.removeprefix("hsa-"),
        gene_key=frame["gene"].str.upper(),
    )
    table = TargetTable(frame, ref, ("synthetic",), "orthologs")
    sets = {
        f"set {i}/ä": tuple(rng.choice(genes, size=rng.integers(5, 80), replace=False))
        for i in range(n_sets)
    }
    return table, GeneSets(sets), mirnas, genes


def test_pvalues_equal_scipy_and_ranking_matches_gseapy(rng: np.random.Generator) -> None:
    gseapy = pytest.importorskip("gseapy")
    table, sets, mirnas, genes = _synthetic(rng)
    chosen = list(rng.choice(mirnas, size=8, replace=False))
    background = list(rng.choice(genes, size=500, replace=False))
    res = enrich(chosen, table, sets, universe=background, min_size=1, correct="overlapping")
    tab = res.table[res.table["overlap"] > 0].set_index("set")
    # scipy on the same counts
    ref = hypergeom.sf(tab["overlap"] - 1, len(background), tab["size"], res.query_genes)
    np.testing.assert_allclose(tab["pvalue"], ref, rtol=1e-12)
    # gseapy offline enrich on the same gene list, gene sets and background
    query = sorted(set(table.frame.loc[table.frame["mirna"].isin(chosen), "gene"]))
    gp = gseapy.enrich(
        gene_list=query,
        gene_sets={k: list(v) for k, v in sets.sets.items()},
        background=background,
        outdir=None,
        no_plot=True,
    ).results.set_index("Term")
    common = tab.index.intersection(gp.index)
    assert len(common) == len(gp) == len(tab)
    np.testing.assert_allclose(tab.loc[common, "pvalue"], gp.loc[common, "P-value"], rtol=1e-10)
    np.testing.assert_allclose(
        tab.loc[common, "qvalue"], gp.loc[common, "Adjusted P-value"], rtol=1e-10
    )
    rho = spearmanr(tab.loc[common, "pvalue"], gp.loc[common, "P-value"]).statistic
    assert rho > 0.999
    top = tab.index[0]
    assert sorted(tab.loc[top, "genes"]) == sorted(gp.loc[top, "Genes"].split(";"))


def test_batch_equals_single_profiles(rng: np.random.Generator) -> None:
    table, sets, mirnas, _ = _synthetic(rng)
    profiles = pd.DataFrame(
        (rng.random((len(mirnas), 5)) < 0.25).astype(float),
        index=mirnas,
        columns=[f"s{i}" for i in range(5)],
    )
    batch = enrich_batch(profiles, table, sets, min_size=1)
    for s in profiles.columns:
        chosen = list(profiles.index[profiles[s] > 0])
        single = enrich(chosen, table, sets, min_size=1).table.set_index("set")
        np.testing.assert_allclose(
            batch.pvalues[s], single.loc[batch.pvalues.index, "pvalue"], rtol=1e-13
        )
        np.testing.assert_allclose(
            batch.qvalues[s], single.loc[batch.pvalues.index, "qvalue"], rtol=1e-13
        )
    assert set(batch.long(top=3)["sample"]) <= set(profiles.columns)


def test_weighted_score_and_approximation(rng: np.random.Generator) -> None:
    table, sets, mirnas, _ = _synthetic(rng)
    counts = pd.Series(rng.integers(0, 1000, len(mirnas)).astype(float), index=mirnas)
    res = enrich(counts, table, sets, method="weighted", min_size=1)
    # independent recomputation of the score: CPM share of miRNAs targeting each gene
    share = counts / counts.sum()
    frame = table.frame.drop_duplicates(["mirna", "gene_key"])
    gene_w = frame.assign(w=frame["mirna"].map(share)).groupby("gene_key")["w"].sum()
    row = res.table.iloc[0]
    members = {g.upper() for g in sets.sets[row["set"]]}
    assert row["score"] == pytest.approx(gene_w.reindex(sorted(members)).fillna(0).sum(), rel=1e-12)
    perm = enrich(counts, table, sets, method="weighted", min_size=1, n_perm=2000, seed=1)
    both = res.table.set_index("set")["pvalue"].align(perm.table.set_index("set")["pvalue"])
    # the normal approximation tracks the permutation p-value (labelled an approximation)
    assert spearmanr(*both).statistic > 0.9
    assert perm.method == "weighted-permutation"


def test_mechanism_sets_follow_the_rule() -> None:
    mech = mechanism_genesets()
    assert len(mech) == 5
    assert all(name.startswith("mechanism: ") for name in mech.sets)
