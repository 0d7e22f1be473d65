"""Lab server mode: beyond loopback every request carries the access token; loopback needs none."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from exosci.cli import app as cli
from exosci.web import create_app

TOKEN = "s3cret-token-for-tests"


def _client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(runs_db=tmp_path / "r.sqlite", token=TOKEN))


def test_requests_without_the_token_are_refused(tmp_path: Path) -> None:
    c = _client(tmp_path)
    assert c.get("/api/health").status_code == 401
    assert c.get("/api/runs").status_code == 401
    assert c.get("/static/common.js").status_code == 401
    page = c.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert c.get("/api/health", headers={"authorization": "Bearer wrong"}).status_code == 401


def test_header_or_login_cookie_carries_the_token(tmp_path: Path) -> None:
    c = _client(tmp_path)
    ok = c.get("/api/health", headers={"authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert c.get("/api/health", headers={"x-exosci-token": TOKEN}).status_code == 200
    assert c.get("/login").status_code == 200
    assert c.post("/api/login", json={"token": "nope"}).status_code == 401
    res = c.post("/api/login", json={"token": TOKEN})
    assert res.status_code == 200
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert c.get("/api/health").status_code == 200  # the cookie now rides along
    assert c.get("/").status_code == 200


def test_loopback_app_needs_no_token(tmp_path: Path) -> None:
    c = TestClient(create_app(runs_db=tmp_path / "r.sqlite"))
    assert c.get("/api/health").status_code == 200


def test_serve_beyond_loopback_without_a_token_exits_2(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("EXOSCI_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--token" in result.output + (result.stderr or "")
    short = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--token", "abc"])
    assert short.exit_code == 2
