"""`kb import --kind indra-json`: statements from a user's own literature, built with INDRA."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.kb.indra import load_indra_json
from exosci.kb.loaders import import_file
from exosci.kb.store import build, open_store
from exosci.reason.explain import explain

indra_statements = pytest.importorskip("indra.statements")

# Meng et al. 2007, Gastroenterology (PMID 17681183): miR-21 targets PTEN in hepatocellular
# cancer; modulating miR-21 changed MMP-2/-9 expression and cell migration.
PMID = "17681183"


def _ev(pmid: str | None = PMID, **kw: object):  # type: ignore[no-untyped-def]
    refs = {"PMID": pmid} if pmid else {}
    return indra_statements.Evidence(
        source_api="reach", pmid=pmid, text="test fixture sentence", text_refs=refs, **kw
    )


def _mir21():  # type: ignore[no-untyped-def]
    return indra_statements.Agent("MIR21", db_refs={"HGNC": "31586", "MIRBASE": "MI0000077"})


def _user_statements() -> list[object]:
    s = indra_statements
    pten = s.Agent("PTEN", db_refs={"HGNC": "9588"})
    mmp9 = s.Agent("MMP9", db_refs={"HGNC": "7176"})
    migration = s.Agent("cell migration", db_refs={"GO": "GO:0016477"})
    return [
        s.DecreaseAmount(_mir21(), pten, evidence=[_ev()]),
        s.IncreaseAmount(_mir21(), mmp9, evidence=[_ev()]),
        s.Activation(_mir21(), migration, evidence=[_ev()]),
    ]


def _write(path: Path, stmts: list[object]) -> Path:
    path.write_text(json.dumps(indra_statements.stmts_to_json(stmts)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("indra") / "kb.duckdb"
    build(path)
    return path


def test_three_indra_statements_with_pmids_are_read_with_their_paper(tmp_path: Path) -> None:
    f = _write(tmp_path / "user_indra.json", _user_statements())
    read = load_indra_json(f)
    assert len(read.statements) == 3 and read.skipped == []
    assert [p.id for p in read.papers] == [f"pmid:{PMID}"]
    assert all(
        ev.papers == [f"pmid:{PMID}"] and ev.refs == []
        for st in read.statements
        for ev in st.evidence
    )


def test_import_adds_them_to_the_graph_matched_to_existing_entities(
    tmp_path: Path, store: Path
) -> None:
    f = _write(tmp_path / "user_indra.json", _user_statements())
    doc = import_file(f, kind="indra-json", store=store)
    assert doc["rows"]["statements"] == 3
    assert doc["rows"]["papers"] == 1
    assert doc["skipped"] == []
    kb = open_store(store)
    res = explain(kb, "miR-21", "PTEN", max_length=1)
    assert res.result == "PATHS_FOUND"
    edge = res.to_dict()["paths"][0]["edges"][0]
    assert edge["papers"] == [f"pmid:{PMID}"] and edge["refs"] == []
    shown = kb.show("PTEN")
    assert f"pmid:{PMID}" in shown["papers"]
    assert shown["papers"][f"pmid:{PMID}"]["pmid"] == PMID
    assert kb.resolve("MMP9").id == "gene:mmp9"  # matched, not duplicated


def test_what_is_skipped_is_reported_as_data_in_json(tmp_path: Path, store: Path) -> None:
    s = indra_statements
    stmts = [
        *_user_statements()[:1],
        s.Complex([s.Agent("PINK1"), s.Agent("PRKN")], evidence=[_ev()]),
        s.Activation(s.Agent("PINK1"), s.Agent("PRKN"), evidence=[_ev(pmid=None)]),
    ]
    f = _write(tmp_path / "mixed_indra.json", stmts)
    res = CliRunner().invoke(
        app, ["kb", "import", str(f), "--kind", "indra-json", "--store", str(store), "--json"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    reasons = {d["type"]: d["reason"] for d in doc["skipped"]}
    assert "not supported" in reasons["Complex"]
    assert "cites no paper" in reasons["Activation"]


def test_a_file_that_yields_nothing_exits_2_without_a_warning_line(
    tmp_path: Path, store: Path
) -> None:
    s = indra_statements
    f = _write(tmp_path / "empty_indra.json", [s.Complex([s.Agent("A"), s.Agent("B")])])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = CliRunner().invoke(
            app, ["kb", "import", str(f), "--kind", "indra-json", "--store", str(store)]
        )
    assert res.exit_code == 2
    err = res.stderr or res.output
    assert "no statement could be imported" in err and "Complex" in err
    assert "Warning" not in err


def test_our_statements_citing_a_paper_export_its_pmid_to_indra() -> None:
    from exosci.kb.indra import to_indra_statements
    from exosci.kb.schema import Entity, Evidence, Statement

    ents = {
        "mir:x": Entity(id="mir:x", name="miR-x", type="mirna"),
        "gene:y": Entity(id="gene:y", name="Y", type="gene"),
    }
    st = Statement(
        id="s",
        subject="mir:x",
        predicate="inhibits",
        object="gene:y",
        evidence=[Evidence(papers=[f"pmid:{PMID}"], model="in_vitro", text="t")],
    )
    doc = to_indra_statements(ents, [st], {})[0]
    assert doc["evidence"][0]["pmid"] == PMID
    stmt = indra_statements.stmts_from_json([doc])[0]
    assert stmt.evidence[0].pmid == PMID


def test_explain_shows_imported_papers_apart_from_the_reviews_refs(
    tmp_path: Path, store: Path
) -> None:
    f = _write(tmp_path / "user_indra.json", _user_statements())
    import_file(f, kind="indra-json", store=store)
    res = CliRunner().invoke(
        app, ["explain", "miR-21", "--to", "PTEN", "--store", str(store)], env={"COLUMNS": "200"}
    )
    assert res.exit_code == 0, res.output
    assert f"papers pmid:{PMID}" in res.stdout
