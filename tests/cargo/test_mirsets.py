"""miRNA-level ORA (miEAA-style) over miRBase stem families and user miRNA-set files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom
from typer.testing import CliRunner

from exosci.cargo import enrich_mirnas, mirbase_families
from exosci.cargo.mirsets import family_of
from exosci.cli import app


def test_family_rule_groups_paralogs_copies_and_arms_by_stem() -> None:
    assert family_of("hsa-miR-181a-2-3p") == "miR-181"
    assert family_of("hsa-let-7a-5p") == "let-7"
    assert family_of("mmu-miR-10b-5p") == "miR-10"
    assert family_of("hsa-miR-100-5p") == "miR-100"  # miR-100 is not miR-10
    fams = mirbase_families("human")
    assert {"hsa-let-7a-5p", "hsa-let-7i-3p", "hsa-miR-98-5p"} & set(fams["let-7"]) == {
        "hsa-let-7a-5p",
        "hsa-let-7i-3p",
    }
    assert "hsa-miR-181d-5p" in fams["miR-181"] and "hsa-miR-100-5p" not in fams["miR-10"]


def test_family_ora_pvalues_equal_scipy_hypergeom_on_a_synthetic_family_set() -> None:
    rng = np.random.default_rng(7)
    fams = mirbase_families("human")
    universe = sorted({m for v in fams.values() for m in v})[:900]
    uni = set(universe)
    query = list(rng.choice(universe, size=120, replace=False))
    # synthetic sets: random draws plus a planted set that shares most of the query
    sets = {
        f"s{i}": list(rng.choice(universe, size=int(rng.integers(3, 60)), replace=False))
        for i in range(40)
    }
    sets["planted"] = query[:30] + universe[-10:]
    res = enrich_mirnas(query, sets=[sets], universe=universe, min_size=2, max_size=500)
    assert res.universe_size == 900 and res.query_size == 120
    q = set(query)
    for row in res.table.itertuples():
        members = [m for m in sets[row.set] if m in uni]
        k = len(set(members) & q)
        assert row.size == len(set(members)) and row.overlap == k
        expect = hypergeom.sf(k - 1, 900, len(set(members)), 120)
        assert row.pvalue == pytest.approx(expect, rel=1e-12, abs=1e-300)
    assert res.table.iloc[0]["set"] == "planted" and res.table.iloc[0]["qvalue"] < 1e-10


def test_count_table_universe_is_the_table_and_query_the_detected_mirnas() -> None:
    names = ["hsa-let-7a-5p", "hsa-let-7b-5p", "hsa-let-7c-5p", "hsa-let-7d-5p"]
    names += ["hsa-miR-21-5p", "hsa-miR-16-5p", "hsa-miR-146a-5p", "hsa-miR-155-5p"]
    counts = pd.DataFrame({"s1": [5000, 4000, 3000, 2000, 0, 0, 0, 1]}, index=names)
    res = enrich_mirnas(counts=counts, min_cpm=100)
    assert res.universe_size == 8 and res.query_size == 4
    top = res.table.iloc[0]
    assert top["set"] == "family let-7" and top["overlap"] == 4 and top["size"] == 4
    assert top["pvalue"] == pytest.approx(hypergeom.sf(3, 8, 4, 4), rel=1e-12)


def test_user_gmt_members_resolved_by_legacy_name_and_unknowns_said(tmp_path: Path) -> None:
    gmt = tmp_path / "sets.gmt"
    gmt.write_text(
        "neuro\tdesc\thsa-miR-124-3p\thsa-miR-9-5p\thsa-miR-99999x\nold\t-\thsa-let-7a\thsa-let-7b\n"
    )
    res = enrich_mirnas(["hsa-let-7a-5p", "hsa-let-7b-5p"], sets=[str(gmt)])
    old = res.table.set_index("set").loc["old"]
    assert old["overlap"] == 2  # legacy names hsa-let-7a/b resolve to the -5p arms
    assert any("hsa-miR-99999x" in n for n in res.notes)


def test_cli_mirset_json_and_exit_2_when_nothing_is_a_mirna(tmp_path: Path) -> None:
    f = tmp_path / "l.txt"
    f.write_text("hsa-let-7a-5p\nhsa-let-7b-5p\nhsa-let-7c-5p\nhsa-miR-21-5p\n")
    res = CliRunner().invoke(app, ["cargo", "mirset", str(f), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["level"] == "mirna" and doc["results"][0]["set"] == "family let-7"
    bad = tmp_path / "b.txt"
    bad.write_text("GAPDH\nACTB\n")
    res = CliRunner().invoke(app, ["cargo", "mirset", str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output
