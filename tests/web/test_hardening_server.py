"""Issue 26, server items 1, 7 and 10: deep bodies, unusable storage, 500s, run limits and
ownership, token mode. Each test failed on the code before the change (noted per test)."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from exosci.errors import UserInputError
from exosci.limits import UPLOAD_BYTES_CEILING
from exosci.web import create_app
from exosci.web.middleware import SECURITY_HEADERS
from exosci.web.store import RunStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = yaml.safe_load((EXAMPLES / "iv-bmsc-exos-rat.yaml").read_text())
TOKEN = "s3cret-token-for-tests"
JSON = {"content-type": "application/json"}


def _has_security_headers(res: Any) -> bool:
    return all(res.headers.get(k) == v for k, v in SECURITY_HEADERS.items())


# -- item 1: deep bodies, unusable storage, 500s ------------------------------------------


@pytest.mark.parametrize("depth", [500, 5000])
@pytest.mark.parametrize(
    ("path", "wrap"),
    [
        ("/api/simulate?samples=10", lambda deep: deep),
        ("/api/runs", lambda deep: f'{{"kind": "simulate", "spec": {deep}}}'),
        ("/api/qc/check", lambda deep: f'{{"name": "p", "source": {deep}}}'),
        ("/api/cargo/enrich", lambda deep: f'{{"mirnas": {deep}}}'),
        ("/api/spec/parse", lambda deep: f'{{"name": {deep}}}'),
    ],
)
def test_item1_json_nested_deep_is_a_422_naming_the_depth_limit(
    tmp_path: Path, path: str, wrap: Any, depth: int
) -> None:
    """Before: 422 about a type at 500 levels, 400 'error parsing the body' past the parser's
    recursion limit, and a RecursionError 500 through the spec reader."""
    client = TestClient(create_app(runs_db=tmp_path / "r.sqlite"))
    for deep in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        res = client.post(path, content=wrap(deep), headers=JSON)
        assert res.status_code == 422, res.text[:300]
        body = res.json()
        assert body["kind"] == "NestingTooDeep"
        assert "the limit is 64 levels" in body["error"]
        assert _has_security_headers(res)
    assert client.get("/api/runs").json()["runs"] == []  # nothing was queued


def test_item1_a_normal_body_still_passes_the_depth_check(tmp_path: Path) -> None:
    client = TestClient(create_app(runs_db=tmp_path / "r.sqlite"))
    res = client.post("/api/spec/yaml", json=SPEC)
    assert res.status_code == 200 and "exosome:" in res.text


def test_item1_data_folder_that_is_a_file_is_a_503_that_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: GET /api/runs and /api/designs answered a bare 500."""
    blocker = tmp_path / "data-is-a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EXOSCI_DATA_DIR", str(blocker))
    client = TestClient(create_app(), raise_server_exceptions=False)
    for res in (
        client.get("/api/runs"),
        client.get("/api/designs"),
        client.post("/api/designs", json={"spec": SPEC}),
        client.post("/api/runs", json={"kind": "simulate", "spec": SPEC}),
    ):
        assert res.status_code == 503, res.text[:300]
        body = res.json()
        assert body["kind"] == "StoreUnavailable"
        assert str(blocker) in body["error"] and "is a file, not a folder" in body["error"]
        assert "EXOSCI_DATA_DIR" in body["error"]
        assert _has_security_headers(res)
    assert client.get("/api/health").status_code == 200  # the rest of the app still answers


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_item1_damaged_runs_database_is_a_503_not_a_500(tmp_path: Path, damage: str) -> None:
    db = tmp_path / "runs.sqlite"
    store = RunStore(db)
    for i in range(200):  # enough rows for several pages, so a cut loses real pages
        store.create(
            kind="simulate", name=f"r{i}", spec={"x": "y" * 500}, params={}, version="t",
            seed=0, data_hash="h",
        )  # fmt: skip
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for extra in (tmp_path / "runs.sqlite-wal", tmp_path / "runs.sqlite-shm"):
        extra.unlink(missing_ok=True)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3] if damage == "truncate" else b"\x00junk" * 4000)
    client = TestClient(create_app(runs_db=db), raise_server_exceptions=False)
    res = client.get("/api/runs")
    assert res.status_code == 503, res.text[:300]
    assert str(db) in res.json()["error"] and "moved aside" in res.json()["error"]
    assert _has_security_headers(res)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_app_with_a_failing_route(tmp_path: Path) -> Iterator[int]:
    """The real app under uvicorn (keep-alive is a property of the server loop) with one
    extra route that fails the way an unforeseen bug would."""
    import uvicorn

    app = create_app(runs_db=tmp_path / "r.sqlite")

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("an unforeseen bug")

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < end, "server did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def test_item1_a_500_carries_the_security_headers_and_keeps_the_connection(
    live_app_with_a_failing_route: int,
) -> None:
    """Before: a bare 'Internal Server Error' without the headers, then the connection reset."""
    conn = http.client.HTTPConnection("127.0.0.1", live_app_with_a_failing_route, timeout=10)
    conn.request("GET", "/boom")
    res = conn.getresponse()
    body = json.loads(res.read())
    assert res.status == 500
    assert body["kind"] == "InternalError" and "RuntimeError" in body["error"]
    assert "unforeseen" not in body["error"]  # the message of the bug stays in the log
    for key, value in SECURITY_HEADERS.items():
        assert res.getheader(key) == value, key
    conn.request("GET", "/api/health")  # the same keep-alive connection
    again = conn.getresponse()
    assert again.status == 200 and json.loads(again.read())["status"] == "ok"


