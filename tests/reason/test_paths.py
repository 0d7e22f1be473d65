from __future__ import annotations

import math

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from exosci.kb.schema import Entity, Evidence, Statement
from exosci.reason.graph import build_signed_graph
from exosci.reason.paths import find_paths, path_score, shortest_length

NODES = [f"gene:g{i}" for i in range(7)]
CAUSAL = ["activates", "inhibits", "increases_amount", "decreases_amount", "carries"]

graphs = st.lists(
    st.tuples(
        st.sampled_from(NODES),
        st.sampled_from([*CAUSAL, "part_of"]),
        st.sampled_from(NODES),
        st.sampled_from(["in_vivo", "in_vitro"]),
        st.integers(1, 5),
    ),
    max_size=18,
)


def _sg(edges):
    ents = [Entity(id=n, name=n, type="gene") for n in NODES]
    sts = [
        Statement(
            id=f"s{i}",
            subject=s,
            predicate=p,
            object=o,
            evidence=[Evidence(refs=[r], model=m, text="t")],
        )
        for i, (s, p, o, m, r) in enumerate(edges)
        if s != o
    ]
    return build_signed_graph(ents, sts)


@settings(max_examples=150, deadline=None)
@given(graphs, st.sampled_from(NODES), st.sampled_from(NODES), st.integers(1, 6))
def test_find_paths_matches_networkx_all_simple_paths(edges, src, dst, max_length) -> None:
    """Independent reference: brute-force enumeration with networkx on the same signed graph."""
    sg = _sg(edges)
    targets = [(dst, 1), (dst, -1)]
    if src == dst:
        return
    ours = find_paths(sg, (src, 1), targets, max_length=max_length, limit=10**6)
    ref = {
        tuple(p)
        for p in nx.all_simple_paths(sg.graph, (src, 1), targets, cutoff=max_length)
        if len({n for n, _ in p}) == len(p)
    }
    assert {p.nodes for p in ours} == ref
    for p in ours:
        assert math.isclose(p.score, path_score(sg, p.nodes))
        assert p.sign == math.prod(
            sg.graph.edges[u, v]["sign"] for u, v in zip(p.nodes, p.nodes[1:], strict=False)
        )
    assert [p.score for p in ours] == sorted((p.score for p in ours), reverse=True)
    # Shortest length agrees with networkx on the signed graph.
    lengths = [
        nx.shortest_path_length(sg.graph, (src, 1), t)
        for t in targets
        if nx.has_path(sg.graph, (src, 1), t)
    ]
    assert shortest_length(sg, (src, 1), targets) == (min(lengths) if lengths else None)
