"""The evaluation document keeps its contract: typed parts, same JSON for the same seed.

Shape: every bundled example's document validates against ``EvaluationDocument`` (closed top
level, declared keys of each part present with their types) and the typed round trip loses
nothing. Values: the notebook path (``ex.evaluate``, rewired in issue 25) gives the document of
the plain library path (``exosci.evaluate.core.evaluate``) for the same seed, volatile keys
aside. Values are not compared with a stored snapshot: the model is being recalibrated, and a
snapshot would fail on every honest model change instead of on a refactor.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import exosci as ex
from exosci.evaluate.document import EvaluationDocument, contract_markdown

ROOT = Path(__file__).resolve().parents[2]
# the therapy specs among the examples (a preparation and design-search constraints are not)
EXAMPLES = sorted(
    p for p in (ROOT / "examples").glob("*.yaml") if not p.name.startswith(("prep-", "design-"))
)
SMALL = {"samples": 40, "seed": 3, "alternative_samples": 20, "sensitivity_trajectories": 2}
VOLATILE = ("date", "version", "data_hash")


def _stable(doc: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc)
    out["provenance"] = {k: v for k, v in doc["provenance"].items() if k not in VOLATILE}
    return out


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_bundled_example_fits_the_typed_contract(example: Path) -> None:
    ev = ex.evaluate(example, **SMALL)
    doc = ev.to_dict()
    typed = EvaluationDocument.model_validate(doc)
    as_json = json.loads(json.dumps(doc))  # what the CLI prints (day keys become strings)
    assert typed.to_json_dict() == as_json  # nothing dropped or coerced
    assert EvaluationDocument.model_validate(as_json) == typed  # the printed JSON reads back
    assert ev.document == typed
    assert typed.prediction.label and typed.delivery.label  # model outputs say what they are


@pytest.mark.slow
def test_the_notebook_path_gives_the_library_document_for_the_same_seed() -> None:
    from exosci.evaluate.core import evaluate as document
    from exosci.therapy import load_spec

    example = ROOT / "examples" / "iv-bmsc-exos-rat.yaml"
    via_api = ex.evaluate(example, **SMALL).to_dict()
    direct = document(load_spec(example), **SMALL)
    direct = {k: v for k, v in direct.items() if k in via_api}
    assert _stable(via_api) == _stable(direct)


def test_a_document_missing_a_part_or_with_an_undeclared_one_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="prediction"):
        EvaluationDocument.model_validate({"provenance": {}})
    fields = set(EvaluationDocument.model_fields)
    assert {"prediction", "delivery", "mechanisms", "alternatives", "provenance"} <= fields
    assert EvaluationDocument.model_config.get("extra") == "forbid"


def test_the_contract_page_is_generated_from_the_models() -> None:
    page = (ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    start = page.index("-->\n", page.index("<!-- contract:")) + 4
    assert page[start : page.index("<!-- /contract -->")] == contract_markdown(), (
        "run scripts/update_contracts_doc.py"
    )


def test_the_web_api_schema_carries_the_evaluation_document() -> None:
    pytest.importorskip("fastapi")
    from exosci.web.app import create_app

    schema = create_app().openapi()
    ok = schema["paths"]["/api/evaluate"]["post"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/EvaluationDocument")
    assert "Prediction" in schema["components"]["schemas"]