# -- item 7: queue cap, retention, delete, rename, ownership, LIKE --------------------------


class _HeldRunner:
    """Stands in for the worker pool: runs stay queued, so the queue can be filled at no cost."""

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self.submitted: list[str] = []

    def submit(self, run_id: str) -> None:
        self.submitted.append(run_id)

    def cancel(self, run_id: str) -> str | None:
        return self.store.request_cancel(run_id)

    def shutdown(self) -> None:
        pass


def _held(app: Any) -> _HeldRunner:
    state = app.state.runs
    state._runner = _HeldRunner(state.store)
    return state._runner  # type: ignore[no-any-return]


def _run(**kw: Any) -> dict[str, Any]:
    return {"kind": "simulate", "spec": SPEC, "samples": 10, **kw}


def test_item7_queue_is_capped_with_429_and_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: every run was accepted (200 heavy runs in 8 s)."""
    monkeypatch.setenv("EXOSCI_MAX_QUEUED_RUNS", "3")
    app = create_app(runs_db=tmp_path / "r.sqlite")
    runner = _held(app)
    client = TestClient(app)
    ids = [client.post("/api/runs", json=_run(seed=i)).json()["id"] for i in range(3)]
    full = client.post("/api/runs", json=_run(seed=9))
    assert full.status_code == 429
    assert int(full.headers["retry-after"]) > 0
    assert "EXOSCI_MAX_QUEUED_RUNS" in full.json()["error"]
    assert runner.submitted == ids  # the refused run never reached the workers
    app.state.runs.store.end(ids[0], "done")  # one finishes: the queue takes one more
    assert client.post("/api/runs", json=_run(seed=10)).status_code == 202


def _finished(store: RunStore, name: str, *, age_days: float = 0.0) -> str:
    rid = store.create(
        kind="simulate", name=name, spec=SPEC, params={}, version="t", seed=0, data_hash="h"
    )
    store.finish(rid, {"ok": True}, {"report.html": ("text/html", b"<p>r</p>")})
    if age_days:
        with sqlite3.connect(store.path) as con:
            con.execute(
                "UPDATE runs SET created = ? WHERE id = ?", (time.time() - age_days * 86400, rid)
            )
    return rid


def test_item7_retention_keeps_the_newest_runs_and_drops_old_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: every run was kept forever (~0.5 MB each)."""
    db = tmp_path / "r.sqlite"
    store = RunStore(db)
    old = _finished(store, "ancient", age_days=40)
    kept = [_finished(store, f"run-{i}") for i in range(5)]
    monkeypatch.setenv("EXOSCI_RUNS_KEEP", "3")
    monkeypatch.setenv("EXOSCI_RUNS_MAX_AGE_DAYS", "30")
    client = TestClient(create_app(runs_db=db))
    listed = [r["id"] for r in client.get("/api/runs").json()["runs"]]
    assert listed == kept[:-4:-1]  # the three newest, newest first
    assert client.get(f"/api/runs/{old}").status_code == 404
    assert store.file(old, "report.html") is None  # its files went with it


