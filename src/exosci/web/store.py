"""Saved runs and designs: one SQLite file under the data folder, shared by every server process.

SQLite in WAL mode with a busy timeout: each write is one short transaction, so concurrent
writers (worker processes reporting progress, two servers on one folder, several browsers)
wait for each other instead of losing a run. Results are stored as JSON, report files as blobs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Run states; ``interrupted`` = the server that owned a queued/running run is gone.
FINAL = ("done", "failed", "cancelled", "interrupted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
  created REAL NOT NULL, updated REAL NOT NULL, spec TEXT NOT NULL, params TEXT NOT NULL,
  version TEXT NOT NULL, seed INTEGER NOT NULL, data_hash TEXT NOT NULL,
  stage TEXT NOT NULL DEFAULT '', done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0, cancel INTEGER NOT NULL DEFAULT 0,
  error TEXT, result TEXT, server_pid INTEGER NOT NULL, worker_pid INTEGER, owner TEXT
);
CREATE TABLE IF NOT EXISTS files (
  run_id TEXT NOT NULL, name TEXT NOT NULL, media TEXT NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS designs (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, spec TEXT NOT NULL, created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created);
"""

_SUMMARY = (
    "id, kind, name, status, created, updated, params, version, seed, data_hash, stage, "
    "done, total, error"
)


class StoreUnavailable(Exception):
    """The runs database cannot be opened or read (the web app answers 503 with this text)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"the saved-runs database {path} cannot be used: {reason}. The runs database lives "
            "in <data folder>/web/ (EXOSCI_DATA_DIR must name a writable folder); a damaged "
            "database file can be moved aside and the server will start a new one."
        )


def _like(q: str) -> str:
    """``%q%`` for a LIKE ... ESCAPE '\\' pattern, with q's own ``%``, ``_`` and ``\\`` literal."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


#: A text value of the spec matches (its keys do not: ``q=_`` would match every ``horizon_days``).
_SPEC_MATCH = (
    "EXISTS (SELECT 1 FROM json_tree(spec) WHERE type = 'text' AND atom LIKE ? ESCAPE '\\')"
)


