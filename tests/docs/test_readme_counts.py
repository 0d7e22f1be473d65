"""The README's knowledge-graph counts are the ones `exosci kb stats` reports (issue 21 item 6:
they had drifted to 543/283/554 while the graph held 573/308/584)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_counts_equal_kb_stats() -> None:
    spec = importlib.util.spec_from_file_location(
        "update_readme_counts", ROOT / "scripts" / "update_readme_counts.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    readme = re.sub(r"\s+", " ", (ROOT / "README.md").read_text("utf-8"))
    assert mod.counts_sentence() in readme, (
        "README counts differ from `exosci kb stats`: run python scripts/update_readme_counts.py"
    )
