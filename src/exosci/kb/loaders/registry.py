"""The registry of public-database loaders: one module each, declared once with its metadata.

A loader turns one file a user downloaded into a :class:`Loaded` bundle (targets, gene sets,
mature miRNAs, vesicle contents or graph records). Adding a format is adding one module that
defines ``LOADER`` and listing it in ``_MODULES``.
"""

from __future__ import annotations

import fnmatch
import importlib
from pathlib import Path

from exosci.kb.loaders.base import Loader
from exosci.registry import Registry

_MODULES = ("mirtarbase", "targetscan", "gmt", "mirbase", "exocarta", "indra", "curated")


def _collect() -> Registry[Loader]:
    out: Registry[Loader] = Registry(
        "loader kind", description="Public-database files `exosci kb import` reads (--kind)."
    )
    for name in _MODULES:
        module = importlib.import_module(f"exosci.kb.loaders.{name}")
        loader: Loader = module.LOADER
        out.register(
            loader.kind,
            loader,
            description=loader.description,
            patterns=list(loader.patterns),
            writes=loader.writes,
        )
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
