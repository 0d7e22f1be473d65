"""Issue 13, items 1, 2 and 10 (web): the API reads no server file and bounds every body.

Each test names the item it guards; each failed on the code before the hardening.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from fastapi.testclient import TestClient

from exosci.limits import UPLOAD_BYTES_CEILING, max_body_bytes
from exosci.web import create_app

client = TestClient(create_app())
OCTET = {"content-type": "application/octet-stream"}
PREP = {"name": "p", "source": {"material": "conditioned medium"}, "separation": {"method": "UC"}}


def _prep_with_nta_file(path: str) -> dict[str, object]:
    return {**PREP, "particles": {"method": "NTA", "nta_file": path}}


# -- item 1: no file on the server is read through the API ---------------------------------


def test_item1_qc_check_does_not_read_etc_passwd() -> None:
    res = client.post("/api/qc/check", json=_prep_with_nta_file("/etc/passwd"))
    assert res.status_code == 422
    assert "root:" not in res.text
    assert "nta_file" in res.json()["error"]


def test_item1_existence_of_server_paths_is_not_revealed() -> None:
    answers = {
        client.post("/api/qc/check", json=_prep_with_nta_file(p)).json()["error"].replace(p, "P")
        for p in ("/etc", "/no/such/file", "../../etc/hostname", "/usr")
    }
    assert len(answers) == 1, answers


def test_item1_nta_export_travels_inline_instead(shared: Path) -> None:
    path = next((shared / "data" / "nta" / "zetaview").glob("*0002*size_488.txt"))
    text = path.read_bytes().decode("cp1252")
    body = {
        **PREP,
        "particles": {"method": "NTA", "nta_export": {"filename": path.name, "content": text}},
    }
    res = client.post("/api/qc/check", json=body)
    assert res.status_code == 200, res.text
    doc = res.json()
    assert doc["particles_per_ml"] and doc["particles_per_ml"] > 1e6
    assert doc["nta"]["file"] == path.name


# -- item 2: every body is bounded as it streams -------------------------------------------


def test_item2_json_body_over_the_cap_is_413_before_work() -> None:
    huge = "miR-" + "1" * (max_body_bytes() + 10)
    res = client.post("/api/cargo/enrich", json={"mirnas": [huge]})
    assert res.status_code == 413
    assert len(res.content) < 500  # nothing echoed back


def _asgi_post(path: str, chunks: int, chunk: bytes) -> tuple[int, int]:
    """POST ``chunks`` x ``chunk`` with no Content-Length straight into the ASGI app.

    Returns (status, bytes the app pulled from the client).
    """
    app = create_app()
    pulled = 0
    status = 0
    left = chunks

    async def receive() -> dict[str, object]:
        nonlocal pulled, left
        left -= 1
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": left > 0}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/octet-stream")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    return status, pulled


def test_item2_chunked_body_without_content_length_is_cut_off() -> None:
    chunk = b"0" * (256 * 1024)
    status, pulled = _asgi_post("/api/release/fit", 200, chunk)  # 50 MB offered
    assert status == 413
    assert pulled <= UPLOAD_BYTES_CEILING + len(chunk)  # stopped reading at the cap


def test_item2_declared_upload_over_the_cap_is_refused_unread() -> None:
    res = client.post("/api/qc/nta", content=b"x" * (UPLOAD_BYTES_CEILING + 1), headers=OCTET)
    assert res.status_code == 413


def test_item2_long_names_are_refused_not_echoed() -> None:
    spec = {"name": "n" * 100_000, "species": "rat"}
    res = client.post("/api/simulate", json=spec, params={"samples": 10})
    assert res.status_code == 422
    assert len(res.text) < 3000
    res = client.get("/api/kb/search", params={"q": "a" * 8000})
    assert res.status_code == 422


# -- item 10 (web): headers, frames, content types, Host --------------------------------------


def test_item10_security_headers_on_every_response() -> None:
    for res in (client.get("/"), client.get("/api/health"), client.get("/api/nope")):
        csp = res.headers["content-security-policy"]
        script = re.search(r"script-src ([^;]*)", csp)
        assert script and "'unsafe-inline'" not in script.group(1)
        assert "frame-ancestors 'none'" in csp
        assert res.headers["x-content-type-options"] == "nosniff"


def test_item10_page_has_no_inline_script_and_a_sandboxed_report_frame() -> None:
    page = client.get("/").text
    assert re.search(r"<script>\s*\S", page) is None
    assert re.search(r"<script[^>]*src=\"/static/common.js\"", page)
    js = client.get("/static/common.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    # the report frame is created by the runs view (a saved run's report), always sandboxed
    runs = client.get("/static/runs.js").text
    assert 'frame.id = "e-report"' in runs
    sandbox = re.search(r'frame\.setAttribute\("sandbox", "([^"]*)"\)', runs)
    # sandboxed: the report's links may open a new tab (allow-popups), but nothing in it runs
    assert sandbox is not None and "allow-scripts" not in sandbox.group(1), runs


def test_item10_form_content_types_cannot_reach_routes() -> None:
    data = b"time_h,percent\n0,0\n1,10\n"
    for ctype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
    ):
        res = client.post("/api/release/fit", content=data, headers={"content-type": ctype})
        assert res.status_code == 415, ctype
    res = client.post("/api/cargo/enrich", content=b'{"mirnas": ["miR-21-5p"]}', headers=OCTET)
    assert res.status_code == 415


def test_item10_foreign_host_header_is_refused() -> None:
    res = client.get("/api/health", headers={"host": "attacker.example:8000"})
    assert res.status_code == 421
    assert client.get("/api/health", headers={"host": "127.0.0.1:8000"}).status_code == 200


def test_item10_no_server_temp_path_in_cargo_errors() -> None:
    res = client.post("/api/cargo/enrich", json={"mirnas": ["hsa-miR-21-5p", "mmu-miR-21a-5p"]})
    assert res.status_code == 422
    assert "/tmp" not in res.text and "mirnas.txt" not in res.text


def test_item10_openapi_describes_the_real_bodies() -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    sim = paths["/api/simulate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert sim.get("$ref", "").endswith("/TherapySpec")
    spec = doc["components"]["schemas"]["TherapySpec"]
    assert spec.get("additionalProperties") is False
    for route in ("/api/qc/nta", "/api/release/fit"):
        content = paths[route]["post"]["requestBody"]["content"]
        assert "application/octet-stream" in content
    enrich = doc["components"]["schemas"]["CargoEnrichRequest"]["properties"]["mirnas"]
    assert enrich["maxItems"] and enrich["items"]["maxLength"]
