from __future__ import annotations

import importlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from exosci.errors import FileFormatError, UserInputError
from exosci.kb.loaders import (
    LOADERS,
    detect_kind,
    get_loader,
    import_file,
    parse_gmt,
    read_exocarta,
    read_mature_fa,
    read_mirtarbase,
    read_targetscan,
)

MTI_HEADER_7 = [
    "miRTarBase ID",
    "miRNA",
    "Species (miRNA)",
    "Target Gene",
    "Target Gene (Entrez Gene ID)",
    "Species (Target Gene)",
    "Experiments",
    "Support Type",
    "References (PMID)",
]


def _mti(path: Path, header: list[str]) -> Path:
    rows = [
        [
            "MIRT1",
            "hsa-miR-21-5p",
            "Homo sapiens",
            "PTEN",
            "5728.0",
            "Homo sapiens",
            "Luciferase reporter assay//qRT-PCR",
            "Functional MTI",
            "111",
        ],
        [
            "MIRT1",
            "hsa-miR-21-5p",
            "Homo sapiens",
            "PTEN",
            "5728.0",
            "Homo sapiens",
            "Western blot",
            "Functional MTI (Weak)",
            "222",
        ],
        [
            "MIRT2",
            "hsa-miR-21-5p",
            "Homo sapiens",
            "PDCD4",
            "27250",
            "Homo sapiens",
            "Microarray",
            "Functional MTI (Weak)",
            "333",
        ],
        [
            "MIRT3",
            "mmu-miR-21a-5p",
            "Mus musculus",
            "Pten",
            "19211",
            "Mus musculus",
            "Reporter assay",
            "Non-Functional MTI",
            "444",
        ],
    ]
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("entrez_col", ["Target Gene (Entrez Gene ID)", "Target Gene (Entrez ID)"])
def test_mirtarbase_both_headers_merge_and_filter(tmp_path: Path, entrez_col: str) -> None:
    header = [entrez_col if h.startswith("Target Gene (") else h for h in MTI_HEADER_7]
    path = _mti(tmp_path / "mti.csv", header)
    frame = read_mirtarbase(path, support=("functional", "weak", "non-functional"))
    assert len(frame) == 3  # MIRT1 repeated per reference -> one row
    pten = frame[frame["gene"] == "PTEN"].iloc[0]
    assert pten["gene_entrez"] == 5728 and pten["support"] == "functional"
    assert pten["experiments"] == "Luciferase reporter assay//Western blot//qRT-PCR"
    assert pten["pmids"] == "111;222" and pten["score"] == 2
    only_functional = read_mirtarbase(path, support=("functional",))
    assert list(only_functional["gene"]) == ["PTEN"]
    assert only_functional.iloc[0]["pmids"] == "111"


def test_mirtarbase_wrong_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(FileFormatError, match=r"bad.csv, line 1: not a miRTarBase MTI header"):
        read_mirtarbase(bad)


def test_real_mirtarbase_excerpt(shared: Path) -> None:
    frame = read_mirtarbase(shared / "data" / "mirtarbase" / "test_mirtarbase.xlsx")
    raw = pd.read_excel(shared / "data" / "mirtarbase" / "test_mirtarbase.xlsx")
    assert len(frame) == raw["miRTarBase ID"].nunique()
    assert frame["gene_entrez"].dtype.name == "Int64"


def test_targetscan_filters(tmp_path: Path) -> None:
    cols = [
        "Gene ID",
        "Gene Symbol",
        "Transcript ID",
        "Gene Tax ID",
        "miRNA",
        "Site Type",
        "UTR_start",
        "UTR end",
        "context++ score",
        "context++ score percentile",
        "weighted context++ score",
        "weighted context++ score percentile",
        "Predicted relative KD",
    ]
    rows = [
        [
            "ENSG1",
            "PTEN",
            "T1",
            "9606",
            "hsa-miR-21-5p",
            "3",
            "1",
            "8",
            "-0.30",
            "90",
            "-0.3",
            "90",
            "NULL",
        ],
        [
            "ENSG1",
            "PTEN",
            "T1",
            "9606",
            "hsa-miR-21-5p",
            "2",
            "50",
            "57",
            "-0.10",
            "50",
            "-0.1",
            "50",
            "-1.2",
        ],
        [
            "ENSG2",
            "Pten",
            "T2",
            "10090",
            "mmu-miR-21a-5p",
            "3",
            "1",
            "8",
            "-0.40",
            "95",
            "-0.4",
            "95",
            "NULL",
        ],
    ]
    path = tmp_path / "Predicted_Targets_Context_Scores.default_predictions.txt"
    pd.DataFrame(rows, columns=cols).to_csv(path, sep="\t", index=False)
    human = read_targetscan(path, species="human")
    assert list(human["gene"]) == ["PTEN"] and human.iloc[0]["score"] == pytest.approx(-0.4)
    strong = read_targetscan(path, max_score=-0.2)
    assert set(strong["species"]) == {"human", "mouse"}
    assert strong.loc[strong["gene"] == "PTEN", "score"].iloc[0] == pytest.approx(-0.3)


