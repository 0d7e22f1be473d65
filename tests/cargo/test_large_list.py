"""A long list costs what its distinct names cost (issue 22: 1e6 lines, 2,394 names, < 500 MB)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from exosci.cargo.inputs import read_mirnas


@pytest.mark.slow
def test_long_list_is_deduplicated_while_read_in_bounded_memory(tmp_path: Path) -> None:
    names = [f"hsa-miR-{i}-5p" for i in range(100, 400)]
    rng = np.random.default_rng(0)
    path = tmp_path / "long.txt"
    path.write_text("\n".join(np.asarray(names)[rng.integers(0, 300, 150_000)]) + "\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        inp = read_mirnas(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sorted(inp.names) == sorted(names) and len(inp.lines) == 300
    assert "149700 repeated name(s): lines counted once (300 distinct names)" in inp.notes
    # the old reader held a (line, [fields]) row per line: ~20x the file; now ~6x (text + lines)
    assert peak < 10 * size, f"peak {peak / 1e6:.0f} MB for a {size / 1e6:.1f} MB list"
