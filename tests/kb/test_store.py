"""The DuckDB store: build, atomicity, name resolution, imports."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.errors import CurationError, UnknownNameError
from exosci.kb.curated import DATA_DIR
from exosci.kb.schema import Entity, Evidence, Statement
from exosci.kb.store import build, default_kb, insert_records, open_store, update_store


def test_stats_counts_match_curated_records() -> None:
    kb = default_kb()
    stats = kb.stats()
    cur = kb.curated
    assert stats["statements"] == len(cur.statements)
    assert stats["references"] == 194
    assert sum(stats["entities"].values()) == len(cur.entities)
    assert stats["evidence"] == sum(len(s.evidence) for s in cur.statements)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("NF-κB", "pw:nfkb"),
        ("nf-kb", "pw:nfkb"),
        ("NF kappa B", "pw:nfkb"),
        ("nfkb", "pw:nfkb"),
        ("pi3k akt", "pw:pi3k-akt"),
        ("GO:0097707", "proc:ferroptosis"),
        ("Wnt/beta-catenin", "pw:wnt-beta-catenin"),
        ("IL-1beta", "gene:il1b"),
        ("tnf-alpha", "gene:tnf"),
    ],
)
def test_forgiving_resolution(query: str, expected: str) -> None:
    assert default_kb().resolve(query).id == expected


def test_unknown_name_lists_closest() -> None:
    with pytest.raises(UnknownNameError) as err:
        default_kb().resolve("ferroptosys")
    assert "ferroptosis" in err.value.suggestions


def test_search_finds_nfkb_signalling() -> None:
    hits = default_kb().search("nfkb")
    assert hits[0]["id"] == "pw:nfkb"


def test_build_to_file_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "kb.duckdb"
    kb = build(path)
    assert kb.stats()["content_hash"] == default_kb().stats()["content_hash"]
    again = open_store(path)
    assert again.stats()["statements"] == default_kb().stats()["statements"]
    build(path)  # idempotent: rebuilding gives the same store
    assert open_store(path).stats() == again.stats()


def test_failed_build_leaves_previous_store_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kb.duckdb"
    build(path)
    before = path.read_bytes()
    bad = tmp_path / "data"
    bad.mkdir()
    for name in ("references.tsv", "core.yaml", "vocabulary.yaml"):
        shutil.copy(DATA_DIR / name, bad / name)
    (bad / "zz.yaml").write_text("entities:\n  - {id: BAD ID, name: x, type: gene}\n")
    with pytest.raises(CurationError):
        build(path, data_dir=bad)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".exosci-")] == []


def test_import_records_is_atomic_and_visible_after_reopen(tmp_path: Path) -> None:
    path = tmp_path / "kb.duckdb"
    build(path)
    new = Entity(id="gene:foo1", name="FOO1", type="gene", synonyms=["foo-1"])
    st = Statement(
        id="st:imp:foo",
        subject="gene:foo1",
        predicate="activates",
        object="pw:nfkb",
        evidence=[Evidence(refs=[47], text="imported for a test")],
    )
    update_store(path, lambda con: insert_records(con, [new], [st], origin="test"))
    kb = open_store(path)
    assert kb.resolve("foo 1").id == "gene:foo1"
    assert any(s.id == "st:imp:foo" for s in kb.curated.statements)
    before = path.read_bytes()
    clash = Statement(
        id="st:imp:bar",
        subject="gene:nope",
        predicate="activates",
        object="pw:nfkb",
        evidence=[Evidence(refs=[47], text="unknown subject")],
    )
    with pytest.raises(CurationError, match="gene:nope"):
        update_store(path, lambda con: insert_records(con, [], [clash], origin="test"))
    assert path.read_bytes() == before


def test_store_from_other_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.duckdb"
    build(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(CurationError, match="schema version 0"):
        open_store(path)


def test_cli_kb_json_shapes() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["kb", "stats", "--json"])
    assert res.exit_code == 0, res.output
    import json

    doc = json.loads(res.stdout)
    assert {"entities", "statements", "references"} <= doc.keys()
    res = runner.invoke(app, ["kb", "show", "NF-kappaB", "--json"])
    doc = json.loads(res.stdout)
    assert {"id", "name", "type", "synonyms", "attributes", "statements"} <= doc.keys()
    res = runner.invoke(app, ["kb", "show", "ferroptosys"])
    assert res.exit_code == 2
    assert "ferroptosis" in res.stderr


def test_reimport_is_idempotent_and_conflicts_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.duckdb"
    build(path)
    st = Statement(
        id="st:imp:twice",
        subject="gene:pten",
        predicate="inhibits",
        object="pw:pi3k-akt",
        evidence=[Evidence(refs=[100], text="imported twice")],
    )
    counts: list[dict[str, int]] = []
    for _ in range(2):
        update_store(path, lambda con: counts.append(insert_records(con, [], [st], origin="t")))
    assert counts == [
        {"entities": 0, "statements": 1, "skipped": 0, "papers": 0},
        {"entities": 0, "statements": 0, "skipped": 1, "papers": 0},
    ]
    assert sum(s.id == "st:imp:twice" for s in open_store(path).curated.statements) == 1
    changed = st.model_copy(update={"predicate": "activates"})
    with pytest.raises(CurationError, match="different content"):
        update_store(path, lambda con: insert_records(con, [], [changed], origin="t"))


def test_reference_lookup_lists_what_cites_it() -> None:
    doc = default_kb().reference(47)
    assert doc["doi"] == "10.4103/1673-5374.391194"
    cited = {(s["subject"], s["object"]) for s in doc["statements"]}
    assert ("hypoxia-preconditioned BMSC exosomes", "miR-146a-5p") in cited
    every = {st.id for st in default_kb().curated.statements for ev in st.evidence if 47 in ev.refs}
    assert {s["id"] for s in doc["statements"]} == every
    with pytest.raises(UnknownNameError):
        default_kb().reference(999)
    res = CliRunner().invoke(app, ["kb", "ref", "999"])
    assert res.exit_code == 2 and "1-194" in res.stderr


def test_disk_cache_round_trip_and_corruption(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path))
    fresh = default_kb.__wrapped__()  # builds and writes the cache
    files = sorted(p.suffix for p in tmp_path.iterdir())
    assert files == [".duckdb", ".json"]  # data only: the cache never holds a pickle
    cached = default_kb.__wrapped__()  # opens the cache
    assert cached.stats() == fresh.stats()
    assert cached.resolve("NF-kB").id == "pw:nfkb"
    next(tmp_path.glob("*.json")).write_bytes(b"0" * 64 + b"\nnot json")
    rebuilt = default_kb.__wrapped__()  # a broken cache is rebuilt, not fatal
    assert rebuilt.stats() == fresh.stats()
    monkeypatch.setenv("EXOSCI_NO_CACHE", "1")
    assert default_kb.__wrapped__().stats()["statements"] == fresh.stats()["statements"]
