"""Summary flags: a prediction beyond the published pooled effect is flagged with the reason, and
the report cites original papers, never the team's notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from exosci.evaluate import evaluate, write_report
from exosci.evaluate.published import atypical_features, published, published_range_flags
from exosci.kb import default_kb
from exosci.therapy import load_spec, resolve_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MAIN = EXAMPLES / "hypoxia-bmsc-ha-hydrogel-rat.yaml"
IV = EXAMPLES / "iv-bmsc-exos-rat.yaml"


def _gains(**by_week: float) -> dict[int, dict[str, float]]:
    return {7 * int(k[1:]): {"median": v, "p05": v - 1, "p95": v + 1} for k, v in by_week.items()}


def test_gain_above_the_pooled_week_4_interval_is_flagged_with_the_design_reason() -> None:
    res = resolve_spec(load_spec(MAIN), default_kb())
    flags = published_range_flags(_gains(w4=7.4), res=res, horizon_days=28)
    beyond = [f for f in flags if f["kind"] == "beyond_published_range"]
    assert len(beyond) == 1 and beyond[0]["severity"] == "warning"
    assert "3.42-5.66" in beyond[0]["text"]
    assert "Cytotherapy 2024" in beyond[0]["source"]
    assert any("carrier" in r for r in beyond[0]["reasons"])  # hydrogel: not a pooled design


def test_gain_inside_the_pooled_interval_is_not_flagged() -> None:
    res = resolve_spec(load_spec(IV), default_kb())
    assert published_range_flags(_gains(w1=1.6, w2=3.0, w4=4.6), res=res, horizon_days=28) == []


def test_late_horizon_is_held_to_the_last_pooled_week() -> None:
    res = resolve_spec(load_spec(IV), default_kb())
    gains = {**_gains(w4=5.0), 42: {"median": 6.5, "p05": 5.0, "p95": 8.0}}
    (flag,) = published_range_flags(gains, res=res, horizon_days=42)
    assert flag["kind"] == "beyond_published_range" and "day 42" in flag["text"]


def test_mouse_prediction_says_no_pooled_bms_effect_exists() -> None:
    spec = load_spec(IV).model_copy(update={"species": "mouse"})
    res = resolve_spec(spec, default_kb())
    (flag,) = published_range_flags(_gains(w4=9.0), res=res, horizon_days=28)
    assert flag["kind"] == "no_published_range" and flag["severity"] == "info"


def test_typical_pooled_design_has_no_atypical_features() -> None:
    res = resolve_spec(load_spec(IV), default_kb())  # BMSC-Exos, IV, 200 ug, 1 dose
    assert atypical_features(res) == []


def test_every_pooled_record_cites_a_paper() -> None:
    for rec in published()["pooled"]:
        assert rec["citation"] and rec["studies"] > 0
    assert published()["typical_design"]["doi"] == "10.1515/med-2021-0304"


@pytest.fixture(scope="module")
def doc() -> dict:
    return evaluate(load_spec(MAIN), samples=40, seed=0, alternative_samples=20)


@pytest.fixture(scope="module")
def html(doc: dict, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("rep") / "r.html"
    return write_report(doc, out)["html"].read_text(encoding="utf-8")


def test_animals_spread_wider_than_the_uncertainty_of_the_mean(doc: dict, html: str) -> None:
    from exosci.evaluate.core import _draws_are_priors
    from exosci.model.parameters import default_parameters

    if _draws_are_priors(default_parameters()):
        assert "animal_band" not in doc["prediction"]  # one mixed band only, labelled as such
        return
    pred, animals = doc["prediction"], doc["prediction"]["animal_band"]
    for arm in ("treated_final", "control_final"):
        mean_width = pred[arm]["p95"] - pred[arm]["p05"]
        assert animals[arm]["p95"] - animals[arm]["p05"] > mean_width
    assert "between-animal spread" in html and "uncertainty of the mean effect" in html
    assert len(doc["timecourse"]["animal"]["treated"]["score"]["p95"]) == len(
        doc["timecourse"]["days"]
    )


def test_report_cites_sources_not_the_team_notes(html: str) -> None:
    assert "REFERENCES.md" not in html and "VALIDATION.md" not in html


def test_report_says_what_its_bands_are(html: str) -> None:
    assert "Bands:" in html
    assert "between-animal" in html or "uncertainty of the mean effect" in html


def test_band_label_follows_what_the_simulator_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import numpy as np

    from exosci.evaluate.core import band_label

    simulate = importlib.import_module("exosci.model.simulate")  # the module, not the function

    res = resolve_spec(load_spec(IV), default_kb())
    sim = simulate.ensemble(res.design, samples=10, seed=0, outputs=("score",))
    # ensembles draw from the shipped calibration posterior (mean band by default)
    assert "from its prior" not in band_label(sim)
    assert "uncertainty of the mean effect" in band_label(sim)

    def the_prior(table, size, seed, band="mean"):  # type: ignore[no-untyped-def]
        return table.sample(size, np.random.default_rng(seed))

    monkeypatch.setattr(simulate, "batch_params", the_prior)
    assert "from its prior" in band_label(sim)
