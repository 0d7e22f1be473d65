"""The mechanism profile: net weighted count of independent studies per repair axis.

Hand-computed cases follow docs/profile.md: record weight = 1 x model x species for experimental
records (in vivo 1, in vitro 0.5; rat/mouse 0.9, primate 1), 0.3 for a review claim; a chain
weighs as much as its weakest edge; score = net / (net + 1).
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exosci.kb.schema import Entity, Evidence, HierarchyLink, Statement
from exosci.reason.graph import kb_from_records
from exosci.reason.profile import AXES, AXIS_MECHANISM, mechanism_profile

CHAIN = [
    ("exo:a", "carries", "mir:m1"),
    ("mir:m1", "decreases_amount", "gene:g1"),
    ("gene:g1", "activates", "pw:p1"),
    ("pw:p1", "inhibits", "mech:inflammation-suppression"),
]
# Axis definitions (Table 2 processes -> mechanism); weightless in a chain.
DEFS = [
    ("proc:neuronal-apoptosis", "inhibits", "mech:neuroprotection", "review", "unspecified", [51]),
    ("proc:neuronal-survival", "promotes", "mech:neuroprotection", "review", "unspecified", [50]),
    (
        "proc:neuroinflammation",
        "inhibits",
        "mech:inflammation-suppression",
        "review",
        "unspecified",
        [89],
    ),
    ("proc:ecm-remodeling", "promotes", "mech:ecm-regulation", "review", "unspecified", [115]),
    ("proc:glial-scar", "inhibits", "mech:ecm-regulation", "review", "unspecified", [113]),
    ("proc:axon-growth", "promotes", "mech:axon-regeneration", "review", "unspecified", [66]),
]
RAT_IN_VIVO = 0.9  # 1 x in vivo 1 x rat 0.9


def _score(net: float) -> float:
    return net / (net + 1.0)


def test_double_negative_chain_supports_axis_with_one_study(tiny_kb) -> None:
    prof = mechanism_profile(tiny_kb(CHAIN), ["exo:a"])
    inflam = prof.axes["inflammation"]
    assert math.isclose(inflam.score, _score(RAT_IN_VIVO))
    best = inflam.evidence[0]
    assert best["path"] == ["a", "m1", "g1", "p1", "inflammation-suppression"]
    assert best["sign"] == 1 and best["studies"] == [47]
    assert inflam.n_support == 1 and inflam.n_oppose == 0
    assert {a for a in AXES if prof.axes[a].score > 0} == {"inflammation"}
    assert set(prof.to_dict()["axes"]) == set(AXES)


def test_two_independent_studies_add_up_as_documented(tiny_kb) -> None:
    # ref 46: in vivo rat (0.9); ref 47: in vitro mouse (0.5 x 0.9 = 0.45); S+ = 1.35.
    kb = tiny_kb(
        [
            ("exo:a", "inhibits", "proc:neuronal-apoptosis", "in_vivo", "rat", [46]),
            ("exo:a", "promotes", "proc:neuronal-survival", "in_vitro", "mouse", [47]),
            *DEFS,
        ]
    )
    ax = mechanism_profile(kb, ["exo:a"]).axes["neuroprotection"]
    assert math.isclose(ax.support, 1.35)
    assert math.isclose(ax.score, 1.35 / 2.35)
    assert ax.n_support == 2


def test_the_same_reference_twice_counts_once(tiny_kb) -> None:
    once = tiny_kb(
        [("exo:a", "inhibits", "proc:neuronal-apoptosis", "in_vivo", "rat", [46]), *DEFS]
    )
    twice = tiny_kb(
        [
            ("exo:a", "inhibits", "proc:neuronal-apoptosis", "in_vivo", "rat", [46]),
            ("exo:a", "promotes", "proc:neuronal-survival", "in_vivo", "rat", [46]),
            *DEFS,
        ]
    )
    a = mechanism_profile(once, ["exo:a"]).axes["neuroprotection"]
    b = mechanism_profile(twice, ["exo:a"]).axes["neuroprotection"]
    assert math.isclose(a.score, b.score) and b.n_support == 1


def test_a_long_detailed_chain_is_not_penalised_for_its_length(tiny_kb) -> None:
    short = tiny_kb([("exo:a", "promotes", "proc:axon-growth"), *DEFS])
    long = tiny_kb(
        [
            ("exo:a", "carries", "mir:m"),
            ("mir:m", "decreases_amount", "gene:pten"),
            ("gene:pten", "inhibits", "pw:pi3k"),
            ("pw:pi3k", "activates", "pw:mtor"),
            ("pw:mtor", "promotes", "proc:axon-growth"),
            *DEFS,
        ]
    )
    s = mechanism_profile(short, ["exo:a"]).axes["axon_regeneration"].score
    l_ = mechanism_profile(long, ["exo:a"]).axes["axon_regeneration"].score
    assert math.isclose(s, l_) and math.isclose(s, _score(RAT_IN_VIVO))


def test_in_vivo_chain_outweighs_a_vague_one_edge_review_claim(tiny_kb) -> None:
    chain = tiny_kb(
        [("exo:a", "carries", "gene:v"), ("gene:v", "promotes", "mech:angiogenesis-bscb")]
    )
    vague = tiny_kb(
        [("exo:a", "promotes", "mech:angiogenesis-bscb", "review", "unspecified", [106])]
    )
    c = mechanism_profile(chain, ["exo:a"]).axes["angiogenesis_bscb"].score
    v = mechanism_profile(vague, ["exo:a"]).axes["angiogenesis_bscb"].score
    assert math.isclose(v, _score(0.3))
    assert c > v


def test_ranking_prefers_in_vivo_and_primate(tiny_kb) -> None:
    def score(model: str, species: str) -> float:
        kb = tiny_kb([("exo:a", "promotes", "mech:neuroprotection", model, species, [46])])
        return mechanism_profile(kb, ["exo:a"]).axes["neuroprotection"].score

    assert score("in_vivo", "monkey") > score("in_vivo", "rat") > score("in_vitro", "rat")
    assert math.isclose(score("in_vitro", "rat"), _score(0.45))


def test_opposing_chain_is_shown_with_its_sign_and_lowers_the_score(tiny_kb) -> None:
    # + ref 46 in vivo rat (0.9) on ECM remodelling; - ref 47 in vitro rat (0.45) raising scar.
    pos = [("exo:a", "promotes", "proc:ecm-remodeling", "in_vivo", "rat", [46])]
    neg = [("exo:a", "promotes", "proc:glial-scar", "in_vitro", "rat", [47])]
    only_pos = mechanism_profile(tiny_kb(pos + DEFS), ["exo:a"]).axes["ecm"]
    both = mechanism_profile(tiny_kb(pos + neg + DEFS), ["exo:a"]).axes["ecm"]
    assert math.isclose(both.opposition, 0.45)
    assert math.isclose(both.score, _score(0.9 - 0.45)) and both.score < only_pos.score
    doc = both.to_dict()
    assert doc["best_opposing"]["sign"] == -1 and doc["best_opposing"]["studies"] == [47]
    assert doc["best_supporting"]["sign"] == 1
    only_neg = mechanism_profile(tiny_kb(neg + DEFS), ["exo:a"]).axes["ecm"]
    assert only_neg.score == 0 and only_neg.opposing and not only_neg.supporting


def test_a_generic_hub_claim_cannot_carry_an_axis_alone(tiny_kb) -> None:
    # exo:a damps inflammation in vivo (ref 47); the review claims inflammation harms the ECM.
    hub = [
        ("exo:a", "inhibits", "proc:neuroinflammation", "in_vivo", "rat", [47]),
        (
            "proc:neuroinflammation",
            "inhibits",
            "mech:ecm-regulation",
            "review",
            "unspecified",
            [100],
        ),
        *DEFS,
    ]
    prof = mechanism_profile(tiny_kb(hub), ["exo:a"])
    assert math.isclose(prof.axes["inflammation"].score, _score(RAT_IN_VIVO))
    ecm = prof.axes["ecm"]
    assert ecm.score == 0 and ecm.supporting and ecm.supporting[0]["indirect"]
    # With one direct ECM study the indirect chain may add, but at most as much as the direct.
    direct = [("exo:a", "promotes", "proc:ecm-remodeling", "in_vivo", "rat", [46])]
    ecm2 = mechanism_profile(tiny_kb(hub + direct), ["exo:a"]).axes["ecm"]
    assert math.isclose(ecm2.support, 0.9 + 0.3)


def test_chains_joining_incompatible_cell_contexts_are_excluded(tiny_kb) -> None:
    def rec(i: int, s: str, p: str, o: str, ctx: str | None) -> Statement:
        ev = Evidence(
            refs=[47 + i],
            model="in_vivo",
            species="rat",
            context=ctx,
            text="t",
            grade="experimental",
        )
        return Statement(id=f"c{i}", subject=s, predicate=p, object=o, evidence=[ev])

    ents = [
        Entity(id="exo:a", name="a", type="exosome"),
        Entity(id="gene:g", name="g", type="gene"),
        Entity(id="pw:p", name="p", type="pathway"),
        Entity(id="mech:angiogenesis-bscb", name="angio", type="mechanism"),
    ]

    def profile(ctx2: str) -> object:
        sts = [
            rec(0, "exo:a", "activates", "gene:g", "CL:0000540"),  # in neurons
            rec(1, "gene:g", "activates", "pw:p", ctx2),
            rec(2, "pw:p", "promotes", "mech:angiogenesis-bscb", None),
        ]
        kb = kb_from_records(ents, sts, backend="memory")
        return mechanism_profile(kb, ["exo:a"]).axes["angiogenesis_bscb"]

    same = profile("CL:0000540")
    mixed = profile("CL:0000115")  # endothelial
    assert same.score > 0 and not same.excluded
    assert mixed.score == 0 and mixed.excluded and mixed.excluded[0]["mixed_context"]


def test_evidence_flows_up_from_specific_products_never_down() -> None:
    ents = [
        Entity(id="exo:parent", name="parent", type="exosome"),
        Entity(id="exo:child", name="child", type="exosome"),
        Entity(id="proc:axon-growth", name="axon growth", type="process"),
        Entity(id="mech:axon-regeneration", name="axon regeneration", type="mechanism"),
    ]
    ev = Evidence(
        refs=[72],
        model="in_vivo",
        species="rat",
        text="t",
        grade="experimental",
        injury_model="contusion",
    )
    sts = [
        Statement(
            id="s1",
            subject="exo:child",
            predicate="promotes",
            object="proc:axon-growth",
            evidence=[ev],
        ),
        Statement(
            id="s2",
            subject="proc:axon-growth",
            predicate="promotes",
            object="mech:axon-regeneration",
            evidence=[Evidence(refs=[66], model="review", text="t")],
        ),
    ]
    kb = kb_from_records(
        ents,
        sts,
        backend="memory",
        hierarchy=[HierarchyLink(child="exo:child", relation="is_a", parent="exo:parent")],
    )
    up = mechanism_profile(kb, ["exo:parent"])
    ax = up.axes["axon_regeneration"]
    assert ax.score > 0 and up.gathered == ("exo:child",)
    assert ax.supporting[0]["observed_for"] == "exo:child" and ax.supporting[0]["gathered"]
    # the child does not inherit anything from the parent
    sts.append(
        Statement(
            id="s3",
            subject="exo:parent",
            predicate="promotes",
            object="mech:neuroprotection",
            evidence=[ev],
        )
    )
    ents.append(Entity(id="mech:neuroprotection", name="np", type="mechanism"))
    kb2 = kb_from_records(
        ents,
        sts,
        backend="memory",
        hierarchy=[HierarchyLink(child="exo:child", relation="is_a", parent="exo:parent")],
    )
    assert mechanism_profile(kb2, ["exo:child"]).axes["neuroprotection"].score == 0
    assert (
        mechanism_profile(kb2, ["exo:parent"], gather_descendants=False)
        .axes["axon_regeneration"]
        .score
        == 0
    )


def test_confidence_is_grade_certainty_with_its_reasons(tiny_kb) -> None:
    # GRADE for animal studies (Hooijmans 2018): an axis starts at its best chain's certainty
    # and is rated down for imprecision (one study) and inconsistency (strong opposition).
    def axis(*edges):  # type: ignore[no-untyped-def]
        return mechanism_profile(tiny_kb([*edges, *DEFS]), ["exo:a"]).axes["neuroprotection"]

    e = ("exo:a", "inhibits", "proc:neuronal-apoptosis")
    claim = axis((*e, "review", "unspecified", [51]))
    assert claim.confidence == "very low"
    assert any("imprecision" in r for r in claim.confidence_reasons)
    # in vitro: high - 2 (no injured animal) - 1 (a single study)
    assert axis((*e, "in_vitro", "rat", [46])).confidence == "very low"
    # two in vivo SCI studies: high - 1 (randomisation and blinding not reported)
    two = axis((*e, "in_vivo", "rat", [46]), (*e, "in_vivo", "mouse", [47]))
    assert two.confidence == "moderate"
    assert any("risk of bias (SYRCLE)" in r for r in two.confidence_reasons)
    three = [(*e, "in_vivo", "rat", [n]) for n in (46, 47, 59)]
    assert axis(*three).confidence == "moderate"  # more studies do not cure unclear bias
    # strong opposing evidence rates certainty down one level
    opp = [
        ("exo:a", "promotes", "proc:neuronal-apoptosis", "in_vivo", "rat", [n]) for n in (64, 65)
    ]
    mixed = axis(*three, *opp)
    assert mixed.confidence == "low"
    assert any("inconsistency" in r for r in mixed.confidence_reasons)


def test_reported_randomisation_and_blinding_allow_high_certainty() -> None:
    def rec(i: int, **rob: str) -> Statement:
        ev = Evidence(
            refs=[46 + i],
            model="in_vivo",
            species="rat",
            grade="experimental",
            injury_model="contusion",
            text="t",
            **rob,  # type: ignore[arg-type]
        )
        return Statement(
            id=f"r{i}",
            subject="exo:a",
            predicate="inhibits",
            object="proc:neuronal-apoptosis",
            evidence=[ev],
        )

    ents = [
        Entity(id="exo:a", name="a", type="exosome"),
        Entity(id="proc:neuronal-apoptosis", name="apoptosis", type="process"),
        Entity(id="mech:neuroprotection", name="np", type="mechanism"),
    ]
    axis_def = Statement(
        id="d",
        subject="proc:neuronal-apoptosis",
        predicate="inhibits",
        object="mech:neuroprotection",
        evidence=[Evidence(refs=[51], model="review", text="t")],
    )

    def conf(**rob: str) -> str:
        kb = kb_from_records(ents, [rec(0, **rob), rec(1, **rob), axis_def], backend="memory")
        return mechanism_profile(kb, ["exo:a"]).axes["neuroprotection"].confidence

    assert conf(randomised="yes", blinded="yes") == "high"
    assert conf(randomised="yes") == "moderate"
    assert conf() == "moderate"


def test_non_causal_predicates_are_not_traversed(tiny_kb) -> None:
    kb = tiny_kb(
        [("exo:a", "derived_from", "src:s"), ("src:s", "promotes", "mech:neuroprotection")]
    )
    assert mechanism_profile(kb, ["exo:a"]).axes["neuroprotection"].score == 0
    assert mechanism_profile(kb, ["src:s"]).axes["neuroprotection"].score > 0


def test_max_length_cuts_and_unknown_ids_contribute_nothing(tiny_kb) -> None:
    kb = tiny_kb(
        [
            ("exo:a", "carries", "mir:m"),
            ("mir:m", "promotes", "proc:x"),
            ("proc:x", "promotes", "mech:axon-regeneration"),
        ]
    )
    assert mechanism_profile(kb, ["exo:a"]).axes["axon_regeneration"].score > 0
    assert mechanism_profile(kb, ["exo:a"], max_length=2).axes["axon_regeneration"].score == 0
    assert mechanism_profile(kb, ["nope:x"]).axes["axon_regeneration"].score == 0


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["in_vivo", "in_vitro", "clinical", "review"]),
            st.sampled_from(["rat", "monkey", "human", "unspecified"]),
            st.integers(1, 194),
        ),
        min_size=1,
        max_size=5,
    ),
    st.integers(0, 2),
)
def test_adding_supporting_evidence_never_lowers_score(tiny_kb, extra, where) -> None:
    base = [
        ("exo:a", "carries", "mir:m"),
        ("mir:m", "decreases_amount", "gene:g"),
        ("gene:g", "inhibits", "mech:neuroprotection"),
        ("exo:a", "activates", "proc:bad"),
        ("proc:bad", "suppresses", "mech:neuroprotection", "in_vitro"),
    ]
    before = mechanism_profile(tiny_kb(base), ["exo:a"]).axes["neuroprotection"].score
    edge = [base[1], base[2], ("exo:a", "promotes", "mech:neuroprotection")][where]
    added = [(*edge[:3], model, sp, [ref]) for model, sp, ref in extra]
    after = mechanism_profile(tiny_kb(base + added), ["exo:a"]).axes["neuroprotection"].score
    assert after >= before - 1e-12
    assert 0 <= after < 1


def test_axis_mechanism_ids_exist_in_core() -> None:
    from exosci.kb.curated import DATA_DIR, _read_yaml

    core = _read_yaml(DATA_DIR / "core.yaml")
    axis_of = {e.id: e.attributes.get("axis") for e in core.entities}
    for axis in AXES:
        assert axis_of[AXIS_MECHANISM[axis]] == axis


def test_duckdb_backed_kb_gives_the_same_profile(tiny_kb) -> None:
    fast = mechanism_profile(tiny_kb(CHAIN), ["exo:a"]).to_dict()
    real = mechanism_profile(tiny_kb(CHAIN, backend="duckdb"), ["exo:a"]).to_dict()
    assert fast == real


def test_worked_example_of_docs_profile_md(tiny_kb) -> None:
    edges = [
        ("exo:a", "promotes", "proc:ecm-remodeling", "in_vivo", "rat", [46]),
        ("exo:a", "promotes", "proc:glial-scar", "in_vitro", "rat", [47]),
        ("exo:a", "inhibits", "proc:neuroinflammation", "in_vivo", "rat", [48]),
        (
            "proc:neuroinflammation",
            "inhibits",
            "mech:ecm-regulation",
            "review",
            "unspecified",
            [100],
        ),
        *DEFS,
    ]
    ecm = mechanism_profile(tiny_kb(edges), ["exo:a"]).axes["ecm"]
    assert math.isclose(ecm.support, 1.2) and math.isclose(ecm.opposition, 0.45)
    assert math.isclose(ecm.score, 0.75 / 1.75)
    assert (ecm.n_support, ecm.n_oppose, ecm.confidence) == (2, 1, "low")
    without_direct = mechanism_profile(tiny_kb(edges[1:]), ["exo:a"]).axes["ecm"]
    assert without_direct.score == 0
