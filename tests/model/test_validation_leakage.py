"""No validation target's paper informs the model: compared by DOI and key, not by number."""

from __future__ import annotations

from typing import Any

from exosci.evaluate.validation import targets_doc
from exosci.model.leakage import Cited, identifiers, leaks, model_sources


def test_identifiers_are_normalised_across_citation_styles() -> None:
    a = identifiers("IJMS 2021;22:6203, Table 4 (doi:10.3390/IJMS22126203)")
    b = identifiers("Int J Mol Sci 2021;22(12):6203. https://doi.org/10.3390/ijms22126203.")
    assert a == b == {"doi:10.3390/ijms22126203", "cite:2021;22:6203"}
    assert identifiers("Basso 1996 (PMID 8654527; PMC 1234567)") == {
        "pmid:8654527",
        "pmc:1234567",
    }


def test_model_sources_cover_parameters_calibration_code_and_the_graph() -> None:
    where = {c.where for c in model_sources()}
    assert {"parameters.yaml", "calibration_targets.yaml", "kb/data/references.tsv"} <= where
    assert "exosci/model/effect.py" in where  # the effect layer's priors cite their papers
    rows = {w for w in where if w.startswith("meta/data/outcomes.csv")}
    assert "meta/data/outcomes.csv row nma2024-w1" in rows  # read by the effect layer
    assert not any("ye2024" in w for w in rows)  # validation-only rows are never read
    ids = set().union(*(c.ids for c in model_sources()))
    assert "doi:10.3390/pharmaceutics11120649" in ids  # Kim 2019, plasma kinetics


def _targets(source_text: str, key: str = "x2020") -> dict[str, Any]:
    return {"sources": {key: source_text}, "targets": [{"id": "t", "source": key}]}


def test_leak_check_finds_a_shared_paper_by_doi_citation_or_key() -> None:
    """The three leaks the suite once had, each found without comparing any number."""
    by_doi = leaks(_targets("Exosome-hydrogel composites (doi:10.3390/ijms22126203)"))
    assert by_doi and by_doi[0].where == "parameters.yaml"
    by_citation = leaks(_targets("network meta-analysis, Cytotherapy 2024;26(1):1-10"))
    assert {lk.where for lk in by_citation} >= {"calibration_targets.yaml"}
    by_key = leaks(_targets("a paper cited without identifier", key="hu2022"))
    assert by_key and by_key[0].shared == "key:hu2022"
    assert not leaks(_targets("an unrelated paper (doi:10.1000/unrelated.1)"))


def test_leak_check_reads_sources_it_is_given() -> None:
    src = [Cited("somewhere.yaml", "", frozenset({"doi:10.1000/xyz"}))]
    assert leaks(_targets("doi:10.1000/XYZ."), src)[0].where == "somewhere.yaml"


def test_no_validation_target_shares_its_paper_with_the_model() -> None:
    found = [lk.to_dict() for lk in leaks()]
    assert not found, f"validation targets whose paper the model was built from: {found}"


def test_every_moved_target_still_names_the_paper_it_shares() -> None:
    doc = targets_doc()
    for m in doc.get("moved", []):
        probe = {"sources": doc["sources"], "targets": [{"id": m["id"], "source": m["source"]}]}
        assert leaks(probe), f"{m['id']} was moved for a shared paper the check no longer sees"
