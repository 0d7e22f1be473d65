"""Fetch, verify, cache and prepare the public resources; never downloads on its own.

Layout of the data folder (``EXOSCI_DATA_DIR``, default ``~/.cache/exosci/data``)::

    raw/<name>/<file>            the downloaded file, exactly as served
    .partial/<file>.part         bytes of an unfinished download (resumed by the next fetch)
    prepared/<name>.duckdb       the file converted once into DuckDB tables (fast to load)
    manifest.json                per resource: file, sha256, size, url, release, when, how

``fetch`` = download (pooch; resumable; hash-checked; atomic) + parse + prepare. A download
that fails, stops early, or whose SHA-256 differs from the pinned one leaves nothing at the
final path; a file that downloads but does not parse is removed and not recorded. When the
registry pins no checksum, the first fetch records the one it saw (trust on first use) and
``verify`` holds every later check to it.

Analyses only read what is here (:func:`prepared_targets`, :func:`prepared_genesets`); a
resource that is missing is an error that says which command fetches it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pandas as pd

from exosci._settings import settings
from exosci.datasets.registry import Resource, get_resource, registry
from exosci.datasets.release import detect_release
from exosci.errors import UserInputError
from exosci.limits import MAX_SPEC_BYTES, read_capped, short
from exosci.yamlsafe import load_json

PREPARED_VERSION = "2"  # bump when the prepared tables change shape


class DataError(UserInputError):
    """A resource that is missing, unreadable or fails its checksum (exit 2 in the CLI)."""


def data_dir() -> Path:
    """``EXOSCI_DATA_DIR``, else ``$XDG_CACHE_HOME/exosci/data`` (``~/.cache/exosci/data``).

    A path that exists but is not a folder (a file, a device) is refused with a message that
    says which setting to change (it is created when missing).
    """
    env = settings.raw("data_dir")
    if env:
        folder = Path(env).expanduser()
        setting = f"EXOSCI_DATA_DIR={short(env, 200)}"
    else:
        folder = settings.data_dir
        setting = f"the data folder {folder}"
    if folder.exists() and not folder.is_dir():
        raise DataError(
            f"{setting}: is a file, not a folder; point EXOSCI_DATA_DIR at a folder (it is "
            "created when missing) or move the file away."
        )
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise DataError(
                    f"{setting}: {parent} is a file, so the data folder cannot be created "
                    "below it; point EXOSCI_DATA_DIR at a folder."
                )
            break
    return folder


#: A resource name: letters, digits, ``.``, ``_``, ``-``; it names a folder and a store file.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def inside(folder: Path, path: Path, what: str, *, under: tuple[str, ...] = ()) -> Path:
    """``path`` when it resolves inside ``folder/under...`` (symlinks followed, but only the
    data folder itself may be a symlink); else a DataError."""
    base = folder.resolve().joinpath(*under)
    target = path.resolve()
    if target != base and base not in target.parents:
        raise DataError(
            f"{what} {short(str(path), 200)} is outside the data folder {folder}; refused "
            "(resources and manifest entries stay inside it)."
        )
    return path


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def read_manifest(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """What has been fetched into the data folder: name -> file, checksum and when (may be empty).

    Every entry must be an object naming a file inside the data folder's ``raw/<name>/`` and a
    SHA-256 string; anything else is refused (exit 2) with the entry named.
    """
    folder = folder or data_dir()
    path = folder / "manifest.json"
    if not path.is_file():
        return {}
    fix = "delete it (or the entry) and fetch again"
    try:
        text = read_capped(path, what="data manifest", cap=MAX_SPEC_BYTES).decode("utf-8")
        data = load_json(text, where=str(path))
    except (UserInputError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: unreadable manifest ({exc}); {fix}") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected an object NAME: {{path, sha256, ...}}; {fix}")
    for name, entry in data.items():
        where = f"{path}: entry {short(name, 80)}"
        if not NAME_PATTERN.match(name):
            raise DataError(f"{where}: not a resource name; {fix}")
        if not isinstance(entry, dict):
            raise DataError(f"{where} is {type(entry).__name__}, expected an object; {fix}")
        if not isinstance(entry.get("path"), str) or not isinstance(entry.get("sha256"), str):
            raise DataError(f"{where}: expected string fields 'path' and 'sha256'; {fix}")
        inside(folder, Path(entry["path"]), f"{where}: path", under=("raw", name))
    return dict(data)


def _record(name: str, entry: dict[str, Any] | None, folder: Path) -> None:
    manifest = read_manifest(folder)
    if entry is None:
        manifest.pop(name, None)
    else:
        manifest[name] = entry
    _write_atomic(folder / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True))


def raw_path(res: Resource, folder: Path | None = None) -> Path:
    folder = folder or data_dir()
    target = folder / "raw" / res.name / res.filename
    return inside(folder, target, f"{res.name}: file", under=("raw", res.name))


def prepared_path(name: str, folder: Path | None = None) -> Path:
    folder = folder or data_dir()
    if not NAME_PATTERN.match(name):
        raise DataError(f"{short(name, 80)}: not a resource name (letters, digits, . _ -)")
    return inside(folder, folder / "prepared" / f"{name}.duckdb", "store", under=("prepared",))


@dataclass(frozen=True)
class Status:
    """What the data folder holds for one resource."""

    resource: Resource
    fetched: bool
    prepared: bool
    entry: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        r = self.resource
        local = (self.entry or {}).get("release")
        return {
            "name": r.name,
            "title": r.title,
            "kind": r.kind,
            "release": local or r.release,
            "registry_release": r.release,
            "url": r.url,
            "homepage": r.homepage,
            "licence": r.licence,
            "citation": r.citation,
            "species": list(r.species),
            "checksum": r.sha256 or "none pinned: recorded at first fetch (trust on first use)",
            "fetchable": r.fetchable,
            "manual": r.manual,
            "fetched": self.fetched,
            "prepared": self.prepared,
            "local": self.entry,
        }


def status(name: str | None = None) -> list[Status]:
    """Each registered public resource (or only ``name``): fetched, prepared, where, checksum."""
    folder = data_dir()
    manifest = read_manifest(folder)
    names = [name] if name else sorted(registry())
    out = []
    for n in names:
        res = get_resource(n)
        entry = manifest.get(n)
        fetched = entry is not None and Path(entry["path"]).is_file()
        out.append(Status(res, fetched, prepared_path(n, folder).is_file(), entry))
    return out


def available(kind: str | None = None) -> list[dict[str, Any]]:
    """Fetched resources an analysis can use by name (for pickers, e.g. the web app).

    ``kind``: ``targets``, ``genesets``, ``mirbase`` or ``vesicle``; reads the manifest only.
    """
    out = []
    for st in status():
        if st.fetched and (kind is None or st.resource.kind == kind):
            r, e = st.resource, st.entry or {}
            out.append(
                {
                    "name": r.name,
                    "title": r.title,
                    "kind": r.kind,
                    "release": e.get("release", "unknown"),
                    "sha256": e.get("sha256"),
                    "fetched_at": e.get("fetched_at"),
                    "licence": r.licence,
                }
            )
    return out


def how_to_fetch(res: Resource) -> str:
    """One sentence: the command (or manual steps) that gets ``res`` into the data folder."""
    if res.fetchable:
        return f"run `exosci data fetch {res.name}` (downloads {res.url} into {data_dir()})"
    return res.manual or f"download it from {res.homepage}, then `exosci data add {res.name} FILE`"


def fetch(
    name: str,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Download ``name`` (resuming an unfinished transfer), verify, record and prepare it."""
    import pooch

    from exosci.datasets.download import DownloadError, ResumableDownloader

    pooch.get_logger().setLevel("WARNING")  # we report the checksum ourselves
    res = get_resource(name)
    if not res.fetchable:
        raise DataError(f"{res.name} cannot be fetched automatically: {how_to_fetch(res)}")
    folder = data_dir()
    target = raw_path(res, folder)
    manifest = read_manifest(folder)
    if target.is_file() and not force and res.name in manifest:
        check = verify(res.name)
        if check["ok"]:
            return {**manifest[res.name], "action": "already fetched and verified"}
    if force and target.exists():
        target.unlink()
    downloader = ResumableDownloader(folder / ".partial")
    downloader.fname = res.filename  # type: ignore[attr-defined]
    known = f"sha256:{res.sha256}" if res.sha256 else None
    if progress:
        progress(f"fetching {res.name} from {res.url}")
    try:
        pooch.retrieve(
            url=str(res.url),
            known_hash=known,
            fname=res.filename,
            path=target.parent,
            downloader=downloader,
            progressbar=False,
        )
    except DownloadError as exc:
        raise DataError(
            f"{res.name}: download failed: {exc}. Without network: download {res.url} by hand "
            f"(release {res.release}) and run `exosci data add {res.name} FILE`"
        ) from None
    except ValueError as exc:  # pooch: hash mismatch (the temporary file is already gone)
        downloader.discard(res.filename)
        raise DataError(
            f"{res.name}: checksum mismatch, the file was rejected and nothing was kept ({exc})"
        ) from None
    digest = sha256_of(target)
    release, basis = detect_release(
        kind=res.kind,
        resource=res.name,
        file=target,
        original_name=Path(urlsplit(str(res.url)).path).name,
        url=str(res.url),
    )
    entry = {
        "name": res.name,
        "path": str(target),
        "url": res.url,
        "release": release,
        "release_basis": basis,
        "sha256": digest,
        "size": target.stat().st_size,
        "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "checksum_source": "registry (pinned)"
        if res.sha256
        else "first fetch (trust on first use)",
        "resumed_from_byte": downloader.resumed_from,
    }
    if downloader.restarted:
        entry["restarted_from_zero"] = downloader.restarted
    try:
        rows = prepare(res.name, source=target, sha256=digest, release=release)
    except Exception:
        target.unlink(missing_ok=True)
        raise
    _record(res.name, {**entry, "prepared_rows": rows}, folder)
    return {**entry, "prepared_rows": rows, "action": "fetched"}


