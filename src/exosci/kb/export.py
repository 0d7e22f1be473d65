"""Export the knowledge graph: GraphML, Cytoscape CX2, INDRA statement JSON, CSV.

One registry (:data:`EXPORTERS`); adding a format is adding one writer function.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from exosci.kb.curated import Curated
from exosci.kb.indra import to_indra_statements
from exosci.kb.schema import Statement
from exosci.registry import Registry

ExportFormat = Literal["graphml", "cx2", "indra-json", "csv"]


@dataclass(frozen=True)
class Exporter:
    """A registered export format."""

    name: str
    suffix: str
    description: str
    write: Callable[[Curated], str]


def _statement_attrs(st: Statement, cur: Curated) -> dict[str, Any]:
    refs = sorted({n for ev in st.evidence for n in ev.refs})
    return {
        "statement": st.id,
        "predicate": st.predicate,
        "sign": st.sign,
        "refs": refs,
        "dois": [cur.references[n].doi for n in refs if n in cur.references],
        "species": sorted({ev.species for ev in st.evidence}),
        "models": sorted({ev.model for ev in st.evidence}),
        "section": st.section or "",
        "n_evidence": len(st.evidence),
    }


def to_networkx(cur: Curated) -> nx.MultiDiGraph:
    """A MultiDiGraph: nodes are entity ids, one edge (keyed by statement id) per statement."""
    g = nx.MultiDiGraph(name="exosci knowledge graph", content_hash=cur.content_hash)
    for ent in cur.entities.values():
        g.add_node(
            ent.id,
            name=ent.name,
            type=ent.type,
            curie=ent.curie or "",
            synonyms=list(ent.synonyms),
            refs=list(ent.refs),
        )
    for st in cur.statements:
        g.add_edge(st.subject, st.object, key=st.id, **_statement_attrs(st, cur))
    return g


def _flat(value: Any) -> Any:
    """GraphML holds scalars only: lists become ';'-joined strings."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


def write_graphml(cur: Curated) -> str:
    g = to_networkx(cur)
    flat = nx.MultiDiGraph(**g.graph)
    for n, data in g.nodes(data=True):
        flat.add_node(n, **{k: _flat(v) for k, v in data.items()})
    for u, v, k, data in g.edges(keys=True, data=True):
        flat.add_edge(u, v, key=k, **{a: _flat(b) for a, b in data.items()})
    buf = io.BytesIO()
    nx.write_graphml(flat, buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8")


_CX2_TYPES = {bool: "boolean", int: "integer", float: "double", str: "string"}


def _cx2_type(value: Any) -> str:
    if isinstance(value, list):
        inner = {_CX2_TYPES[type(v)] for v in value} or {"string"}
        return "list_of_" + (inner.pop() if len(inner) == 1 else "string")
    return _CX2_TYPES[type(value)]


def write_cx2(cur: Curated) -> str:
    """Cytoscape Exchange v2: descriptor, metaData, attributeDeclarations, networkAttributes,
    nodes, edges, status (node ``name``/edge ``interaction`` as Cytoscape expects)."""
    g = to_networkx(cur)
    index = {n: i for i, n in enumerate(g.nodes)}
    nodes = [{"id": index[n], "v": {"id": n, **data}} for n, data in g.nodes(data=True)]
    edges = [
        {"id": i, "s": index[u], "t": index[v], "v": {"interaction": data["predicate"], **data}}
        for i, (u, v, data) in enumerate(g.edges(data=True))
    ]
    net_attrs = {
        "name": "exosci knowledge graph",
        "description": "Signed statements curated from Cha et al., Front. Neurol. 2025",
        "content_hash": cur.content_hash,
    }

    def declare(items: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
        decl: dict[str, dict[str, str]] = {}
        provisional: set[str] = set()  # keys seen only as empty lists so far
        for item in items:
            for key, value in item["v"].items():
                if value == []:
                    if key not in decl:
                        decl[key] = {"d": "list_of_string"}
                        provisional.add(key)
                elif key not in decl or key in provisional:
                    decl[key] = {"d": _cx2_type(value)}
                    provisional.discard(key)
        return decl

    declarations = {
        "networkAttributes": {k: {"d": "string"} for k in net_attrs},
        "nodes": declare(nodes),
        "edges": declare(edges),
    }
    doc = [
        {"CXVersion": "2.0", "hasFragments": False},
        {
            "metaData": [
                {"name": "attributeDeclarations", "elementCount": 1},
                {"name": "networkAttributes", "elementCount": 1},
                {"name": "nodes", "elementCount": len(nodes)},
                {"name": "edges", "elementCount": len(edges)},
            ]
        },
        {"attributeDeclarations": [declarations]},
        {"networkAttributes": [net_attrs]},
        {"nodes": nodes},
        {"edges": edges},
        {"status": [{"error": "", "success": True}]},
    ]
    return json.dumps(doc, ensure_ascii=False, indent=1)


def write_indra(cur: Curated) -> str:
    docs = to_indra_statements(cur.entities, cur.statements, cur.references)
    return json.dumps(docs, ensure_ascii=False, indent=1)


CSV_COLUMNS = (
    "statement",
    "subject",
    "subject_name",
    "predicate",
    "object",
    "object_name",
    "sign",
    "refs",
    "dois",
    "species",
    "models",
    "section",
    "n_evidence",
)


def write_csv(cur: Curated) -> str:
    buf = io.StringIO()
    out = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    out.writeheader()
    for st in cur.statements:
        row = _statement_attrs(st, cur)
        row.update(
            subject=st.subject,
            subject_name=cur.entities[st.subject].name,
            object=st.object,
            object_name=cur.entities[st.object].name,
        )
        out.writerow({k: _flat(row[k]) for k in CSV_COLUMNS})
    return buf.getvalue()


#: Graph export formats of `exosci kb export` (--format).
EXPORTERS: Registry[Exporter] = Registry(
    "export format", description="Knowledge-graph formats `exosci kb export` writes (--format)."
)
for _e in (
    Exporter("graphml", ".graphml", "GraphML (networkx, Gephi, Cytoscape)", write_graphml),
    Exporter("cx2", ".cx2", "Cytoscape Exchange v2 JSON (Cytoscape, NDEx)", write_cx2),
    Exporter("indra-json", ".json", "INDRA statement JSON (causal statements)", write_indra),
    Exporter("csv", ".csv", "one row per statement with refs and DOIs", write_csv),
):
    EXPORTERS.register(_e.name, _e, description=_e.description, suffix=_e.suffix)


def export_graph(cur: Curated, *, format: ExportFormat) -> str:
    """The knowledge graph ``cur`` serialised in ``format`` (see :data:`EXPORTERS`)."""
    return EXPORTERS.get(format).write(cur)
