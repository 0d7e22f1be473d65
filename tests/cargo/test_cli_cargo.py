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