def add(name: str, file: Path | str, *, release: str | None = None) -> dict[str, Any]:
    """Register a file the user downloaded by hand (copied in, checksummed, prepared).

    Its release is read from the file (name or header) or taken from ``release`` (the user's
    statement); with neither it is recorded as ``unknown (user file)``, never the registry's.
    """
    res = get_resource(name)
    src = Path(file)
    if not src.is_file():
        raise DataError(f"{src}: no such file")
    if release is not None and not (0 < len(release.strip()) <= 80):
        raise DataError(f"--release {short(release)}: expected a short release label, e.g. 7.0")
    folder = data_dir()
    target = raw_path(res, folder)
    if src.suffix.lower() != target.suffix.lower():  # keep the user's format (csv vs xlsx)
        target = inside(folder, target.with_name(src.name), f"{src}: name", under=("raw", name))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    os.close(fd)
    shutil.copyfile(src, tmp)
    digest = sha256_of(Path(tmp))
    if res.sha256 and digest != res.sha256:
        os.unlink(tmp)
        raise DataError(f"{src}: SHA-256 {digest} differs from the pinned {res.sha256}")
    label, basis = detect_release(
        kind=res.kind,
        resource=res.name,
        file=Path(tmp),
        original_name=src.name,
        stated=release.strip() if release else None,
    )
    for old in target.parent.glob("*"):  # one file per resource
        if old != target and old.is_file() and str(old) != tmp:
            old.unlink()
    os.replace(tmp, target)
    try:
        rows = prepare(res.name, source=target, sha256=digest, release=label)
    except Exception:
        target.unlink(missing_ok=True)
        raise
    entry = {
        "name": res.name,
        "path": str(target),
        "url": f"added by hand from {src}",
        "release": label,
        "release_basis": basis,
        "sha256": digest,
        "size": target.stat().st_size,
        "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "checksum_source": "registry (pinned)" if res.sha256 else "first add (trust on first use)",
        "prepared_rows": rows,
    }
    _record(res.name, entry, folder)
    return {**entry, "action": "added"}


