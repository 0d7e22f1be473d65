"""Exports read by the peer tools users open them with (independent parsers, not ours)."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from exosci.kb import default_kb
from exosci.kb.export import export_graph


def test_graphml_loads_in_networkx(tmp_path) -> None:
    cur = default_kb().curated
    path = tmp_path / "kb.graphml"
    path.write_text(export_graph(cur, format="graphml"), encoding="utf-8")
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == len(cur.entities)
    assert g.number_of_edges() == len(cur.statements)


def test_indra_reads_our_statements_and_its_json_reads_back(tmp_path) -> None:
    statements = pytest.importorskip("indra.statements", reason="indra not installed")
    from exosci.kb.indra import read_indra_json

    cur = default_kb().curated
    ours = json.loads(export_graph(cur, format="indra-json"))
    stmts = statements.stmts_from_json(ours)  # INDRA's own deserialiser
    assert len(stmts) == len(ours) > 100
    kinds = {type(s).__name__ for s in stmts}
    assert kinds <= {"Activation", "Inhibition", "IncreaseAmount", "DecreaseAmount"}
    back = tmp_path / "indra.json"
    back.write_text(json.dumps(statements.stmts_to_json(stmts)), encoding="utf-8")
    _, read = read_indra_json(back)

    def key(s):  # type: ignore[no-untyped-def]
        return (
            s.subject,
            s.predicate,
            s.object,
            tuple(sorted(n for e in s.evidence for n in e.refs)),
        )

    causal = [s for s in cur.statements if s.sign != 0]
    assert sorted(map(key, read)) == sorted(map(key, causal))
