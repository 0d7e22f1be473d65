"""Write what a loader read into a store file, atomically (through ``update_store``)."""

from __future__ import annotations

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
    return {
        "file": str(path),
        "kind": kind,
        "store": str(store),
        "source": loaded.source,
        "rows": counts,
        "notes": list(loaded.notes),
        "skipped": list(loaded.skipped),
    }
