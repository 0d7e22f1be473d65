"""Issue 13, items 4-10 through the CLI: every bad number, path or size is exit 2 before work.

Each test names the issue item it guards; each failed on the code before the hardening.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from exosci.cli import app
from exosci.web import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = EXAMPLES / "iv-bmsc-exos-rat.yaml"
RELEASE = EXAMPLES / "release-ha-hydrogel.csv"
MIRNAS = EXAMPLES / "cargo-bmsc-mirnas.txt"
runner = CliRunner()
client = TestClient(create_app())


def _run(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stderr + res.stdout


def _spec(tmp_path: Path, **changes: object) -> Path:
    doc = yaml.safe_load(SPEC.read_text())
    doc.update(changes)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


# -- item 4: never write over an input; --force for an existing report ----------------------


def test_item4_report_sidecar_never_overwrites_the_input_spec(tmp_path: Path) -> None:
    spec = tmp_path / "design.json"
    spec.write_text(json.dumps(yaml.safe_load(SPEC.read_text())))
    before = spec.read_bytes()
    code, out = _run("evaluate", str(spec), "-o", str(tmp_path / "design.html"), "--json")
    assert code == 2, out
    assert "input" in out
    assert spec.read_bytes() == before


def test_item4_existing_report_needs_force(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text("an earlier report")
    code, out = _run("evaluate", str(SPEC), "-o", str(report), "--samples", "10", "--json")
    assert code == 2 and "--force" in out
    assert report.read_text() == "an earlier report"
    code, out = _run(
        "evaluate", str(SPEC), "-o", str(report), "--samples", "10", "--json", "--force"
    )
    assert code == 0, out
    assert "<html" in report.read_text().lower()


# -- item 5: a YAML alias bomb is refused at once, and messages stay short -------------------

BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    + ["name: *i"]
)


def test_item5_alias_bomb_in_a_spec_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    start = time.monotonic()
    code, out = _run("simulate", str(path), "-n", "10", "--json")
    assert code == 2
    assert time.monotonic() - start < 10
    assert "alias" in out and len(out) < 2000


def test_item5_alias_bomb_in_a_preparation_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "prep.yaml"
    path.write_text(BOMB)
    start = time.monotonic()
    code, out = _run("qc", "check", str(path), "--json")
    assert code == 2 and "alias" in out
    assert time.monotonic() - start < 10


def test_item5_error_messages_quote_only_a_prefix_of_a_value(tmp_path: Path) -> None:
    path = _spec(tmp_path, species="x" * 50_000)
    code, out = _run("simulate", str(path), "-n", "10", "--json")
    assert code == 2 and len(out) < 2000


# -- item 6: unbounded work is refused at the edge ------------------------------------------


def _sparse(path: Path, size: int, head: bytes) -> Path:
    """A file of ``size`` bytes on disk (sparse: fast to make, real to stat and read)."""
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


BIG = 200 * 1024 * 1024


@pytest.mark.parametrize(
    ("args", "head"),
    [
        (["release", "fit", "{f}"], b"time_h,pct\n0,0\n"),
        (["qc", "nta", "{f}"], b"Version,3.4\n"),
        (["cargo", "enrich", "{f}"], b"miR-21-5p\n"),
    ],
)
def test_item6_a_200_mb_input_is_refused_before_it_is_read(
    tmp_path: Path, args: list[str], head: bytes
) -> None:
    big = _sparse(tmp_path / "big.txt", BIG, head)
    start = time.monotonic()
    code, out = _run(*[a.format(f=big) for a in args])
    assert code == 2, out
    assert "limit" in out
    assert time.monotonic() - start < 10


def test_item6_counts_are_capped() -> None:
    code, out = _run("cargo", "enrich", str(MIRNAS), "--permutations", "100000000")
    assert code == 2
    code, out = _run("simulate", str(SPEC), "-n", "100000000")
    assert code == 2
    code, out = _run("kb", "search", "a" * 8000)
    assert code == 2 and "limit" in out


def test_item6_long_search_is_refused_quickly_by_the_api() -> None:
    start = time.monotonic()
    res = client.get("/api/kb/search", params={"q": "nfkb " * 1600})
    assert res.status_code == 422
    assert time.monotonic() - start < 2


# -- item 7: no 500s / exit 1 from numbers ---------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", str(SPEC), "-n", "10", "--seed", "-1"],
        ["evaluate", str(SPEC), "--samples", "10", "--seed", "-1"],
        ["compare", str(SPEC), str(SPEC), "--samples", "10", "--seed", "-1"],
        ["release", "fit", str(RELEASE), "--seed", "-1"],
        ["cargo", "enrich", str(MIRNAS), "--seed", "-1"],
    ],
)
def test_item7_negative_seed_is_exit_2(args: list[str]) -> None:
    code, _ = _run(*args)
    assert code == 2


def test_item7_api_bad_numbers_are_422_not_500() -> None:
    spec = yaml.safe_load(SPEC.read_text())
    for route in ("/api/simulate", "/api/evaluate"):
        res = client.post(route, json=spec, params={"seed": -1, "samples": 10})
        assert res.status_code == 422, (route, res.text)
    for top in ('"abc"', "null", "Infinity"):
        body = '{"mirnas": ["miR-21-5p"], "top": ' + top + "}"
        res = client.post(
            "/api/cargo/enrich", content=body, headers={"content-type": "application/json"}
        )
        assert res.status_code == 422, (top, res.text)
    text = json.dumps(spec).replace('"amount": 200', '"amount": Infinity')
    res = client.post(
        "/api/simulate",
        content=text,
        params={"samples": 10},
        headers={"content-type": "application/json"},
    )
    assert res.status_code == 422, res.text


# -- item 8: garbage never succeeds ------------------------------------------------------------


@pytest.mark.parametrize("amount", [".inf", "1e30", ".nan"])
def test_item8_absurd_doses_are_refused(tmp_path: Path, amount: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.read_text().replace("amount: 200", f"amount: {amount}"))
    code, out = _run("simulate", str(path), "-n", "10", "--json")
    assert code == 2, out
    assert "dose" in out


@pytest.mark.parametrize("dilution", ["nan", "inf", "-5", "0"])
def test_item8_dilution_must_be_finite_and_positive(shared: Path, dilution: str) -> None:
    export = sorted((shared / "data/nta/nanosight").glob("*.csv"))[0]
    code, out = _run("qc", "nta", str(export), "--dilution", dilution, "--json")
    assert code == 2, out
    assert "NaN" not in out and "Infinity" not in out


def test_item8_absurd_release_times_and_flat_zero_curves(tmp_path: Path) -> None:
    far = tmp_path / "far.csv"
    far.write_text("time_h,pct\n0,0\n1,10\n1e300,50\n")
    code, out = _run("release", "fit", str(far), "--json")
    assert code == 2 and "beyond" in out
    flat = tmp_path / "flat.csv"
    flat.write_text("time_h,pct\n0,0\n1,0\n2,0\n4,0\n")
    code, out = _run("release", "fit", str(flat), "--json")
    assert code == 2 and "0 %" in out


# -- item 9: exit 2 (not 1) for bad output paths, stores and options --------------------------


def test_item9_outputs_into_missing_folders_or_onto_folders(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "x.png"
    checks = [
        ["cargo", "enrich", str(MIRNAS), "--plot", str(missing)],
        ["cargo", "enrich", str(MIRNAS), "--plot", str(tmp_path)],
        ["simulate", str(SPEC), "-n", "10", "--sbml", str(missing)],
        ["simulate", str(SPEC), "-n", "10", "--plot", str(tmp_path)],
        ["release", "fit", str(RELEASE), "--plot", str(missing)],
        ["evaluate", str(SPEC), "--samples", "10", "-o", str(tmp_path)],
        ["kb", "build", str(tmp_path / "nope" / "kb.duckdb")],
        ["kb", "build", str(tmp_path)],
    ]
    for args in checks:
        code, out = _run(*args)
        assert code == 2, (args, out)


def test_item9_store_that_is_not_a_store(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"this is not a database" * 100)
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    for store in (garbage, empty, tmp_path):
        for args in (
            ["kb", "stats", "--store", str(store)],
            ["cargo", "enrich", str(MIRNAS), "--store", str(store)],
        ):
            code, out = _run(*args)
            assert code == 2, (args, out)
    code, out = _run("kb", "import", str(MIRNAS), "--kind", "gmt", "--store", str(garbage))
    assert code == 2, out


def test_item9_compare_samples_0_and_unreachable_scheduler() -> None:
    code, _ = _run("compare", str(SPEC), str(SPEC), "--samples", "0")
    assert code == 2
    start = time.monotonic()
    code, out = _run("simulate", str(SPEC), "-n", "10", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2, out
    assert time.monotonic() - start < 10


# -- item 10: negative counts and profile --max-length ----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["cargo", "enrich", str(MIRNAS), "--min-size", "-1"],
        ["cargo", "enrich", str(MIRNAS), "--max-size", "-5"],
        ["cargo", "enrich", str(MIRNAS), "--top", "-3"],
        ["cargo", "enrich", str(MIRNAS), "--permutations", "-10"],
        ["kb", "search", "nfkb", "--limit", "-1"],
        ["explain", "BMSC-HSEV", "--to", "NF-kB", "--limit", "-1"],
        ["kb", "profile", "BMSC-HSEV", "--max-length", "100"],
    ],
)
def test_item10_negative_or_out_of_range_options_are_exit_2(args: list[str]) -> None:
    code, out = _run(*args)
    assert code == 2, out


def test_item10_caps_are_stated_in_help() -> None:
    _, out = _run("cargo", "enrich", "--help")
    assert "0<=x<=10000" in out.replace(" ", "")
    _, out = _run("simulate", "--help")
    assert "1<=x<=200000" in out.replace(" ", "") and "upto20000" in out.replace(" ", "")


def test_json_output_is_strict_json(tmp_path: Path) -> None:
    """A NaN that reaches --json becomes null: the document parses as strict JSON."""
    from exosci.cli._common import emit_json

    capture = tmp_path / "out.json"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        emit_json({"a": float("nan"), "b": [1.0, float("inf")]})
    capture.write_text(buf.getvalue())
    assert json.loads(capture.read_text(), parse_constant=lambda c: pytest.fail(c)) == {
        "a": None,
        "b": [1.0, None],
    }
