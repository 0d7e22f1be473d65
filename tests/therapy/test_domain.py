"""The applicability domain: each design feature in or out of the calibrated design mix."""

from __future__ import annotations

from pathlib import Path

import pytest

from exosci._yaml import load_package_file
from exosci.model.design import Design, Release, reference_design
from exosci.therapy import load_spec, parse_spec
from exosci.therapy.domain import assess, definition

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

FOUR_OUT = {
    "name": "four counts out",
    "injury": {"model": "contusion", "level": "T10", "severity": "severe"},
    "exosome": {"source": "bone marrow MSC"},
    "route": "intranasal",
    "dose": {"amount": 50, "unit": "ug"},
    "timing": {"start_hours_post_injury": 168},
}


def test_severe_intranasal_50ug_day7_is_outside_on_exactly_four_counts() -> None:
    dom = assess(parse_spec(FOUR_OUT))
    assert dom.outside == ("severity", "route", "dose", "timing")
    kinds = [f["kind"] for f in dom.flags() if f["severity"] == "warning"]
    assert kinds == [
        "outside_domain:severity",
        "outside_domain:route",
        "outside_domain:dose",
        "outside_domain:timing",
    ]
    assert "Outside the calibrated domain on 4 counts" in dom.summary()


def test_typical_iv_design_of_the_pooled_studies_is_inside_everywhere() -> None:
    dom = assess(load_spec(EXAMPLES / "iv-bmsc-exos-rat.yaml"))
    assert dom.inside and dom.flags() == []
    assert assess(reference_design()).inside  # the calibration's own typical design


def test_compression_gives_the_contusion_result_so_it_is_named_ignored_by_the_model() -> None:
    dom = assess(parse_spec({**FOUR_OUT, "injury": {"model": "compression"}}))
    check = dom["injury_model"]
    assert check.status == "ignored" and not check.modelled
    assert "ignored by the model" in check.note and "contusion" in check.note
    assert "ignored_by_model:injury_model" in [f["kind"] for f in dom.flags()]


def test_transection_is_outside_and_says_the_model_ignores_it() -> None:
    dom = assess(parse_spec({**FOUR_OUT, "injury": {"model": "transection", "level": "T10"}}))
    check = dom["injury_model"]
    assert check.status == "out" and check.note.startswith("ignored by the model")


@pytest.mark.parametrize(
    ("level", "status"),
    [("T10", "in"), ("T9", "in"), ("T8", "ignored"), ("C5", "out"), ("L2", "out")],
)
def test_level_is_never_read_by_the_model_and_only_t9_t10_is_calibrated(
    level: str, status: str
) -> None:
    check = assess(parse_spec({**FOUR_OUT, "injury": {"level": level}}))["level"]
    assert check.status == status and not check.modelled
    assert "ignored by the model" in check.note


def test_a_carrier_or_repeat_dosing_or_a_long_horizon_leaves_the_domain() -> None:
    spec = parse_spec(
        {
            **FOUR_OUT,
            "carrier": "hyaluronic acid hydrogel",
            "route": "local implantation",
            "timing": {"start_hours_post_injury": 1, "doses": 3, "interval_days": 1},
            "horizon_days": 70,
        }
    )
    assert {"carrier", "route", "doses", "horizon"} <= set(assess(spec).outside)


def test_mouse_and_human_are_outside_on_species() -> None:
    for species in ("mouse", "human"):
        assert "species" in assess(parse_spec({**FOUR_OUT, "species": species})).outside


def test_a_model_design_is_assessed_on_what_it_carries() -> None:
    d = Design(severity=1.4, route="intranasal", dose_ug=50.0, dose_times_days=(7.0,))
    dom = assess(d)
    assert dom.outside == ("severity", "route", "dose", "timing")
    assert "injury_model" not in dom and "level" not in dom  # a Design has neither
    gel = Design(dose_ug=150.0, release=Release("weibull", {"k": 1.0}), route="local")
    assert {"route", "carrier"} <= set(assess(gel).outside)


def test_particle_doses_are_converted_before_the_check() -> None:
    spec = parse_spec({**FOUR_OUT, "dose": {"amount": 1.5e12, "unit": "particles"}})
    assert assess(spec)["dose"].status == "in"  # 1.5e12 / 1e10 per ug = 150 ug


def test_domain_file_agrees_with_the_calibration_typical_design_and_targets() -> None:
    from importlib import resources

    cal = load_package_file(resources.files("exosci.model") / "calibration_targets.yaml")
    feats = definition()["features"]
    typ = cal["typical_design"]
    assert typ["route"] in feats["route"]["calibrated"]
    assert typ["species"] in feats["species"]["calibrated"]
    lo, hi = feats["dose"]["range"]
    tlo, thi = feats["timing"]["range"]
    for arm in typ["arms"]:
        assert lo <= arm["dose_ug"] <= hi and tlo <= arm["hours_post_injury"] <= thi
    last_day = max(int(t["day"]) for t in cal["targets"])
    assert feats["horizon"]["range"][1] == last_day
    for rec in feats.values():
        assert rec["sources"] and set(rec["sources"]) <= set(definition()["sources"])
