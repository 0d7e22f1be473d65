"""Names as the review writes them resolve to the entity they mean (issue 9: >= 95 %)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from exosci.errors import UnknownNameError
from exosci.kb import default_kb
from exosci.kb.resolve import ChainNameError

from .review_names import REVIEW_CHAINS, REVIEW_NAMES


def _resolved(name: str) -> str:
    try:
        return default_kb().resolve(name).id
    except UnknownNameError as exc:
        return f"error: {exc}"


def test_the_list_is_long_enough_and_has_no_duplicates() -> None:
    names = [n for n, _ in REVIEW_NAMES]
    assert len(names) >= 150
    assert len(set(names)) == len(names)


def test_every_listed_name_is_copied_verbatim_from_the_review(shared: Path) -> None:
    text = (shared / "seed" / "exosome-sci-review.txt").read_text(encoding="utf-8")
    missing = [n for n, _ in REVIEW_NAMES if n not in text]
    missing += [n for n, _ in REVIEW_CHAINS if n not in text]
    assert missing == []


def test_every_expected_entity_exists() -> None:
    ents = default_kb().curated.entities
    assert [e for _, e in REVIEW_NAMES if e not in ents] == []


def test_review_names_resolve_at_least_95_percent() -> None:
    misses = [(n, e, got) for n, e in REVIEW_NAMES if (got := _resolved(n)) != e]
    rate = 1 - len(misses) / len(REVIEW_NAMES)
    assert rate >= 0.95, f"{rate:.1%} resolved; misses: {misses}"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Exos derived from dental pulp stem cells", "exo:dpsc"),  # Exos derived from X
        ("induced pluripotent stem cell (iPSC) -derived Exos", "exo:ipsc"),  # X-derived Exos
        ("Exos from UTX-/-EC", "exo:utx-ko-endothelial"),
        ("UTX-deficient endothelial cells", "src:utx-ko-endothelial"),  # -deficient
        ("UTX knockout endothelial cell exosomes", "exo:utx-ko-endothelial"),
        ("cerebrospinal fluid exosomes", "exo:csf"),  # long form of CSF
        ("dental pulp stem cell-derived Exos", "exo:dpsc"),
        ("endothelial progenitor cell exosomes", "exo:epc"),
        ("neural stem cell-derived small extracellular vesicles", "exo:nsc"),
        ("microglial cell (MG)", "src:microglia"),  # Table 1's form
        ("bone marrow mesenchymal stem cell-derived exosomes (BMSC-HSEV)", "exo:bmsc-hypoxia"),
        ("M1/M2 macrophage polarization", "proc:macrophage-polarization"),
        ("macrophage polarization", "proc:macrophage-polarization"),
        ("PI3K/Akt/mTOR", "pw:pi3k-akt-mtor"),
        ("PTEN/PI3K/Akt", "pw:pi3k-akt"),
        ("JAK1/STAT3", "pw:jak-stat"),
        ("PINK1/Parkin", "pw:pink1-parkin"),
        ("PI3K", "gene:pi3k"),
        ("Akt", "gene:akt"),
        ("ERK", "gene:erk"),
        ("ECM", "proc:extracellular-matrix"),
        ("BSCB", "proc:bscb-integrity"),
    ],
)
def test_the_review_patterns_named_in_the_issue(written: str, expected: str) -> None:
    assert _resolved(written) == expected


def test_macrophage_polarization_is_not_the_m2_node() -> None:
    assert _resolved("macrophage polarization") != "proc:m2-polarization"
    assert "proc:m2-polarization" in default_kb().descendants("proc:macrophage-polarization")


def test_pi3k_akt_mtor_is_not_mtor_alone() -> None:
    assert _resolved("PI3K/Akt/mTOR") != "pw:mtor"


@pytest.mark.parametrize(("written", "parts"), REVIEW_CHAINS)
def test_a_slash_chain_offers_the_explain_query(written: str, parts: tuple[str, ...]) -> None:
    with pytest.raises(ChainNameError) as info:
        default_kb().resolve(written)
    assert tuple(p.id for p in info.value.parts) == parts
    assert info.value.query.startswith("exosci explain ")
    assert "explain" in str(info.value)


def test_tlr4_nfkb_is_offered_as_a_chain_of_two_pathways() -> None:
    with pytest.raises(ChainNameError) as info:
        default_kb().resolve("TLR4/NF-κB")
    assert [p.id for p in info.value.parts] == ["pw:tlr4", "pw:nfkb"]


def _suggestions(name: str) -> list[str]:
    with pytest.raises(UnknownNameError) as info:
        default_kb().resolve(name)
    return info.value.suggestions


def test_a_mirna_miss_is_not_offered_unrelated_names() -> None:
    sugg = _suggestions("let-7")
    assert "cholesterol" not in sugg
    types = {e.name: e.type for e in default_kb().curated.entities.values()}
    assert all(types[s] == "mirna" for s in sugg)


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("angiogensis", "angiogenesis"),
        ("BMSC exosome x", "BMSC exosomes"),
        ("ferroptosys", "ferroptosis"),
        ("miR-146a-3p", "miR-146a-5p"),
        ("Ndfip3", "Ndfip1"),
    ],
)
def test_suggestions_for_a_miss_are_close_in_name(typo: str, meant: str) -> None:
    assert meant in _suggestions(typo)


def test_a_miss_with_nothing_close_gets_no_suggestions() -> None:
    assert _suggestions("quantum chromodynamics") == []


@pytest.mark.parametrize(
    "odd", ["", " ", "/", "//", "(", ")", "()", "a (", "(b)", "-/-", "Exos", "X-derived Exos", "a/"]
)
def test_odd_inputs_resolve_or_raise_a_clear_unknown_name_error(odd: str) -> None:
    try:
        default_kb().resolve(odd)
    except UnknownNameError as exc:
        assert str(exc)


def test_any_text_resolves_or_raises_unknown_name_error() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    kb = default_kb()

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
    def check(text: str) -> None:
        with contextlib.suppress(UnknownNameError):
            kb.resolve(text)

    check()


@pytest.mark.parametrize(
    ("name", "curie"),
    [
        ("oligodendrocyte", "CL:0000128"),
        ("olfactory ensheathing cells", None),  # no CL term verified offline
        ("Commissureless", None),  # Drosophila comm; no identifier assigned
        ("collagen", "fplx:Collagen"),
        ("fibronectin", "hgnc.symbol:FN1"),
        ("heat-shock proteins", "mesh:D006360"),
        ("tight-junction proteins", "mesh:D062725"),
        ("MMPs", "mesh:D020782"),
        ("TIMPs", "mesh:D019714"),
        ("NDDS", "mesh:D000090783"),
    ],
)
def test_entities_the_review_names_exist_with_standard_identifiers(
    name: str, curie: str | None
) -> None:
    assert default_kb().resolve(name).curie == curie


def test_group_nodes_hold_their_members() -> None:
    kb = default_kb()
    assert {"gene:mmp2", "gene:mmp9"} <= set(kb.descendants("MMPs"))
    assert {"gene:timp1", "gene:timp2"} <= set(kb.descendants("TIMPs"))
    assert {"gene:cldn5", "gene:ocln", "gene:tjp1"} <= set(
        kb.descendants("tight-junction proteins")
    )
    assert {"gene:hspa1a", "gene:hsp90aa1"} <= set(kb.descendants("heat-shock proteins"))
