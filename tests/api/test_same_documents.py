"""The CLI's ``--json`` and the web API return the same document for the same request.

Both call one library function (``simulate_run``, ``ex.evaluate``, ``explain(...).to_dict``),
so a key added or renamed on one side shows up on the other; these tests compare the key
sets recursively and the numbers that must agree for the same seed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from exosci.cli import app
from exosci.web import create_app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "iv-bmsc-exos-rat.yaml"


def _shape(doc: Any, depth: int = 3) -> Any:
    """The document's key structure (dict keys down to ``depth``), ignoring values."""
    if isinstance(doc, dict) and depth:
        return {k: _shape(v, depth - 1) for k, v in doc.items()}
    return type(doc).__name__ if not isinstance(doc, dict) else "dict"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _cli_json(args: list[str]) -> dict[str, Any]:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_simulate_cli_json_and_api_have_the_same_keys_and_numbers(client: TestClient) -> None:
    cli = _cli_json(["simulate", str(EXAMPLE), "--samples", "20", "--seed", "3", "--json"])
    spec = yaml.safe_load(EXAMPLE.read_text())
    res = client.post("/api/simulate", json=spec, params={"samples": 20, "seed": 3})
    assert res.status_code == 200, res.text
    api = res.json()
    assert _shape(cli) == _shape(api)
    # same seed, same spec: the same prediction, labelled the same way
    assert cli["band_label"] == api["band_label"] and "mechanisms" in api
    assert cli["treated"]["score"]["median"] == api["treated"]["score"]["median"]


@pytest.mark.slow  # two evaluations (ensemble, alternatives, sensitivity)
def test_evaluate_cli_json_sidecar_and_api_have_the_same_keys(
    client: TestClient, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    args = ["evaluate", str(EXAMPLE), "-o", str(out), "--samples", "20", "--json"]
    cli = _cli_json(args)
    sidecar = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    spec = yaml.safe_load(EXAMPLE.read_text())
    res = client.post("/api/evaluate", json=spec, params={"samples": 20})
    assert res.status_code == 200, res.text
    api = res.json()
    assert set(cli) == set(sidecar) == set(api)
    assert "design_rows" not in api  # render-only rows stay out of every JSON document
    assert _shape(cli["prediction"], 1) == _shape(api["prediction"], 1)
    assert set(cli["mechanisms"]) == set(api["mechanisms"])


def test_explain_cli_json_and_api_are_the_same_document(client: TestClient) -> None:
    cli = _cli_json(["explain", "BMSC-HSEV", "--to", "NF-kB", "--json"])
    api = client.get("/api/explain", params={"subject": "BMSC-HSEV", "object": "NF-kB"}).json()
    assert _shape(cli) == _shape(api)
    assert [p["nodes"] for p in cli["paths"]] == [p["nodes"] for p in api["paths"]]
    loose_cli = _cli_json(["explain", "BMSC-HSEV", "--to", "NF-kB", "--context", "loose", "--json"])
    params = {"subject": "BMSC-HSEV", "object": "NF-kB", "context": "loose"}
    loose_api = client.get("/api/explain", params=params).json()
    assert loose_cli == loose_api  # the web route takes the CLI's --context too


def test_cargo_enrich_cli_json_and_api_are_the_same_document(client: TestClient) -> None:
    mirnas = EXAMPLE.parent / "cargo-bmsc-mirnas.txt"
    cli = _cli_json(["cargo", "enrich", str(mirnas), "--mechanisms", "--top", "20", "--json"])
    names = [
        line.strip()
        for line in mirnas.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    res = client.post("/api/cargo/enrich", json={"mirnas": names, "top": 20})
    assert res.status_code == 200, res.text
    api = res.json()
    assert _shape(cli, 1) == _shape(api, 1)
    assert [r["set"] for r in cli["results"]] == [r["set"] for r in api["results"]]
    assert cli["mirnas"] == api["mirnas"]  # the same names recognised from a file and a list