def default_path() -> Path:
    """``<data folder>/web/exosci-runs.sqlite`` (``EXOSCI_DATA_DIR`` or the per-user cache)."""
    from exosci.datasets.manager import data_dir

    return data_dir() / "web" / "exosci-runs.sqlite"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunStore:
    """The runs database at ``path`` (created on first use)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            where = next((p for p in self.path.parents if p.exists()), self.path.parent)
            what = "is a file, not a folder" if where.is_file() else exc.strerror
            raise StoreUnavailable(self.path, f"{where} {what}") from None
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            cols = {r["name"] for r in db.execute("PRAGMA table_info(runs)")}
            if "owner" not in cols:  # a database from before runs had owners
                db.execute("ALTER TABLE runs ADD COLUMN owner TEXT")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreUnavailable(self.path, str(exc)) from None
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA busy_timeout=60000")
            yield db
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as exc:  # not a database, truncated, locked for a minute
            raise StoreUnavailable(self.path, str(exc)) from None
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- runs ---------------------------------------------------------------------------
    def create(
        self,
        *,
        kind: str,
        name: str,
        spec: Any,
        params: dict[str, Any],
        version: str,
        seed: int,
        data_hash: str,
        owner: str | None = None,
    ) -> str:
        run_id = uuid.uuid4().hex[:12]
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO runs (id, kind, name, status, created, updated, spec, params, "
                "version, seed, data_hash, server_pid, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id,
                    kind,
                    name,
                    "queued",
                    now,
                    now,
                    json.dumps(spec),
                    json.dumps(params),
                    version,
                    seed,
                    data_hash,
                    os.getpid(),
                    owner,
                ),
            )
        return run_id

    def get(self, run_id: str, *, result: bool = True) -> dict[str, Any] | None:
        """The run (without its owner key); ``result=False`` leaves out the result document."""
        cols = "*" if result else f"{_SUMMARY}, spec, cancel"
        with self._db() as db:
            row = db.execute(f"SELECT {cols} FROM runs WHERE id = ?", (run_id,)).fetchone()
            files = [
                {"name": r["name"], "media": r["media"]}
                for r in db.execute(
                    "SELECT name, media FROM files WHERE run_id = ? ORDER BY name", (run_id,)
                )
            ]
        if row is None:
            return None
        out = dict(row)
        out["spec"] = json.loads(out["spec"])
        out["params"] = json.loads(out["params"])
        if result:
            out["result"] = json.loads(out["result"]) if out.get("result") else None
            out.pop("server_pid", None)
        out.pop("owner", None)
        out["files"] = files
        return out

    def search(self, q: str = "", *, limit: int = 100) -> list[dict[str, Any]]:
        sql = f"SELECT {_SUMMARY} FROM runs"
        args: list[Any] = []
        if q:
            cols = ("name", "kind", "id", "status")
            sql += " WHERE " + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in cols)
            sql += f" OR {_SPEC_MATCH}"
            args = [_like(q)] * (len(cols) + 1)
        sql += " ORDER BY created DESC LIMIT ?"
        args.append(limit)
        with self._db() as db:
            rows = [dict(r) for r in db.execute(sql, args)]
        for r in rows:
            r["params"] = json.loads(r["params"])
        return rows

    def start(self, run_id: str) -> bool:
        """Mark a queued run as running in this process; False if it was cancelled first."""
        with self._write() as db:
            row = db.execute("SELECT status, cancel FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None or row["status"] != "queued":
                return False
            if row["cancel"]:
                db.execute(
                    "UPDATE runs SET status='cancelled', updated=? WHERE id=?",
                    (time.time(), run_id),
                )
                return False
            db.execute(
                "UPDATE runs SET status='running', worker_pid=?, updated=? WHERE id=?",
                (os.getpid(), time.time(), run_id),
            )
        return True

    def progress(self, run_id: str, stage: str, done: int, total: int) -> bool:
        """Record progress; returns True when a cancel was requested."""
        with self._write() as db:
            db.execute(
                "UPDATE runs SET stage=?, done=?, total=?, updated=? WHERE id=?",
                (stage, done, total, time.time(), run_id),
            )
            row = db.execute("SELECT cancel FROM runs WHERE id = ?", (run_id,)).fetchone()
        return row is None or bool(row["cancel"])  # a deleted run stops too

    def finish(self, run_id: str, result: Any, files: dict[str, tuple[str, bytes]]) -> None:
        with self._write() as db:
            if db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
                return  # deleted while it computed: keep no orphan files
            for name, (media, data) in files.items():
                db.execute(
                    "INSERT OR REPLACE INTO files (run_id, name, media, data) VALUES (?,?,?,?)",
                    (run_id, name, media, data),
                )
            db.execute(
                "UPDATE runs SET status='done', stage='done', result=?, updated=? WHERE id=?",
                (json.dumps(result), time.time(), run_id),
            )

    def end(self, run_id: str, status: str, error: str | None = None) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE runs SET status=?, error=?, updated=? WHERE id=?",
                (status, error, time.time(), run_id),
            )

    def request_cancel(self, run_id: str) -> str | None:
        """Ask a run to stop; returns its status (None if unknown)."""
        with self._write() as db:
            row = db.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return None
            if row["status"] in FINAL:
                return str(row["status"])
            db.execute("UPDATE runs SET cancel=1, updated=? WHERE id=?", (time.time(), run_id))
            return str(row["status"])

    def owner(self, run_id: str) -> tuple[bool, str | None]:
        """(whether the run exists, the key of the session that created it or None)."""
        with self._db() as db:
            row = db.execute("SELECT owner FROM runs WHERE id = ?", (run_id,)).fetchone()
        return (False, None) if row is None else (True, row["owner"])

    def rename(self, run_id: str, name: str) -> bool:
        with self._write() as db:
            cur = db.execute(
                "UPDATE runs SET name=?, updated=? WHERE id=?", (name, time.time(), run_id)
            )
        return cur.rowcount > 0

    def delete(self, run_id: str) -> bool:
        """Remove a run and its files (a worker still computing it stops at its next step)."""
        with self._write() as db:
            db.execute("DELETE FROM files WHERE run_id = ?", (run_id,))
            cur = db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        return cur.rowcount > 0

    def pending(self) -> int:
        """Runs waiting or computing (the queue the cap applies to)."""
        with self._db() as db:
            row = db.execute(
                "SELECT COUNT(*) AS n FROM runs WHERE status IN ('queued', 'running')"
            ).fetchone()
        return int(row["n"])

    def prune(self, *, keep: int, max_age_s: float | None) -> int:
        """Delete finished runs beyond the newest ``keep`` or older than ``max_age_s``."""
        final = ",".join(f"'{s}'" for s in FINAL)
        with self._write() as db:
            ids = [
                r["id"]
                for r in db.execute(
                    f"SELECT id FROM runs WHERE status IN ({final}) "
                    "ORDER BY created DESC LIMIT -1 OFFSET ?",
                    (keep,),
                )
            ]
            if max_age_s is not None:
                cutoff = time.time() - max_age_s
                ids += [
                    r["id"]
                    for r in db.execute(
                        f"SELECT id FROM runs WHERE status IN ({final}) AND created < ?",
                        (cutoff,),
                    )
                ]
            for rid in set(ids):
                db.execute("DELETE FROM files WHERE run_id = ?", (rid,))
                db.execute("DELETE FROM runs WHERE id = ?", (rid,))
        return len(set(ids))

    def file(self, run_id: str, name: str) -> tuple[str, bytes] | None:
        with self._db() as db:
            row = db.execute(
                "SELECT media, data FROM files WHERE run_id=? AND name=?", (run_id, name)
            ).fetchone()
        return None if row is None else (str(row["media"]), bytes(row["data"]))

    def mark_interrupted(self) -> int:
        """Runs left queued/running by a server process that no longer exists."""
        with self._write() as db:
            rows = db.execute(
                "SELECT id, server_pid FROM runs WHERE status IN ('queued', 'running')"
            ).fetchall()
            gone = [
                r["id"]
                for r in rows
                if r["server_pid"] != os.getpid() and not _alive(r["server_pid"])
            ]
            for rid in gone:
                db.execute(
                    "UPDATE runs SET status='interrupted', error=?, updated=? WHERE id=?",
                    (
                        "the server stopped before this run finished; start it again.",
                        time.time(),
                        rid,
                    ),
                )
        return len(gone)

    # -- designs ------------------------------------------------------------------------
    def save_design(self, name: str, spec: Any) -> str:
        design_id = uuid.uuid4().hex[:12]
        with self._write() as db:
            db.execute(
                "INSERT INTO designs (id, name, spec, created) VALUES (?,?,?,?)",
                (design_id, name, json.dumps(spec), time.time()),
            )
        return design_id

    def designs(self, q: str = "", *, limit: int = 100) -> list[dict[str, Any]]:
        like = _like(q)
        with self._db() as db:
            rows = db.execute(
                "SELECT id, name, spec, created FROM designs WHERE name LIKE ? ESCAPE '\\' "
                f"OR {_SPEC_MATCH} ORDER BY created DESC LIMIT ?",
                (like, like, limit),
            ).fetchall()
        return [{**dict(r), "spec": json.loads(r["spec"])} for r in rows]
