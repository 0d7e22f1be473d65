"""The on-disk cache serves queries exactly as a fresh build would: same names, same store."""

from __future__ import annotations

from pathlib import Path

import pytest

from exosci.kb import cache
from exosci.kb.resolve import NameResolver, resolver
from exosci.kb.store import default_kb


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_cached_name_index_equals_one_derived_from_the_records(cache_dir: Path) -> None:
    default_kb.__wrapped__()  # builds and writes the cache
    kb = default_kb.__wrapped__()  # served from it
    served = resolver(kb.curated)
    fresh = NameResolver(kb.curated)  # derived again from the records
    assert served is not fresh and served.index == fresh.index
    assert served.resolve("NF-kappaB").id == "pw:nfkb"
    assert served.resolve("exosomes derived from BMSCs").id == fresh.resolve("BMSC-Exos").id


def test_search_index_equals_the_stores_names_table(cache_dir: Path) -> None:
    kb = default_kb.__wrapped__()
    table: dict[str, list[str]] = {}
    for key, eid in kb.con.execute("SELECT key, entity_id FROM names").fetchall():
        if eid not in table.setdefault(key, []):
            table[key].append(eid)
    assert kb._names() == table
    assert list(kb._names()) == list(table)  # same order: search ranks ties by it


def test_a_query_from_the_cache_opens_duckdb_only_when_it_reads_a_table(cache_dir: Path) -> None:
    default_kb.__wrapped__()
    kb = default_kb.__wrapped__()
    assert kb.show("BMSC-Exos")["id"] == kb.resolve("BMSC exosomes").id
    assert kb._con is None  # show read the cached records only
    assert kb.stats()["statements"] == len(kb.curated.statements)


def test_tampered_name_index_invalidates_the_whole_cache_file(cache_dir: Path) -> None:
    fresh = default_kb.__wrapped__()
    meta = next(cache_dir.glob("*.json"))
    text = meta.read_bytes()
    at = text.rindex(b'"pw:nfkb"')  # the last mention: in the name index, after the records
    assert at > text.index(b"\n", text.index(b"\n") + 1)
    meta.write_bytes(text[:at] + b'"pw:tnf"' + text[at + len(b'"pw:nfkb"') :])
    assert cache.read_cached_curated(meta) is None  # digest no longer matches
    rebuilt = default_kb.__wrapped__()
    assert rebuilt.resolve("NF-kB").id == "pw:nfkb"
    assert rebuilt.stats() == fresh.stats()


def test_unreadable_cached_store_file_is_rebuilt_not_fatal(cache_dir: Path) -> None:
    fresh = default_kb.__wrapped__()
    next(cache_dir.glob("*.duckdb")).write_bytes(b"not a duckdb file" * 100)
    kb = default_kb.__wrapped__()  # the JSON is fine: records come from it
    assert kb.stats() == fresh.stats()  # the table query rebuilt the store in memory


def test_cache_key_follows_the_source_of_the_store_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "store_code.py"
    module.write_text("A = 1\n")
    monkeypatch.setattr(cache, "_key_sources", lambda: [module])
    monkeypatch.setattr(cache, "_PACKAGE", tmp_path)
    before = cache.cache_key()
    assert cache.cache_key() == before
    module.write_text("A = 2\n")
    assert cache.cache_key() != before


def test_cache_key_covers_every_kb_module() -> None:
    sources = {p.name for p in cache._key_sources()}
    kb = Path(cache.__file__).parent
    assert {p.name for p in kb.glob("*.py")} <= sources
    assert {p.name for p in (kb / "loaders").glob("*.py")} <= sources
    assert "vocabulary.py" in sources


def test_notebook_show_stays_the_query_after_a_store_show(cache_dir: Path) -> None:
    """``ex.kb.show`` is the DataFrame-API function, even once a store has built a show
    document (a submodule of the same name used to replace it on the package)."""
    import exosci as ex

    default_kb.__wrapped__().show("NF-κB")
    assert callable(ex.kb.show)
    assert ex.kb.show("NF-κB")["type"] == "pathway"
