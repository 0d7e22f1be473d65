"""Write the knowledge graph's current counts into the README (the sentence after `kb stats`).

Run after changing curated data: ``python scripts/update_readme_counts.py``; a test fails when
the README's numbers differ from ``exosci kb stats``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
PATTERN = re.compile(r"`exosci kb stats` gives the current counts \([^)]*\)", re.DOTALL)


def counts_sentence() -> str:
    """The README's counts, as ``exosci kb stats`` reports them now."""
    from exosci.kb.store import default_kb

    stats = default_kb().stats()
    entities = sum(stats["entities"].values())
    return (
        f"`exosci kb stats` gives the current counts ({stats['statements']} statements, "
        f"{entities} entities, {stats['evidence']} evidence records, "
        f"{stats['quantitative_findings']} typed quantities, {stats['facts']} facts)"
    )


def main() -> int:
    text = README.read_text("utf-8")
    new, n = PATTERN.subn(counts_sentence(), text)
    if n != 1:
        print("README: the kb stats sentence was not found exactly once", file=sys.stderr)
        return 1
    README.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
