"""Saved runs: the database outlives the server, concurrent writers lose nothing, the queue
answers while a run computes, and a cancel stops a run."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from exosci.web import create_app
from exosci.web.store import RunStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = yaml.safe_load((EXAMPLES / "iv-bmsc-exos-rat.yaml").read_text())


def _wait(client: TestClient, run_id: str, timeout: float = 300) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = client.get(f"/api/runs/{run_id}/status").json()
        if s["status"] not in ("queued", "running"):
            return dict(s)
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def test_simulate_run_is_saved_with_provenance_and_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    with TestClient(create_app(runs_db=db, workers=1)) as client:
        r = client.post(
            "/api/runs", json={"kind": "simulate", "spec": SPEC, "samples": 20, "seed": 7}
        )
        assert r.status_code == 202
        run_id = r.json()["id"]
        assert r.json()["url"] == f"/run/{run_id}"
        # the server answers other requests while the run is queued or computing
        t0 = time.monotonic()
        assert client.get("/api/kb/search", params={"q": "nfkb"}).status_code == 200
        assert time.monotonic() - t0 < 5
        assert _wait(client, run_id)["status"] == "done"
    # a new server process on the same database (a restart) finds the run and its result
    with TestClient(create_app(runs_db=db, workers=1)) as again:
        run = again.get(f"/api/runs/{run_id}").json()
        assert run["status"] == "done" and run["seed"] == 7
        assert run["spec"]["route"] == SPEC["route"]
        assert run["version"] and len(run["data_hash"]) == 16
        assert len(run["result"]["days"]) > 1  # the simulate document itself
        assert [
            x["id"] for x in again.get("/api/runs", params={"q": SPEC["name"]}).json()["runs"]
        ] == [run_id]
        assert again.get("/run/" + run_id).status_code == 200  # the stable URL serves the page


def test_typo_in_a_submitted_design_is_a_422_with_the_field_and_suggestions(
    tmp_path: Path,
) -> None:
    with TestClient(create_app(runs_db=tmp_path / "r.sqlite")) as client:
        bad = {**SPEC, "exosome": {**SPEC["exosome"], "source": "bone marow MSC"}}
        res = client.post("/api/runs", json={"kind": "evaluate", "spec": bad, "samples": 20})
        assert res.status_code == 422
        body = res.json()
        assert body["field"] == "exosome.source"
        assert "bone marrow mesenchymal stem cell" in body["suggestions"]
        assert "exosci kb search" not in body["error"]
        assert client.get("/api/runs").json()["runs"] == []  # nothing queued


def _writer(path: str, n: int, tag: str) -> None:
    store = RunStore(path)
    for i in range(n):
        store.create(
            kind="simulate",
            name=f"{tag}-{i}",
            spec={},
            params={"samples": 10, "seed": 0},
            version="t",
            seed=0,
            data_hash="x",
        )
        store.progress(store.search(f"{tag}-{i}")[0]["id"], "ensemble", i, n)


def test_concurrent_writers_lose_no_run(tmp_path: Path) -> None:
    path = str(tmp_path / "runs.sqlite")
    RunStore(path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, 40, f"w{k}")) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert len(RunStore(path).search(limit=1000)) == 160


def test_cancel_stops_a_running_simulation(tmp_path: Path) -> None:
    with TestClient(create_app(runs_db=tmp_path / "r.sqlite", workers=1)) as client:
        big = client.post("/api/runs", json={"kind": "simulate", "spec": SPEC, "samples": 5000})
        run_id = big.json()["id"]
        end = time.monotonic() + 120
        while client.get(f"/api/runs/{run_id}/status").json()["status"] == "queued":
            assert time.monotonic() < end
            time.sleep(0.2)
        assert client.post(f"/api/runs/{run_id}/cancel").json()["status_before"] == "running"
        assert _wait(client, run_id)["status"] == "cancelled"


def test_compare_needs_two_saved_runs(tmp_path: Path) -> None:
    with TestClient(create_app(runs_db=tmp_path / "r.sqlite")) as client:
        res = client.post("/api/runs", json={"kind": "compare", "runs": ["0" * 12, "1" * 12]})
        assert res.status_code == 422 and "no saved run" in res.json()["error"]
        assert client.get("/api/runs/" + "0" * 12).status_code == 404


def test_spec_yaml_round_trip(tmp_path: Path) -> None:
    with TestClient(create_app(runs_db=tmp_path / "r.sqlite")) as client:
        text = client.post("/api/spec/yaml", json=SPEC).text
        back = client.post(
            "/api/spec/parse",
            content=text.encode(),
            headers={"content-type": "application/octet-stream"},
        ).json()
        assert back["exosome"]["source"] == SPEC["exosome"]["source"]
        assert back["dose"] == {
            "amount": float(SPEC["dose"]["amount"]),
            "unit": SPEC["dose"]["unit"],
        }
        empty = client.post(
            "/api/spec/parse", content=b" ", headers={"content-type": "application/octet-stream"}
        )
        assert empty.status_code == 422


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd"])
def test_cargo_resources_are_names_never_paths(name: str) -> None:
    client = TestClient(create_app())
    res = client.post("/api/cargo/enrich", json={"mirnas": ["miR-21-5p"], "targets": [name]})
    assert res.status_code == 422
