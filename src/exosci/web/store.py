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
  error TEXT, result TEXT, server_pid INTEGER NOT NULL, worker_pid INTEGER
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=60000")
        try:
            yield db
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
    ) -> str:
        run_id = uuid.uuid4().hex[:12]
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO runs (id, kind, name, status, created, updated, spec, params, "
                "version, seed, data_hash, server_pid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
                ),
            )
        return run_id

    def get(self, run_id: str, *, result: bool = True) -> dict[str, Any] | None:
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
        out["files"] = files
        return out

    def search(self, q: str = "", *, limit: int = 100) -> list[dict[str, Any]]:
        sql = f"SELECT {_SUMMARY} FROM runs"
        args: list[Any] = []
        if q:
            like = f"%{q}%"
            sql += " WHERE name LIKE ? OR kind LIKE ? OR id LIKE ? OR spec LIKE ? OR status LIKE ?"
            args = [like] * 5
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
        return bool(row and row["cancel"])

    def finish(self, run_id: str, result: Any, files: dict[str, tuple[str, bytes]]) -> None:
        with self._write() as db:
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
        like = f"%{q}%"
        with self._db() as db:
            rows = db.execute(
                "SELECT id, name, spec, created FROM designs WHERE name LIKE ? OR spec LIKE ? "
                "ORDER BY created DESC LIMIT ?",
                (like, like, limit),
            ).fetchall()
        return [{**dict(r), "spec": json.loads(r["spec"])} for r in rows]
