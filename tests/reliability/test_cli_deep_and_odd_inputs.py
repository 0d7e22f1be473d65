"""Issue 26, item 1 (CLI part): deep documents, an unusable data folder, a folder as the report,
and a malformed manifest each give exit 2 and a message, never "internal error" (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.limits import MAX_NESTING_DEPTH, json_depth

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = EXAMPLES / "iv-bmsc-exos-rat.yaml"
DEPTH = 600  # issue 26: >= 500 levels raised RecursionError
runner = CliRunner()


def _deep_yaml_flow(path: Path) -> Path:
    path.write_text("name: deep\nnotes: " + "[" * DEPTH + "]" * DEPTH + "\n", encoding="utf-8")
    return path


def _deep_yaml_block(path: Path) -> Path:
    lines = ["name: deep", "notes:"] + [" " * (i + 1) + "a:" for i in range(DEPTH)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _deep_json(path: Path) -> Path:
    path.write_text('{"name": "deep", "notes": ' + "[" * 5000 + "]" * 5000 + "}")
    return path


def _assert_depth_refusal(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert f"the limit is {MAX_NESTING_DEPTH} levels" in " ".join(result.output.split())


@pytest.mark.parametrize("make", [_deep_yaml_flow, _deep_yaml_block, _deep_json])
def test_a_deeply_nested_spec_is_refused_naming_the_depth_limit_by_evaluate_and_simulate(
    tmp_path: Path, make: object
) -> None:
    suffix = ".json" if make is _deep_json else ".yaml"
    spec = make(tmp_path / f"deep{suffix}")  # type: ignore[operator]
    _assert_depth_refusal(["evaluate", str(spec), "-o", str(tmp_path / "r.html")])
    _assert_depth_refusal(["simulate", str(spec), "-n", "10"])


def test_a_deeply_nested_preparation_is_refused_by_qc_check(tmp_path: Path) -> None:
    _assert_depth_refusal(["qc", "check", str(_deep_yaml_block(tmp_path / "prep.yaml"))])
    _assert_depth_refusal(["qc", "check", str(_deep_yaml_flow(tmp_path / "prep2.yaml"))])


def test_json_depth_skips_brackets_inside_strings() -> None:
    assert json_depth('{"a": "[[[[[[", "b": [[1]]}') == 3
    assert json_depth('["\\"[[[", {}]') == 2
    assert json_depth(b"[" * 700 + b"]" * 700) == 700


def test_a_data_folder_that_is_a_file_gets_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for args in (["data", "list"], ["data", "verify"], ["data", "path", "mirbase"]):
        result = runner.invoke(app, args, env={"EXOSCI_DATA_DIR": str(blocker)})
        assert result.exit_code == 2, (args, result.output)
        text = " ".join(result.output.split())
        assert "is a file, not a folder" in text and "EXOSCI_DATA_DIR" in text
    below = runner.invoke(app, ["data", "list"], env={"EXOSCI_DATA_DIR": str(blocker / "d")})
    assert below.exit_code == 2 and "is a file" in below.output


@pytest.mark.parametrize("target", [".", "/", "..", "{tmp}"])
def test_evaluate_to_a_folder_is_refused_before_any_work(tmp_path: Path, target: str) -> None:
    out = target.format(tmp=tmp_path)
    result = runner.invoke(app, ["evaluate", str(SPEC), "-o", out])
    assert result.exit_code == 2, result.output
    assert "is a folder; expected a file name to write" in " ".join(result.output.split())


@pytest.mark.parametrize(
    "manifest",
    [
        {"mirbase": [1, 2]},
        {"mirbase": "raw/mirbase/mature.fa"},
        [1],
        {"mirbase": {"path": 5, "sha256": "x"}},
    ],
)
def test_a_manifest_whose_entries_are_not_objects_is_refused(
    tmp_path: Path, manifest: object
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    env = {"EXOSCI_DATA_DIR": str(folder)}
    for args in (["data", "list"], ["data", "path", "mirbase"], ["data", "verify"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 2, (args, result.output)
        assert "manifest" in result.output and "internal error" not in result.output


def test_the_shipped_examples_are_far_below_the_depth_limit() -> None:
    import yaml

    def depth(obj: object) -> int:
        if isinstance(obj, dict):
            return 1 + max((depth(v) for v in obj.values()), default=0)
        if isinstance(obj, list):
            return 1 + max((depth(v) for v in obj), default=0)
        return 0

    for path in EXAMPLES.glob("*.yaml"):
        assert depth(yaml.safe_load(path.read_text())) < MAX_NESTING_DEPTH // 4, path
