from __future__ import annotations

import csv
import io
import json
import warnings

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exosci.errors import FileFormatError, UserInputError
from exosci.kb.curated import DATA_DIR, Curated, _read_references
from exosci.kb.export import EXPORTERS, export_graph
from exosci.kb.indra import (
    IndraImportWarning,
    agent,
    load_indra_json,
    read_indra_json,
    to_indra_statements,
)
from exosci.kb.schema import PREDICATES, Entity, Evidence, Statement

REFS = _read_references(DATA_DIR / "references.tsv")

ENTS = [
    Entity(id="exo:h", name="hypoxic BMSC exosomes", type="exosome"),
    Entity(id="mir:146a", name="miR-146a-5p", type="mirna", curie="mirbase:MIMAT0000449"),
    Entity(id="gene:irak1", name="IRAK1 protein", type="gene", curie="hgnc.symbol:IRAK1"),
    Entity(id="pw:nfkb", name="NF-κB signalling", type="pathway", curie="GO:0007249"),
    Entity(id="src:bmsc", name="BMSC", type="cell_source"),
]


def _st(i, s, p, o, refs=(47,), species="rat", model="in_vivo"):
    ev = Evidence(refs=list(refs), species=species, model=model, text=f"claim {i}")
    return Statement(id=f"s{i}", subject=s, predicate=p, object=o, evidence=[ev])


STMTS = [
    _st(1, "exo:h", "carries", "mir:146a"),
    _st(2, "mir:146a", "decreases_amount", "gene:irak1", refs=(47, 46), model="in_vitro"),
    _st(3, "gene:irak1", "activates", "pw:nfkb"),
    _st(4, "exo:h", "derived_from", "src:bmsc"),
]


def _cur(ents=ENTS, stmts=STMTS) -> Curated:
    return Curated(REFS, {e.id: e for e in ents}, list(stmts), [], {}, "test")


def _signed_edges(stmts):
    return sorted(
        (
            s.subject,
            s.object,
            PREDICATES[s.predicate],
            s.predicate,
            tuple(sorted({n for ev in s.evidence for n in ev.refs})),
        )
        for s in stmts
        if PREDICATES[s.predicate] != 0
    )


def test_graphml_loads_in_networkx(tmp_path) -> None:
    path = tmp_path / "g.graphml"
    path.write_text(export_graph(_cur(), format="graphml"), encoding="utf-8")
    g = nx.read_graphml(path, force_multigraph=True)
    assert g.number_of_nodes() == len(ENTS)
    assert g.number_of_edges() == len(STMTS)
    data = g.get_edge_data("mir:146a", "gene:irak1")
    (attrs,) = data.values()
    assert attrs["predicate"] == "decreases_amount" and attrs["sign"] == -1
    assert attrs["refs"] == "46;47"
    assert g.nodes["pw:nfkb"]["name"] == "NF-κB signalling"


def test_cx2_structure() -> None:
    doc = json.loads(export_graph(_cur(), format="cx2"))
    assert doc[0] == {"CXVersion": "2.0", "hasFragments": False}
    aspects = {next(iter(block)): block[next(iter(block))] for block in doc[1:]}
    assert list(aspects) == [
        "metaData",
        "attributeDeclarations",
        "networkAttributes",
        "nodes",
        "edges",
        "status",
    ]
    assert all(len(block) == 1 for block in doc[1:])
    counts = {m["name"]: m["elementCount"] for m in aspects["metaData"]}
    assert counts["nodes"] == len(aspects["nodes"]) == len(ENTS)
    assert counts["edges"] == len(aspects["edges"]) == len(STMTS)
    decl = aspects["attributeDeclarations"][0]
    node_ids = {n["id"] for n in aspects["nodes"]}
    for n in aspects["nodes"]:
        assert isinstance(n["id"], int) and set(n["v"]) <= set(decl["nodes"])
    allowed = {"string", "double", "boolean", "integer", "long"}
    allowed |= {f"list_of_{t}" for t in list(allowed)}
    for kind in ("nodes", "edges", "networkAttributes"):
        assert all(d["d"] in allowed for d in decl[kind].values())
    for e in aspects["edges"]:
        assert e["s"] in node_ids and e["t"] in node_ids and set(e["v"]) <= set(decl["edges"])
        for key, value in e["v"].items():  # values match their declared type
            want = decl["edges"][key]["d"]
            if want == "list_of_integer":
                assert all(isinstance(x, int) for x in value)
            elif want == "integer":
                assert isinstance(value, int)
    assert aspects["status"] == [{"error": "", "success": True}]
    assert {"interaction", "name"} <= set(decl["edges"]) | set(decl["nodes"])


def test_csv_has_one_row_per_statement_with_dois() -> None:
    rows = list(csv.DictReader(io.StringIO(export_graph(_cur(), format="csv"))))
    assert [r["statement"] for r in rows] == ["s1", "s2", "s3", "s4"]
    assert rows[1]["refs"] == "46;47" and rows[1]["dois"].count("10.") == 2


def test_unknown_format_is_user_error() -> None:
    with pytest.raises(UserInputError, match="graphml"):
        export_graph(_cur(), format="sbml")  # type: ignore[arg-type]
    assert set(EXPORTERS) == {"graphml", "cx2", "indra-json", "csv"}


