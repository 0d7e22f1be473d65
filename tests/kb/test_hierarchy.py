"""The is_a / part_of hierarchy: curated links, consistency with the graph, the query API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exosci.errors import CurationError
from exosci.kb import default_kb
from exosci.kb.curated import DATA_DIR, load_curated
from exosci.kb.hierarchy import ancestors, descendants


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return default_kb()


@pytest.mark.parametrize(
    ("child", "ancestor"),
    [
        ("src:bmsc", "src:msc"),
        ("src:ucmsc", "src:msc"),
        ("src:admsc", "src:msc"),
        ("src:cd146-cd271-ucmsc", "src:msc"),
        ("src:m2-macrophage", "src:macrophage"),
        ("src:m1-macrophage", "src:macrophage"),
        ("src:m2-microglia", "src:microglia"),
        ("src:huvec", "src:endothelial"),
        ("src:epc", "src:endothelial"),
        ("src:utx-ko-endothelial", "src:endothelial"),
        ("exo:bmsc-hypoxia", "exo:bmsc"),
        ("exo:bmsc-hypoxia", "exo:msc-hypoxia"),
        ("exo:bmsc-hypoxia", "exo:msc"),
        ("exo:bmsc-hypoxia", "exo:exosome"),
        ("exo:rgd-cd163-macrophage", "exo:macrophage"),
        ("gene:pi3k", "pw:pi3k-akt"),
        ("gene:akt", "pw:pi3k-akt-mtor"),
        ("gene:jak1", "pw:jak-stat"),
        ("gene:pink1", "pw:pink1-parkin"),
        ("proc:m2-polarization", "proc:macrophage-polarization"),
    ],
)
def test_specific_entity_reaches_its_generic_parent(kb, child: str, ancestor: str) -> None:  # type: ignore[no-untyped-def]
    assert ancestor in kb.ancestors(child)
    assert child in kb.descendants(ancestor)


def test_evidence_never_flows_down_bmsc_is_not_below_its_own_hypoxic_product(kb) -> None:  # type: ignore[no-untyped-def]
    assert "exo:bmsc-hypoxia" not in kb.ancestors("exo:bmsc")
    assert "exo:msc" not in kb.descendants("exo:bmsc")
    assert kb.descendants("exo:bmsc-hypoxia") == []


def test_ancestors_are_nearest_first(kb) -> None:  # type: ignore[no-untyped-def]
    up = kb.ancestors("exo:cd271-cd56-bmsc")
    assert up.index("exo:bmsc") < up.index("exo:msc") < up.index("exo:exosome")


def test_query_api_takes_names_as_well_as_ids(kb) -> None:  # type: ignore[no-untyped-def]
    assert kb.descendants("MSC exosomes") == kb.descendants("exo:msc")
    assert "exo:ucmsc" in kb.descendants("MSC exosomes")


def test_every_exosome_product_has_a_path_up_to_exosome(kb) -> None:  # type: ignore[no-untyped-def]
    ents = kb.curated.entities
    orphans = [
        e.id
        for e in ents.values()
        if e.type == "exosome" and e.id != "exo:exosome" and "exo:exosome" not in kb.ancestors(e.id)
    ]
    assert orphans == []


def test_product_hierarchy_agrees_with_the_cell_sources_products_derive_from(kb) -> None:  # type: ignore[no-untyped-def]
    """If product A is a kind of product B, A's cell source is B's source or one of its kinds."""
    source = {s.subject: s.object for s in kb.curated.statements if s.predicate == "derived_from"}
    bad = []
    for link in kb.curated.hierarchy:
        a, b = link.child, link.parent
        if a in source and b in source:
            sa, sb = source[a], source[b]
            if sa != sb and sb not in kb.ancestors(sa):
                bad.append((a, sa, b, sb))
    assert bad == []


def test_module_functions_match_the_kb_methods(kb) -> None:  # type: ignore[no-untyped-def]
    assert descendants(kb, "exo:macrophage") == kb.descendants("exo:macrophage")
    assert ancestors(kb.curated, "gene:akt") == kb.ancestors("gene:akt")


def test_hierarchy_table_in_the_store(kb) -> None:  # type: ignore[no-untyped-def]
    n = kb.con.execute("SELECT count(*) FROM hierarchy WHERE parent = 'exo:msc'").fetchone()[0]
    assert n >= 5


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    dest.mkdir()
    for name in ("references.tsv", "core.yaml", "vocabulary.yaml"):
        shutil.copy(DATA_DIR / name, dest / name)
    return dest


def test_a_cycle_in_the_hierarchy_is_rejected(data_copy: Path) -> None:
    (data_copy / "h.yaml").write_text(
        "hierarchy:\n"
        "  - {child: 'pw:mtor', relation: part_of, parent: 'pw:pi3k-akt'}\n"
        "  - {child: 'pw:pi3k-akt', relation: part_of, parent: 'pw:mtor'}\n",
        encoding="utf-8",
    )
    with pytest.raises(CurationError, match="cycle"):
        load_curated(data_copy)


def test_a_link_to_an_unknown_entity_names_the_file_and_the_closest_id(data_copy: Path) -> None:
    (data_copy / "h.yaml").write_text(
        "hierarchy:\n  - {child: 'gene:pten', relation: part_of, parent: 'pw:pi3k-ak'}\n",
        encoding="utf-8",
    )
    with pytest.raises(CurationError, match=r"h\.yaml.*pw:pi3k-ak.*pw:pi3k-akt"):
        load_curated(data_copy)


def test_a_gene_cannot_be_a_kind_of_an_exosome(data_copy: Path) -> None:
    (data_copy / "h.yaml").write_text(
        "entities:\n  - {id: 'exo:x', name: x exosomes, type: exosome}\n"
        "hierarchy:\n  - {child: 'gene:pten', relation: is_a, parent: 'exo:x'}\n",
        encoding="utf-8",
    )
    with pytest.raises(CurationError, match="cannot be is_a"):
        load_curated(data_copy)


def test_kb_show_lists_evidence_of_kinds_labelled_and_never_that_of_parents(kb) -> None:  # type: ignore[no-untyped-def]
    doc = kb.show("MSC exosomes")
    assert {"id": "exo:exosome", "name": "exosome", "relation": "is_a"} in doc["hierarchy"][
        "parents"
    ]
    labels = {st["observed_for_id"] for st in doc["inherited_statements"]}
    assert {"exo:bmsc", "exo:ucmsc", "exo:msc-hypoxia"} <= labels
    assert labels <= set(kb.descendants("exo:msc"))
    # The specific product does not inherit what is shown for MSC exosomes.
    bmsc = kb.show("BMSC exosomes")
    assert "exo:msc" not in {st["observed_for_id"] for st in bmsc["inherited_statements"]}
    own = {st["id"] for st in kb.show("exo:msc")["statements"]}
    assert not own & {st["id"] for st in bmsc["inherited_statements"]}


def test_kb_show_cli_prints_the_product_each_inherited_statement_was_observed_for() -> None:
    from typer.testing import CliRunner

    from exosci.cli import app

    res = CliRunner().invoke(app, ["kb", "show", "MSC exosomes"], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "observed for BMSC exosomes" in res.stdout
