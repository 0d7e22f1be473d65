"""Exports read by the peer tools users open them with (independent parsers, not ours)."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from exosci.kb import default_kb
from exosci.kb.export import export_graph


def test_cx2_loads_in_ndex2() -> None:
    cx2 = pytest.importorskip("ndex2.cx2", reason="ndex2 (NDEx/Cytoscape CX2 client) not installed")
    cur = default_kb().curated
    net = cx2.RawCX2NetworkFactory().get_cx2network(json.loads(export_graph(cur, format="cx2")))
    assert len(net.get_nodes()) == len(cur.entities)
    assert len(net.get_edges()) == len(cur.statements)
    names = {n["v"]["name"] for n in net.get_nodes().values()}
    assert "NF-κB signalling" in names


def test_graphml_loads_in_networkx(tmp_path) -> None:
    cur = default_kb().curated
    path = tmp_path / "kb.graphml"
    path.write_text(export_graph(cur, format="graphml"), encoding="utf-8")
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == len(cur.entities)
    assert g.number_of_edges() == len(cur.statements)
