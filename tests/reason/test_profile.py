from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exosci.reason.profile import AXES, AXIS_MECHANISM, combine, mechanism_profile, pool

CHAIN = [
    ("exo:a", "carries", "mir:m1"),
    ("mir:m1", "decreases_amount", "gene:g1"),
    ("gene:g1", "activates", "pw:p1"),
    ("pw:p1", "inhibits", "mech:inflammation-suppression"),
]


def test_double_negative_chain_supports_axis(tiny_kb) -> None:
    kb = tiny_kb(CHAIN)
    prof = mechanism_profile(kb, ["exo:a"])
    inflam = prof.axes["inflammation"]
    assert 0 < inflam.score <= 1
    assert inflam.evidence[0]["path"] == ["a", "m1", "g1", "p1", "inflammation-suppression"]
    assert inflam.evidence[0]["sign"] == 1
    assert inflam.evidence[0]["refs"] == [47]
    assert {a for a in AXES if prof.axes[a].score > 0} == {"inflammation"}
    doc = prof.to_dict()
    assert set(doc["axes"]) == set(AXES)


def test_score_follows_documented_formula(tiny_kb) -> None:
    # One in-vivo rat edge: w = 0.8 * 0.8; a two-edge path: w^2 * 0.85.
    kb = tiny_kb([("exo:a", "carries", "mir:m"), ("mir:m", "promotes", "mech:neuroprotection")])
    w = 0.8 * 0.8
    assert math.isclose(
        mechanism_profile(kb, ["exo:a"]).axes["neuroprotection"].score, w * w * 0.85
    )


def test_negative_path_lowers_score(tiny_kb) -> None:
    pos = [("exo:a", "promotes", "mech:ecm-regulation")]
    neg = [("exo:a", "activates", "proc:scar"), ("proc:scar", "suppresses", "mech:ecm-regulation")]
    only_pos = mechanism_profile(tiny_kb(pos), ["exo:a"]).axes["ecm"]
    both = mechanism_profile(tiny_kb(pos + neg), ["exo:a"]).axes["ecm"]
    assert both.score < only_pos.score
    assert both.opposition > 0
    only_neg = mechanism_profile(tiny_kb(neg), ["exo:a"]).axes["ecm"]
    assert only_neg.score == 0 and only_neg.evidence[0]["sign"] == -1


def test_ranking_prefers_in_vivo_primate_and_more_refs(tiny_kb) -> None:
    def score(*edge_rest):
        kb = tiny_kb([("exo:a", "promotes", "mech:neuroprotection", *edge_rest)])
        return mechanism_profile(kb, ["exo:a"]).axes["neuroprotection"].score

    assert score("in_vivo", "rat") > score("in_vitro", "rat")
    assert score("in_vivo", "monkey") > score("in_vivo", "rat")
    two_refs = tiny_kb(
        [
            ("exo:a", "promotes", "mech:neuroprotection", "in_vivo", "rat", [46]),
            ("exo:a", "promotes", "mech:neuroprotection", "in_vivo", "rat", [47]),
        ]
    )
    assert mechanism_profile(two_refs, ["exo:a"]).axes["neuroprotection"].score > score()


def test_shorter_path_scores_higher(tiny_kb) -> None:
    short = tiny_kb([("exo:a", "promotes", "mech:angiogenesis-bscb")])
    long = tiny_kb(
        [("exo:a", "carries", "gene:v"), ("gene:v", "promotes", "mech:angiogenesis-bscb")]
    )
    s = mechanism_profile(short, ["exo:a"]).axes["angiogenesis_bscb"].score
    assert s > mechanism_profile(long, ["exo:a"]).axes["angiogenesis_bscb"].score


def test_cargo_and_cotherapy_add_up_and_max_length_cuts(tiny_kb) -> None:
    kb = tiny_kb(
        [
            ("exo:a", "carries", "mir:m"),
            ("mir:m", "promotes", "proc:x"),
            ("proc:x", "promotes", "mech:axon-regeneration"),
            ("chem:d", "promotes", "mech:axon-regeneration"),
        ]
    )
    alone = mechanism_profile(kb, ["exo:a"]).axes["axon_regeneration"].score
    combo = mechanism_profile(kb, ["exo:a", "chem:d"]).axes["axon_regeneration"].score
    assert 0 < alone < combo
    assert mechanism_profile(kb, ["exo:a"], max_length=2).axes["axon_regeneration"].score == 0
    assert mechanism_profile(kb, ["nope:x"]).axes["axon_regeneration"].score == 0


def test_non_causal_predicates_are_not_traversed(tiny_kb) -> None:
    kb = tiny_kb(
        [("exo:a", "derived_from", "src:s"), ("src:s", "promotes", "mech:neuroprotection")]
    )
    assert mechanism_profile(kb, ["exo:a"]).axes["neuroprotection"].score == 0
    assert mechanism_profile(kb, ["src:s"]).axes["neuroprotection"].score > 0


unit = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(st.lists(unit, max_size=8), st.lists(unit, max_size=8), unit)
def test_combine_is_monotone_and_bounded(pos, neg, extra) -> None:
    base = combine(pos, neg)
    assert 0 <= base <= 1
    assert combine([*pos, extra], neg) >= base - 1e-12
    assert combine(pos, [*neg, extra]) <= base + 1e-12
    assert pool(pos) >= max(pos, default=0) - 1e-12


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["in_vivo", "in_vitro", "clinical"]),
            st.sampled_from(["rat", "monkey", "human"]),
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
    # Extra evidence on an edge that only lies on positive paths, or a new positive path.
    edge = [base[1], base[2], ("exo:a", "promotes", "mech:neuroprotection")][where]
    added = [(*edge[:3], model, sp, [ref]) for model, sp, ref in extra]
    after = mechanism_profile(tiny_kb(base + added), ["exo:a"]).axes["neuroprotection"].score
    assert after >= before - 1e-12
    assert 0 <= after <= 1


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
