"""What a loader is and what it returns (kept apart from the registry to avoid import cycles)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Loaded:
    """What one file gave: any of the tables below, plus notes on what was skipped or merged."""

    kind: str
    source: str
    targets: pd.DataFrame | None = None  # columns of the store's ``targets`` table
    genesets: dict[str, tuple[str, ...]] | None = None
    descriptions: dict[str, str] | None = None
    mirbase: pd.DataFrame | None = None  # name, accession, organism, sequence
    vesicle: pd.DataFrame | None = None  # ExoCarta/Vesiclepedia contents
    entities: list[Any] = field(default_factory=list)
    statements: list[Any] = field(default_factory=list)
    papers: list[Any] = field(default_factory=list)  # papers beyond the review (schema.Paper)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # records not read, and why
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Loader:
    """A loader's declaration: the ``--kind`` name, what it reads, and the function that reads."""

    kind: str
    description: str
    patterns: tuple[str, ...]
    function: Callable[[Path], Loaded]
    writes: str  # the store table(s) an import fills
    available: Callable[[], bool] = lambda: True
