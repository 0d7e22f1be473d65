"""A local HTTP server on 127.0.0.1 serving real sample files, and a registry pointing at it."""

from __future__ import annotations

import hashlib
import shutil
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml


@dataclass
class Server:
    root: Path
    url: str
    log: list[tuple[str, str]] = field(default_factory=list)  # (path, Range header)
    cut_once: set[str] = field(default_factory=set)  # paths whose next GET stops halfway
    validators: bool = True  # send ETag and Last-Modified (as real download servers do)
    honour_if_range: bool = True  # False: a broken server that ignores If-Range
    if_range: list[str] = field(default_factory=list)  # If-Range header of each GET


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:  # http.server's name
            rng = self.headers.get("Range", "")
            server.log.append((self.path, rng))
            if_range = self.headers.get("If-Range", "")
            server.if_range.append(if_range)
            path = server.root / self.path.lstrip("/")
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            if if_range and if_range != etag and server.honour_if_range:
                rng = ""  # RFC 9110: a changed representation is sent whole (200)
            start = 0
            if rng.startswith("bytes="):
                start = int(rng[6:].split("-")[0])
                if start >= len(data):
                    self.send_response(416)
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            if server.validators:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if self.path in server.cut_once:  # announce everything, send half, hang up
                server.cut_once.discard(self.path)
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture
def files(shared: Path, tmp_path: Path) -> Path:
    """The shared sample files, laid out as the real sites name them."""
    root = tmp_path / "site"
    root.mkdir()
    data = shared / "data"
    shutil.copyfile(data / "mirtarbase" / "test_mirtarbase.xlsx", root / "miRTarBase_MTI.xlsx")
    shutil.copyfile(data / "mirbase" / "mature.fa", root / "mature.fa")
    with zipfile.ZipFile(root / "ReactomePathways.gmt.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(data / "reactome" / "ReactomePathways_2024-09-18.gmt", "ReactomePathways.gmt")
    return root


@pytest.fixture
def server(files: Path) -> Iterator[Server]:
    srv = Server(files, "")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(srv))
    srv.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield srv
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local_registry(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, dict[str, object]]:
    """Point the registry's real resources at the local server; a fresh data folder."""
    entries: dict[str, dict[str, object]] = {
        "mirtarbase": {"url": f"{server.url}/miRTarBase_MTI.xlsx"},
        "reactome": {"url": f"{server.url}/ReactomePathways.gmt.zip"},
        "mirbase": {"url": f"{server.url}/mature.fa"},
    }
    write_registry(tmp_path, entries, monkeypatch)
    monkeypatch.setenv("EXOSCI_DATA_DIR", str(tmp_path / "data"))
    return entries


def write_registry(
    tmp_path: Path, entries: dict[str, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    monkeypatch.setenv("EXOSCI_DATA_REGISTRY", str(path))
