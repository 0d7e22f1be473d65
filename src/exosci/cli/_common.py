"""Shared CLI plumbing: JSON output, rich console, and the error -> exit-code contract."""

from __future__ import annotations

import functools
import json
import math
import os
import socket
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from exosci.errors import UserInputError

#: Width of rich output written to a file or pipe (a terminal uses its own width; so does
#: an explicit ``COLUMNS``).
PIPE_WIDTH = 200


class _Console(Console):
    """A rich console whose output stays whole when stdout is not a terminal.

    Piped or redirected, a table is laid out :data:`PIPE_WIDTH` columns wide and a cell too
    long for its column is folded onto the next line instead of being cut with an ellipsis,
    so ``exosci kb search x > hits.txt`` keeps every id whole.
    """

    def print(self, *objects: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if not self.is_terminal:
            for obj in objects:
                if isinstance(obj, Table):
                    for column in obj.columns:
                        if column.overflow in ("ellipsis", "crop"):
                            column.overflow = "fold"
                            column.no_wrap = False  # a no-wrap cell would still be cut
            if "COLUMNS" not in os.environ and self._width is None:
                self._width = max(self.width, PIPE_WIDTH)
                try:
                    super().print(*objects, **kwargs)
                finally:
                    self._width = None
                return
        super().print(*objects, **kwargs)


console = _Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document on stdout, nothing else.")


def _default(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    return str(obj)


def _finite(obj: Any) -> Any:
    """``obj`` with NaN/Infinity replaced by null (JSON has no such numbers)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def emit_json(doc: Any) -> None:
    """Write exactly one JSON document to stdout (strict JSON: no NaN or Infinity)."""
    plain = json.loads(json.dumps(doc, default=_default, ensure_ascii=False))
    sys.stdout.write(
        json.dumps(_finite(plain), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    )


FORCE_OPTION = typer.Option(
    False, "--force", help="Overwrite output files that exist already (never an input)."
)

#: Outputs of one command: option label -> path (None: not asked for), or bare paths.
Outputs = Mapping[str, Path | None] | Iterable[Path | None]


def _show(path: Path, n: int = 160) -> str:
    text = str(path)
    return text if len(text) <= n else f"{text[:n]}… ({len(text)} characters)"


def _identity(path: Path) -> Path | tuple[int, int]:
    """What makes two paths one file: device and inode when it exists, else the resolved path."""
    try:
        st = path.stat()
    except OSError:
        return path.resolve()
    return (st.st_dev, st.st_ino)


def check_outputs(outputs: Outputs, *, inputs: Iterable[Path | None] = (), force: bool) -> None:
    """The output policy of every command, checked before any work (exit 2 on a breach).

    An output must name a file (not ``.``, ``/`` or a folder) in a folder that exists; it is
    never an input of the command (also through a symlink or hard link), no two outputs share
    a path (e.g. ``evaluate -o spec.json`` and its JSON sidecar), and a file that exists is
    replaced only with ``--force``.
    """
    named = list(outputs.items()) if isinstance(outputs, Mapping) else [("", p) for p in outputs]
    ins = {_identity(p) for p in inputs if p is not None and p.exists()}
    seen: dict[Path | tuple[int, int], str] = {}
    for label, out in named:
        if out is None:
            continue
        where = f"{label} {_show(out)}" if label else _show(out)
        if out.name in ("", ".", "..") or out.is_dir():
            raise UserInputError(f"{where}: is a folder; expected a file name to write.")
        parent = out.parent
        if not parent.is_dir():
            raise UserInputError(f"{where}: the folder {_show(parent)} does not exist.")
        key = _identity(out)
        if key in ins:
            raise UserInputError(f"{where}: is an input of this command; choose another output.")
        if key in seen:
            raise UserInputError(
                f"{where}: the same file as {seen[key] or 'another output'}; every output "
                "needs its own file."
            )
        seen[key] = where
        if not force and (out.exists() or out.is_symlink()):
            raise UserInputError(f"{where}: exists; pass --force to overwrite it.")


def check_writable(path: Path | None, option: str) -> None:
    """Refuse an output file whose folder is missing or that names a folder (exit 2)."""
    if path is not None:
        check_outputs({option: path}, force=True)


def check_scheduler(address: str | None, *, timeout: float = 5.0) -> None:
    """Fail fast (exit 2) when a ``--scheduler`` address does not accept connections."""
    if address is None:
        return
    from urllib.parse import urlsplit

    from exosci.errors import require

    # without the dask extra, say which extra to install (before trying the address)
    require("distributed", extra="dask", feature="running on a Dask cluster (--scheduler)")

    text = address if "://" in address else f"tcp://{address}"
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise UserInputError(
            f"--scheduler {address[:80]!r}: expected a Dask address like tcp://HOST:8786."
        )
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise UserInputError(
            f"--scheduler {address[:80]}: cannot connect ({exc.strerror or exc}); is the Dask "
            "scheduler running there?"
        ) from None


def finite_option(
    *, lo: float | None = None, hi: float | None = None, above: float | None = None
) -> Callable[[float | None], float | None]:
    """A typer callback refusing NaN, infinities and values out of range (exit 2)."""

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value):
            raise typer.BadParameter(f"{value} is not a finite number.")
        if above is not None and value <= above:
            raise typer.BadParameter(f"{value:g} must be above {above:g}.")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise typer.BadParameter(f"{value:g} is out of range {lo:g} to {hi:g}.")
        return value

    return check


#: Longest error message printed whole; longer ones (a huge echoed value) are cut.
MAX_MESSAGE_CHARS = 4000


def _clip(text: str) -> str:
    """``text`` cut to :data:`MAX_MESSAGE_CHARS` (a safety net: messages echo user values)."""
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    return f"{text[:MAX_MESSAGE_CHARS]}… (message cut: {len(text):,} characters)"


def _internal(exc: BaseException) -> NoReturn:
    err_console.print(
        f"[bold red]internal error:[/] {type(exc).__name__}: {escape(_clip(str(exc)))}",
        highlight=False,
    )
    if "--debug" in sys.argv:
        traceback.print_exc()
    raise typer.Exit(1) from None


def cli_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Map exceptions to the CLI contract: bad input -> exit 2, internal failure -> exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except UserInputError as exc:
            err_console.print(
                f"[bold red]error:[/] {escape(_clip(str(exc)))}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(2) from None
        except OSError as exc:
            if exc.filename is None:
                _internal(exc)
            # A path the user gave cannot be read or written (missing folder, a directory,
            # permissions): their input, so exit 2 with the path and the reason.
            err_console.print(
                f"[bold red]error:[/] {escape(_clip(str(exc.filename)))}: "
                f"{escape(exc.strerror or type(exc).__name__)}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(2) from None
        except Exception as exc:  # the contract: internal failure -> exit 1
            _internal(exc)

    return wrapper
