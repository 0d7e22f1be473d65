from __future__ import annotations

import re

from exosci.kb import load_curated


def test_all_194_references_unique_numbers_and_dois() -> None:
    refs = load_curated().references
    assert sorted(refs) == list(range(1, 195))
    dois = [r.doi.lower() for r in refs.values()]
    assert len(set(dois)) == 194


def test_references_match_the_seed_reference_list(shared) -> None:
    text = (shared / "seed" / "exosome-sci-review.txt").read_text(encoding="utf-8")
    tail = text.split("\nReferences\n", 1)[1]
    seed_dois = re.findall(r"doi:\s*(\S+?)\.?\s*$", tail, flags=re.MULTILINE)
    ours = [r.doi for r in sorted(load_curated().references.values(), key=lambda r: r.number)]
    assert ours == seed_dois
