from __future__ import annotations

from fastapi.testclient import TestClient

from exosci.web import create_app

client = TestClient(create_app())


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
    assert client.get("/api/kb/references/47").json()["number"] == 47
    assert client.get("/api/kb/references/999").status_code == 404
