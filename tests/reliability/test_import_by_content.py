"""Issue 26, item 5: imports are keyed by content, so a renamed copy is recognised.

Rows used to be keyed on ``source='mirtarbase:<file name>'`` only: the same 40,000 rows
imported again as ``copyA.csv`` were added a second time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from exosci.kb.loaders import import_file
from exosci.kb.loaders.importer import content_key
from exosci.kb.loaders.registry import get_loader

from .conftest import write_mti


def _count(store: Path, table: str = "targets") -> int:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


@pytest.mark.slow
def test_the_same_40000_rows_under_another_file_name_are_not_imported_twice(
    tmp_path: Path,
) -> None:
    original = write_mti(tmp_path / "mti.csv", 40_000)
    store = tmp_path / "s.duckdb"
    import_file(original, kind="mirtarbase", store=store)
    once = _count(store)
    copy = tmp_path / "copyA.csv"
    shutil.copyfile(original, copy)
    again = import_file(copy, kind="mirtarbase", store=store)
    assert _count(store) == once
    assert any("replaced, not duplicated" in n for n in again["notes"])


def test_row_order_and_file_name_do_not_change_the_content_key(tmp_path: Path) -> None:
    a = write_mti(tmp_path / "a.csv", 50)
    frame = pd.read_csv(a, dtype=str)
    shuffled = tmp_path / "renamed.csv"
    frame.sample(frac=1, random_state=3).to_csv(shuffled, index=False)
    other = write_mti(tmp_path / "b.csv", 50, tag="B")
    load = get_loader("mirtarbase").function
    assert content_key(load(a)) == content_key(load(shuffled))
    assert content_key(load(a)) != content_key(load(other))


def test_a_renamed_copy_replaces_and_different_content_adds(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first = write_mti(tmp_path / "first.csv", 30)
    import_file(first, kind="mirtarbase", store=store)
    once = _count(store)
    frame = pd.read_csv(first, dtype=str)
    renamed = tmp_path / "renamed.csv"
    frame.iloc[::-1].to_csv(renamed, index=False)  # same rows, other order and name
    import_file(renamed, kind="mirtarbase", store=store)
    assert _count(store) == once
    import_file(write_mti(tmp_path / "more.csv", 30, tag="Z"), kind="mirtarbase", store=store)
    assert _count(store) > once  # genuinely new rows are still added
    sets = tmp_path / "sets.gmt"
    sets.write_text("S1\td\tPTEN\tPDCD4\nS2\td\tSTAT3\n")
    import_file(sets, kind="gmt", store=store)
    shutil.copyfile(sets, tmp_path / "copy.gmt")
    import_file(tmp_path / "copy.gmt", kind="gmt", store=store)
    assert _count(store, "genesets") == 3
