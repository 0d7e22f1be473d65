"""Design search as a background run (issue 24): the web route gives the front that
``exosci.design.search`` gives for the same constraints and seed, and a bad constraint is a
422 naming its field before anything is queued."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from exosci.design import load_constraints, search
from exosci.web import create_app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "design-rat-contusion-lab.yaml"


def _wait(client: TestClient, run_id: str, timeout: float = 300) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = client.get(f"/api/runs/{run_id}/status").json()
        if s["status"] not in ("queued", "running"):
            return dict(s)
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


@pytest.mark.slow
def test_web_design_run_gives_the_same_front_as_the_library_for_the_same_seed(
    tmp_path: Path,
) -> None:
    constraints = load_constraints(EXAMPLE).model_dump(mode="json")
    with TestClient(create_app(runs_db=tmp_path / "r.sqlite", workers=1)) as client:
        res = client.post("/api/design/search?samples=50&seed=3", json=constraints)
        assert res.status_code == 202, res.text
        run_id = res.json()["id"]
        status = _wait(client, run_id)
        assert status["status"] == "done", status
        run = client.get(f"/api/runs/{run_id}").json()
        files = [f["name"] for f in run["files"]]
    assert run["kind"] == "design" and run["seed"] == 3
    web = run["result"]
    lib = search(EXAMPLE, seed=3, samples=50).to_dict()
    assert web["front"] and web["front"] == lib["front"]
    timing = ("engine_seconds", "wall_seconds")
    same = {k: v for k, v in web["method"].items() if k not in timing}
    assert same == {k: v for k, v in lib["method"].items() if k not in timing}
    assert web["counts"] == lib["counts"]
    assert web["provenance"]["seed"] == 3 and web["provenance"]["samples"] == 50
    assert "front.png" in files
    # a different seed draws other subjects: the numbers of the front move
    other = search(EXAMPLE, seed=4, samples=50).to_dict()
    assert [r["delta"] for r in other["front"]] != [r["delta"] for r in web["front"]]


def test_bad_constraint_is_a_422_naming_the_field_and_queues_nothing(tmp_path: Path) -> None:
    with TestClient(create_app(runs_db=tmp_path / "r.sqlite")) as client:
        res = client.post(
            "/api/design/search?samples=50",
            json={"routes": ["intravenous", "by mouth"], "max_surgeries": -1},
        )
        assert res.status_code == 422
        locs = {d["loc"] for d in res.json()["detail"]}
        assert "body.routes" in locs and "body.max_surgeries" in locs
        assert "by mouth" in res.json()["error"]
        bad = client.post(
            "/api/design/search",
            json={"baseline": {"name": "b", "exosome": {"source": "bone marow MSC"}}},
        )
        assert bad.status_code == 422, bad.text
        assert bad.json()["field"] == "exosome.source"
        assert client.post("/api/design/search?samples=5", json={}).status_code == 422
        assert client.get("/api/runs").json()["runs"] == []
