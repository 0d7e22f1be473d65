"""Loaders for public database files, collected in one registry (``LOADERS``)."""

from __future__ import annotations

from exosci.kb.loaders.base import Loaded, Loader
from exosci.kb.loaders.exocarta import read_exocarta
from exosci.kb.loaders.gmt import GMT, parse_gmt
from exosci.kb.loaders.importer import import_file, write_loaded
from exosci.kb.loaders.mirbase import read_aliases, read_mature_fa
from exosci.kb.loaders.mirtarbase import read_mirtarbase
from exosci.kb.loaders.registry import LOADERS, detect_kind, get_loader
from exosci.kb.loaders.targetscan import read_targetscan

__all__ = [
    "GMT",
    "LOADERS",
    "Loaded",
    "Loader",
    "detect_kind",
    "get_loader",
    "import_file",
    "parse_gmt",
    "read_aliases",
    "read_exocarta",
    "read_mature_fa",
    "read_mirtarbase",
    "read_targetscan",
    "write_loaded",
]
