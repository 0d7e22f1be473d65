"""Generic queries reach evidence observed for more specific products, labelled; never downward."""

from __future__ import annotations

import pytest

from exosci.kb import default_kb
from exosci.kb.schema import Entity, Evidence, HierarchyLink, Statement
from exosci.reason.explain import explain
from exosci.reason.graph import kb_from_records


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return default_kb()


def _observed_for(res) -> set[str | None]:  # type: ignore[no-untyped-def]
    return {p.observed_for for p in res.paths}


def test_msc_exosomes_reach_angiogenesis_through_bmsc_and_hypoxic_products(kb) -> None:  # type: ignore[no-untyped-def]
    allowed = {None, *kb.descendants("exo:msc", relations=("is_a",))}
    strict = explain(kb, "MSC exosomes", "angiogenesis", limit=50)
    assert strict.result == "PATHS_FOUND"
    assert "exo:msc-hypoxia" in _observed_for(strict)  # hypoxic MSC sEV (ref 46), one context
    assert _observed_for(strict) <= allowed
    # The BMSC chains join neuron, macrophage and endothelial studies: only asked for, flagged.
    loose = explain(kb, "MSC exosomes", "angiogenesis", limit=50, context="loose")
    bmsc = [p for p in loose.paths if p.observed_for == "exo:bmsc"]
    assert bmsc and all(p.mixed_context for p in bmsc)
    assert strict.excluded_mixed >= len(bmsc)
    assert _observed_for(loose) <= allowed


def test_exosome_reaches_pten_only_through_specific_products(kb) -> None:  # type: ignore[no-untyped-def]
    res = explain(kb, "exosome", "PTEN", limit=50)
    assert res.result == "PATHS_FOUND"
    assert "exo:bmsc" in _observed_for(res)
    for p in res.paths:  # each path starts at the product it was observed for
        assert p.nodes[0] == (p.observed_for or "exo:exosome")


def test_exosome_to_ferroptosis_includes_the_uc_msc_pink1_parkin_chain(kb) -> None:  # type: ignore[no-untyped-def]
    res = explain(kb, "exosome", "ferroptosis")
    chain = [p for p in res.paths if p.observed_for == "exo:ucmsc"]
    assert chain, [p.nodes for p in res.paths]
    assert {"gene:pink1", "gene:prkn"} <= set(chain[0].nodes)
    assert 64 in {n for e in chain[0].edges for n in e.refs}
    doc = res.to_dict()
    labelled = [p for p in doc["paths"] if p["observed_for_id"] == "exo:ucmsc"]
    assert labelled[0]["observed_for"] == "UC-MSC exosomes"


def test_a_specific_product_never_inherits_generic_evidence(kb) -> None:  # type: ignore[no-untyped-def]
    # MSC exosomes -> ferroptosis (ref 65) is evidence for MSC exosomes, not for BMSC exosomes.
    res = explain(kb, "BMSC exosomes", "ferroptosis", limit=100)
    starts = {p.nodes[0] for p in res.paths}
    assert "exo:msc" not in starts and "exo:exosome" not in starts
    assert _observed_for(res) <= {None, *kb.descendants("exo:bmsc")}


def _records(upper: str, lower: str):  # type: ignore[no-untyped-def]
    ents = [
        Entity(id="exo:g", name="generic exosomes", type="exosome"),
        Entity(id="exo:s", name="specific exosomes", type="exosome"),
        Entity(id="proc:x", name="x", type="process"),
        Entity(id="proc:y", name="y", type="process"),
    ]
    ev = [Evidence(refs=[47], model="in_vivo", species="rat", text="test")]
    sts = [
        Statement(id="a", subject="exo:g", predicate="promotes", object=upper, evidence=ev),
        Statement(id="b", subject="exo:s", predicate="promotes", object=lower, evidence=ev),
    ]
    links = [HierarchyLink(child="exo:s", relation="is_a", parent="exo:g")]
    return kb_from_records(ents, sts, backend="memory", hierarchy=links)


def test_evidence_flows_up_labelled_and_not_down() -> None:
    tiny = _records("proc:x", "proc:y")
    up = explain(tiny, "generic exosomes", "y")
    assert up.result == "PATHS_FOUND"
    assert up.paths[0].observed_for == "exo:s"
    assert up.to_dict()["paths"][0]["observed_for"] == "specific exosomes"
    down = explain(tiny, "specific exosomes", "x")
    assert down.result == "NO_PATHS_FOUND"


def test_without_upward_the_generic_query_sees_only_its_own_evidence() -> None:
    tiny = _records("proc:x", "proc:y")
    assert explain(tiny, "generic exosomes", "y", upward=False).result == "NO_PATHS_FOUND"


def test_a_part_of_the_object_is_not_a_target(kb) -> None:  # type: ignore[no-untyped-def]
    # PTEN is part of the PI3K/Akt pathway but opposes it: reaching PTEN is not reaching PI3K/Akt.
    res = explain(kb, "macrophage exosomes", "PI3K/Akt", max_length=7)
    assert all(p.nodes[-1] == "pw:pi3k-akt" for p in res.paths)
