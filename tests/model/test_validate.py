"""Validation targets are declared experiments; rules can fail; the dossier and README are current."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.model.validate import RULES, judge, table_markdown, targets_doc

ROOT = Path(__file__).resolve().parents[2]
OUTCOMES = {"gain", "gain_difference", "max_gain_difference", "smd", "exposure_ratio"}


def test_validation_targets_are_declared_experiments_with_cited_sources() -> None:
    doc = targets_doc()
    ids = [t["id"] for t in doc["targets"]]
    assert len(ids) == len(set(ids)) >= 8
    for t in doc["targets"]:
        assert t["source"] in doc["sources"], t["id"]
        assert t["outcome"]["kind"] in OUTCOMES, t["id"]
        assert t["rule"]["kind"] in RULES, t["id"]
        assert t["arms"], t["id"]
        if t["rule"]["kind"] == "overlap":
            assert len(t["published"]["ci"]) == 2, t["id"]


def _target(rule: dict[str, Any], ci: list[float] | None = None) -> dict[str, Any]:
    return {"id": "x", "rule": rule, "published": {"text": "", "ci": ci}}


@pytest.mark.parametrize(
    ("rule", "ci", "model", "verdict"),
    [
        ({"kind": "overlap"}, [3.31, 3.63], (3.0, 2.0, 3.4), "pass"),
        ({"kind": "overlap"}, [3.31, 3.63], (6.0, 5.0, 7.0), "MISS"),
        ({"kind": "greater", "than": 1.0}, None, (0.7, 0.6, 0.8), "MISS"),
        ({"kind": "greater", "than": 0.0}, None, (0.4, -0.1, 0.9), "pass"),
        # a published *significant* difference: a median above 0 whose interval spans 0 is a
        # coin toss (it flipped with the number of draws), not agreement
        ({"kind": "greater", "than": 0.0, "significant": True}, None, (0.4, -0.1, 0.9), "MISS"),
        ({"kind": "greater", "than": 0.0, "significant": True}, None, (0.4, 0.1, 0.9), "pass"),
        ({"kind": "indistinguishable", "margin": 1.0}, None, (2.0, 1.5, 2.5), "MISS"),
        ({"kind": "indistinguishable", "margin": 1.0}, None, (1.4, -0.2, 3.0), "pass"),
        ({"kind": "report"}, None, (9.0, 8.0, 10.0), "report"),
    ],
)
def test_comparison_rules_pass_and_miss(
    rule: dict[str, Any], ci: list[float] | None, model: tuple[float, float, float], verdict: str
) -> None:
    med, lo, hi = model
    got, why = judge(_target(rule, ci), {"median": med, "p05": lo, "p95": hi})
    assert got == verdict, why


def test_validate_rejects_too_few_draws() -> None:
    res = CliRunner().invoke(app, ["validate", "--draws", "3"])
    assert res.exit_code == 2
    assert ">= 20" in res.output


@pytest.fixture(scope="module")
def dossier_validation() -> dict[str, Any]:
    from exosci.model.dossier import DOSSIER_DRAWS, DOSSIER_SEED
    from exosci.model.validate import validate

    return validate(n=DOSSIER_DRAWS, seed=DOSSIER_SEED)


def test_committed_credibility_dossier_matches_its_generator(
    dossier_validation: dict[str, Any],
) -> None:
    from exosci.model.dossier import render_dossier

    committed = (ROOT / "docs" / "credibility.md").read_text("utf-8")
    assert committed == render_dossier(dossier_validation), (
        "docs/credibility.md is stale (the model, the KB or the posterior changed): run "
        "`PYTHONPATH=src python scripts/update_validation_docs.py`"
    )


def test_readme_shows_the_current_validation_table(dossier_validation: dict[str, Any]) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert table_markdown(dossier_validation) in readme, (
        "README validation table is stale: run `PYTHONPATH=src python scripts/update_validation_docs.py`"
    )
