"""INDRA statement JSON, read by ``exosci.kb.indra.read_indra_json`` into graph records."""

from __future__ import annotations

import importlib
from pathlib import Path

from exosci.errors import UserInputError
from exosci.kb.loaders.base import Loaded, Loader


def _reader():  # type: ignore[no-untyped-def]
    try:
        module = importlib.import_module("exosci.kb.indra")
    except ImportError:
        return None
    return getattr(module, "read_indra_json", None)


def available() -> bool:
    """Whether the INDRA reader (and the store's ``insert_records``) are installed."""
    store = importlib.import_module("exosci.kb.store")
    return _reader() is not None and hasattr(store, "insert_records")


def _load(path: Path) -> Loaded:
    read = _reader()
    if read is None:
        raise UserInputError("the indra-json loader needs exosci.kb.indra.read_indra_json")
    entities, statements = read(Path(path))
    return Loaded(
        kind="indra-json",
        source=f"indra:{Path(path).name}",
        entities=list(entities),
        statements=list(statements),
        notes=(f"{len(entities)} entities, {len(statements)} statements",),
    )


LOADER = Loader(
    kind="indra-json",
    description="INDRA statements JSON (Activation, Inhibition, IncreaseAmount, DecreaseAmount)",
    patterns=("*indra*.json",),
    function=_load,
    writes="entities, statements, evidence",
    available=available,
)
