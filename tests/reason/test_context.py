"""Path search does not join steps observed in incompatible cell types unless asked."""

from __future__ import annotations

from collections.abc import Sequence

from exosci.kb.schema import Entity, Evidence, Statement
from exosci.reason.context import compatible
from exosci.reason.explain import explain
from exosci.reason.graph import kb_from_records

NEURON, MACROPHAGE, MICROGLIA = "CL:0000540", "CL:0000235", "CL:0000129"
SPINAL_CORD = "UBERON:0002240"

Step = tuple[str, str, str, str | None, int]  # subject, predicate, object, context, ref


def _kb(steps: Sequence[Step]):  # type: ignore[no-untyped-def]
    ids: dict[str, str] = {}
    sts = []
    for i, (s, p, o, ctx, ref) in enumerate(steps):
        ids.update({s: s, o: o})
        ev = Evidence(refs=[ref], model="in_vivo", species="mouse", context=ctx, text="test")
        sts.append(Statement(id=f"s{i}", subject=s, predicate=p, object=o, evidence=[ev]))
    types = {"exo": "exosome", "gene": "gene", "pw": "pathway", "proc": "process"}
    ents = [Entity(id=e, name=e.split(":")[1], type=types[e.split(":")[0]]) for e in ids]
    return kb_from_records(ents, sts, backend="memory")


# The issue's example: exosome -> NGF (neurons, ref 50) -> MAPK (neurons, ref 50) -> NF-kB
# (macrophages, ref 99) -| M2 (microglia, ref 73).
ISSUE_CHAIN: list[Step] = [
    ("exo:exosome", "carries", "gene:ngf", None, 48),
    ("gene:ngf", "activates", "pw:mapk", NEURON, 50),
    ("pw:mapk", "activates", "pw:nfkb", MACROPHAGE, 99),
    ("pw:nfkb", "inhibits", "proc:m2", MICROGLIA, 73),
]


def test_strict_search_excludes_a_path_joining_neuron_and_macrophage_studies() -> None:
    res = explain(_kb(ISSUE_CHAIN), "exosome", "m2")
    assert res.result == "NO_PATHS_FOUND"
    assert res.excluded_mixed == 1
    assert res.to_dict()["excluded_mixed_context_paths"] == 1


def test_loose_search_returns_the_path_flagged_as_mixed() -> None:
    res = explain(_kb(ISSUE_CHAIN), "exosome", "m2", context="loose")
    assert res.result == "PATHS_FOUND"
    path = res.to_dict()["paths"][0]
    assert path["mixed_context"] is True
    assert path["context_breaks"] == [2]  # the NGF/MAPK (neuron) -> NF-kB (macrophage) join
    assert path["contexts"][:2] == ["neuron", "macrophage"]


def test_nested_cell_types_are_joined_without_a_flag() -> None:
    # MAPK -> NF-kB in macrophages, NF-kB -| M2 in microglia (a kind of macrophage): allowed.
    res = explain(_kb(ISSUE_CHAIN), "MAPK", "m2")
    assert res.result == "PATHS_FOUND"
    assert res.paths[0].mixed_context is False
    assert res.excluded_mixed == 0


def test_steps_from_the_same_study_are_joined_whatever_their_context() -> None:
    steps: list[Step] = [
        ("gene:a", "activates", "gene:b", NEURON, 7),
        ("gene:b", "activates", "gene:c", MACROPHAGE, 7),
    ]
    res = explain(_kb(steps), "a", "c")
    assert res.result == "PATHS_FOUND" and not res.paths[0].mixed_context


def test_unknown_context_and_tissue_level_steps_join_anything() -> None:
    steps: list[Step] = [
        ("gene:a", "activates", "gene:b", NEURON, 1),
        ("gene:b", "activates", "gene:c", None, 2),
        ("gene:c", "activates", "gene:d", SPINAL_CORD, 3),
    ]
    res = explain(_kb(steps), "a", "d")
    assert res.result == "PATHS_FOUND"
    assert res.paths[0].mixed_context is False
    assert res.paths[0].unknown_context_steps == 1


def test_context_compatibility_rules() -> None:
    assert compatible(MICROGLIA, MACROPHAGE) and compatible(MACROPHAGE, MICROGLIA)
    assert not compatible(NEURON, MACROPHAGE)
    assert compatible(NEURON, SPINAL_CORD)
    assert not compatible(SPINAL_CORD, "UBERON:0001322")  # spinal cord vs sciatic nerve


def test_a_path_joining_studies_across_a_step_of_unknown_context_is_flagged_unverified() -> None:
    # As curated: NGF -> MAPK (ref 50) is a review-level claim naming no cell type.
    chain = [ISSUE_CHAIN[0], ("gene:ngf", "activates", "pw:mapk", None, 50), *ISSUE_CHAIN[2:]]
    res = explain(_kb(chain), "exosome", "m2")
    assert res.result == "PATHS_FOUND"  # unknown is not incompatible: kept, but flagged
    path = res.to_dict()["paths"][0]
    assert path["context_status"] == "unverified" and path["mixed_context"] is False
    one_study = explain(_kb([("gene:a", "activates", "gene:b", None, 5)]), "a", "b")
    assert one_study.paths[0].context_status == "consistent"


def test_the_reviews_ngf_mapk_nfkb_m2_chain_is_excluded_or_flagged_in_the_curated_graph() -> None:
    from exosci.kb import default_kb

    def hits(mode: str):  # type: ignore[no-untyped-def]
        res = explain(default_kb(), "exosome", "M2 polarization", upward=False, limit=1000,
                      context=mode)  # fmt: skip
        chain = ("gene:ngf", "pw:mapk", "pw:nfkb")
        return res, [p for p in res.paths if p.nodes[1:4] == chain]

    strict, kept = hits("strict")
    assert kept == [] and strict.excluded_mixed > 0
    _, flagged = hits("loose")
    assert flagged and all(p.context_status != "consistent" for p in flagged)
