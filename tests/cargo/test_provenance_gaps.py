"""Issue 22 item 6: `kb import --kind pairs`, `resources` with --store, strict species matching."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from exosci.cargo.targets import load_targets
from exosci.cli import app


def test_strict_match_drops_species_less_rows_and_keeps_the_profile_species() -> None:
    df = pd.DataFrame(
        {
            "mirna": ["miR-21-5p", "rno-miR-21-5p", "hsa-miR-21-5p"],
            "gene": ["NOPREFIX", "RATGENE", "HUMANGENE"],
        }
    )
    strict = load_targets([df], curated=False, species="rat", match="strict")
    assert set(strict.frame["gene"]) == {"RATGENE"}
    assert any("without a species" in n for n in strict.notes)
    loose = load_targets([df], curated=False, species="rat", match="orthologs")
    assert set(loose.frame["gene"]) == {"NOPREFIX", "RATGENE", "HUMANGENE"}


def _pairs_store(tmp_path: Path) -> Path:
    pairs = tmp_path / "my_targets.csv"
    genes = ["PTEN", "PDCD4", "RECK", "TIMP3", "SPRY1", "BCL2", "IRAK1", "TRAF6", "SMAD4", "NFIB"]
    lines = ["mirna,gene"]
    lines += [f"hsa-miR-21-5p,{g}" for g in genes[:5]] + [f"hsa-miR-146a-5p,{g}" for g in genes[5:]]
    pairs.write_text("\n".join(lines) + "\n")
    store = tmp_path / "s.duckdb"
    res = CliRunner().invoke(
        app, ["kb", "import", str(pairs), "--kind", "pairs", "--store", str(store), "--json"]
    )
    assert res.exit_code == 0, res.output
    return store


def test_kb_import_pairs_kind_fills_the_store_targets(tmp_path: Path) -> None:
    store = _pairs_store(tmp_path)
    table = load_targets(store=store, curated=False, species="human")
    assert len(table.frame) == 10 and set(table.frame["support"]) == {"user"}
    assert "PTEN" in set(table.frame["gene"])


def test_enrich_with_store_lists_the_imported_files_in_resources(tmp_path: Path) -> None:
    store = _pairs_store(tmp_path)
    gmt = tmp_path / "s.gmt"
    gmt.write_text("A\t-\tPTEN\tPDCD4\tRECK\tTIMP3\tSPRY1\nB\t-\tBCL2\tIRAK1\tTRAF6\tSMAD4\tNFIB\n")
    lst = tmp_path / "l.txt"
    lst.write_text("hsa-miR-21-5p\n")
    res = CliRunner().invoke(
        app,
        ["cargo", "enrich", str(lst), "--store", str(store), "--genesets", str(gmt), "--json"],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert any("my_targets.csv" in r["name"] for r in doc["resources"]), doc["resources"]
