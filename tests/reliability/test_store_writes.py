"""Issue 13, item 3 (and item 10's store parts): concurrent writers lose nothing, re-imports are
idempotent, a killed import leaves the store intact and no leftovers, the cache holds no code."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from exosci.kb.loaders import import_file
from exosci.kb.store import build


def _count(store: Path, table: str = "targets") -> int:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


def test_item3_reimporting_a_file_does_not_duplicate_rows(tmp_path: Path, mti: Path) -> None:
    store = tmp_path / "s.duckdb"
    first = import_file(mti, kind="mirtarbase", store=store)["rows"]["targets"]
    once = _count(store)
    import_file(mti, kind="mirtarbase", store=store)
    import_file(mti, kind="mirtarbase", store=store)
    assert _count(store) == once and first == 4
    gmt = tmp_path / "sets.gmt"
    gmt.write_text("S1\td\tPTEN\tPDCD4\nS2\td\tSTAT3\n")
    import_file(gmt, kind="gmt", store=store)
    genes = _count(store, "genesets")
    import_file(gmt, kind="gmt", store=store)
    assert _count(store, "genesets") == genes == 3


def test_item3_two_concurrent_importers_both_land(tmp_path: Path, cli, mti_file) -> None:
    store = tmp_path / "s.duckdb"
    build(store)
    base = _count(store)
    n = 20_000
    files = [mti_file(tmp_path / f"mti_{t}.csv", n, tag=t) for t in "AB"]
    procs = [
        subprocess.Popen(
            cli.cmd("kb", "import", str(f), "--kind", "mirtarbase", "--store", str(store)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli.env(),
        )
        for f in files
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert _count(store) == base + 2 * n
    assert not list(tmp_path.glob(".exosci-*"))


def test_item3_a_writer_that_cannot_get_the_lock_exits_2_naming_the_owner(
    tmp_path: Path, mti: Path, cli
) -> None:
    from exosci.kb.storefile import store_lock

    store = tmp_path / "s.duckdb"
    build(store)
    with store_lock(store):
        res = cli.run(
            "kb", "import", str(mti), "--kind", "mirtarbase", "--store", str(store),
            EXOSCI_LOCK_TIMEOUT="1",
        )  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert f"pid {os.getpid()}" in res.stderr.replace("\n", " ")
    assert _count(store) == 0  # nothing was written while locked out


def test_item3_kill_9_during_import_leaves_the_store_intact(tmp_path: Path, cli, mti_file) -> None:
    store = tmp_path / "s.duckdb"
    small = mti_file(tmp_path / "first.csv", 10, tag="F")
    import_file(small, kind="mirtarbase", store=store)
    before = store.read_bytes()
    big = mti_file(tmp_path / "big.csv", 150_000, tag="B")
    proc = subprocess.Popen(
        cli.cmd("kb", "import", str(big), "--kind", "mirtarbase", "--store", str(store)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=cli.env(),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp_path.glob(".exosci-*")):
        if proc.poll() is not None:
            pytest.fail("the import finished before it could be killed; use a bigger file")
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert store.read_bytes() == before
    assert _count(store) == 10
    import_file(small, kind="mirtarbase", store=store)  # the next writer cleans up
    assert not list(tmp_path.glob(".exosci-*"))
    assert _count(store) == 10


def test_item10_failed_import_leaves_no_temporary_store(tmp_path: Path, mti: Path, cli) -> None:
    store = tmp_path / "s.duckdb"
    import_file(mti, kind="mirtarbase", store=store)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    res = cli.run("kb", "import", str(bad), "--kind", "mirtarbase", "--store", str(store))
    assert res.returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".exosci-")) == []


def test_item10_the_store_cache_holds_data_not_pickles(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache cannot execute code: each file is a DuckDB database or checksummed JSON, and
    reading the cache back never unpickles anything (a DuckDB header starts with a checksum, so
    its first byte says nothing: the old byte test failed by chance)."""
    res = cli.run("kb", "stats", "--json", EXOSCI_CACHE_DIR=str(tmp_path))
    assert res.returncode == 0, res.stderr
    files = sorted(tmp_path.iterdir())
    assert {p.suffix for p in files} == {".duckdb", ".json"}
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".duckdb":
            assert data[8:12] == b"DUCK", f"{path.name} is not a DuckDB file"
            duckdb.connect(str(path), read_only=True).close()
        else:
            digest, _, payload = data.partition(b"\n")
            assert hashlib.sha256(payload).hexdigest().encode() == digest, path.name
            json.loads(payload.partition(b"\n")[0])  # the curated records are plain JSON

    import pickle

    from exosci.kb import cache

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("the kb cache unpickled something")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path))
    got = cache.read_cache()
    assert got is not None and got[1].statements, "the cache written by the CLI did not read back"
