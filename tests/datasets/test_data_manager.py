"""fetch -> verify -> prepare -> enrich against a local server; failures leave nothing behind."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.datasets import DataError, fetch, read_manifest, verify
from exosci.datasets.manager import data_dir, prepared_path, raw_path
from exosci.datasets.registry import get_resource

from .conftest import Server, write_registry

runner = CliRunner()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _nothing_kept(name: str) -> None:
    res = get_resource(name)
    assert not raw_path(res).exists()
    assert not prepared_path(name).exists()
    assert name not in read_manifest()
    leftovers = (
        [p.name for p in raw_path(res).parent.glob("*")] if raw_path(res).parent.exists() else []
    )
    assert leftovers == []  # no temporary file next to where the file would be


def test_fetch_then_enrich_by_name_states_releases_and_never_downloads_again(
    local_registry: dict[str, dict[str, object]], server: Server, files: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["data", "fetch", "mirtarbase", "reactome", "--json"])
    assert result.exit_code == 0, result.output
    fetched = {d["name"]: d for d in json.loads(result.stdout)["fetched"]}
    assert fetched["mirtarbase"]["sha256"] == _sha(files / "miRTarBase_MTI.xlsx")
    assert fetched["reactome"]["sha256"] == _sha(files / "ReactomePathways.gmt.zip")
    assert fetched["mirtarbase"]["checksum_source"].startswith("first fetch")
    assert fetched["reactome"]["prepared_rows"] > 2694  # set-gene rows of 2,694 sets
    assert runner.invoke(app, ["data", "verify"]).exit_code == 0
    path = runner.invoke(app, ["data", "path", "mirtarbase"])
    assert Path(path.stdout.strip()) == raw_path(get_resource("mirtarbase"))

    requests_after_fetch = len(server.log)
    profile = tmp_path / "mirnas.txt"
    profile.write_text("hsa-miR-20a-5p\nhsa-miR-146a-5p\nMIMAT0000267\n", encoding="utf-8")
    out = runner.invoke(
        app,
        [
            "cargo",
            "enrich",
            str(profile),
            "--targets",
            "mirtarbase",
            "--genesets",
            "reactome",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    used = {r["name"]: r for r in doc["resources"]}
    # the served file is the release-7 excerpt: its header says so, whatever the registry offers
    assert used["mirtarbase"]["release"].startswith("before 9.0 (the header's column")
    assert used["mirtarbase"]["sha256"] == fetched["mirtarbase"]["sha256"]
    assert used["reactome"]["sha256"] == fetched["reactome"]["sha256"]
    gs = doc["gene_sets"]
    assert gs["given"] == 2694
    assert gs["tested"] + gs["skipped_too_small"] + gs["skipped_too_large"] == 2694
    assert doc["sets_tested"] == gs["tested"]
    # the excerpt's validated targets of miR-20a / miR-146a are in the query genes
    assert doc["query_genes"] >= 2
    assert len(server.log) == requests_after_fetch  # the analysis downloaded nothing

    text = runner.invoke(
        app, ["cargo", "enrich", str(profile), "--targets", "mirtarbase", "--genesets", "reactome"]
    )
    assert text.exit_code == 0, text.output
    assert "mirtarbase release before 9.0" in " ".join(text.stdout.split())
    assert f"gene sets: 2694 given, {gs['tested']} tested" in " ".join(text.stdout.split())

    from exosci.datasets import available

    assert [r["name"] for r in available("genesets")] == ["reactome"]
    assert [r["name"] for r in available("targets")] == ["mirtarbase"]

    again = fetch("mirtarbase")  # cached and verified: no second download
    assert again["action"] == "already fetched and verified"
    assert len(server.log) == requests_after_fetch


def test_analysis_without_the_resource_says_how_to_fetch_and_downloads_nothing(
    local_registry: dict[str, dict[str, object]], server: Server, tmp_path: Path
) -> None:
    profile = tmp_path / "mirnas.txt"
    profile.write_text("hsa-miR-21-5p\n", encoding="utf-8")
    out = runner.invoke(app, ["cargo", "enrich", str(profile), "--targets", "mirtarbase"])
    assert out.exit_code == 2
    assert "exosci data fetch mirtarbase" in out.output
    assert server.log == []


def test_checksum_mismatch_rejects_the_file_and_keeps_nothing(
    local_registry: dict[str, dict[str, object]],
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local_registry["mirbase"]["sha256"] = "0" * 64
    write_registry(tmp_path, local_registry, monkeypatch)
    with pytest.raises(DataError, match="checksum mismatch"):
        fetch("mirbase")
    _nothing_kept("mirbase")
    assert not list((data_dir() / ".partial").glob("*"))
    out = runner.invoke(app, ["data", "fetch", "mirbase"])
    assert out.exit_code == 2 and "checksum mismatch" in out.output


def test_pinned_checksum_that_matches_is_accepted(
    local_registry: dict[str, dict[str, object]],
    files: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local_registry["mirbase"]["sha256"] = _sha(files / "mature.fa")
    write_registry(tmp_path, local_registry, monkeypatch)
    info = fetch("mirbase")
    assert info["checksum_source"] == "registry (pinned)"
    assert info["prepared_rows"] == 21643  # every record of the shared mature.fa


def test_interrupted_download_leaves_no_file_in_place_and_resumes(
    local_registry: dict[str, dict[str, object]], server: Server, files: Path
) -> None:
    server.cut_once.add("/mature.fa")
    with pytest.raises(DataError, match="transfer stopped"):
        fetch("mirbase")
    _nothing_kept("mirbase")
    part = data_dir() / ".partial" / "mature.fa.part"
    kept = part.stat().st_size
    assert 0 < kept < (files / "mature.fa").stat().st_size

    info = fetch("mirbase")
    assert server.log[-1][1] == f"bytes={kept}-"  # asked only for the rest
    assert info["resumed_from_byte"] == kept
    assert info["sha256"] == _sha(files / "mature.fa")
    assert not part.exists()


def test_corrupted_download_is_not_kept_or_recorded(
    local_registry: dict[str, dict[str, object]], files: Path
) -> None:
    data = (files / "ReactomePathways.gmt.zip").read_bytes()
    (files / "ReactomePathways.gmt.zip").write_bytes(data[: len(data) // 3])  # truncated zip
    with pytest.raises(DataError, match="zip"):
        fetch("reactome")
    _nothing_kept("reactome")


def test_verify_catches_a_cached_file_that_changed(
    local_registry: dict[str, dict[str, object]],
) -> None:
    fetch("mirbase")
    assert verify("mirbase")["ok"]
    raw = raw_path(get_resource("mirbase"))
    raw.write_bytes(raw.read_bytes().replace(b"UGAGGUAG", b"UGAGGUAC", 1))
    report = verify("mirbase")
    assert not report["ok"] and "first-fetch" in report["resources"][0]["problem"]
    out = runner.invoke(app, ["data", "verify", "mirbase"])
    assert out.exit_code == 1 and "FAILED" in out.output


def test_manual_resource_explains_how_to_add_it(
    local_registry: dict[str, dict[str, object]],
) -> None:
    out = runner.invoke(app, ["data", "fetch", "exocarta"])
    assert out.exit_code == 2 and "exosci data add exocarta" in out.output
    assert runner.invoke(app, ["data", "fetch", "mirtarbse"]).exit_code == 2  # typo: close names


def test_prepared_store_loads_in_under_a_second(
    local_registry: dict[str, dict[str, object]],
) -> None:
    from exosci.cargo.genesets import resource_genesets
    from exosci.cargo.targets import resource_targets

    fetch("reactome")
    fetch("mirtarbase")
    timings = []
    for _ in range(3):  # best of three: the machine may be shared
        start = time.perf_counter()
        sets = resource_genesets("reactome")
        frame, info = resource_targets("mirtarbase")
        timings.append(time.perf_counter() - start)
    assert min(timings) < 1.0, timings
    assert len(sets) == 2694 and len(frame) > 0 and info["name"] == "mirtarbase"


def test_unreachable_source_says_how_to_get_the_file_by_hand(
    local_registry: dict[str, dict[str, object]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: Path,
) -> None:
    local_registry["mirbase"]["url"] = "http://127.0.0.1:9/mature.fa"  # nothing listens there
    write_registry(tmp_path, local_registry, monkeypatch)
    out = runner.invoke(app, ["data", "fetch", "mirbase"])
    assert out.exit_code == 2
    assert "exosci data add mirbase FILE" in " ".join(out.output.split())
    _nothing_kept("mirbase")
    added = runner.invoke(app, ["data", "add", "mirbase", str(files / "mature.fa"), "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["sha256"] == _sha(files / "mature.fa")
    assert verify("mirbase")["ok"]
    profile = tmp_path / "m.txt"
    profile.write_text("hsa-miR-21-5p\n", encoding="utf-8")
    used = runner.invoke(app, ["cargo", "enrich", str(profile), "--mature-fa", "mirbase", "--json"])
    assert used.exit_code == 0, used.output
    assert "mature.fa" in json.loads(used.stdout)["mirnas"]["reference"]
