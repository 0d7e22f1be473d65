"""The main job, end to end: spec -> document -> HTML/JSON/PNG, and the CLI contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.evaluate import evaluate, variants
from exosci.therapy import load_spec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MAIN = EXAMPLES / "hypoxia-bmsc-ha-hydrogel-rat.yaml"


@pytest.fixture(scope="module")
def doc() -> dict:
    return evaluate(load_spec(MAIN), samples=60, seed=3, alternative_samples=30)


def test_document_has_the_design_md_keys(doc: dict) -> None:
    assert {"spec", "mechanisms", "prediction", "delivery", "risks", "alternatives"} <= doc.keys()
    assert set(doc["mechanisms"]) == {
        "neuroprotection",
        "axon_regeneration",
        "inflammation",
        "angiogenesis_bscb",
        "ecm",
    }
    for axis in doc["mechanisms"].values():
        assert 0.0 <= axis["score"] <= 1.0


def test_prediction_is_labelled_and_consistent(doc: dict) -> None:
    pred = doc["prediction"]
    assert "MODEL PREDICTION" in pred["label"]
    assert pred["score_name"] == "BBB" and pred["score_max"] == 21
    t, c, g = pred["treated_final"], pred["control_final"], pred["gain"]
    assert 0 <= c["median"] <= t["p95"] <= 21
    assert g["p05"] <= g["median"] <= g["p95"]
    assert g["median"] > 0  # a real therapy differs from control


def test_every_mechanism_step_is_signed_and_cited(doc: dict) -> None:
    refs = {r["number"] for r in doc["references"]}
    for axis in doc["mechanisms"].values():
        for ev in axis["evidence"]:
            assert ev["refs"] and set(ev["refs"]) <= refs
            assert all(step["sign"] in (1, -1) for step in ev["steps"])
            # the path's sign is the product of its steps' signs
            prod = 1
            for step in ev["steps"]:
                prod *= step["sign"]
            assert prod == ev["sign"]


def test_alternatives_ranked_by_verdict_then_paired_difference(doc: dict) -> None:
    ranked = [a for a in doc["alternatives"] if "delta" in a]
    order = {"better": 0, "equivalent": 1, "not separable": 1, "current": 1, "worse": 2}
    assert ranked[0]["is_current"]  # "this design" first
    keys = [(order[a["verdict"]], -a["delta"]["median"]) for a in ranked[1:]]
    assert keys == sorted(keys)
    assert sum(a["is_current"] for a in ranked) == 1
    for a in ranked:
        assert a["delta"]["p05"] <= a["delta"]["median"] <= a["delta"]["p95"]
    kinds = {a["kind"] for a in ranked}
    assert {"source", "carrier", "route"} <= kinds


def test_risks_cover_carrier_and_manufacturing(doc: dict) -> None:
    ids = {r["id"] for r in doc["risks"]}
    assert "quality-control" in ids and "route-local-invasive" in ids
    assert "route-iv-hepatic-clearance" not in ids


def test_sensitivity_names_design_choices_and_priors(doc: dict) -> None:
    top = doc["sensitivity"]["top"]
    assert top and all(r["mu_star"] >= 0 for r in top)
    mus = [r["mu_star"] for r in top]
    assert mus == sorted(mus, reverse=True)
    from exosci.model.sensitivity import KINDS

    kinds = {r["name"]: r["kind"] for r in doc["sensitivity"]["top"]}
    # a per-animal or per-design random effect is neither a choice nor a number to measure:
    # the screen ranks those draws apart, so the chart holds choices and parameters only
    assert set(kinds.values()) <= set(KINDS.values()) - {KINDS["random"]}
    assert not {"animal_z", "z_effect"} & set(kinds)
    assert {r["name"] for r in doc["sensitivity"]["random_effects"]} >= {"animal_z", "z_effect"}


def test_cell_free_spec_predicts_no_gain_and_suggests_vesicles() -> None:
    spec = parse_spec(
        {
            "name": "vehicle",
            "species": "rat",
            "route": "local implantation",
            "carrier": "hyaluronic acid hydrogel",
            "dose": {"amount": 0, "unit": "ug"},
        }
    )
    out = evaluate(spec, samples=20, seed=1, alternative_samples=20)
    assert out["prediction"]["gain"]["median"] == pytest.approx(0.0, abs=1e-9)
    assert out["mechanisms"] == {}
    assert out["sensitivity"] is None  # nothing given, nothing to be sensitive to
    assert all(a["kind"] in ("current", "source") for a in out["alternatives"])
    offered = [a for a in out["alternatives"] if not a.get("is_current")]
    # vesicles offered as the pooled studies gave them: IV, free, not in the vehicle's hydrogel
    assert offered and all(a["spec"].get("carrier") is None for a in offered)


def test_variants_change_one_element_each() -> None:
    spec = load_spec(MAIN)
    for v in variants(spec):
        changed = [
            k
            for k in ("exosome", "carrier", "route", "timing")
            if getattr(v.spec, k) != getattr(spec, k)
        ]
        assert 1 <= len(changed) <= 2, (v.change, changed)  # carrier swaps also set the route


def test_cli_writes_html_json_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "rep.html"
    res = CliRunner().invoke(
        app, ["evaluate", str(MAIN), "-o", str(out), "--samples", "40", "--json"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["prediction"]["samples"] == 40
    html = out.read_text(encoding="utf-8")
    assert "Model prediction" in html and "Ranked alternatives" in html
    assert "doi.org/10.3389/fneur.2025.1645457" in html
    assert json.loads(out.with_suffix(".json").read_text())["spec"]["name"] == doc["spec"]["name"]
    pngs = sorted(p.name for p in (tmp_path / "rep_files").iterdir())
    assert pngs == ["delivery.png", "mechanisms.png", "recovery.png", "sensitivity.png"]
    assert "What matters most" in html


def test_cli_bad_spec_exits_2_with_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nspecies: rat\nexosome: {source: BMSC}\nroute: intravenus\n")
    res = CliRunner().invoke(app, ["evaluate", str(bad), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 2
    assert "route" in res.stderr and "intravenous" in res.stderr


def test_compare_two_designs(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app,
        [
            "compare",
            str(MAIN),
            str(EXAMPLES / "iv-bmsc-exos-rat.yaml"),
            "--samples",
            "30",
            "--json",
            "--plot",
            str(tmp_path / "cmp.png"),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["designs"]
    assert len(rows) == 2 and (tmp_path / "cmp.png").stat().st_size > 1000


def test_human_spec_gets_a_labelled_rat_proxy_and_the_trial(tmp_path: Path) -> None:
    spec = load_spec(MAIN).model_copy(update={"species": "human"})
    out = evaluate(spec, samples=20, seed=0, alternative_samples=10)
    outlook = out["prediction"]["clinical_outlook"]
    assert "rat-model proxy" in outlook["note"]
    assert any("irct" in t["id"] for t in outlook["trials"])
    assert "species-rodent-only" not in {r["id"] for r in out["risks"]}
    from exosci.evaluate import write_report

    html = write_report(out, tmp_path / "h.html")["html"].read_text(encoding="utf-8")
    assert "Clinical outlook (human)" in html


def test_alternatives_skip_other_names_for_the_same_vesicles() -> None:
    from exosci.evaluate import rank_alternatives
    from exosci.kb import default_kb

    spec = load_spec(EXAMPLES / "iv-bmsc-exos-rat.yaml")  # source written as "BMSC-Exos"
    rows = rank_alternatives(spec=spec, kb=default_kb(), samples=10, seed=0)["rows"]
    assert "source: bone marrow MSC" not in {r["change"] for r in rows}
    hyp = next(r for r in rows if r["change"] == "add hypoxic preconditioning")
    assert (
        hyp["evidence_statements"] > next(r for r in rows if r["is_current"])["evidence_statements"]
    )


def test_mechanism_block_reports_count_confidence_and_best_chains_for_and_against(
    doc: dict,
) -> None:
    import copy

    from exosci.evaluate.render import render_html

    for axis in doc["mechanisms"].values():
        assert {"evidence_count", "n_support", "n_oppose", "confidence"} <= axis.keys()
        assert axis["confidence"] in {"high", "moderate", "low", "very low", "none"}
        if axis["best_supporting"]:
            assert axis["best_supporting"]["sign"] == 1 and axis["best_supporting"]["display"]
        if axis["best_opposing"]:
            assert axis["best_opposing"]["sign"] == -1
    # an opposing chain is rendered as opposing (↓, net sign −1), apart from the supporting one
    doc2 = copy.deepcopy(doc)
    ax = next(a for a in doc2["mechanisms"].values() if a["best_supporting"])
    ax["best_opposing"] = {**ax["best_supporting"], "sign": -1, "display": "X ⊣ Y"}
    html = render_html(doc2, dict.fromkeys(("mechanisms", "recovery", "delivery", "sensitivity")))
    assert "↓ net sign −1 (against): X ⊣ Y" in html
    assert "↑ net sign +1:" in html and "studies (for / against)" in html
