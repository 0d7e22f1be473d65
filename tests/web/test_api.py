from __future__ import annotations

from fastapi.testclient import TestClient

from exosci.web import create_app

client = TestClient(create_app())
# File routes take the file's bytes as application/octet-stream (a missing type is refused).
OCTET = {"content-type": "application/octet-stream"}


def test_health_and_index() -> None:
    assert client.get("/api/health").json()["status"] == "ok"
    page = client.get("/")
    assert page.status_code == 200 and "exosci" in page.text


def test_kb_endpoints_match_library() -> None:
    from exosci.kb import default_kb

    assert client.get("/api/kb/stats").json()["statements"] == default_kb().stats()["statements"]
    hits = client.get("/api/kb/search", params={"q": "nfkb"}).json()["hits"]
    assert hits[0]["id"] == "pw:nfkb"
    assert client.get("/api/kb/show", params={"name": "NF-κB"}).json()["id"] == "pw:nfkb"


def test_unknown_name_is_422_with_suggestions() -> None:
    res = client.get("/api/kb/show", params={"name": "ferroptosys"})
    assert res.status_code == 422
    assert "ferroptosis" in res.json()["suggestions"]


def test_reference_lookup() -> None:
    ref = client.get("/api/kb/references/47").json()
    assert ref["number"] == 47 and ref["statements"]
    assert client.get("/api/kb/references/999").status_code == 404


EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples"


def test_explain_route_matches_library() -> None:
    from exosci.kb import default_kb
    from exosci.reason.explain import explain

    params = {"subject": "BMSC-HSEV", "object": "NF-kB"}
    doc = client.get("/api/explain", params=params).json()
    lib = explain(default_kb(), "BMSC-HSEV", "NF-kB").to_dict()
    assert doc["result"] == lib["result"] == "PATHS_FOUND"
    assert [p["nodes"] for p in doc["paths"]] == [p["nodes"] for p in lib["paths"]]


def test_profile_route() -> None:
    doc = client.get("/api/kb/profile", params={"name": "BMSC-HSEV"}).json()
    assert doc["id"] == "exo:bmsc-hypoxia"
    assert set(doc["axes"]) == {
        "neuroprotection",
        "axon_regeneration",
        "inflammation",
        "angiogenesis_bscb",
        "ecm",
    }


def test_evaluate_route_and_bad_spec() -> None:
    import yaml

    spec = yaml.safe_load((EXAMPLES / "iv-bmsc-exos-rat.yaml").read_text())
    doc = client.post("/api/evaluate", json=spec, params={"samples": 20}).json()
    assert doc["prediction"]["samples"] == 20 and doc["alternatives"]
    bad = {**spec, "route": "intravenus"}
    res = client.post("/api/evaluate", json=bad, params={"samples": 20})
    assert res.status_code == 422 and "intravenous" in res.json()["error"]
    html = client.post("/api/evaluate/report", json=spec, params={"samples": 20})
    assert html.status_code == 200 and "Ranked alternatives" in html.text


def test_release_fit_route_on_example() -> None:
    data = (EXAMPLES / "release-ha-hydrogel.csv").read_bytes()
    doc = client.post("/api/release/fit", content=data, headers=OCTET).json()
    assert doc["best"] == "weibull"
    res = client.post("/api/release/fit", content=b"", headers=OCTET)
    assert res.status_code == 422


def test_qc_nta_route_on_real_export(shared) -> None:
    path = next((shared / "data" / "nta" / "zetaview").glob("*0002*size_488.txt"))
    doc = client.post(
        "/api/qc/nta", content=path.read_bytes(), params={"filename": path.name}, headers=OCTET
    )
    assert doc.status_code == 200, doc.text
    assert doc.json()["format"].lower().startswith("zetaview")
    garbage = client.post(
        "/api/qc/nta", content=b"\x00\x01garbage", params={"filename": "x.txt"}, headers=OCTET
    )
    assert garbage.status_code == 422


def test_cargo_route_reports_unrecognised_names() -> None:
    body = {"mirnas": ["miR-146a-5p", "miR-notreal-9z"], "species": "rat"}
    doc = client.post("/api/cargo/enrich", json=body).json()
    assert doc["mirnas"]["recognized"]
    assert doc["mirnas"]["unrecognized"][0]["name"] == "miR-notreal-9z"
    assert "results" in doc
