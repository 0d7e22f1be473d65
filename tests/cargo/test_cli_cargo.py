from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from exosci.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_enrich_json_shape_and_plot(tmp_path: Path) -> None:
    png = tmp_path / "p.png"
    res = CliRunner().invoke(
        app,
        [
            "cargo",
            "enrich",
            str(EXAMPLES / "cargo-bmsc-mirnas.txt"),
            "--species",
            "rat",
            "--json",
            "--plot",
            str(png),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc["mirnas"]) >= {"recognized", "unrecognized"}
    for row in doc["results"]:
        assert set(row) >= {"set", "size", "overlap", "pvalue", "qvalue", "genes"}
    assert doc["universe"]["size"] > 0 and png.stat().st_size > 0


def test_enrich_real_files(shared: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app,
        [
            "cargo",
            "enrich",
            str(EXAMPLES / "cargo-counts.csv"),
            "--targets",
            str(shared / "data/mirtarbase/test_mirtarbase.xlsx"),
            "--genesets",
            str(shared / "data/reactome/ReactomePathways_2024-09-18.gmt"),
            "--mature-fa",
            str(shared / "data/mirbase/mature.fa"),
            "--min-size",
            "1",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert "mature.fa" in doc["mirnas"]["reference"]
    assert doc["results"] and "per_sample" in doc


def test_bad_input_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,s1\nmiR-21,-1\n")
    res = CliRunner().invoke(app, ["cargo", "enrich", str(bad)])
    assert res.exit_code == 2
    assert "line 2" in res.output


def test_kb_import_cli(tmp_path: Path) -> None:
    gmt = tmp_path / "x.gmt"
    gmt.write_text("S1\td\tPTEN\tPDCD4\n")
    store = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["kb", "import", str(gmt), "--store", str(store), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rows"] == {"genesets": 1}


def test_invented_names_are_unknown_unless_the_user_opts_in(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_text("MIMAT0000267\nhsa-let-7a-5p\nmiR-99999x\nmiR-9999\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["cargo", "enrich", str(path), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [r["name"] for r in doc["mirnas"]["recognized"]] == ["hsa-miR-210-3p", "hsa-let-7a-5p"]
    assert [u["name"] for u in doc["mirnas"]["unrecognized"]] == ["miR-99999x", "miR-9999"]
    assert doc["mirnas"]["reference"].startswith("miRBase 22.1")
    opt = CliRunner().invoke(
        app, ["cargo", "enrich", str(path), "--accept-unlisted-names", "--json"]
    )
    doc = json.loads(opt.stdout)
    assert doc["mirnas"]["unverified"] == ["miR-99999x", "miR-9999"]
    assert any("naming rule only (opt-in)" in n for n in doc["notes"])


def test_gene_sets_report_says_which_were_tested_and_why_others_were_skipped(
    shared: Path, tmp_path: Path
) -> None:
    path = tmp_path / "m.txt"
    path.write_text("hsa-miR-146a-5p\nhsa-miR-21-5p\n", encoding="utf-8")
    gmt = shared / "data" / "reactome" / "ReactomePathways_2024-09-18.gmt"
    res = CliRunner().invoke(app, ["cargo", "enrich", str(path), "--genesets", str(gmt), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    gs = doc["gene_sets"]
    assert gs["given"] == 2694
    assert gs["tested"] == doc["sets_tested"] < 2694  # the offline universe is tiny
    assert gs["skipped_too_small"] == 2694 - gs["tested"]
    assert len(doc["results"]) <= gs["tested"]  # only tested sets are listed
    text = CliRunner().invoke(app, ["cargo", "enrich", str(path), "--genesets", str(gmt)])
    flat = " ".join(text.stdout.split())
    assert f"gene sets: 2694 given, {gs['tested']} tested" in flat
    assert f"{gs['skipped_too_small']} with fewer than 5 universe genes" in flat
