"""MISEV check: requirements met/missed on crafted preps, purity classes, errors naming fields."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from exosci.cli import app
from exosci.errors import UnknownNameError, UserInputError
from exosci.qc import check_prep, classify_purity, load_prep, misev_rules, purity, resolve_marker

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "prep-example.yaml"

MINIMAL = {
    "name": "bare prep",
    "source": {"material": "conditioned medium"},
    "separation": {"method": "precipitation kit"},
    "claims": {"term": "EVs"},
}


def _status(report, rid: str) -> str:
    return next(r.status for r in report.requirements if r.id == rid)


def _full() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


# --- purity classes at and around each threshold -------------------------------------------
@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (1.0e8, "impure"),
        (1.5e9 * (1 - 1e-9), "impure"),
        (1.5e9, "low_impure_boundary"),
        (1.75e9, "low_impure_boundary"),
        (2.0e9 * (1 - 1e-9), "low_impure_boundary"),
        (2.0e9, "low"),
        (1.0e10, "low"),
        (2.0e10, "low"),
        (2.0e10 * (1 + 1e-9), "intermediate"),
        (2.5e10, "intermediate"),
        (3.0e10, "intermediate"),
        (3.0e10 * (1 + 1e-9), "high"),
        (1.0e12, "high"),
    ],
)
def test_purity_class_at_and_around_thresholds(ratio: float, expected: str) -> None:
    assert classify_purity(ratio).id == expected


def test_purity_labels_provenance_and_gap_origin() -> None:
    paper = purity(5e10)
    gap = purity(2.5e10, engineered_or_loaded=True)
    assert paper.threshold_origin == "paper" and gap.threshold_origin == "exosci"
    assert "unconfirmed" in paper.provenance and "Webber" in paper.sources[0]
    assert gap.caveats and "lower this ratio" in gap.caveats[0]
    assert json.loads(json.dumps(paper.model_dump(), allow_nan=False))  # no Infinity in JSON


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_purity_rejects_non_positive(bad: float) -> None:
    with pytest.raises(UserInputError):
        classify_purity(bad)


def test_purity_ratio_from_the_prep_is_particles_over_protein() -> None:
    data = _full()
    data["particles"] = {"method": "NTA", "per_ml": 3.0e10}
    data["protein"] = {"method": "BCA", "ug_per_ml": 2.0}
    report = check_prep(data)
    assert report.purity is not None
    assert report.purity.particles_per_ug == pytest.approx(1.5e10)
    assert report.purity.class_id == "low"


# --- requirements on crafted preps ---------------------------------------------------------
def test_minimal_prep_misses_the_requirements_it_lacks() -> None:
    report = check_prep(MINIMAL)
    missed = set(report.guidelines["MISEV2018"].missed)
    assert {
        "source_quantified",
        "two_quantifications",
        "marker_transmembrane",
        "marker_cytosolic",
        "marker_co_isolate",
        "single_vesicle_imaging",
        "particle_counter",
        "separation_reported",
    } <= missed
    # "EVs" is no small-EV claim: category 4 does not apply
    assert _status(report, "marker_intracellular") == "not applicable"
    assert _status(report, "nomenclature") == "met"
    assert report.purity is None and "needs both" in report.purity_note
    assert [a.topic for a in report.storage] == ["not_reported"]


def test_full_example_meets_misev2018() -> None:
    report = check_prep(EXAMPLE)
    assert report.guidelines["MISEV2018"].missed == []
    assert report.guidelines["MISEV2023"].missed == ["nomenclature"]
    assert report.transparency.score == pytest.approx(1.0)
    assert "EV-TRACK-style" in report.transparency.label


@pytest.mark.parametrize(
    ("edit", "requirement"),
    [
        (lambda d: d["markers"].update(detected=["TSG101", "ALIX"]), "marker_transmembrane"),
        (lambda d: d["markers"].update(detected=["CD63"]), "marker_cytosolic"),
        (lambda d: d["markers"].update(not_detected=["calnexin"]), "marker_co_isolate"),
        (lambda d: d["markers"].update(not_detected=["APOA1"]), "marker_intracellular"),
        (lambda d: d.update(imaging=[{"method": "western blot"}]), "single_vesicle_imaging"),
        (lambda d: d["particles"].update(method="BCA"), "particle_counter"),
        (lambda d: d.pop("protein"), "two_quantifications"),
        (lambda d: d.pop("protein"), "quantification_ratio"),
        (lambda d: d["source"].pop("amount"), "source_quantified"),
        (lambda d: d["separation"].update(settings={}), "separation_reported"),
    ],
)
def test_removing_evidence_turns_a_requirement_to_missed(edit, requirement: str) -> None:
    data = _full()
    assert _status(check_prep(copy.deepcopy(data)), requirement) == "met"
    edit(data)
    assert _status(check_prep(data), requirement) == "missed"


def test_small_ev_claim_makes_category_4_applicable() -> None:
    data = _full()
    data["markers"]["not_detected"] = ["APOA1"]
    data["claims"]["term"] = "EVs"
    assert _status(check_prep(copy.deepcopy(data)), "marker_intracellular") == "not applicable"
    data["claims"]["term"] = "small EVs"
    assert _status(check_prep(data), "marker_intracellular") == "missed"


def test_exosome_term_is_fine_once_endosomal_origin_is_shown() -> None:
    data = _full()
    data["claims"]["endosomal_origin_shown"] = True
    report = check_prep(data)
    assert _status(report, "nomenclature") == "met"
    assert "acceptable" in report.nomenclature.text


def test_transparency_score_is_reported_over_applicable() -> None:
    data = _full()
    data["separation"] = {
        "method": ["size-exclusion chromatography"],
        "settings": {"column": "qEV"},
    }
    data["markers"]["antibodies_reported"] = False
    data.pop("storage")
    t = check_prep(data).transparency
    applicable = [i for i in t.items if i.applicable]
    assert all(i.id != "ultracentrifugation_details" for i in applicable)
    assert t.applicable == len(applicable) == len(t.items) - 1
    assert t.reported == sum(i.reported for i in applicable) == t.applicable - 2
    assert t.score == pytest.approx(t.reported / t.applicable)


def test_storage_advice_at_4_c_in_standard_tubes_cites_evtushenko() -> None:
    data = _full()
    data["storage"] = {"temperature_c": 4, "duration_days": 7, "tube": "standard"}
    advice = {a.topic: a for a in check_prep(data).storage}
    assert {"fridge_loss", "tubes", "long_term"} <= set(advice)
    assert "51 ± 3 %" in advice["fridge_loss"].text and "18-21 %" in advice["fridge_loss"].text
    assert "PMC7769454" in advice["fridge_loss"].sources[0]
    assert "10.1080/10717544.2020.1869866" in advice["long_term"].sources[0]


def test_storage_at_minus_80_with_trehalose_needs_no_cryoprotectant_advice() -> None:
    data = _full()
    data["storage"] = {"temperature_c": -80, "additives": ["trehalose"], "freeze_thaw_cycles": 3}
    topics = [a.topic for a in check_prep(data).storage]
    assert "cryoprotectant" not in topics and "freeze_thaw" in topics


def test_prep_can_take_particles_from_an_nta_file(shared: Path, tmp_path: Path) -> None:
    data = _full()
    nta = shared / "data/nta/zetaview/20250219_0007_EV_ip_p1_F7-5000_size_488.txt"
    data["particles"] = {"method": "NTA", "nta_file": str(nta)}
    report = check_prep(data)
    assert report.particles_per_ml == pytest.approx(3.9476e11)
    assert report.nta is not None and report.nta["format"] == "zetaview-size"
    assert "below 200 nm" in report.nomenclature.text


# --- markers and errors ------------------------------------------------------------------
def test_every_marker_name_in_the_rules_resolves_to_its_category() -> None:
    for cat in misev_rules().marker_categories:
        for m in cat.markers:
            for alias in (m.name, *m.synonyms):
                assert resolve_marker(alias).category == cat.id, alias


def test_unknown_marker_names_field_and_suggests() -> None:
    data = _full()
    data["markers"]["detected"] = ["CD63", "TSG-10"]
    with pytest.raises(UnknownNameError, match=r"markers\.detected\[1\].*'TSG-10'.*TSG101"):
        check_prep(data)


def test_marker_both_detected_and_not_is_an_error() -> None:
    data = _full()
    data["markers"]["not_detected"] = ["cd63"]
    with pytest.raises(UserInputError, match="both detected and not detected"):
        check_prep(data)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["source"].update(amount={"value": -5, "unit": "mL"}), "source.amount.value"),
        (
            lambda d: d["source"].update(amount={"value": 5, "unit": "gallons"}),
            "source.amount.unit",
        ),
        (lambda d: d["storage"].update(tube="plastic"), "storage.tube"),
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d.pop("separation"), "separation"),
        (lambda d: d["particles"].update(per_ml="many"), "particles.per_ml"),
    ],
)
def test_invalid_fields_are_named(edit, field: str) -> None:
    data = _full()
    edit(data)
    with pytest.raises(UserInputError, match="invalid preparation: .*" + re.escape(field)):
        check_prep(data)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nsource: {material: medium\nseparation: [\n")
    with pytest.raises(UserInputError, match=r"bad\.yaml, line \d+: not valid YAML"):
        load_prep(path)


def test_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(UserInputError, match="expected a mapping"):
        load_prep(path)


# --- CLI ---------------------------------------------------------------------------------
def test_cli_check_json_and_table() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["qc", "check", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc["guidelines"]) == {"MISEV2018", "MISEV2023"}
    assert doc["purity"]["class_id"] == "high"
    result = runner.invoke(app, ["qc", "check", str(EXAMPLE)])
    assert result.exit_code == 0 and "MISEV check" in result.stdout


def test_cli_check_bad_prep_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({**MINIMAL, "markers": {"detected": ["CD6e"]}}))
    result = CliRunner().invoke(app, ["qc", "check", str(path)])
    assert result.exit_code == 2 and "Closest known" in result.stderr