def test_item7_delete_removes_the_run_and_its_files(tmp_path: Path) -> None:
    """Before: DELETE /api/runs/{id} was 405."""
    app = create_app(runs_db=tmp_path / "r.sqlite")
    client = TestClient(app)
    rid = _finished(app.state.runs.store, "to delete")
    assert client.get(f"/api/runs/{rid}/files/report.html").status_code == 200
    res = client.delete(f"/api/runs/{rid}")
    assert res.status_code == 200 and res.json()["deleted"] is True
    assert client.get(f"/api/runs/{rid}").status_code == 404
    assert client.get(f"/api/runs/{rid}/files/report.html").status_code == 404
    with sqlite3.connect(tmp_path / "r.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 0
    assert client.delete(f"/api/runs/{rid}").status_code == 404


def test_item7_a_run_deleted_while_it_computes_leaves_no_orphan_files(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "r.sqlite")
    rid = store.create(kind="simulate", name="x", spec={}, params={}, version="t", seed=0,
                       data_hash="h")  # fmt: skip
    assert store.start(rid)
    store.delete(rid)
    assert store.progress(rid, "ensemble", 1, 2) is True  # the worker is told to stop
    store.finish(rid, {}, {"a.png": ("image/png", b"x")})
    with sqlite3.connect(store.path) as con:
        assert con.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 0


def test_item7_rename_a_run(tmp_path: Path) -> None:
    app = create_app(runs_db=tmp_path / "r.sqlite")
    client = TestClient(app)
    rid = _finished(app.state.runs.store, "first name")
    res = client.patch(f"/api/runs/{rid}", json={"name": "  dose 2x, day 3  "})
    assert res.status_code == 200
    assert client.get(f"/api/runs/{rid}").json()["name"] == "dose 2x, day 3"
    assert client.patch(f"/api/runs/{rid}", json={"name": "   "}).status_code == 422
    assert client.patch("/api/runs/" + "0" * 12, json={"name": "x"}).status_code == 404


def _signed_in(app: Any) -> TestClient:
    client = TestClient(app)
    assert client.post("/api/login", json={"token": TOKEN}).status_code == 200
    return client


def test_item7_only_the_creator_session_may_cancel_rename_or_delete(tmp_path: Path) -> None:
    """Before: any client could cancel any run."""
    app = create_app(runs_db=tmp_path / "r.sqlite", token=TOKEN)
    _held(app)
    alice, bob = _signed_in(app), _signed_in(app)
    rid = alice.post("/api/runs", json=_run()).json()["id"]
    assert bob.get(f"/api/runs/{rid}/status").status_code == 200  # reading stays shared
    for res in (
        bob.post(f"/api/runs/{rid}/cancel"),
        bob.delete(f"/api/runs/{rid}"),
        bob.patch(f"/api/runs/{rid}", json={"name": "mine now"}),
        TestClient(app).post(  # the bearer token alone is no session either
            f"/api/runs/{rid}/cancel", headers={"authorization": f"Bearer {TOKEN}"}
        ),
    ):
        assert res.status_code == 403, res.text
        assert "another signed-in session" in res.json()["error"]
    assert alice.get(f"/api/runs/{rid}/status").json()["status"] == "queued"
    assert alice.post(f"/api/runs/{rid}/cancel").json()["status_before"] == "queued"
    assert alice.delete(f"/api/runs/{rid}").status_code == 200


def test_item7_like_wildcards_in_q_are_literal(tmp_path: Path) -> None:
    """Before: q=% and q=_ matched every run."""
    app = create_app(runs_db=tmp_path / "r.sqlite")
    store = app.state.runs.store
    ids = {name: _finished(store, name) for name in ("50% zeta", "zeta_b", "plain", "back\\slash")}
    client = TestClient(app)

    def found(q: str) -> set[str]:
        return {r["name"] for r in client.get("/api/runs", params={"q": q}).json()["runs"]}

    assert found("%") == {"50% zeta"}
    assert found("_") == {"zeta_b"}
    assert found("\\") == {"back\\slash"}
    assert found("zeta") == {"50% zeta", "zeta_b"}
    assert found(SPEC["exosome"]["source"][:6]) == set(ids)  # spec values are still searched
    for name in ("50% design", "design_b"):
        client.post("/api/designs", json={"spec": {**SPEC, "name": name}})
    assert [d["name"] for d in client.get("/api/designs", params={"q": "%"}).json()["designs"]] == [
        "50% design"
    ]
    assert [d["name"] for d in client.get("/api/designs", params={"q": "_"}).json()["designs"]] == [
        "design_b"
    ]


# -- item 10: token mode ------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak", [" " * 12, "a" * 40, "abcabcabcabc", "short-1A", "0123456789ab", "\t" * 20]
)
def test_item10_guessable_tokens_are_refused_with_a_message(weak: str, tmp_path: Path) -> None:
    """Before: 12 spaces (or any 12 characters) were accepted."""
    with pytest.raises(UserInputError, match="openssl rand -hex 16"):
        create_app(runs_db=tmp_path / "r.sqlite", token=weak)


