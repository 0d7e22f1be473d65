"""The registry of public-database loaders: one module each, declared once with its metadata.

A loader turns one file a user downloaded into a :class:`Loaded` bundle (targets, gene sets,
mature miRNAs, vesicle contents or graph records). Adding a format is adding one module that
defines ``LOADER`` and listing it in ``_MODULES``.
"""

from __future__ import annotations

import fnmatch
import importlib
from pathlib import Path

from exosci.errors import UserInputError
from exosci.kb.loaders.base import Loader
from exosci.kb.names import closest

_MODULES = ("mirtarbase", "targetscan", "gmt", "mirbase", "exocarta", "indra", "curated")


def _collect() -> dict[str, Loader]:
    out: dict[str, Loader] = {}
    for name in _MODULES:
        module = importlib.import_module(f"exosci.kb.loaders.{name}")
        loader: Loader = module.LOADER
        out[loader.kind] = loader
    return out


LOADERS: dict[str, Loader] = _collect()


def get_loader(kind: str) -> Loader:
    """The loader registered as ``kind``; an unknown kind lists the known ones."""
    if kind in LOADERS:
        return LOADERS[kind]
    hint = closest(kind, list(LOADERS), limit=3)
    raise UserInputError(
        f"unknown loader kind {kind!r}; known kinds: {', '.join(sorted(LOADERS))}"
        + (f" (closest: {', '.join(hint)})" if hint else "")
    )


def detect_kind(path: Path | str) -> str | None:
    """The kind whose file patterns match ``path``'s name, when exactly one does."""
    name = Path(path).name.lower()
    hits = [
        lo.kind
        for lo in LOADERS.values()
        if lo.patterns and any(fnmatch.fnmatch(name, p) for p in lo.patterns)
    ]
    return hits[0] if len(hits) == 1 else None
