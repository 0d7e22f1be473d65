"""Evidence may cite papers beyond the review's numbered list, by PMID or DOI, with metadata."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from exosci.errors import CurationError
from exosci.kb.curated import DATA_DIR, load_curated
from exosci.kb.schema import Evidence, Paper, paper_id

_PAPER = (
    "papers:\n"
    "  - {id: 'pmid:17681183', pmid: '17681183', title: 'MicroRNA-21 regulates expression of"
    " the PTEN tumor suppressor gene in human hepatocellular cancer', first_author: Meng,"
    " year: 2007, journal: Gastroenterology}\n"
)
_STATEMENT = (
    "statements:\n"
    "  - id: user:mir21-pten\n"
    "    subject: gene:nfe2l2\n"
    "    predicate: inhibits\n"
    "    object: gene:pten\n"
    "    evidence:\n"
    "      - {papers: ['{paper}'], model: in_vitro, species: human, text: test record}\n"
)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    dest.mkdir()
    for name in ("references.tsv", "core.yaml", "vocabulary.yaml"):
        shutil.copy(DATA_DIR / name, dest / name)
    return dest


def test_curated_evidence_may_cite_a_paper_defined_with_its_metadata(data_copy: Path) -> None:
    (data_copy / "user.yaml").write_text(
        _PAPER + _STATEMENT.replace("{paper}", "pmid:17681183"), encoding="utf-8"
    )
    cur = load_curated(data_copy)
    st = next(s for s in cur.statements if s.id == "user:mir21-pten")
    assert st.evidence[0].refs == [] and st.evidence[0].papers == ["pmid:17681183"]
    assert cur.papers["pmid:17681183"].year == 2007


def test_citing_an_undefined_paper_is_a_curation_error(data_copy: Path) -> None:
    (data_copy / "user.yaml").write_text(_STATEMENT.replace("{paper}", "pmid:1"), encoding="utf-8")
    with pytest.raises(CurationError, match="pmid:1"):
        load_curated(data_copy)


def test_evidence_must_cite_the_review_or_a_paper() -> None:
    with pytest.raises(ValidationError, match="must cite"):
        Evidence(text="no source")
    with pytest.raises(ValidationError, match="paper ids"):
        Evidence(papers=["PMID 123"], text="bad id")


def test_paper_ids_prefer_the_pmid_and_validate_identifiers() -> None:
    assert paper_id(pmid="17681183", doi="10.1/x") == "pmid:17681183"
    assert paper_id(doi="10.3892/OL.2012.896") == "doi:10.3892/ol.2012.896"
    assert paper_id(pmid="n/a") is None
    with pytest.raises(ValidationError):
        Paper(id="pmid:12", doi="not-a-doi")