def verify(name: str | None = None) -> dict[str, Any]:
    """Re-hash cached files against the pinned or first-recorded SHA-256."""
    manifest = read_manifest()
    names = [name] if name else sorted(manifest)
    results = []
    for n in names:
        res = get_resource(n)
        entry = manifest.get(n)
        if entry is None:
            results.append({"name": n, "ok": False, "problem": f"not fetched: {how_to_fetch(res)}"})
            continue
        path = Path(entry["path"])
        if not path.is_file():
            results.append({"name": n, "ok": False, "problem": f"{path} is missing"})
            continue
        digest = sha256_of(path)
        want = res.sha256 or entry["sha256"]
        ok = digest == want
        item = {"name": n, "ok": ok, "sha256": digest, "expected": want}
        if not ok:
            item["problem"] = (
                f"{path}: SHA-256 {digest} differs from the "
                + ("pinned" if res.sha256 else "first-fetch")
                + f" {want}; the file changed on disk or upstream: "
                f"`exosci data fetch {n} --force` replaces it"
            )
        elif not _prepared_ok(n, digest):
            item["note"] = "prepared store missing or stale; it is rebuilt on next use"
        results.append(item)
    return {"ok": all(r["ok"] for r in results), "resources": results}


def path(name: str) -> Path:
    """The cached file of ``name`` (error with the fetch command when absent)."""
    res = get_resource(name)
    entry = read_manifest().get(name)
    if entry is None or not Path(entry["path"]).is_file():
        raise DataError(f"{name} is not in {data_dir()}: {how_to_fetch(res)}")
    return Path(entry["path"])