def test_indra_json_shape_and_grounding() -> None:
    docs = json.loads(export_graph(_cur(), format="indra-json"))
    assert [d["type"] for d in docs] == ["IncreaseAmount", "DecreaseAmount", "Activation"]
    dec = docs[1]
    assert dec["subj"]["db_refs"]["MIRBASEM"] == "MIMAT0000449"
    assert dec["obj"]["name"] == "IRAK1"  # HGNC symbol as the agent name
    assert dec["obj"]["db_refs"]["HGNC_SYMBOL"] == "IRAK1"
    ev = dec["evidence"][0]
    assert {"text", "annotations", "source_api"} <= set(ev)
    assert ev["annotations"]["review_refs"] == [47, 46]
    assert all(d.startswith("10.") for d in ev["annotations"]["dois"])
    assert docs[2]["obj"]["db_refs"]["GO"] == "GO:0007249"
    assert agent(ENTS[0])["db_refs"] == {"TEXT": "hypoxic BMSC exosomes", "EXOSCI": "exo:h"}


def test_read_own_file_round_trips(tmp_path) -> None:
    path = tmp_path / "s.json"
    path.write_text(export_graph(_cur(), format="indra-json"), encoding="utf-8")
    ents, stmts = read_indra_json(path)
    assert _signed_edges(stmts) == _signed_edges(STMTS)
    names = {e.id: e.name for e in ents}
    assert names["gene:irak1"] == "IRAK1 protein" and names["pw:nfkb"] == "NF-κB signalling"
    by_id = {s.id: s for s in stmts}
    assert by_id["s2"].evidence[0].model == "in_vitro"


FOREIGN = [
    {
        "type": "Inhibition",
        "id": "abc",
        "subj": {"name": "MIR146A", "db_refs": {"HGNC": "31533"}},
        "obj": {"name": "TRAF6", "db_refs": {"HGNC": "12036", "UP": "Q9Y4K3"}},
        "evidence": [
            {"source_api": "reach", "pmid": "1", "text": "x", "text_refs": {"DOI": "DOI-HERE"}},
            {"source_api": "reach", "pmid": "2", "text": "y"},
        ],
    },
    {
        "type": "Phosphorylation",
        "enz": {"name": "IRAK1", "db_refs": {}},
        "sub": {"name": "TRAF6", "db_refs": {}},
    },
    {"type": "Activation", "subj": {"name": "A", "db_refs": {}}, "obj": {"name": "B"}},
    {"type": "Complex", "members": []},
]


def test_foreign_indra_file_reports_unsupported(tmp_path) -> None:
    FOREIGN[0]["evidence"][0]["text_refs"]["DOI"] = REFS[47].doi.upper()
    path = tmp_path / "assembled.json"
    path.write_text(json.dumps(FOREIGN), encoding="utf-8")
    res = load_indra_json(path, references=REFS)
    assert len(res.statements) == 1
    st0 = res.statements[0]
    assert st0.predicate == "inhibits" and st0.evidence[0].refs == [47]
    assert [s.type for s in res.skipped] == ["Phosphorylation", "Activation", "Complex"]
    assert "no evidence" in res.skipped[1].reason
    with pytest.warns(IndraImportWarning, match="Phosphorylation"):
        read_indra_json(path, references=REFS)
    with pytest.raises(FileFormatError, match="Supported types"):
        read_indra_json(path, references=REFS, on_unsupported="error")


@pytest.mark.parametrize("text", ["", "{", '{"a": 1}', "[1, 2]", '"x"', "\xff"])
def test_bad_files_give_result_or_clear_error(tmp_path, text) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IndraImportWarning)
            read_indra_json(path)
    except FileFormatError as exc:
        assert "bad.json" in str(exc)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200))
def test_any_bytes_give_result_or_clear_error(tmp_path, data) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IndraImportWarning)
            read_indra_json(path)
    except FileFormatError:
        pass


CAUSAL = [p for p, s in PREDICATES.items() if s != 0]
ids = st.sampled_from(["exo:a", "mir:b", "gene:c", "gene:d", "pw:e", "proc:f", "mech:g"])
evidences = st.builds(
    Evidence,
    refs=st.lists(st.integers(1, 194), min_size=1, max_size=3, unique=True),
    species=st.sampled_from(["rat", "mouse", "human", "monkey", "unspecified"]),
    model=st.sampled_from(["in_vitro", "in_vivo", "clinical"]),
    text=st.text(min_size=1, max_size=20).filter(str.strip),
)
edges = st.lists(
    st.tuples(ids, st.sampled_from(CAUSAL), ids, st.lists(evidences, min_size=1, max_size=3)),
    max_size=10,
).map(lambda es: [e for e in es if e[0] != e[2]])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edges)
def test_indra_round_trip_property(tmp_path, edge_list) -> None:
    ents = {
        e: Entity(id=e, name=e.split(":")[1].upper() + " node", type=t)
        for e, t in [
            ("exo:a", "exosome"),
            ("mir:b", "mirna"),
            ("gene:c", "gene"),
            ("gene:d", "gene"),
            ("pw:e", "pathway"),
            ("proc:f", "process"),
            ("mech:g", "mechanism"),
        ]
    }
    stmts = [
        Statement(id=f"r{i}", subject=s, predicate=p, object=o, evidence=evs)
        for i, (s, p, o, evs) in enumerate(edge_list)
    ]
    path = tmp_path / "rt.json"
    path.write_text(json.dumps(to_indra_statements(ents, stmts, REFS)), encoding="utf-8")
    back_ents, back = read_indra_json(path, on_unsupported="error")
    assert _signed_edges(back) == _signed_edges(stmts)
    orig = {s.id: [(ev.refs, ev.species, ev.model, ev.text) for ev in s.evidence] for s in stmts}
    assert {
        s.id: [(ev.refs, ev.species, ev.model, ev.text) for ev in s.evidence] for s in back
    } == orig
    for e in back_ents:
        assert ents[e.id].type == e.type and ents[e.id].name == e.name
