from __future__ import annotations

import csv
import re

import pytest

from exosci.errors import CurationError
from exosci.kb import load_curated
from exosci.kb.curated import DATA_DIR
from exosci.kb.doi import DOI_CORRECTIONS, DOI_SYNTAX, doi_problem


def test_all_194_references_unique_numbers_and_dois() -> None:
    refs = load_curated().references
    assert sorted(refs) == list(range(1, 195))
    dois = [r.doi.lower() for r in refs.values()]
    assert len(set(dois)) == 194


def test_references_match_the_seed_reference_list(shared) -> None:
    text = (shared / "seed" / "exosome-sci-review.txt").read_text(encoding="utf-8")
    tail = text.split("\nReferences\n", 1)[1]
    seed_dois = re.findall(r"doi:\s*(\S+?)\.?\s*$", tail, flags=re.MULTILINE)
    for number, (printed, corrected, _why) in DOI_CORRECTIONS.items():
        assert seed_dois[number - 1] == printed  # the misprint is the review's, not ours
        seed_dois[number - 1] = corrected
    ours = [r.doi for r in sorted(load_curated().references.values(), key=lambda r: r.number)]
    assert ours == seed_dois


def test_every_doi_has_doi_syntax_and_fits_its_journal() -> None:
    rows = list(
        csv.DictReader((DATA_DIR / "references.tsv").open(encoding="utf-8"), delimiter="\t")
    )
    problems = {r["number"]: doi_problem(r["doi"], r["journal"]) for r in rows}
    assert {n: p for n, p in problems.items() if p} == {}
    assert len(rows) == 194


def test_the_review_misprints_fail_the_journal_check() -> None:
    # ref 46's printed DOI has DOI syntax but is dead: only the journal pattern catches it
    assert DOI_SYNTAX.match("10.1002/jev.2.70066")
    for number, (printed, corrected, _why) in DOI_CORRECTIONS.items():
        journal = load_curated().references[number].journal
        assert doi_problem(printed, journal), number
        assert doi_problem(corrected, journal) is None, number
    assert "does not fit" in (doi_problem("10.3389/fneur.2025.1645457", "Theranostics") or "")


def test_a_misprinted_doi_in_the_reference_list_is_refused(tmp_path) -> None:
    src = (DATA_DIR / "references.tsv").read_text(encoding="utf-8")
    dest = tmp_path / "data"
    dest.mkdir()
    (dest / "references.tsv").write_text(src.replace("10.1002/jev2.70066", "10.1002/jev.2.70066"))
    with pytest.raises(CurationError, match=r"line 47.*reference 46.*J Extracell Vesicles"):
        load_curated(dest)

    (dest / "references.tsv").write_text(src.replace("\tCells\t", "\tCells Journal\t", 1))
    with pytest.raises(CurationError, match="'Cells Journal' has no DOI pattern"):
        load_curated(dest)


def test_a_paper_beyond_the_review_has_its_doi_checked_against_a_known_journal() -> None:
    from pydantic import ValidationError

    from exosci.kb.schema import Paper

    ok = Paper(
        id="doi:10.1002/jev2.70066", doi="10.1002/jev2.70066", journal="J Extracell Vesicles"
    )
    assert ok.doi == "10.1002/jev2.70066"
    with pytest.raises(ValidationError, match="does not fit the DOIs of J Extracell Vesicles"):
        Paper(id="pmid:1", doi="10.1002/jev.2.70066", journal="J Extracell Vesicles")
    # an unlisted journal: the syntax is still checked
    assert Paper(id="pmid:2", doi="10.1234/x.1", journal="Some Journal").doi == "10.1234/x.1"
    with pytest.raises(ValidationError, match="not a DOI"):
        Paper(id="pmid:3", doi="10.12/x", journal="Some Journal")
