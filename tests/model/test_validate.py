"""Validation targets are declared experiments; rules can fail; the dossier and README are current."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.evaluate.validation import RULES, VARIANTS, judge, table_markdown, targets_doc

ROOT = Path(__file__).resolve().parents[2]
OUTCOMES = {"gain", "gain_difference", "smd", "exposure_ratio"}


def test_validation_targets_are_declared_experiments_with_cited_sources() -> None:
    doc = targets_doc()
    ids = [t["id"] for t in doc["targets"]]
    assert len(ids) == len(set(ids)) >= 8
    for t in doc["targets"]:
        assert t["source"] in doc["sources"], t["id"]
        assert t["outcome"]["kind"] in OUTCOMES, t["id"]
        assert t["rule"]["kind"] in RULES, t["id"]
        assert t["arms"], t["id"]
        if t["rule"]["kind"] == "value":
            assert isinstance(t["published"]["value"], float), t["id"]
        assert t.get("if_missed"), f"{t['id']}: a miss needs its reason declared in advance"
    for m in doc.get("moved", []):
        assert m["id"] not in ids and m["source"] in doc["sources"] and m["reason"], m


def _target(rule: dict[str, Any], value: float | None = None) -> dict[str, Any]:
    return {"id": "x", "rule": rule, "published": {"text": "", "value": value}}


@pytest.mark.parametrize(
    ("rule", "value", "model", "verdict"),
    [
        # a published value passes only inside the model's interval; overlapping its CI is not
        # enough (the old rule passed a model interval [2.0, 3.4] against 3.47 [3.31, 3.63])
        ({"kind": "value"}, 3.47, (3.0, 2.0, 3.4), "MISS"),
        ({"kind": "value"}, 3.47, (4.0, 2.0, 5.4), "pass"),
        ({"kind": "value"}, 3.47, (6.0, 5.0, 7.0), "MISS"),
        # a comparison: the whole interval on the published side ...
        ({"kind": "comparison", "than": 0.0}, None, (0.4, -0.1, 0.9), "MISS"),
        ({"kind": "comparison", "than": 0.0}, None, (0.4, 0.1, 0.9), "pass"),
        ({"kind": "comparison", "than": 1.0, "side": "less"}, None, (0.4, 0.1, 0.9), "pass"),
        ({"kind": "comparison", "than": 0.0, "side": "less"}, None, (0.4, 0.1, 0.9), "MISS"),
        # ... and the published point inside it (intrathecal earlier: +2.31 published, the
        # old median rule passed a model [0.38, 0.80])
        ({"kind": "comparison", "than": 0.0}, 2.31, (0.58, 0.38, 0.80), "MISS"),
        ({"kind": "comparison", "than": 0.0}, 2.31, (1.9, 0.5, 2.6), "pass"),
        # indistinguishable: the whole interval within the margin (not "contains 0")
        ({"kind": "indistinguishable", "margin": 1.0}, None, (0.2, -1.5, 2.0), "MISS"),
        ({"kind": "indistinguishable", "margin": 1.0}, None, (0.95, 0.28, 1.11), "MISS"),
        ({"kind": "indistinguishable", "margin": 1.0}, None, (0.1, -0.6, 0.9), "pass"),
    ],
)
def test_strict_rules_judge_the_models_whole_interval(
    rule: dict[str, Any], value: float | None, model: tuple[float, float, float], verdict: str
) -> None:
    med, lo, hi = model
    got, why = judge(_target(rule, value), {"median": med, "p05": lo, "p95": hi})
    assert got == verdict, why


def test_unknown_rule_is_an_error_not_a_pass() -> None:
    with pytest.raises(ValueError, match="unknown rule 'overlap'"):
        judge(_target({"kind": "overlap"}), {"median": 0.0, "p05": 0.0, "p95": 0.0})


def test_validate_rejects_too_few_draws() -> None:
    res = CliRunner().invoke(app, ["validate", "--draws", "3"])
    assert res.exit_code == 2
    assert ">= 20" in res.output


@pytest.fixture(scope="module")
def dossier_validation() -> dict[str, Any]:
    from exosci.evaluate.dossier import DOSSIER_DRAWS, DOSSIER_SEED
    from exosci.evaluate.validation import validate

    return validate(n=DOSSIER_DRAWS, seed=DOSSIER_SEED)


@pytest.fixture(scope="module")
def dossier_power(dossier_validation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from exosci.evaluate.dossier import DOSSIER_DRAWS, DOSSIER_SEED
    from exosci.evaluate.validation import power

    return power(n=DOSSIER_DRAWS, seed=DOSSIER_SEED, shipped=dossier_validation)


@pytest.mark.parametrize("wrong", sorted(VARIANTS))
def test_each_deliberately_wrong_model_fails_at_least_three_targets(
    wrong: str, dossier_power: dict[str, dict[str, Any]]
) -> None:
    """Power: a suite a wrong model passes says nothing about the right one."""
    failed = dossier_power[wrong]["failed"]
    assert len(failed) >= 3, f"{wrong} fails only {failed}: the suite cannot tell it apart"


def test_no_design_differences_variant_gives_every_arm_the_same_course() -> None:
    from exosci.evaluate.validation import measure, resolve_arms

    doc = targets_doc()
    t = next(t for t in doc["targets"] if t["outcome"]["kind"] == "gain_difference")
    arms = resolve_arms(t, doc["base_spec"])
    wrong = measure(t, arms, n=20, seed=1, variant=VARIANTS["no-design-differences"])
    assert wrong["p05"] == wrong["p95"] == 0.0
    shipped = measure(t, arms, n=20, seed=1)
    assert shipped["p95"] - shipped["p05"] > 0.0  # the shipped model separates the arms


def test_effect_scale_variant_scales_the_simulated_gain() -> None:
    from exosci.evaluate.validation import Variant, measure, resolve_arms

    doc = targets_doc()
    t = next(t for t in doc["targets"] if t["id"] == "bmsc_vs_control")
    arms = resolve_arms(t, doc["base_spec"])
    base = measure(t, arms, n=20, seed=2)
    half = measure(t, arms, n=20, seed=2, variant=Variant("half", "x0.5", effect_scale=0.5))
    assert half["median"] == pytest.approx(base["median"] / 2, rel=1e-6)


def test_smd_interval_carries_the_design_effect_uncertainty() -> None:
    """Over posterior draws of the design's own effect, not a bootstrap over animals with the
    effect fixed (that interval was narrower than its own movement across seeds)."""
    from exosci.evaluate.validation import measure, resolve_arms

    doc = targets_doc()
    t = next(t for t in doc["targets"] if t["id"] == "smd_rat")
    arms = resolve_arms(t, doc["base_spec"])
    runs = [measure(t, arms, n=60, seed=s) for s in (0, 1, 2)]
    medians = [r["median"] for r in runs]
    width = min(r["p95"] - r["p05"] for r in runs)
    assert max(medians) - min(medians) < width / 2, (medians, width)


def test_committed_credibility_dossier_matches_its_generator(
    dossier_validation: dict[str, Any], dossier_power: dict[str, dict[str, Any]]
) -> None:
    from exosci.evaluate.dossier import render_dossier

    committed = (ROOT / "docs" / "credibility.md").read_text("utf-8")
    assert committed == render_dossier(dossier_validation, dossier_power), (
        "docs/credibility.md is stale (the model, the KB or the posterior changed): run "
        "`PYTHONPATH=src python scripts/update_validation_docs.py`"
    )


def test_readme_shows_the_current_validation_table(dossier_validation: dict[str, Any]) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert table_markdown(dossier_validation) in readme, (
        "README validation table is stale: run `PYTHONPATH=src python scripts/update_validation_docs.py`"
    )


def test_validate_rejects_an_unknown_variant_with_the_accepted_names() -> None:
    res = CliRunner().invoke(app, ["validate", "--variant", "effect-x2"])
    assert res.exit_code == 2
    assert "effect-x3" in res.output and "no-design-differences" in res.output


def test_validate_cli_reports_its_strict_pass_count(tmp_path: Path) -> None:
    import json

    out = tmp_path / "v.json"
    args = ["validate", "--draws", "20", "--power", "--output", str(out)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text("utf-8"))
    assert f"{doc['passed']} of {doc['judged']} targets pass under the strict rules" in res.output
    assert set(doc["power"]) == set(VARIANTS)
    assert "power: wrong model effect-x3 fails" in res.output
    assert doc["passed"] == sum(r["verdict"] == "pass" for r in doc["targets"])
    for r in doc["targets"]:
        if r["verdict"] == "MISS":
            assert r["if_missed"], r["id"]  # a miss carries its declared reason


def test_targets_that_test_an_extrapolation_say_which_feature_is_outside_the_domain() -> None:
    from exosci.evaluate.validation import resolve_arms

    doc = targets_doc()
    by_id = {t["id"]: t for t in doc["targets"]}
    it = resolve_arms(by_id["route_intrathecal_earlier"], doc["base_spec"])
    assert "route" in dict((a.name, a.outside) for a in it)["it"]
    ye = resolve_arms(by_id["bmsc_vs_control"], doc["base_spec"])
    assert all(not a.outside for a in ye)  # the pooled-design target lies inside the domain
