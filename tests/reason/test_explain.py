from __future__ import annotations

import pytest

from exosci.errors import UserInputError
from exosci.reason.explain import explain

HYPOXIA = [
    ("exo:h", "carries", "mir:146a"),
    ("mir:146a", "decreases_amount", "gene:irak1"),
    ("gene:irak1", "activates", "gene:traf6"),
    ("gene:traf6", "activates", "pw:nfkb"),
    ("pw:nfkb", "promotes", "proc:m1"),
    ("exo:h", "inhibits", "pw:nfkb", "in_vitro", "mouse", [46]),
]


def test_sign_falls_out_of_reachability(tiny_kb) -> None:
    res = explain(tiny_kb(HYPOXIA), "h", "nfkb")
    assert res.result == "PATHS_FOUND"
    assert {p.sign for p in res.paths} == {-1}
    long = [p for p in res.paths if len(p.nodes) == 5][0]
    assert long.nodes == ("exo:h", "mir:146a", "gene:irak1", "gene:traf6", "pw:nfkb")
    assert [e.sign for e in long.edges] == [1, -1, 1, 1]
    assert [e.predicate for e in long.edges][:2] == ["carries", "decreases_amount"]


def test_in_vivo_chain_outranks_short_in_vitro_edge(tiny_kb) -> None:
    res = explain(tiny_kb(HYPOXIA), "h", "nfkb")
    # 4 in-vivo rat edges: (0.64^4)*0.85^3 = 0.103 vs one in-vitro mouse edge 0.36 -> the short one
    # wins; make the direct edge weaker and the order flips.
    assert res.paths[0].nodes == ("exo:h", "pw:nfkb")
    weak = [*HYPOXIA[:-1], ("exo:h", "inhibits", "pw:nfkb", "in_silico", "unspecified", [46])]
    res2 = explain(tiny_kb(weak), "h", "nfkb")
    assert res2.paths[0].score > res2.paths[1].score
    assert res2.paths[0].nodes[0] == "exo:h"
    assert all(a.score >= b.score for a, b in zip(res.paths, res.paths[1:], strict=False))


def test_direction_filter_and_codes(tiny_kb) -> None:
    kb = tiny_kb(HYPOXIA)
    assert explain(kb, "h", "nfkb", sign="down").result == "PATHS_FOUND"
    assert explain(kb, "h", "nfkb", sign="up").result == "NO_PATHS_FOUND"
    assert explain(kb, "h", "m1", sign="down").paths[0].sign == -1
    assert explain(kb, "nfkb", "h").result == "NO_PATHS_FOUND"
    assert explain(kb, "traf6", "m1").result == "PATHS_FOUND"


def test_unknown_names_give_codes_and_suggestions(tiny_kb) -> None:
    kb = tiny_kb(HYPOXIA)
    res = explain(kb, "zzz-not-there", "nfkb")
    assert res.result == "SUBJECT_NOT_FOUND"
    res = explain(kb, "h", "irak")
    assert res.result == "OBJECT_NOT_FOUND"
    assert "irak1" in res.suggestions
    assert res.to_dict()["paths"] == []


def test_max_path_length_exceeded(tiny_kb) -> None:
    chain = HYPOXIA[:-1]
    res = explain(tiny_kb(chain), "h", "m1", max_length=3)
    assert res.result == "MAX_PATH_LENGTH_EXCEEDED"
    assert res.shortest_length == 5
    assert explain(tiny_kb(chain), "h", "m1", max_length=5).result == "PATHS_FOUND"


def test_non_causal_edges_are_not_paths(tiny_kb) -> None:
    kb = tiny_kb([("exo:a", "derived_from", "src:s"), ("src:s", "activates", "pw:x")])
    assert explain(kb, "a", "x").result == "NO_PATHS_FOUND"


def test_bad_options_raise(tiny_kb) -> None:
    with pytest.raises(UserInputError, match="max_length"):
        explain(tiny_kb(HYPOXIA), "h", "nfkb", max_length=0)


def test_json_shape_matches_design(tiny_kb) -> None:
    doc = explain(tiny_kb(HYPOXIA), "h", "nfkb").to_dict()
    assert {"result", "subject", "object", "paths"} <= set(doc)
    path = doc["paths"][-1]
    assert {"sign", "nodes", "edges", "score"} <= set(path)
    assert path["nodes"] == ["h", "146a", "irak1", "traf6", "nfkb"]
    edge = path["edges"][0]
    assert {"source", "target", "predicate", "sign", "refs"} <= set(edge)
    assert edge["refs"] == [47] and edge["dois"] and edge["dois"][0].startswith("10.")


def test_cycles_do_not_loop(tiny_kb) -> None:
    kb = tiny_kb(
        [
            ("gene:a", "activates", "gene:b"),
            ("gene:b", "inhibits", "gene:a"),
            ("gene:b", "activates", "gene:c"),
            ("gene:c", "activates", "gene:a"),
            ("gene:c", "inhibits", "gene:d"),
        ]
    )
    res = explain(kb, "a", "d")
    assert [p.nodes for p in res.paths] == [("gene:a", "gene:b", "gene:c", "gene:d")]
    assert res.paths[0].sign == -1