# ---------------------------------------------------------------------------- preparing


def _member(res: Resource, source: Path, workdir: Path) -> Path:
    """The file to parse: ``source`` itself or its zip member (extracted into ``workdir``)."""
    if not zipfile.is_zipfile(source):
        if source.suffix.lower() == ".zip":
            raise DataError(f"{source}: not a valid zip archive (corrupted download?)")
        return source  # a plain file (e.g. a GMT added by hand)
    if res.member is None and source.suffix.lower() != ".zip":
        return source  # an .xlsx is a zip too: it is read as it is
    try:
        with zipfile.ZipFile(source) as zf:
            names = zf.namelist()
            member = res.member or next((n for n in names if not n.endswith("/")), None)
            if member not in names:
                raise DataError(
                    f"{source}: the archive has no {member!r}; it holds {', '.join(names[:5])}"
                )
            out = workdir / Path(member).name
            with zf.open(member) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            return out
    except zipfile.BadZipFile as exc:
        raise DataError(f"{source}: corrupted zip archive ({exc})") from None


def _frames(res: Resource, file: Path) -> dict[str, pd.DataFrame]:
    if res.kind == "targets":
        from exosci.cargo.mirna_names import mirbase_reference, target_keys
        from exosci.datasets.target_files import read_target_file

        frame = read_target_file(file)
        # keys against the shipped miRBase table, computed once (load_targets reuses them
        # when it resolves with that same table)
        keys = target_keys(list(pd.unique(frame["mirna"])), mirbase_reference())
        return {
            "targets": frame[["mirna", "gene", "species", "support", "score", "experiments"]],
            "mirna_keys": keys.assign(reference=mirbase_reference().label),
        }
    if res.kind == "genesets":
        from exosci.kb.loaders.gmt import parse_gmt

        gmt = parse_gmt(file)
        rows = [(n, gmt.descriptions.get(n, ""), g) for n, genes in gmt.sets.items() for g in genes]
        return {"genesets": pd.DataFrame(rows, columns=["set_name", "description", "gene"])}
    if res.kind == "mirbase":
        from exosci.kb.loaders.mirbase import read_mature_fa

        return {"mirbase": read_mature_fa(file)}
    from exosci.kb.loaders.exocarta import read_exocarta

    return {"vesicle_content": read_exocarta(file)}


