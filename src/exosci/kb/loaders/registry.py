"""The registry of public-database loaders: one module each, declared once with its metadata.

A loader turns one file a user downloaded into a :class:`Loaded` bundle (targets, gene sets,
mature miRNAs, vesicle contents or graph records). The built-in loaders are the modules of
``_MODULES``, each defining ``LOADER``. Outside code adds one without touching exosci, the way
pyobo's resolvers do: a package declares an entry point in the ``exosci.loaders`` group whose
object is a :class:`~exosci.kb.loaders.base.Loader` (or a module defining ``LOADER``)::

    [project.entry-points."exosci.loaders"]
    mydb = "mypackage.exosci_loader:LOADER"

A plugin cannot replace a built-in kind; one that does, or fails to load, is skipped with an
:class:`~exosci.errors.ExosciWarning` naming the entry point and why.
"""

from __future__ import annotations

import fnmatch
import importlib
import warnings
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from exosci.errors import ExosciWarning
from exosci.kb.loaders.base import Loader
from exosci.registry import Registry

GROUP = "exosci.loaders"

_MODULES = ("mirtarbase", "targetscan", "gmt", "mirbase", "exocarta", "indra", "curated", "pairs")


def plugin_entry_points() -> list[Any]:
    """The installed entry points of the ``exosci.loaders`` group."""
    from importlib.metadata import entry_points

    return list(entry_points(group=GROUP))


def _as_loader(obj: object, where: str) -> Loader:
    loader = getattr(obj, "LOADER", None) if isinstance(obj, ModuleType) else obj
    if not isinstance(loader, Loader):
        raise TypeError(f"{where} is a {type(loader).__name__}, not an exosci Loader")
    return loader


def _register(out: Registry[Loader], loader: Loader) -> None:
    out.register(
        loader.kind,
        loader,
        description=loader.description,
        patterns=list(loader.patterns),
        writes=loader.writes,
    )


def _collect(plugins: Iterable[Any] | None = None, *, listed: bool = True) -> Registry[Loader]:
    """The built-in loaders, then each plugin's (``plugins``: entry points; default installed).

    ``listed=False`` keeps the result out of ``exosci formats`` (a registry built in a test).
    """
    out: Registry[Loader] = Registry(
        "loader kind",
        description="Public-database files `exosci kb import` reads (--kind).",
        listed=listed,
    )
    for name in _MODULES:
        module = importlib.import_module(f"exosci.kb.loaders.{name}")
        _register(out, module.LOADER)
    for ep in plugin_entry_points() if plugins is None else plugins:
        where = f"entry point {ep.name!r} ({ep.value}) of group {GROUP!r}"
        try:
            _register(out, _as_loader(ep.load(), where))
        except Exception as exc:  # a broken plugin must not take `kb import` down
            warnings.warn(f"{where} skipped: {exc}", ExosciWarning, stacklevel=2)
    return out


LOADERS: Registry[Loader] = _collect()


def get_loader(kind: str) -> Loader:
    """The loader registered as ``kind``; an unknown kind lists the known and closest ones."""
    return LOADERS.get(kind)


def detect_kind(path: Path | str) -> str | None:
    """The kind whose file patterns match ``path``'s name, when exactly one does."""
    name = Path(path).name.lower()
    hits = [
        lo.kind
        for lo in LOADERS.values()
        if lo.patterns and any(fnmatch.fnmatch(name, p) for p in lo.patterns)
    ]
    return hits[0] if len(hits) == 1 else None