@pytest.mark.parametrize("good", ["0f3a9c41d2b87e6504a1c9d3e7f20b58", "Xq7-pL2_vT9sN4kR8mW3zY6b"])
def test_item10_random_tokens_are_accepted(good: str, tmp_path: Path) -> None:
    create_app(runs_db=tmp_path / "r.sqlite", token=good)


def test_item10_login_is_rate_limited(tmp_path: Path) -> None:
    """Before: 513 guesses a second, no limit."""
    client = TestClient(create_app(runs_db=tmp_path / "r.sqlite", token=TOKEN))
    codes = [client.post("/api/login", json={"token": f"guess-{i}"}).status_code for i in range(8)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 3
    limited = client.post("/api/login", json={"token": TOKEN})  # even the right one must wait
    assert limited.status_code == 429 and 0 < int(limited.headers["retry-after"]) <= 60
    assert "too many failed sign-ins" in limited.json()["error"]
    # the header route still works for scripts holding the token
    assert (
        client.get("/api/health", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
    )


def test_item10_session_cookie_is_not_the_token_and_logout_revokes_it(tmp_path: Path) -> None:
    """Before: the cookie's value was the token itself, valid 7 days, with no logout."""
    app = create_app(runs_db=tmp_path / "r.sqlite", token=TOKEN)
    client = _signed_in(app)
    sid = client.cookies.get("exosci_session")
    assert sid and TOKEN not in sid and len(sid) >= 32
    assert client.get("/api/health").status_code == 200
    out = client.post("/api/logout")
    assert out.status_code == 200 and out.json()["ended"] is True
    replay = TestClient(app)
    replay.cookies.set("exosci_session", sid)
    assert replay.get("/api/health").status_code == 401  # the old id is dead server-side
    forged = TestClient(app)
    forged.cookies.set("exosci_token", TOKEN)
    forged.cookies.set("exosci_session", TOKEN)
    assert forged.get("/api/health").status_code == 401  # the token is no cookie value


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost:evil.example", 400),
        ("localhost:80:80", 400),
        ("user@localhost", 400),
        ("localhost:99999", 400),
        ("evil.example", 421),
        ("localhost:8000", 200),
        ("127.0.0.1", 200),
        ("[::1]:8000", 200),
    ],
)
def test_item10_host_header_is_parsed_strictly(tmp_path: Path, host: str, status: int) -> None:
    """Before: 'localhost:evil.example' was cut at its last colon and answered."""
    client = TestClient(create_app(runs_db=tmp_path / "r.sqlite"))
    assert client.get("/api/health", headers={"host": host}).status_code == status


@pytest.mark.parametrize("path", ["/", "/api/health", "/api/kb/search?q=nfkb", "/static/common.js"])
def test_item10_head_is_served_wherever_get_is(tmp_path: Path, path: str) -> None:
    """Before: HEAD / was 405."""
    client = TestClient(create_app(runs_db=tmp_path / "r.sqlite"))
    get, head = client.get(path), client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))
    assert _has_security_headers(head)
    assert client.head("/api/evaluate").headers["allow"] == "POST"  # no GET there: 405


