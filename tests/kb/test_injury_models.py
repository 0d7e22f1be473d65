"""Injury models are a controlled vocabulary, and no record leans on a default grade or model.

GRADE's indirectness (Hooijmans et al., PLoS One 2018) needs to know whether evidence comes from
an SCI model, another named disease model or a dish; free text cannot be read by the scoring.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from exosci.kb.curated import DATA_DIR
from exosci.kb.schema import (
    INJURY_MODEL_LABELS,
    INJURY_MODELS,
    SCI_INJURY_MODELS,
    Evidence,
    injury_model_of,
)
from exosci.kb.studies import STUDIES_PATH, load_arms


def _raw_evidence() -> list[tuple[str, str, dict]]:
    out = []
    for path in sorted(Path(DATA_DIR).glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for st in raw.get("statements", []):
            out.extend((path.name, st["id"], ev) for ev in st["evidence"])
    return out


def test_every_injury_model_written_in_the_graph_is_a_vocabulary_term() -> None:
    seen = {ev["injury_model"] for _, _, ev in _raw_evidence() if "injury_model" in ev}
    assert seen - set(INJURY_MODELS) == set()
    assert {"stroke_mcao", "autism_btbr", "tbi", "sci_unspecified", "contusion"} <= seen


def test_every_study_arm_names_its_injury_model_from_the_vocabulary() -> None:
    raw = yaml.safe_load(STUDIES_PATH.read_text(encoding="utf-8"))
    assert all(arm.get("injury_model") in INJURY_MODELS for arm in raw["arms"])
    arms = {a.ref: a for a in load_arms()}
    # the three non-SCI arms are named, not lumped as "not SCI"
    assert arms[54].injury_model == "autism_btbr" and not arms[54].sci
    assert arms[74].injury_model == "stroke_mcao" and not arms[74].sci
    assert arms[71].injury_model == "peripheral_nerve_injury"
    assert arms[137].injury_model == "transection" and arms[137].sci


def test_the_old_free_text_models_map_to_named_terms() -> None:
    assert injury_model_of("cerebral ischaemia/reperfusion (MCAO), not SCI") == "stroke_mcao"
    assert injury_model_of("autism-model BTBR mice (not SCI)") == "autism_btbr"
    assert injury_model_of("traumatic brain injury (not SCI)") == "tbi"
    assert injury_model_of("acute SCI") == "sci_unspecified"
    assert injury_model_of("Contusion") == "contusion"
    assert injury_model_of("unspecified") == "not_reported"
    assert set(INJURY_MODEL_LABELS) == set(INJURY_MODELS)
    assert set(INJURY_MODELS) > SCI_INJURY_MODELS


def test_an_unmapped_injury_model_is_refused_naming_the_accepted_terms() -> None:
    with pytest.raises(
        ValidationError, match=r"unknown injury model 'rat spinal trauma'.*contusion"
    ):
        Evidence(
            refs=[47],
            model="in_vivo",
            grade="experimental",
            injury_model="rat spinal trauma",
            text="x",
        )
    with pytest.raises(ValueError, match="closest: contusion"):
        injury_model_of("contusoin")


def test_no_curated_record_leans_on_a_default_grade_model_or_injury_model() -> None:
    for name, sid, ev in _raw_evidence():
        assert "grade" in ev, (name, sid)
        assert "model" in ev, (name, sid)
        if ev["grade"] == "experimental" and ev["model"] in ("in_vivo", "clinical"):
            assert "injury_model" in ev, (name, sid)


def test_a_missing_injury_model_is_not_reported_never_sci() -> None:
    ev = Evidence(refs=[47], model="in_vivo", grade="experimental", text="x")
    assert ev.injury_model == "not_reported"
    assert (
        Evidence(refs=[47], model="in_vitro", grade="experimental", text="x").injury_model
        == "in_vitro"
    )
    with pytest.raises(ValidationError, match="cannot have injury model 'in_vitro'"):
        Evidence(
            refs=[47], model="in_vivo", grade="experimental", injury_model="in_vitro", text="x"
        )


def test_syrcle_items_are_not_reported_unless_the_text_says() -> None:
    ev = Evidence(refs=[47], model="in_vivo", grade="experimental", text="x")
    assert (ev.randomised, ev.blinded) == ("not_reported", "not_reported")
    assert Evidence(refs=[47], model="in_vivo", randomised=True, text="x").randomised == "yes"
