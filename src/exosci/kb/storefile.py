"""Writing store files safely: one writer at a time (a file lock), atomic swaps, no leftovers.

Every change to a store file happens under ``<store>.lock`` (a second writer waits up to
``EXOSCI_LOCK_TIMEOUT`` seconds, default 120, then stops with an error naming the lock's owner),
on a copy named ``.exosci-<store>-*.duckdb`` beside it that replaces the store only when the
change succeeded. Copies left by a killed writer are removed by the next writer.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from exosci._settings import settings
from exosci.errors import UserInputError


class StoreLockedError(UserInputError):
    """Another process is writing the store and did not finish in time."""


def lock_timeout() -> float:
    """Seconds a writer waits for the store lock (``EXOSCI_LOCK_TIMEOUT``, default 120)."""
    return settings.lock_timeout


def _owner_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock.owner")


def _describe_owner(path: Path) -> str:
    try:
        info = json.loads(_owner_path(path).read_text(encoding="utf-8"))
        return (
            f"held by pid {info['pid']} on {info['host']} since {info['since']} "
            f"({str(info['command'])[:120]})"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "held by another process"


@contextmanager
def store_lock(path: Path | str, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the exclusive write lock of the store ``path`` (waits up to ``timeout`` s)."""
    path = Path(path)
    if path.is_dir():
        raise UserInputError(f"{path}: is a directory; expected a store file name.")
    if not path.parent.is_dir():
        raise UserInputError(f"{path}: the folder {path.parent} does not exist.")
    wait = lock_timeout() if timeout is None else timeout
    lock = FileLock(str(path.with_name(path.name + ".lock")), is_singleton=False)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise StoreLockedError(
            f"{path}: the store is being written by another process: lock {path.name}.lock "
            f"{_describe_owner(path)}; waited {wait:g} s. Retry when it finishes, or raise "
            "EXOSCI_LOCK_TIMEOUT."
        ) from None
    owner = _owner_path(path)
    try:
        owner.write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "command": " ".join(sys.argv)[:300],
                }
            ),
            encoding="utf-8",
        )
        _clean_leftovers(path)
        yield
    finally:
        with suppress(OSError):
            owner.unlink()
        lock.release()


def _prefix(path: Path) -> str:
    return f".exosci-{path.name}-"


def _clean_leftovers(path: Path) -> None:
    """Remove copies of ``path`` left by a writer that was killed (call under the lock)."""
    for stale in path.parent.glob(_prefix(path) + "*"):
        with suppress(OSError):
            stale.unlink()


def _remove(tmp: str) -> None:
    for leftover in (tmp, tmp + ".wal"):
        if os.path.exists(leftover):
            os.unlink(leftover)


def write_store(
    path: Path | str,
    change: Callable[[duckdb.DuckDBPyConnection], None],
    *,
    start_from_existing: bool,
) -> None:
    """Apply ``change`` to a copy of ``path`` (or to a new file) and swap it in on success.

    The caller holds :func:`store_lock`. A failure leaves ``path`` as it was and no copy behind.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(path), suffix=".duckdb", dir=path.parent)
    os.close(fd)
    try:
        if start_from_existing:
            shutil.copyfile(path, tmp)
        else:
            os.unlink(tmp)  # duckdb wants to create the file itself
        try:
            con = duckdb.connect(tmp)
        except duckdb.Error:
            raise UserInputError(
                f"{path}: not a DuckDB file, so not an exosci store; nothing was changed."
            ) from None
        try:
            change(con)
        finally:
            con.close()
        os.replace(tmp, path)
    finally:
        _remove(tmp)
