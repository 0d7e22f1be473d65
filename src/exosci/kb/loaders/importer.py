"""Write what a loader read into a store file, atomically (through ``update_store``).

Imports are keyed by content: the SHA-256 of the loader's normalised rows (sorted, so row
order does not matter) is recorded in ``exosci_imports``; importing the same rows again, under
any file name, replaces the earlier import's rows instead of adding a second copy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from exosci.kb.loaders.base import Loaded
from exosci.kb.loaders.registry import get_loader
from exosci.kb.store import insert_targets, update_store

_EXTRA_DDL = {
    "genesets": "CREATE TABLE IF NOT EXISTS genesets (set_name VARCHAR, description VARCHAR, "
    "gene VARCHAR, source VARCHAR)",
    "mirbase": "CREATE TABLE IF NOT EXISTS mirbase (name VARCHAR, accession VARCHAR, "
    "organism VARCHAR, sequence VARCHAR, source VARCHAR)",
    "vesicle_content": "CREATE TABLE IF NOT EXISTS vesicle_content (content_id VARCHAR, "
    "content_type VARCHAR, gene VARCHAR, gene_entrez BIGINT, mirna VARCHAR, species VARCHAR, "
    "experiment_id VARCHAR, methods VARCHAR, source VARCHAR)",
}


_IMPORTS_DDL = (
    "CREATE TABLE IF NOT EXISTS exosci_imports (content_sha256 VARCHAR, kind VARCHAR, "
    "source VARCHAR, file VARCHAR, imported_at TIMESTAMP DEFAULT current_timestamp)"
)


def _frames(loaded: Loaded) -> dict[str, pd.DataFrame]:
    """The row tables of an import, without their ``source`` label (what the rows say)."""
    out: dict[str, pd.DataFrame] = {}
    if loaded.targets is not None:
        out["targets"] = loaded.targets.drop(columns=["source"], errors="ignore")
    if loaded.genesets is not None:
        out["genesets"] = pd.DataFrame(
            [(n, g) for n, genes in loaded.genesets.items() for g in genes],
            columns=["set_name", "gene"],
        )
    if loaded.mirbase is not None:
        out["mirbase"] = loaded.mirbase.drop(columns=["source"], errors="ignore")
    if loaded.vesicle is not None:
        out["vesicle_content"] = loaded.vesicle.drop(columns=["source"], errors="ignore")
    return out


def content_key(loaded: Loaded) -> str | None:
    """SHA-256 of the normalised rows (text cells, sorted rows and columns); None: no rows."""
    frames = _frames(loaded)
    if not frames:
        return None
    h = hashlib.sha256(loaded.kind.encode())
    for table in sorted(frames):
        frame = frames[table]
        text = frame.reindex(columns=sorted(frame.columns)).astype("string").fillna("\x00")
        rows = text.sort_values(list(text.columns), kind="mergesort").reset_index(drop=True)
        h.update(f"\x01{table}:{len(rows)}\x01".encode())
        h.update(pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _same_content_sources(con: duckdb.DuckDBPyConnection, key: str, source: str) -> list[str]:
    """Sources (file labels) an earlier import of the same rows was written under."""
    con.execute(_IMPORTS_DDL)
    rows = con.execute(
        "SELECT DISTINCT source FROM exosci_imports WHERE content_sha256 = ? AND source <> ?",
        [key, source],
    ).fetchall()
    return [str(r[0]) for r in rows]


def _drop_source(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """Delete every row an import under ``source`` wrote, in every table that has them."""
    present = {str(r[0]) for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    dropped = 0
    for table in ("targets", "genesets", "mirbase", "vesicle_content"):
        if table in present:
            dropped += _replace_source(con, table, source)
    con.execute("DELETE FROM exosci_imports WHERE source = ?", [source])
    return dropped


def _replace_source(con: duckdb.DuckDBPyConnection, table: str, source: str) -> int:
    """Drop the rows an earlier import of the same source wrote (re-imports are idempotent)."""
    row = con.execute(f"SELECT count(*) FROM {table} WHERE source = ?", [source]).fetchone()
    con.execute(f"DELETE FROM {table} WHERE source = ?", [source])
    return int(row[0]) if row else 0


def _append(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.execute(_EXTRA_DDL[table])
    _replace_source(con, table, str(frame["source"].iloc[0]) if len(frame) else "")
    con.register("_exosci_new", frame)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _exosci_new")
    finally:
        con.unregister("_exosci_new")


def write_loaded(con: duckdb.DuckDBPyConnection, loaded: Loaded) -> dict[str, int]:
    """Insert a loader's tables into an open store connection; returns rows per table."""
    counts: dict[str, int] = {}
    key = content_key(loaded)
    if key is not None:
        for earlier in _same_content_sources(con, key, loaded.source):
            counts["rows_of_an_identical_earlier_import_replaced"] = counts.get(
                "rows_of_an_identical_earlier_import_replaced", 0
            ) + _drop_source(con, earlier)
        con.execute("DELETE FROM exosci_imports WHERE source = ?", [loaded.source])
        con.execute(
            "INSERT INTO exosci_imports (content_sha256, kind, source, file) VALUES (?, ?, ?, ?)",
            [key, loaded.kind, loaded.source, loaded.source.partition(":")[2]],
        )
    if loaded.targets is not None:
        replaced = _replace_source(con, "targets", loaded.source)
        if replaced:
            counts["targets_replaced"] = replaced
        counts["targets"] = insert_targets(con, loaded.targets, origin=loaded.source)
    if loaded.genesets is not None:
        desc = loaded.descriptions or {}
        frame = pd.DataFrame(
            [
                (name, desc.get(name, ""), g)
                for name, genes in loaded.genesets.items()
                for g in genes
            ],
            columns=["set_name", "description", "gene"],
        ).assign(source=loaded.source)
        _append(con, "genesets", frame)
        counts["genesets"] = len(loaded.genesets)
    if loaded.mirbase is not None:
        _append(con, "mirbase", loaded.mirbase.assign(source=loaded.source))
        counts["mirbase"] = len(loaded.mirbase)
    if loaded.vesicle is not None:
        _append(con, "vesicle_content", loaded.vesicle.assign(source=loaded.source))
        counts["vesicle_content"] = len(loaded.vesicle)
    if loaded.entities or loaded.statements:
        from exosci.kb.store import insert_records

        added = insert_records(
            con, loaded.entities, loaded.statements, origin=loaded.source, papers=loaded.papers
        )
        counts["entities"] = added["entities"]
        counts["statements"] = added["statements"]
        counts["statements_already_present"] = added["skipped"]
        counts["papers"] = added["papers"]
    return counts


def import_file(path: Path | str, *, kind: str, store: Path | str) -> dict[str, Any]:
    """Read ``path`` with the ``kind`` loader and add it to ``store`` (all or nothing).

    The file is parsed before the store is touched; the write goes to a copy that replaces the
    store only when every insert succeeded, so a failed import leaves the store as it was.
    Writers take the store's lock in turn, and rows from an earlier import of the same source
    are replaced, so importing a file twice leaves the store as importing it once.
    """
    loader = get_loader(kind)
    loaded = loader.function(Path(path))
    counts: dict[str, int] = {}

    def change(con: duckdb.DuckDBPyConnection) -> None:
        counts.update(write_loaded(con, loaded))

    update_store(store, change)
    notes = list(loaded.notes)
    if counts.get("rows_of_an_identical_earlier_import_replaced"):
        notes.append(
            "the same rows were imported before under another file name: that import was "
            "replaced, not duplicated"
        )
    return {
        "file": str(path),
        "kind": kind,
        "store": str(store),
        "source": loaded.source,
        "content_sha256": content_key(loaded),
        "rows": counts,
        "notes": notes,
        "skipped": list(loaded.skipped),
    }