def test_item10_base64_and_raw_nta_uploads_have_the_same_cap() -> None:
    """Before: the base64 text was capped at the raw cap in characters (15 MB of data)."""
    from exosci.qc.prep import NTAUpload

    largest = base64.b64encode(b"\0" * UPLOAD_BYTES_CEILING).decode()
    upload = NTAUpload.model_validate(
        {"filename": "x.txt", "content": largest, "encoding": "base64"}
    )
    assert len(upload.data()) == UPLOAD_BYTES_CEILING


def test_item10_over_the_cap_is_refused_alike_raw_or_base64(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EXOSCI_MAX_UPLOAD_BYTES", "3000")
    client = TestClient(create_app())
    data = b"7" * 3001
    raw = client.post(
        "/api/qc/nta", content=data, headers={"content-type": "application/octet-stream"}
    )
    assert raw.status_code == 413 and "3000-byte" in raw.json()["error"]
    prep = {
        "name": "p",
        "source": {"material": "conditioned medium"},
        "separation": {"method": "UC"},
        "particles": {
            "method": "NTA",
            "nta_export": {
                "filename": "x.txt",
                "content": base64.b64encode(data).decode(),
                "encoding": "base64",
            },
        },
    }
    inline = client.post("/api/qc/check", json=prep)
    assert inline.status_code == 422 and "3000 bytes limit" in inline.json()["error"]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """``exosci serve`` up to the point where uvicorn would start (the app it would serve)."""
    import uvicorn

    got: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: got.update(app=app, **kw))
    monkeypatch.delenv("EXOSCI_TOKEN", raising=False)
    monkeypatch.delenv("EXOSCI_TOKEN_FILE", raising=False)
    return got


def _serve(*args: str, **env: str) -> Any:
    from typer.testing import CliRunner

    from exosci.cli import app as cli

    return CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", *args], env=env or None)


def _guards_with(app: Any, token: str) -> bool:
    client = TestClient(app)
    return (
        client.get("/api/health").status_code == 401
        and client.get("/api/health", headers={"authorization": f"Bearer {token}"}).status_code
        == 200
    )


def test_item10_token_from_a_file_or_the_environment_without_a_warning(
    served: dict[str, Any], tmp_path: Path
) -> None:
    """Before: only --token/EXOSCI_TOKEN, and nothing said --token shows in `ps`."""
    secret = tmp_path / "token"
    secret.write_text(TOKEN + "\n")
    res = _serve("--token-file", str(secret))
    assert res.exit_code == 0, res.output
    assert "ps" not in res.output and _guards_with(served["app"], TOKEN)
    res = _serve(EXOSCI_TOKEN_FILE=str(secret))
    assert res.exit_code == 0 and _guards_with(served["app"], TOKEN)
    res = _serve(EXOSCI_TOKEN=TOKEN)
    assert res.exit_code == 0 and "warning" not in res.output
    assert _guards_with(served["app"], TOKEN)


def test_item10_token_on_the_command_line_warns_that_ps_shows_it(served: dict[str, Any]) -> None:
    res = _serve("--token", TOKEN)
    assert res.exit_code == 0
    assert "visible to every user" in res.output and "--token-file" in res.output


@pytest.mark.parametrize("weak", [" " * 12, "abcdefabcdef"])
def test_item10_serve_refuses_a_weak_token_with_exit_2(served: dict[str, Any], weak: str) -> None:
    res = _serve("--token", weak)
    assert res.exit_code == 2 and "openssl rand" in res.output
    assert "app" not in served  # nothing was served


def test_item10_empty_token_file_is_exit_2(served: dict[str, Any], tmp_path: Path) -> None:
    empty = tmp_path / "token"
    empty.write_text("\n")
    res = _serve("--token-file", str(empty))
    assert res.exit_code == 2 and "empty" in res.output


def test_item1_depth_check_of_the_largest_inline_upload_takes_under_2_s() -> None:
    """The check runs on the event loop before the body is parsed: a string-skipping regex with
    one alternation per character took 10 s on a 27 MB base64 NTA export (the inline cap)."""
    from exosci.limits import json_depth

    content = base64.b64encode(bytes(range(256)) * (UPLOAD_BYTES_CEILING // 256)).decode()
    body = json.dumps({"particles": {"nta_export": {"content": content, "note": 'a\\"[['}}})
    t0 = time.perf_counter()
    assert json_depth(body.encode()) == 3
    assert time.perf_counter() - t0 < 2.0
