"""Issue 22 items 4-5: whole-profile queries and the weighted mode's p-values.

A synthetic target table with a known null: miRNAs target "hub" genes (one gene set) far more
often than others, as real miRNAs target in correlated blocks. A query of miRNAs drawn at random
from the table is the null itself, so its empirical p-values must be uniform, while the
hypergeometric ones call the hub set significant for every random query.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from exosci.cargo import GeneSets
from exosci.cargo.enrich import enrich
from exosci.cargo.mirna_names import reference_from_names
from exosci.cargo.targets import TargetTable
from exosci.kb.loaders.tables import TARGET_COLUMNS


def _hub_table(rng: np.random.Generator) -> tuple[TargetTable, GeneSets, list[str]]:
    genes = [f"G{i}" for i in range(300)]
    hubs, rest = genes[:30], genes[30:]
    mirnas = [f"hsa-miR-{100 + i}-5p" for i in range(120)]
    rows = []
    for m in mirnas:
        picks = [*rng.choice(hubs, 12, replace=False), *rng.choice(rest, 12, replace=False)]
        rows += [(m, g) for g in picks]
    frame = pd.DataFrame(rows, columns=["mirna", "gene"]).assign(
        gene_entrez=pd.NA,
        species="human",
        support="functional",
        experiments="",
        pmids="",
        score=1.0,
        source="synthetic",
    )[TARGET_COLUMNS]
    frame = frame.assign(
        prefix="hsa",
        key=frame["mirna"].str.lower().str.removeprefix("hsa-"),
        gene_key=frame["gene"].str.upper(),
    )
    table = TargetTable(frame, reference_from_names(mirnas, label="synthetic"), ("s",), "orthologs")
    sets = {"hub": tuple(hubs)} | {
        f"random {i}": tuple(rng.choice(genes, 30, replace=False)) for i in range(20)
    }
    return table, GeneSets(sets), mirnas


def test_whole_profile_query_gets_a_uniform_empirical_null_and_a_warning() -> None:
    rng = np.random.default_rng(7)
    table, sets, mirnas = _hub_table(rng)
    emp, hyper = [], []
    for q in range(40):
        query = list(rng.choice(mirnas, 30, replace=False))  # a draw from the null itself
        res = enrich(query, table, sets, min_size=1, n_perm=200, seed=q)
        hub = res.table.set_index("set").loc["hub"]
        emp.append(hub["pvalue_empirical"])
        hyper.append(hub["pvalue"])
        assert any("whole-profile query" in n for n in res.notes)
    emp_a, hyper_a = np.asarray(emp), np.asarray(hyper)
    # the biased null: the hypergeometric test calls the hub set for every random query
    assert (hyper_a < 0.05).mean() > 0.9
    # the empirical null is uniform: ~10 % below 0.1, ~50 % below 0.5 (40 draws, wide bounds)
    assert 0.0 <= (emp_a <= 0.1).mean() <= 0.25
    assert 0.3 <= (emp_a <= 0.5).mean() <= 0.7


def test_weighted_pvalues_are_permutation_based_unless_the_approximation_is_asked_for() -> None:
    rng = np.random.default_rng(3)
    table, sets, mirnas = _hub_table(rng)
    weights = pd.Series(rng.gamma(0.5, 100.0, 30), index=list(rng.choice(mirnas, 30, False)))
    res = enrich(weights, table, sets, method="weighted", min_size=1, n_perm=300, seed=1)
    assert res.method == "weighted-permutation"
    assert res.table["pvalue"].min() >= 1 / 301  # an empirical p cannot go below its floor
    approx = enrich(weights, table, sets, method="weighted", min_size=1, n_perm=0)
    assert approx.table["pvalue"].min() < 1 / 301  # the anti-conservative normal tail
    assert any("anti-conservative" in n for n in approx.notes)