def test_gmt_odd_lines_reported(tmp_path: Path) -> None:
    path = tmp_path / "odd.gmt"
    path.write_text(
        "Signal/Transduction with spaces\tdesc\tA\tB\tA\t\n"
        "# comment\n\n"
        "lonely\n"
        "Ünïcode set\tx\tC\n"
        "Signal/Transduction with spaces\tdup\tD\n",
        encoding="utf-8",
    )
    gmt = parse_gmt(path)
    assert gmt.sets["Signal/Transduction with spaces"] == ("A", "B")
    assert "Ünïcode set" in gmt.sets
    assert "Signal/Transduction with spaces [line 6]" in gmt.sets
    text = " ".join(gmt.notes)
    assert "line(s) 4" in text and "duplicate gene" in text and "repeated" in text


def test_real_reactome_gmt(shared: Path) -> None:
    gmt = parse_gmt(shared / "data" / "reactome" / "ReactomePathways_2024-09-18.gmt")
    assert len(gmt.sets) == 2694
    assert gmt.descriptions["2-LTR circle formation"] == "R-HSA-164843"


def test_real_mature_fa(shared: Path) -> None:
    frame = read_mature_fa(shared / "data" / "mirbase" / "mature.fa")
    assert len(frame) == 21643
    row = frame.set_index("name").loc["hsa-miR-21-5p"]
    assert row["accession"] == "MIMAT0000076" and row["organism"] == "Homo sapiens"


def test_exocarta_both_tables(tmp_path: Path) -> None:
    prot = tmp_path / "EXOCARTA_PROTEIN_MRNA_DETAILS_5.txt"
    prot.write_text(
        "CONTENT ID\tCONTENT TYPE\tENTREZ GENE ID\tGENE SYMBOL\tSPECIES\tEXPERIMENT ID\tMETHODS\n"
        "1\tprotein\t960.0\tCD44\tHomo sapiens\t12\tWestern blotting\n"
    )
    mir = tmp_path / "EXOCARTA_MIRNA_DETAILS_5.txt"
    mir.write_text(
        "Content ID\tContent Type\tMIRNA ID\tSpecies\tExperiment ID\n7\tmiRNA\tmiR-21\tRattus norvegicus\t3\n"
    )
    p = read_exocarta(prot)
    assert p.iloc[0]["gene_entrez"] == 960 and p.iloc[0]["species"] == "human"
    m = read_exocarta(mir)
    assert m.iloc[0]["mirna"] == "miR-21" and m.iloc[0]["species"] == "rat"


def test_registry_metadata_and_detection() -> None:
    assert {
        "mirtarbase",
        "targetscan",
        "gmt",
        "mirbase",
        "exocarta",
        "indra-json",
        "kb-curated",
    } <= set(LOADERS)
    for lo in LOADERS.values():
        assert lo.description and callable(lo.function) and lo.writes
    assert detect_kind("ReactomePathways.gmt") == "gmt"
    assert detect_kind("mature.fa") == "mirbase"
    with pytest.raises(UserInputError, match="Known loader kinds"):
        get_loader("mirtarbse")


def test_import_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "s.duckdb"
    path = _mti(tmp_path / "mti.csv", MTI_HEADER_7)
    doc = import_file(path, kind="mirtarbase", store=store)
    assert doc["rows"]["targets"] == 3
    gmt = tmp_path / "x.gmt"
    gmt.write_text("S1\td\tPTEN\tPDCD4\n")
    import_file(gmt, kind="gmt", store=store)
    before = store.read_bytes()
    import exosci.kb.loaders.importer as importer

    def boom(con, table, frame):  # type: ignore[no-untyped-def]
        con.execute("DELETE FROM targets")  # a partial change that must not survive
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_append", boom)
    with pytest.raises(RuntimeError):
        import_file(gmt, kind="gmt", store=store)
    assert store.read_bytes() == before
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("SELECT count(*) FROM targets").fetchone()[0] == 3
    con.close()
    with pytest.raises(FileFormatError):
        import_file(tmp_path / "x.gmt", kind="mirtarbase", store=store)
    assert store.read_bytes() == before


def test_indra_kind_dispatches(tmp_path: Path) -> None:
    try:
        indra = importlib.import_module("exosci.kb.indra")
    except ImportError:
        pytest.skip("exosci.kb.indra not available yet")
    store_mod = importlib.import_module("exosci.kb.store")
    if not hasattr(indra, "read_indra_json") or not hasattr(store_mod, "insert_records"):
        pytest.skip("read_indra_json / insert_records not available yet")
    assert LOADERS["indra-json"].available()
