from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _private_cache_and_data_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite never reads or writes the user's real ``~/.cache/exosci`` or data folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EXOSCI_CACHE_DIR", str(tmp_path_factory.mktemp("exosci-cache")))
        mp.setenv("EXOSCI_DATA_DIR", str(tmp_path_factory.mktemp("exosci-data")))
        yield


@pytest.fixture
def shared() -> Path:
    """The team's read-only shared folder (real public data files); skip when absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED}")
    return SHARED


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20251013)
