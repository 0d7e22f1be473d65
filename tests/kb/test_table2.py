"""Table 2 of the review (five repair mechanisms x function, molecules, pathways) in the curated KB."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exosci.kb import load_curated
from exosci.kb.curated import Curated

MECHANISMS = [
    "mech:neuroprotection",
    "mech:axon-regeneration",
    "mech:inflammation-suppression",
    "mech:angiogenesis-bscb",
    "mech:ecm-regulation",
]
COLUMNS = ("core_functions", "key_molecules", "pathways")
# A mature miRNA name as the review writes it: miR-26a, miR-199-5p, miR-2861, miR-467b-3p.
MIR = re.compile(r"\bmiR-\d+[a-z]?(?:-[35]p)?")


@pytest.fixture(scope="module")
def curated() -> Curated:
    return load_curated()


def _table2_rows(shared: Path) -> list[list[str]]:
    """The five body rows of Table 2 (tab-separated: mechanism, functions, molecules, pathways)."""
    text = (shared / "seed" / "exosome-sci-review.txt").read_text(encoding="utf-8")
    block = text.split("TABLE 2 Summary", 1)[1]
    lines = [ln for ln in block.splitlines()[1:] if ln.strip()]
    assert lines[0].startswith("Mechanism of action\t"), "Table 2 header not where expected"
    rows = []
    for ln in lines[1:]:
        cells = ln.split("\t")
        if len(cells) != 4:
            break
        rows.append(cells)
    return rows


def _mirna_names(curated: Curated) -> dict[str, str]:
    """Lower-cased name/synonym -> id for every miRNA entity in the whole graph."""
    names: dict[str, str] = {}
    for ent in curated.entities.values():
        if ent.type == "mirna":
            for n in [ent.name, *ent.synonyms]:
                names[n.lower()] = ent.id
    return names


def test_five_mechanisms_with_the_three_table2_columns(curated: Curated) -> None:
    for row, mid in enumerate(MECHANISMS, start=1):
        ent = curated.entities[mid]
        assert ent.type == "mechanism"
        assert ent.attributes["table2_row"] == row
        for col in COLUMNS:
            value = ent.attributes.get(col)
            assert isinstance(value, list) and len(value) >= 3, f"{mid}: {col} = {value!r}"
            assert all(isinstance(v, str) and v.strip() for v in value), f"{mid}: {col}"
        assert ent.refs, f"{mid}: no refs"
    assert {e.id for e in curated.entities.values() if e.type == "mechanism"} == set(MECHANISMS)


def test_seed_table2_has_five_rows(shared: Path) -> None:
    rows = _table2_rows(shared)
    assert len(rows) == 5
    assert "neuroprotection" in rows[0][0].lower()
    assert "axon" in rows[1][0].lower()
    assert "inflammation" in rows[2][0].lower()
    assert "angiogenesis" in rows[3][0].lower()
    assert "extracellular matrix" in rows[4][0].lower()


def test_every_table2_mirna_is_a_mirna_entity_in_the_graph(shared: Path, curated: Curated) -> None:
    names = _mirna_names(curated)
    seen = []
    for cells in _table2_rows(shared):
        for mir in MIR.findall(cells[2]):
            seen.append(mir)
            assert mir.lower() in names, f"Table 2 miRNA {mir} has no miRNA entity"
    # the 13 miRNAs the table names, none lost by the parser
    assert len(set(seen)) == 13, sorted(set(seen))


def test_each_mechanism_lists_the_mirnas_of_its_table2_row(shared: Path, curated: Curated) -> None:
    for mid, cells in zip(MECHANISMS, _table2_rows(shared), strict=True):
        listed = {m.lower() for m in curated.entities[mid].attributes["key_molecules"]}
        for mir in MIR.findall(cells[2]):
            assert mir.lower() in listed, f"{mid}: key_molecules lacks {mir}"


@pytest.mark.parametrize(
    ("mid", "molecules"),
    [
        (
            "mech:neuroprotection",
            ["BDNF", "NGF", "GDNF", "Bcl-2", "Bcl-xL", "HSP70", "HSP90", "PINK1", "Parkin"]
            + ["Nrf2", "GCH1", "BH4", "MaR1", "Nrg1"],
        ),
        (
            "mech:axon-regeneration",
            ["NF-L", "NF-M", "MAP2", "Tau", "NEDD4", "NEDD4-2", "Ndfip1", "Ndfip2"],
        ),
    ],
)
def test_neural_key_molecules_are_in_the_seed_row_and_resolve_to_entities(
    shared: Path, curated: Curated, mid: str, molecules: list[str]
) -> None:
    row = MECHANISMS.index(mid)
    seed_cell = _table2_rows(shared)[row][2]
    names = {n.lower(): e.id for e in curated.entities.values() for n in [e.name, *e.synonyms]}
    listed = {m.lower() for m in curated.entities[mid].attributes["key_molecules"]}
    for mol in molecules:
        assert mol in seed_cell, f"{mol} is not in the seed's Table 2 row {row + 1}"
        assert mol.lower() in listed, f"{mid}: key_molecules lacks {mol}"
        assert mol.lower() in names, f"{mol} does not name any entity"
