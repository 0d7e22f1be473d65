"""The tutorial notebook runs top to bottom through the public API (executed, not just parsed)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "tutorials" / "notebook.ipynb"


@pytest.mark.slow
def test_tutorial_notebook_executes_and_returns_dataframes() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=900, kernel_name="python3").execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html_tables = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(html_tables) >= 5  # DataFrames rendered from each job
