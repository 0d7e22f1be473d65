"""Every evidence record carries a grade (experimental / review claim / curator-inferred) and,
where the study names one, the cell type or tissue it looked at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from exosci.errors import CurationError
from exosci.kb.contexts import CONTEXTS, context_label, lineage
from exosci.kb.curated import DATA_DIR, load_curated
from exosci.kb.schema import GRADES, Evidence


def test_a_missing_grade_is_never_experimental() -> None:
    assert Evidence(refs=[47], model="review", text="x").grade == "review_claim"
    # an in vivo record without a grade is "not graded", weighed as the weakest evidence
    assert Evidence(refs=[47], model="in_vivo", species="mouse", text="x").grade == "not_graded"
    # and a record without a model is "not reported", never assumed in vivo
    assert Evidence(refs=[47], text="x").model == "not_reported"
    assert (
        Evidence(refs=[47], model="review", grade="curator_inferred", text="x").grade
        == "curator_inferred"
    )


def test_a_review_sentence_cannot_be_graded_experimental() -> None:
    with pytest.raises(ValidationError, match="grade 'experimental'"):
        Evidence(refs=[47], model="review", grade="experimental", text="x")


def test_context_must_be_a_cl_or_uberon_curie_or_an_entity_id() -> None:
    assert Evidence(refs=[47], text="x", context="CL:0000235").context == "CL:0000235"
    assert Evidence(refs=[47], text="x", context="src:bmsc").context == "src:bmsc"
    with pytest.raises(ValidationError, match="context must be"):
        Evidence(refs=[47], text="x", context="Macrophages (RAW264.7)")


def test_unknown_context_in_a_file_names_the_record_and_close_ids(tmp_path: Path) -> None:
    dest = tmp_path / "data"
    dest.mkdir()
    for name in ("references.tsv", "core.yaml", "vocabulary.yaml"):
        shutil.copy(DATA_DIR / name, dest / name)
    (dest / "zz.yaml").write_text(
        """
statements:
  - id: st:test:ctx
    subject: proc:neuroinflammation
    predicate: promotes
    object: proc:glial-scar
    evidence:
      - {refs: [1], model: in_vivo, context: "CL:0000236", text: "made up"}
""",
        encoding="utf-8",
    )
    with pytest.raises(CurationError, match=r"st:test:ctx.*CL:0000236.*closest: CL:0000235"):
        load_curated(dest)


def test_context_lineage_walks_cell_ontology_parents() -> None:
    assert list(lineage("CL:0000890")) == ["CL:0000890", "CL:0000235"]
    assert context_label("CL:0002573") == "Schwann cell"
    assert all(parent is None or parent in CONTEXTS for _, parent in CONTEXTS.values())


def test_every_curated_record_has_a_known_grade() -> None:
    cur = load_curated()
    grades = {ev.grade for st in cur.statements for ev in st.evidence}
    assert grades <= set(GRADES)
    for st in cur.statements:
        for ev in st.evidence:
            assert not (ev.model == "review" and ev.grade == "experimental"), st.id


def _evidence(sid: str) -> list:
    cur = load_curated()
    return next(s for s in cur.statements if s.id == sid).evidence


def test_speculative_ecm_hub_edge_of_ref_100_is_a_review_claim_not_mouse_data() -> None:
    (ev,) = _evidence("st:imm:neuroinflammation-inhibits-ecm-mech")
    assert ev.refs == [100]
    assert ev.grade == "review_claim"
    assert ev.model == "review"


def test_recovery_credited_to_a_mechanism_is_curator_inferred() -> None:
    for sid in ("st:imm:mech-inflammation-recovery", "st:imm:mech-angiogenesis-recovery"):
        assert {ev.grade for ev in _evidence(sid)} == {"curator_inferred"}


def test_comm_robo_evidence_is_a_fly_study() -> None:
    (ev,) = _evidence("st:gap:comm-decreases-robo1")
    assert (ev.species, ev.model, ev.refs) == ("fruit_fly", "in_vivo", [86])


def test_macrophage_and_endothelial_stat3_evidence_carry_different_contexts() -> None:
    # STAT3 appears in a macrophage chain (ref 101) and an endothelial one (ref 110); a path
    # search can only tell them apart if the contexts differ.
    (mac,) = _evidence("st:gap:stat3-promotes-m2")
    cur = load_curated()
    endo = [
        ev
        for s in cur.statements
        if s.subject == "gene:stat3" and s.object == "proc:bscb-integrity"
        for ev in s.evidence
    ]
    assert mac.context == "CL:0000235"
    assert endo and all(ev.context == "CL:0000115" for ev in endo)


def test_every_experimental_polarization_record_names_its_cell_context() -> None:
    cur = load_curated()
    polar = {"proc:m1-polarization", "proc:m2-polarization"}
    for st in cur.statements:
        if polar & {st.subject, st.object}:
            for ev in st.evidence:
                if ev.grade == "experimental":
                    assert ev.context in {"CL:0000235", "CL:0000129"}, st.id
