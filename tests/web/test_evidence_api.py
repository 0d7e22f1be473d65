"""Evidence in words for the web pages (issue 23 item 3) and every field error at once (item 6)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from exosci.web import create_app


def _client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(runs_db=tmp_path / "runs.sqlite"))


def test_statement_evidence_carries_titled_references_and_words(tmp_path: Path) -> None:
    c = _client(tmp_path)
    res = c.get("/api/kb/statements", params={"id": ["st:imm:mir146a-decreases-irak1"]})
    assert res.status_code == 200
    (st,) = res.json()["statements"]
    assert st["predicate"] == "decreases the amount of"  # not decreases_amount
    (ev,) = st["evidence"]
    assert "represses IRAK1" in ev["text"]
    assert (ev["species"], ev["model"], ev["grade"]) == (
        "rat",
        "in vivo",
        "direct experimental evidence",
    )
    (ref,) = ev["references"]
    assert ref["first_author"] == "Liang Z" and ref["year"] == 2024
    assert ref["doi"] == "10.4103/1673-5374.391194" and "miR-146a-5p" in ref["title"]


def test_unknown_statement_id_is_a_422(tmp_path: Path) -> None:
    res = _client(tmp_path).get("/api/kb/statements", params={"id": ["st:nope"]})
    assert res.status_code == 422 and "st:nope" in res.json()["error"]


def test_citations_of_review_references(tmp_path: Path) -> None:
    got = _client(tmp_path).get("/api/kb/citations", params={"ref": [47]}).json()["citations"]
    assert got[0]["ref"] == 47 and got[0]["title"].startswith("Small extracellular vesicles")


def test_spec_check_names_every_unknown_name_at_once(tmp_path: Path) -> None:
    spec = {
        "name": "typos",
        "species": "rat",
        "route": "intravenus",
        "carrier": "hydrogle",
        "injury": {"model": "contusion", "level": "T10", "severity": "moderate"},
        "exosome": {"source": "bone marow MSC", "preconditioning": ["hypoxa"]},
        "dose": {"amount": 100, "unit": "ug"},
        "timing": {"start_hours_post_injury": 1},
    }
    res = _client(tmp_path).post("/api/spec/check", json=spec)
    assert res.status_code == 200
    errors = res.json()["errors"]
    fields = {e["field"] for e in errors}
    assert fields == {"route", "carrier", "exosome.source", "exosome.preconditioning"}
    route = next(e for e in errors if e["field"] == "route")
    assert "intravenous" in route["suggestions"]
    assert "exosci kb search" not in " ".join(e["error"] for e in errors)


def test_spec_check_passes_a_good_design(tmp_path: Path) -> None:
    spec = {
        "name": "ok",
        "species": "rat",
        "route": "intravenous",
        "carrier": "none",
        "injury": {"model": "contusion", "level": "T10", "severity": "moderate"},
        "exosome": {"source": "BMSC exosomes", "cargo": ["miR-146a-5p"]},
        "dose": {"amount": 100, "unit": "ug"},
        "timing": {"start_hours_post_injury": 1},
    }
    assert _client(tmp_path).post("/api/spec/check", json=spec).json() == {"errors": []}