def prepare(
    name: str,
    *,
    source: Path | None = None,
    sha256: str | None = None,
    release: str | None = None,
) -> int:
    """Convert the cached file of ``name`` into ``prepared/<name>.duckdb`` (atomically)."""
    res = get_resource(name)
    if release is None:
        release = str((read_manifest().get(name) or {}).get("release", "unknown"))
    source = source or path(name)
    sha256 = sha256 or sha256_of(source)
    out = prepared_path(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        file = _member(res, source, Path(work))
        frames = _frames(res, file)
        tmp = Path(work) / "prepared.duckdb"
        con = duckdb.connect(str(tmp))
        try:
            meta = {
                "name": res.name,
                "release": release,
                "sha256": sha256,
                "file": source.name,
                "prepared_version": PREPARED_VERSION,
            }
            con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
            con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
            rows = 0
            for table, frame in frames.items():
                con.register("_new", frame)
                con.execute(f"CREATE TABLE {table} AS SELECT * FROM _new")
                con.unregister("_new")
                rows += len(frame)
        finally:
            con.close()
        if rows == 0:
            raise DataError(f"{source}: no usable rows for {res.name}")
        os.replace(tmp, out)
    return rows


def _prepared_meta(name: str) -> dict[str, str] | None:
    p = prepared_path(name)
    if not p.is_file():
        return None
    try:
        con = duckdb.connect(str(p), read_only=True)
        try:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
        finally:
            con.close()
    except duckdb.Error:
        return None


def _prepared_ok(name: str, sha256: str) -> bool:
    meta = _prepared_meta(name)
    if not meta:
        return False
    return meta.get("sha256") == sha256 and meta.get("prepared_version") == PREPARED_VERSION


def _provenance(res: Resource, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": res.name,
        "title": res.title,
        "release": entry.get("release", "unknown"),
        "sha256": entry["sha256"],
        "fetched_at": entry.get("fetched_at"),
        "url": entry.get("url"),
        "licence": res.licence,
        "citation": res.citation,
    }


def _entry(name: str) -> tuple[Resource, dict[str, Any]]:
    res = get_resource(name)
    entry = read_manifest().get(name)
    if entry is None or not Path(entry["path"]).is_file():
        raise DataError(f"{name} is not fetched: {how_to_fetch(res)}")
    return res, entry


def ensure_prepared(name: str) -> tuple[Path, dict[str, Any]]:
    """The prepared store of a fetched resource (rebuilt from the cached file if stale).

    Never downloads: a resource that is not fetched is an error naming the fetch command.
    """
    res, entry = _entry(name)
    if not _prepared_ok(name, entry["sha256"]):
        prepare(name, source=Path(entry["path"]), sha256=entry["sha256"])
    return prepared_path(name), _provenance(res, entry)


def prepared_tables(name: str, queries: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Arrow tables read from a prepared store (``alias -> SELECT ...``) and its provenance.

    One connection: the store's ``meta`` is checked against the manifest's SHA-256 and the
    data read; a missing or stale store is rebuilt from the cached file first (never
    downloaded).
    """
    res, entry = _entry(name)
    for attempt in (0, 1):
        store = prepared_path(name)
        if store.is_file():
            con = duckdb.connect(str(store), read_only=True)
            try:
                meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
                fresh = meta.get("sha256") == entry["sha256"] and (
                    meta.get("prepared_version") == PREPARED_VERSION
                )
                if fresh:
                    out = {}
                    for alias, sql in queries.items():
                        try:
                            out[alias] = con.sql(sql).to_arrow_table()
                        except duckdb.Error as exc:
                            raise DataError(
                                f"{name} is a {res.kind} resource, not usable here ({exc})"
                            ) from None
                    return out, _provenance(res, entry)
            except duckdb.Error:
                pass  # unreadable store: rebuilt below
            finally:
                con.close()
        if attempt == 0:
            prepare(name, source=Path(entry["path"]), sha256=entry["sha256"])
    raise DataError(f"{name}: the prepared store could not be built in {prepared_path(name)}")


def prepared_table(name: str, table: str, columns: str) -> tuple[Any, dict[str, Any]]:
    """One Arrow table (``SELECT columns FROM table``) from a prepared store, and provenance.

    ``table`` is a table name or a parenthesised sub-query over the store's tables.
    """
    tables, info = prepared_tables(name, {"t": f"SELECT {columns} FROM {table}"})
    return tables["t"], info
