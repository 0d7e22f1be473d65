"""Alternatives: paired differences with intervals, honest verdicts, no repeated surgery, and one
headline gain everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from exosci.evaluate import evaluate, write_report
from exosci.evaluate.alternatives import (
    min_difference,
    not_offered,
    paired_final_scores,
    quantiles,
    rank_alternatives,
    subject_draws,
    variants,
    verdict,
)
from exosci.kb import default_kb
from exosci.model.parameters import default_parameters
from exosci.model.simulate import ensemble
from exosci.therapy import load_spec, parse_spec, resolve_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MAIN = EXAMPLES / "hypoxia-bmsc-ha-hydrogel-rat.yaml"
IV = EXAMPLES / "iv-bmsc-exos-rat.yaml"


def test_identical_designs_differ_by_exactly_zero_on_paired_subjects() -> None:
    # Pairing is the point: the same design twice on the same subjects gives Δ = 0 for every
    # subject (unpaired draws would give a wide interval around 0).
    res = resolve_spec(load_spec(IV), default_kb())
    params = subject_draws(default_parameters(), 40, seed=5)
    (a, b), _ = paired_final_scores([res.design, res.design], params, 40)
    delta = quantiles(b - a)
    assert delta == {"median": 0.0, "p05": 0.0, "p95": 0.0}
    assert verdict(delta, min_difference("BBB")) == "not separable"


def test_vesicles_versus_vehicle_is_called_better_with_an_interval_above_zero() -> None:
    # A vehicle-only design against the vesicle designs it is offered: a real difference.
    spec = parse_spec(
        {"name": "vehicle", "species": "rat", "route": "intravenous", "dose": {"amount": 0}}
    )
    out = rank_alternatives(spec=spec, kb=default_kb(), samples=40, seed=2)
    offered = [r for r in out["rows"] if not r["is_current"]]
    assert offered
    bmsc = next(r for r in offered if "bone marrow" in r["change"])
    assert bmsc["delta"]["p05"] > 0 and bmsc["delta"]["median"] >= 1.0
    assert bmsc["verdict"] == "better"


def test_verdict_needs_an_interval_excluding_zero_and_one_point() -> None:
    t = min_difference("BBB")
    assert verdict({"median": 2.0, "p05": 0.5, "p95": 3.0}, t) == "better"
    assert verdict({"median": -2.0, "p05": -3.0, "p95": -0.5}, t) == "worse"
    assert verdict({"median": 2.0, "p05": -0.1, "p95": 3.0}, t) == "not separable"
    assert verdict({"median": 0.6, "p05": 0.2, "p95": 0.9}, t) == "not separable"


def test_bms_threshold_is_one_bbb_point_scaled_to_the_bms_range() -> None:
    assert min_difference("BBB") == 1.0
    assert min_difference("BMS") == pytest.approx(9 / 21)


def test_no_repeated_dosing_offered_for_an_implanted_carrier() -> None:
    spec = load_spec(MAIN)  # HA hydrogel, local implantation, one dose
    offered = variants(spec)
    assert not [v for v in offered if "implant" in v.spec.route and v.spec.timing.doses > 1]
    assert [r["change"] for r in not_offered(spec)] == ["three daily doses instead of one"]
    # An IV design may be dosed three times; a carrier swap implants its total dose once.
    iv = load_spec(IV).model_copy(
        update={"timing": load_spec(IV).timing.model_copy(update={"doses": 3, "interval_days": 1})}
    )
    swaps = [v for v in variants(iv) if v.kind == "carrier"]
    assert swaps and all(v.spec.timing.doses == 1 for v in swaps)
    assert all(v.spec.dose.amount == 3 * iv.dose.amount for v in swaps)
    assert not_offered(iv) == []


def test_implanted_multi_dose_alternatives_are_labelled_as_repeated_surgery() -> None:
    spec = load_spec(MAIN)
    spec = spec.model_copy(
        update={
            "timing": spec.timing.model_copy(
                update={"doses": 2, "interval_days": 3, "start_hours_post_injury": 24}
            )
        }
    )
    rows = rank_alternatives(spec=spec, kb=default_kb(), samples=10, seed=0)["rows"]
    early = next(r for r in rows if r["change"].startswith("start 1 h"))
    assert early["repeated_surgery"] == 2 and "2 surgeries" in early["change"]


@pytest.fixture(scope="module")
def same_n_doc() -> dict:
    return evaluate(load_spec(MAIN), samples=60, seed=4, alternative_samples=60)


def test_headline_gain_identical_in_summary_json_and_alternatives(
    same_n_doc: dict, tmp_path: Path
) -> None:
    doc = same_n_doc
    gain = doc["prediction"]["gain"]
    current = next(a for a in doc["alternatives"] if a.get("is_current"))
    assert current["gain"] == gain
    written = write_report(doc, tmp_path / "r.html")
    public = json.loads(written["json"].read_text(encoding="utf-8"))
    assert public["prediction"]["gain"] == gain
    assert next(a for a in public["alternatives"] if a.get("is_current"))["gain"] == gain
    html = written["html"].read_text(encoding="utf-8")
    shown = f"{gain['median']:+.1f}"
    assert html.count(shown) >= 2  # summary card and the alternatives' "this design" row
    assert "Predicted gain = median over 60 virtual subjects" in html


def test_alternatives_on_their_own_reproduce_the_headline_gain_of_the_same_subjects() -> None:
    # Without the headline's arrays, the alternatives re-draw the subjects and integrate this
    # design themselves: with as many subjects, they must land on the headline gain exactly.
    spec = load_spec(IV)
    res = resolve_spec(spec, default_kb())
    sim = ensemble(res.design, samples=40, seed=6, outputs=("score",))
    headline = quantiles(sim.treated["score"][-1] - sim.control["score"][-1])
    out = rank_alternatives(spec=spec, kb=default_kb(), base=res, samples=40, seed=6)
    own = out["method"]["this_design_gain_on_subjects"]
    for k in ("median", "p05", "p95"):
        assert own[k] == pytest.approx(headline[k], abs=1e-9)


def test_alternatives_run_on_the_first_subjects_of_the_headline_ensemble() -> None:
    res = resolve_spec(load_spec(IV), default_kb())
    sim = ensemble(res.design, samples=50, seed=9, outputs=("score",))
    params = subject_draws(sim.table, 50, seed=9)
    (treated,), control = paired_final_scores([res.design], params, 20)
    assert control is not None
    np.testing.assert_allclose(treated, sim.treated["score"][-1, :20], atol=1e-9)
    np.testing.assert_allclose(control, sim.control["score"][-1, :20], atol=1e-9)


def test_summary_flags_a_multi_dose_implanted_design_as_repeated_surgery() -> None:
    from exosci.evaluate.core import summary_flags

    spec = load_spec(MAIN)
    twice = spec.model_copy(
        update={"timing": spec.timing.model_copy(update={"doses": 2, "interval_days": 3})}
    )
    pred = {"gain_by_day": {}, "horizon_days": 42}
    kb = default_kb()
    kinds = {f["kind"] for f in summary_flags(resolve_spec(twice, kb), pred)}
    assert "repeated_surgery" in kinds
    assert "repeated_surgery" not in {
        f["kind"] for f in summary_flags(resolve_spec(spec, kb), pred)
    }
