"""Issue 26, items 2 and 3: downloads that cannot splice, checksums that stay strings, release
labels from the file, and names and manifest paths that stay inside the data folder."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.datasets import DataError, fetch, verify
from exosci.datasets.manager import data_dir, raw_path
from exosci.datasets.registry import get_resource
from exosci.errors import UserInputError

from .conftest import Server, write_registry

runner = CliRunner()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _interrupt_then_change(server: Server, files: Path) -> tuple[bytes, bytes]:
    """A fetch of mature.fa that stops halfway, then a new version of the file on the server."""
    server.cut_once.add("/mature.fa")
    with pytest.raises(DataError, match="transfer stopped"):
        fetch("mirbase")
    old = (files / "mature.fa").read_bytes()
    new = old.replace(b"UGAGGUAG", b"UGAGGUAC")  # same length: only the content differs
    assert new != old and len(new) == len(old)
    (files / "mature.fa").write_bytes(new)
    return old, new


def test_a_file_changed_on_the_server_before_the_resume_is_downloaded_whole_not_spliced(
    local_registry: dict[str, dict[str, object]], server: Server, files: Path
) -> None:
    old, new = _interrupt_then_change(server, files)
    kept = (data_dir() / ".partial" / "mature.fa.part").stat().st_size
    info = fetch("mirbase")
    assert info["sha256"] == hashlib.sha256(new).hexdigest()  # the new version, whole
    assert server.log[-1][1] == f"bytes={kept}-" and server.if_range[-1]  # asked conditionally
    assert info["resumed_from_byte"] == 0 and "changed" in info["restarted_from_zero"]
    spliced = old[:kept] + new[kept:]
    assert _sha(raw_path(get_resource("mirbase"))) != hashlib.sha256(spliced).hexdigest()
    assert verify("mirbase")["ok"]


def test_without_etag_or_last_modified_a_resume_starts_again_from_zero(
    local_registry: dict[str, dict[str, object]], server: Server, files: Path
) -> None:
    server.validators = False
    _old, new = _interrupt_then_change(server, files)
    info = fetch("mirbase")
    assert server.log[-1][1] == ""  # no Range: nothing kept can be vouched for
    assert info["sha256"] == hashlib.sha256(new).hexdigest()
    assert "no ETag or Last-Modified" in info["restarted_from_zero"]


def test_a_server_that_ignores_if_range_cannot_splice_either(
    local_registry: dict[str, dict[str, object]], server: Server, files: Path
) -> None:
    server.honour_if_range = False  # answers 206 from the new file despite If-Range
    _old, new = _interrupt_then_change(server, files)
    info = fetch("mirbase")
    assert info["sha256"] == hashlib.sha256(new).hexdigest()
    assert server.log[-1][1] == ""  # the 206 was refused and the file fetched again whole


def test_an_unchanged_file_still_resumes_with_if_range(
    local_registry: dict[str, dict[str, object]], server: Server, files: Path
) -> None:
    server.cut_once.add("/mature.fa")
    with pytest.raises(DataError):
        fetch("mirbase")
    kept = (data_dir() / ".partial" / "mature.fa.part").stat().st_size
    info = fetch("mirbase")
    assert info["resumed_from_byte"] == kept > 0
    assert server.if_range[-1].startswith('"')  # the strong ETag of the first answer
    assert info["sha256"] == _sha(files / "mature.fa")


def test_a_digits_only_checksum_pin_is_a_mismatch_not_dropped(
    local_registry: dict[str, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # written by hand, unquoted: YAML 1.1 would read it as the integer 0 (and drop the pin)
    path = tmp_path / "registry.yaml"
    url = local_registry["mirbase"]["url"]
    path.write_text(f"mirbase:\n  url: {url}\n  sha256: {'0' * 64}\n", encoding="utf-8")
    monkeypatch.setenv("EXOSCI_DATA_REGISTRY", str(path))
    assert get_resource("mirbase").sha256 == "0" * 64
    out = runner.invoke(app, ["data", "fetch", "mirbase"])
    assert out.exit_code == 2 and "checksum mismatch" in out.output
    assert not raw_path(get_resource("mirbase")).exists()


def test_a_checksum_pin_that_is_not_sha256_is_refused(
    local_registry: dict[str, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_registry["mirbase"]["sha256"] = "12345"
    write_registry(tmp_path, local_registry, monkeypatch)
    with pytest.raises(UserInputError, match="expected 64 hexadecimal digits"):
        get_resource("mirbase")


def test_data_add_of_a_release_7_excerpt_is_not_labelled_release_9(
    local_registry: dict[str, dict[str, object]], shared: Path, tmp_path: Path
) -> None:
    excerpt = shared / "data" / "mirtarbase" / "test_mirtarbase.xlsx"
    out = runner.invoke(app, ["data", "add", "mirtarbase", str(excerpt), "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.stdout)
    assert "9.0" not in info["release"].split()[0] and info["release"].startswith("before 9.0")
    listed = json.loads(runner.invoke(app, ["data", "list", "--json"]).stdout)
    row = next(r for r in listed["resources"] if r["name"] == "mirtarbase")
    assert row["release"] == info["release"] and row["registry_release"] == "9.0 (2022)"
    named = tmp_path / "miRTarBase_MTI_7.0.xlsx"
    shutil.copyfile(excerpt, named)
    again = json.loads(
        runner.invoke(app, ["data", "add", "mirtarbase", str(named), "--json"]).stdout
    )
    assert again["release"] == "7.0" and "file name" in again["release_basis"]


def test_a_user_file_with_no_release_evidence_is_unknown_unless_stated(
    local_registry: dict[str, dict[str, object]], files: Path
) -> None:
    out = runner.invoke(app, ["data", "add", "mirbase", str(files / "mature.fa"), "--json"])
    assert json.loads(out.stdout)["release"] == "unknown (user file)"
    stated = runner.invoke(
        app, ["data", "add", "mirbase", str(files / "mature.fa"), "--release", "21", "--json"]
    )
    assert json.loads(stated.stdout)["release"] == "21"


@pytest.mark.parametrize(
    "entry",
    [
        {
            "../../evil": {
                "url": "http://127.0.0.1:9/x.fa",
                "title": "t",
                "kind": "mirbase",
                "release": "1",
                "homepage": "h",
                "licence": "l",
                "citation": "c",
                "filename": "x.fa",
            }
        },
        {"mirbase": {"filename": "../../../evil.fa"}},
        {"mirbase": {"filename": "/etc/passwd"}},
    ],
)
def test_resource_and_file_names_cannot_leave_the_data_folder(
    local_registry: dict[str, dict[str, object]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entry: dict[str, dict[str, object]],
) -> None:
    write_registry(tmp_path, {**local_registry, **entry}, monkeypatch)
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (["data", "list"], ["data", "fetch", next(iter(entry))]):
        out = runner.invoke(app, args)
        assert out.exit_code == 2, out.output
        assert "expected" in out.output and "internal error" not in out.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no evil/ or evil.duckdb
    assert not (tmp_path.parent / "evil").exists()


def test_a_manifest_pointing_outside_the_data_folder_is_refused(
    local_registry: dict[str, dict[str, object]],
) -> None:
    fetch("mirbase")
    manifest = data_dir() / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["mirbase"]["path"] = "/etc/passwd"
    manifest.write_text(json.dumps(doc))
    out = runner.invoke(app, ["data", "path", "mirbase"])
    assert out.exit_code == 2 and "outside the data folder" in " ".join(out.output.split())
    assert "/etc/passwd" not in out.stdout
    doc["mirbase"]["path"] = str(data_dir() / "raw" / "mirbase" / ".." / ".." / "manifest.json")
    manifest.write_text(json.dumps(doc))
    assert runner.invoke(app, ["data", "verify"]).exit_code == 2


def test_a_symlinked_resource_folder_pointing_outside_is_refused(
    local_registry: dict[str, dict[str, object]], tmp_path: Path
) -> None:
    fetch("mirbase")
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = data_dir() / "raw" / "mirbase"
    shutil.move(str(folder / "mature.fa"), outside / "mature.fa")
    folder.rmdir()
    folder.symlink_to(outside)
    out = runner.invoke(app, ["data", "path", "mirbase"])
    assert out.exit_code == 2 and "outside the data folder" in " ".join(out.output.split())
