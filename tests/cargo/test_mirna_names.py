from __future__ import annotations

from pathlib import Path

import pytest

from exosci.cargo import normalize_mirnas, reference_from_mature_fa
from exosci.cargo.mirna_names import kb_reference, reference_from_names
from exosci.errors import FileFormatError


@pytest.fixture(scope="module")
def mirbase(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    path = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mirbase" / "mature.fa"
    if not path.is_file():
        pytest.skip(f"miRBase mature.fa not found at {path}")
    return reference_from_mature_fa(path)


@pytest.mark.parametrize(
    ("name", "species", "expected"),
    [
        ("miR-21", "human", "hsa-miR-21-5p"),
        ("hsa-miR-21-5p", "human", "hsa-miR-21-5p"),
        ("MIMAT0000076", "human", "hsa-miR-21-5p"),
        ("miR-21*", "human", "hsa-miR-21-3p"),
        ("miR-223", "human", "hsa-miR-223-3p"),  # legacy arm-less, 3p-dominant (by seed)
        ("hsa-miR-223*", "human", "hsa-miR-223-5p"),
        ("mmu-miR-21a-5p:MIMAT0000530:mmu-mir-21a", "mouse", "mmu-miR-21-5p"),
        ("rno-miR-21-5p", "rat", "rno-miR-21"),  # old release keeps the arm-less name
        ("rno-miR-21-3p", "rat", "rno-miR-21*"),
        ("miR-124", "mouse", "mmu-miR-124-3p"),
    ],
)
def test_resolves_against_mature_fa(mirbase, name: str, species: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    res = normalize_mirnas([name], species=species, reference=mirbase)
    assert [r.name for r in res.recognized] == [expected], res
    assert "mature.fa" in res.reference


def test_precursor_gives_both_arms(mirbase) -> None:  # type: ignore[no-untyped-def]
    res = normalize_mirnas(["hsa-mir-21"], reference=mirbase)
    assert {r.name for r in res.recognized} == {"hsa-miR-21-5p", "hsa-miR-21-3p"}


def test_unresolved_reported_with_suggestions(mirbase) -> None:  # type: ignore[no-untyped-def]
    res = normalize_mirnas(["miR-21", "miR-99999z"], species="human", reference=mirbase)
    assert [u.input for u in res.unrecognized] == ["miR-99999z"]
    assert res.unrecognized[0].suggestions
    assert res.to_dict()["unrecognized"][0]["name"] == "miR-99999z"


def test_offline_reference_is_the_shipped_mirbase_table() -> None:
    ref = kb_reference()
    assert ref.label.startswith("miRBase 22.1")
    res = normalize_mirnas(
        ["miR-20a", "mmu-miR-21a-5p", "not a mirna"], species="mouse", reference=ref
    )
    names = [r.name for r in res.recognized]
    assert "mmu-miR-20a-5p" in names and "mmu-miR-21a-5p" in names
    assert [u.input for u in res.unrecognized] == ["not a mirna"]


def test_match_key_joins_across_species_and_releases() -> None:
    ref = reference_from_names(["hsa-miR-21-5p", "mmu-miR-21a-5p"], label="t")
    human = normalize_mirnas(["hsa-miR-21-5p"], reference=ref).recognized[0]
    mouse = normalize_mirnas(["mmu-miR-21a-5p"], reference=ref).recognized[0]
    assert human.key == mouse.key == "mir-21-5p"


def test_mixed_species_is_an_error() -> None:
    with pytest.raises(FileFormatError, match=r"line 2: mixed species"):
        normalize_mirnas(["hsa-miR-21-5p", "mmu-miR-21a-5p"], source="x.txt")
    with pytest.raises(FileFormatError, match="species asked for is rat"):
        normalize_mirnas(["hsa-miR-21-5p"], species="rat")
