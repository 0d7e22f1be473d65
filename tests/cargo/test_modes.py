"""miRPath-style modes (pathways union / intersection) and the miRNA x pathway heatmap."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import combine_pvalues, hypergeom
from typer.testing import CliRunner

from exosci.cargo.inputs import mirna_input
from exosci.cargo.pipeline import run_enrich
from exosci.cli import app

MIRNAS = ["hsa-miR-21-5p", "hsa-miR-146a-5p", "hsa-miR-124-3p"]


def _inputs() -> tuple[pd.DataFrame, dict[str, list[str]]]:
    rng = np.random.default_rng(3)
    genes = [f"G{i}" for i in range(200)]
    rows = [(m, g) for m in MIRNAS for g in rng.choice(genes, 25, replace=False)]
    rows += [(m, f"G{i}") for m in MIRNAS for i in range(5)]  # all three hit set S0
    pairs = pd.DataFrame(rows, columns=["mirna", "gene"]).drop_duplicates()
    sets = {f"S{i}": list(rng.choice(genes, 20, replace=False)) for i in range(1, 12)}
    sets["S0"] = [f"G{i}" for i in range(12)]
    return pairs, sets


def _run(mode: str):  # type: ignore[no-untyped-def]
    pairs, sets = _inputs()
    res, _ = run_enrich(
        mirna_input(MIRNAS), targets=[pairs], genesets=[sets], mode=mode, min_size=1
    )
    return res, pairs, sets


def _scipy_per_mirna(pairs: pd.DataFrame, sets: dict[str, list[str]], universe: set[str]):  # type: ignore[no-untyped-def]
    out = {}
    for name, members in sets.items():
        s = set(members) & universe
        ps = []
        for m in MIRNAS:
            t = set(pairs.loc[pairs["mirna"] == m, "gene"]) & universe
            ps.append(hypergeom.sf(len(s & t) - 1, len(universe), len(s), len(t)))
        out[name] = ps
    return out


@pytest.mark.parametrize("mode", ["pathways-union", "pathways-intersection"])
def test_merged_pvalues_equal_fisher_or_max_of_scipy_per_mirna_ora(mode: str) -> None:
    res, pairs, sets = _run(mode)
    # the "targets" universe: genes with a target row that some tested set contains
    universe = set(pairs["gene"]) & {g for v in sets.values() for g in v}
    assert res.universe["size"] == len(universe)
    per = _scipy_per_mirna(pairs, sets, universe)
    for row in res.table.itertuples():
        ps = per[row.set]
        want = combine_pvalues(ps, method="fisher").pvalue if mode == "pathways-union" else max(ps)
        assert row.pvalue == pytest.approx(want, rel=1e-9)
    assert res.table.iloc[0]["set"] == "S0" and res.to_dict()["method"] == mode


def test_cli_heatmap_png_and_unknown_mode_exit_2(tmp_path: Path) -> None:
    pairs, sets = _inputs()
    tf = tmp_path / "pairs.csv"
    pairs.to_csv(tf, index=False)
    gmt = tmp_path / "s.gmt"
    gmt.write_text("".join(f"{k}\t-\t" + "\t".join(v) + "\n" for k, v in sets.items()))
    lst = tmp_path / "l.txt"
    lst.write_text("\n".join(MIRNAS) + "\n")
    png = tmp_path / "h.png"
    args = ["cargo", "enrich", str(lst), "--targets", str(tf), "--genesets", str(gmt)]
    res = CliRunner().invoke(
        app,
        [
            *args,
            "--min-size",
            "1",
            "--mode",
            "pathways-union",
            "--plot-heatmap",
            str(png),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["method"] == "pathways-union" and png.stat().st_size > 0
    bad = CliRunner().invoke(app, [*args, "--mode", "union"])
    assert bad.exit_code == 2 and "--mode" in bad.output


def test_notebook_enrich_takes_the_mode() -> None:
    import exosci as ex

    pairs, sets = _inputs()
    res = ex.cargo.enrich(
        MIRNAS, targets=[pairs], genesets=[sets], mode="pathways-intersection", min_size=1
    )
    assert res.method == "pathways-intersection" and res.per_mirna is not None
    assert res.per_mirna.shape[1] == 3
