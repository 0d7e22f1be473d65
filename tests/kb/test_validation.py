"""Bad curated data fails validation with a message naming the file and the record."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exosci.errors import CurationError
from exosci.kb.curated import DATA_DIR, load_curated


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A minimal valid data folder (the validator is under test here, not the curation)."""
    dest = tmp_path / "data"
    dest.mkdir()
    for name in ("references.tsv", "core.yaml", "vocabulary.yaml"):
        shutil.copy(DATA_DIR / name, dest / name)
    load_curated(dest)
    return dest


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_curated_data_validates() -> None:
    cur = load_curated()
    assert cur.entities and cur.references
    assert len(cur.content_hash) == 16


def test_statement_citing_reference_999_is_rejected(data_copy: Path) -> None:
    _write(
        data_copy,
        "zz_bad.yaml",
        """
statements:
  - id: st:bad:ref999
    subject: mech:neuroprotection
    predicate: promotes
    object: out:functional-recovery
    evidence: [{refs: [999], text: made up}]
""",
    )
    with pytest.raises(CurationError) as err:
        load_curated(data_copy)
    msg = str(err.value)
    assert "zz_bad.yaml" in msg and "st:bad:ref999" in msg and "999" in msg


def test_statement_with_unknown_entity_is_rejected_with_suggestions(data_copy: Path) -> None:
    _write(
        data_copy,
        "zz_bad.yaml",
        """
statements:
  - id: st:bad:entity
    subject: mech:neuroprotecton
    predicate: promotes
    object: out:functional-recovery
    evidence: [{refs: [1], text: typo in the subject}]
""",
    )
    with pytest.raises(CurationError) as err:
        load_curated(data_copy)
    msg = str(err.value)
    assert "zz_bad.yaml" in msg and "st:bad:entity" in msg
    assert "mech:neuroprotection" in msg  # the closest known id is suggested


def test_unknown_predicate_names_file_and_record(data_copy: Path) -> None:
    _write(
        data_copy,
        "zz_bad.yaml",
        """
statements:
  - id: st:bad:predicate
    subject: mech:neuroprotection
    predicate: cures
    object: out:functional-recovery
    evidence: [{refs: [1], text: not a predicate}]
""",
    )
    with pytest.raises(CurationError, match=r"zz_bad\.yaml.*st:bad:predicate.*predicate"):
        load_curated(data_copy)


def test_duplicate_entity_id_names_both_files(data_copy: Path) -> None:
    _write(
        data_copy,
        "zz_bad.yaml",
        "entities:\n  - {id: 'mech:neuroprotection', name: again, type: mechanism}\n",
    )
    with pytest.raises(CurationError, match=r"zz_bad\.yaml.*already defined in core\.yaml"):
        load_curated(data_copy)


def test_reference_row_with_bad_doi(data_copy: Path) -> None:
    path = data_copy / "references.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[5].split("\t")
    cells[-1] = "not-a-doi"
    lines[5] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CurationError, match=r"references\.tsv, line 6"):
        load_curated(data_copy)
