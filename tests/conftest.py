from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


# Whole files whose tests each run an ensemble, a server, a fuzzer or a subprocess: marked
# ``slow`` here in one list (``pytest -m "not slow"`` is the fast subset); single slow tests
# elsewhere carry ``@pytest.mark.slow`` themselves.
SLOW_FILES = (
    "web/test_api_fuzz.py",
    "web/test_browser.py",
    "web/test_runs.py",
    "reliability/test_store_writes.py",
    "reliability/test_load.py",
    "evaluate/test_alternatives.py",
    "evaluate/test_compare.py",
    "evaluate/test_evaluate.py",
    "evaluate/test_published.py",
    "docs/test_tutorial.py",
    "model/test_calibration.py",
    "model/test_validate.py",
    "model/test_model_interop.py",
    "model/test_model_many.py",
    "fuzz/test_parsers_fuzz.py",
    "datasets/test_data_manager.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    root = Path(__file__).resolve().parent
    for item in items:
        rel = Path(str(item.fspath)).resolve().relative_to(root).as_posix()
        if rel in SLOW_FILES:
            item.add_marker(pytest.mark.slow)


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
