"""The on-disk cache of the built curated store: a DuckDB file and a JSON file, no code.

Keyed by a digest of the curated files, the schema version and the source of the modules
that build the store, so it never goes stale. The curated records are cached as JSON (validated
on the way back in, behind a SHA-256 of the payload), never pickled: the folder may be anywhere
``EXOSCI_CACHE_DIR`` points, and reading it must not be able to run code. The same JSON file
holds the name-resolution index (plain strings), so a query neither re-parses the YAML nor
re-derives the names of every entity. ``EXOSCI_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from exosci.kb.curated import DATA_DIR, Curated
from exosci.kb.resolve import NameIndex, remember, resolver
from exosci.kb.schema import SCHEMA_VERSION

if TYPE_CHECKING:  # DuckDB is imported only by whoever opens the store
    import duckdb

_CURATED = TypeAdapter(Curated)
_INDEX: TypeAdapter[NameIndex] = TypeAdapter(NameIndex)
_PACKAGE = Path(__file__).resolve().parent.parent  # the exosci package folder


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    from exosci._settings import settings

    return None if settings.no_cache else settings.cache_dir


def _key_sources() -> list[Path]:
    """The code a cached store depends on: every module of ``exosci.kb`` and the vocabulary.

    Hashing the source itself (not the package version) keeps a development tree's cache
    honest too, and spares reading the installed metadata on every query.
    """
    kb = _PACKAGE / "kb"
    return sorted([*kb.glob("*.py"), *kb.glob("loaders/*.py"), _PACKAGE / "vocabulary.py"])


def cache_key() -> str:
    """Digest of the schema version, the curated files and the store's source code."""
    digest = hashlib.sha256(f"schema {SCHEMA_VERSION}".encode())
    for path in sorted(DATA_DIR.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(DATA_DIR)).encode() + path.read_bytes())
    for file in _key_sources():
        if file.exists():
            digest.update(str(file.relative_to(_PACKAGE)).encode() + file.read_bytes())
    return digest.hexdigest()[:20]


def _paths() -> tuple[Path, Path] | None:
    folder = cache_dir()
    if folder is None:
        return None
    key = cache_key()
    return folder / f"kb-{key}.duckdb", folder / f"kb-{key}.json"


def read_cached_curated(path: Path) -> Curated | None:
    """The curated records from a cache JSON file, or None if its digest does not match.

    The file is ``sha256-hex \\n curated-json \\n name-index-json``; the name index, when
    valid, is handed to :func:`exosci.kb.resolve.resolver` for these records.
    """
    digest, _, payload = path.read_bytes().partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        return None
    curated_json, _, index_json = payload.partition(b"\n")
    cur = _CURATED.validate_json(curated_json)
    if index_json:
        remember(cur, _INDEX.validate_json(index_json))
    return cur


def read_cache() -> tuple[Path, Curated] | None:
    """(store file, curated records) from the cache, or None (absent, off, or unreadable)."""
    paths = _paths()
    if paths is None:
        return None
    db, meta = paths
    try:
        if db.exists() and meta.exists():
            cur = read_cached_curated(meta)
            if cur is not None:
                return db, cur
    except Exception:  # a broken cache is rebuilt, never fatal
        pass
    return None


def write_cache(con: duckdb.DuckDBPyConnection, curated: Curated) -> None:
    """Save an in-memory store and its curated records; any failure leaves no cache."""
    paths = _paths()
    if paths is None:
        return
    db, meta = paths
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=db.parent, suffix=".duckdb")
        os.close(fd)
        os.unlink(tmp)
        con.execute(f"ATTACH '{tmp}' AS cache_out")
        con.execute("COPY FROM DATABASE memory TO cache_out")
        con.execute("DETACH cache_out")
        tmp_meta = Path(tmp).with_suffix(".json")
        # compact JSON has no raw newline, so one separates the two documents
        payload = _CURATED.dump_json(curated) + b"\n" + _INDEX.dump_json(resolver(curated).index)
        tmp_meta.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
        os.replace(tmp, db)
        os.replace(tmp_meta, meta)
    except Exception:  # read-only home, full disk...: run without the cache
        pass
