"""One settings object for the folders, caps and switches environment variables may set.

``exosci.settings`` (scanpy's ``sc.settings`` habit) is the only place the package reads its
environment variables. Each setting reads its variable when asked -- so a variable exported by
a test or a server's launcher is seen without re-importing anything -- unless a value was
assigned in Python (``ex.settings.lock_timeout = 30``), which wins until
``ex.settings.reset()``. ``ex.settings`` prints every value and where it came from;
``docs/settings.md`` is generated from the same table (``settings_table_markdown``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from exosci.errors import UserInputError

T = TypeVar("T")

DEFAULT_LOCK_TIMEOUT = 120.0
_OFF = ("0", "false", "no", "off")


def _short(raw: str) -> str:
    return repr(raw) if len(raw) <= 40 else repr(raw[:40]) + f"… ({len(raw)} characters)"


def _xdg_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"))


def _cache_dir(raw: str | None) -> Path:
    return Path(raw) if raw else _xdg_cache() / "exosci"


def _data_dir(raw: str | None) -> Path:
    return Path(raw).expanduser() if raw else _xdg_cache() / "exosci" / "data"


def _flag_on(raw: str | None) -> bool:
    return bool(raw)


def _switch(raw: str | None) -> bool:
    return (raw if raw is not None else "1").strip().lower() not in _OFF


def _optional_path(raw: str | None) -> Path | None:
    return Path(raw) if raw else None


def _optional_str(raw: str | None) -> str | None:
    return raw


def _engine(raw: str | None) -> str:
    text = (raw or "auto").strip().lower() or "auto"
    if text not in ("auto", "c", "numba"):
        raise UserInputError(f"EXOSCI_ENGINE={_short(raw or '')}: expected auto, c or numba.")
    return text


def _lock_timeout(raw: str | None) -> float:
    try:
        value = float(raw) if raw else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        value = DEFAULT_LOCK_TIMEOUT
    return value if value >= 0 else DEFAULT_LOCK_TIMEOUT


def _workers(raw: str | None) -> int:
    if raw and raw.isdigit() and int(raw) > 0:
        return int(raw)
    return max(1, min(2, (os.cpu_count() or 2) - 1))


def _hosts(raw: str | None) -> tuple[str, ...]:
    return tuple(h.strip() for h in (raw or "").split(",") if h)


def _bytes_cap(env: str, ceiling: int) -> Callable[[str | None], int]:
    def read(raw: str | None) -> int:
        if not raw:
            return ceiling
        try:
            value = int(raw)
        except ValueError:
            raise UserInputError(
                f"{env}={_short(raw)}: expected a positive number of bytes."
            ) from None
        if value <= 0:
            raise UserInputError(f"{env}={value}: expected a positive number of bytes.")
        return min(value, ceiling)

    return read


def _count(env: str, default: int) -> Callable[[str | None], int]:
    def read(raw: str | None) -> int:
        text = (raw or "").strip()
        if not text:
            return default
        if not text.isdigit():
            raise UserInputError(f"{env}={text[:40]!r}: expected a whole number >= 0.")
        return int(text)

    return read


@dataclass
class Option(Generic[T]):
    """One setting: its environment variable, how the text is read, and what it means."""

    env: str
    read: Callable[[str | None], T]
    default: str
    doc: str
    name: str = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Option[T]: ...
    @overload
    def __get__(self, obj: Settings, objtype: type | None = None) -> T: ...
    def __get__(self, obj: Settings | None, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        if self.name in obj._overrides:
            return obj._overrides[self.name]
        return self.read(os.environ.get(self.env))

    def __set__(self, obj: Settings, value: T) -> None:
        obj._overrides[self.name] = value


MIB = 1024 * 1024


class Settings:
    """Folders, caps and switches of one exosci process (``exosci.settings``)."""

    cache_dir = Option(
        "EXOSCI_CACHE_DIR",
        _cache_dir,
        "`$XDG_CACHE_HOME/exosci` (`~/.cache/exosci`)",
        "Cache folder: the built knowledge-graph store and, under `jit/`, the compiled engine.",
    )
    no_cache = Option(
        "EXOSCI_NO_CACHE",
        _flag_on,
        "unset (cache on)",
        "Any non-empty value turns the knowledge-graph cache off (rebuilt in memory each time).",
    )
    data_dir = Option(
        "EXOSCI_DATA_DIR",
        _data_dir,
        "`$XDG_CACHE_HOME/exosci/data` (`~/.cache/exosci/data`)",
        "Data folder: downloaded public resources (`exosci data`) and the server's saved runs.",
    )
    data_registry = Option(
        "EXOSCI_DATA_REGISTRY",
        _optional_path,
        "unset",
        "A YAML file that pins checksums, points a resource at a mirror, or adds a resource.",
    )
    engine = Option(
        "EXOSCI_ENGINE",
        _engine,
        "`auto`",
        "Ensemble engine: `c` (compiled by the system C compiler in ~2 s), `numba` (~30 s "
        "first compile), `auto`: C when a compiler works, else numba.",
    )
    c_compiler = Option(
        "CC",
        _optional_str,
        "unset (`cc`, `gcc` or `clang` on the PATH)",
        "The C compiler that builds the C engine (the usual `CC` variable).",
    )
    lock_timeout = Option(
        "EXOSCI_LOCK_TIMEOUT",
        _lock_timeout,
        "120",
        "Seconds a writer waits for a store's file lock before exiting 2 naming the holder.",
    )
    max_upload_bytes = Option(
        "EXOSCI_MAX_UPLOAD_BYTES",
        _bytes_cap("EXOSCI_MAX_UPLOAD_BYTES", 20 * MIB),
        "20 MB (the ceiling)",
        "Cap on one input file or upload; may lower, never raise, the built-in ceiling.",
    )
    max_body_bytes = Option(
        "EXOSCI_MAX_BODY_BYTES",
        _bytes_cap("EXOSCI_MAX_BODY_BYTES", 1 * MIB),
        "1 MB (the ceiling)",
        "Cap on one JSON request body of the web API; may lower, never raise, the ceiling.",
    )
    plot_worker = Option(
        "EXOSCI_PLOT_WORKER",
        _switch,
        "on",
        "`0`/`false`/`no`/`off`: the CLI draws plots in its own process (no forked worker).",
    )
    web_workers = Option(
        "EXOSCI_WEB_WORKERS",
        _workers,
        "CPU cores - 1, between 1 and 2",
        "Worker processes of `exosci web` for evaluations, simulations and background runs.",
    )
    allowed_hosts = Option(
        "EXOSCI_ALLOWED_HOSTS",
        _hosts,
        "none (loopback names only)",
        "Comma-separated extra `Host` names the web server answers (besides `--allow-host`).",
    )
    max_queued_runs = Option(
        "EXOSCI_MAX_QUEUED_RUNS",
        _count("EXOSCI_MAX_QUEUED_RUNS", 8),
        "8",
        "Background runs waiting or computing at once; more get HTTP 429 (at least 1).",
    )
    runs_keep = Option(
        "EXOSCI_RUNS_KEEP",
        _count("EXOSCI_RUNS_KEEP", 500),
        "500",
        "Finished runs kept; the oldest beyond it are deleted (0 keeps all).",
    )
    runs_max_age_days = Option(
        "EXOSCI_RUNS_MAX_AGE_DAYS",
        _count("EXOSCI_RUNS_MAX_AGE_DAYS", 90),
        "90",
        "Finished runs older than this many days are deleted (0: no age limit).",
    )
    token = Option(
        "EXOSCI_TOKEN",
        _optional_str,
        "unset",
        "Access token of `exosci web` (required with a non-loopback `--host`).",
    )
    token_file = Option(
        "EXOSCI_TOKEN_FILE",
        _optional_str,
        "unset",
        "A file whose first line is the access token (preferred over `EXOSCI_TOKEN`).",
    )

    def __init__(self) -> None:
        self._overrides: dict[str, Any] = {}

    @classmethod
    def options(cls) -> Iterator[Option[Any]]:
        """Every setting, in table order."""
        for value in vars(cls).values():
            if isinstance(value, Option):
                yield value

    def raw(self, name: str) -> str | None:
        """The text a setting was given (assigned in Python, else its variable), or None."""
        if name in self._overrides:
            return str(self._overrides[name])
        return os.environ.get(getattr(type(self), name).env) or None

    def reset(self) -> None:
        """Forget every value assigned in Python (the environment applies again)."""
        self._overrides.clear()

    def __dir__(self) -> list[str]:
        return sorted([o.name for o in self.options()] + ["options", "raw", "reset"])

    def __repr__(self) -> str:
        lines = []
        for opt in self.options():
            try:
                value: Any = getattr(self, opt.name)
            except UserInputError as exc:
                value = f"<invalid: {exc}>"
            source = (
                "set"
                if opt.name in self._overrides
                else (opt.env if os.environ.get(opt.env) else "default")
            )
            if opt.name == "token" and value:
                value = "***"  # a secret is never printed
            lines.append(f"  {opt.name} = {value!r}  ({source})")
        return "exosci settings:\n" + "\n".join(lines)


settings = Settings()


def settings_table_markdown() -> str:
    """The settings as the Markdown table docs/settings.md carries (checked by a test)."""
    rows = ["| Setting | Environment variable | Default | Meaning |", "|---|---|---|---|"]
    for opt in Settings.options():
        rows.append(f"| `{opt.name}` | `{opt.env}` | {opt.default} | {opt.doc} |")
    return "\n".join(rows) + "\n"
