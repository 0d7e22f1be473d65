"""Target-evidence filters (issue 22 item 7): support level, experiment type, context++ score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exosci.cargo.targets import load_targets
from exosci.cli import app

MTI = (
    "miRTarBase ID,miRNA,Species (miRNA),Target Gene,Target Gene (Entrez Gene ID),"
    "Species (Target Gene),Experiments,Support Type,References (PMID)\n"
    "MIRT1,hsa-miR-21-5p,Homo sapiens,PTEN,5728,Homo sapiens,Luciferase reporter assay//Western blot,"
    "Functional MTI,1\n"
    "MIRT2,hsa-miR-21-5p,Homo sapiens,PDCD4,27250,Homo sapiens,qRT-PCR,Functional MTI,2\n"
    "MIRT3,hsa-miR-21-5p,Homo sapiens,RECK,8434,Homo sapiens,Microarray,Functional MTI (Weak),3\n"
)
TS = (
    "Gene ID\tGene Symbol\tGene Tax ID\tmiRNA\tcontext++ score\n"
    "ENSG1\tSPRY1\t9606\thsa-miR-21-5p\t-0.45\n"
    "ENSG2\tTIMP3\t9606\thsa-miR-21-5p\t-0.05\n"
)


def _files(tmp_path: Path) -> tuple[Path, Path]:
    mti, ts = tmp_path / "mti.csv", tmp_path / "ts.txt"
    mti.write_text(MTI)
    ts.write_text(TS)
    return mti, ts


def test_experiment_and_context_score_filters_keep_only_the_strong_evidence(
    tmp_path: Path,
) -> None:
    mti, ts = _files(tmp_path)
    base = load_targets([mti, ts], curated=False)
    assert set(base.frame["gene"]) == {"PTEN", "PDCD4", "RECK", "SPRY1", "TIMP3"}
    lucif = load_targets([mti, ts], curated=False, experiments=["luciferase"])
    assert set(lucif.frame["gene"]) == {"PTEN", "SPRY1", "TIMP3"}  # predicted rows untouched
    strong = load_targets([mti, ts], curated=False, max_context_score=-0.2)
    assert set(strong.frame["gene"]) == {"PTEN", "PDCD4", "RECK", "SPRY1"}
    assert any("TargetScan rows left out" in n for n in strong.notes)


def test_cli_functional_mtis_only_and_experiment_filter(tmp_path: Path) -> None:
    mti, ts = _files(tmp_path)
    gmt = tmp_path / "s.gmt"
    gmt.write_text("A\t-\tPTEN\tPDCD4\tRECK\tSPRY1\tTIMP3\n")
    lst = tmp_path / "l.txt"
    lst.write_text("hsa-miR-21-5p\n")
    args = ["cargo", "enrich", str(lst), "--targets", str(mti), "--targets", str(ts)]
    args += ["--genesets", str(gmt), "--min-size", "1", "--json"]
    res = CliRunner().invoke(
        app, [*args, "--support", "functional", "--experiment", "western blot"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["query_genes"] == 1 and doc["results"][0]["genes"] == ["PTEN"]
    bad = CliRunner().invoke(app, [*args, "--support", "strong"])
    assert bad.exit_code == 2 and "--support" in bad.output


def test_experiment_filter_works_on_a_prepared_mirtarbase_resource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exosci.datasets import add

    monkeypatch.setenv("EXOSCI_DATA_DIR", str(tmp_path / "data"))
    mti, _ = _files(tmp_path)
    add("mirtarbase", mti)
    table = load_targets(["mirtarbase"], curated=False, experiments=["qrt-pcr"])
    assert set(table.frame["gene"]) == {"PDCD4"}
