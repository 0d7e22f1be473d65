"""``exosci.settings``: the one place environment variables are read, documented in one table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import exosci as ex
from exosci._settings import Settings, settings_table_markdown
from exosci.errors import UserInputError

ROOT = Path(__file__).resolve().parents[2]


def _reads_environment(tree: ast.AST) -> list[int]:
    """Lines that read the environment (``os.environ[...]``/``.get``, ``os.getenv``)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            lines.append(node.lineno)
    return lines


def test_only_the_settings_module_reads_environment_variables() -> None:
    # Two uses are not settings: the CLI asks whether the terminal width was given
    # (COLUMNS) and the plot worker pins BLAS threads in its own child's environment.
    allowed = {"_settings.py", "cli/_common.py", "cli/_plot_worker.py"}
    offenders = {}
    for path in sorted((ROOT / "src" / "exosci").rglob("*.py")):
        rel = path.relative_to(ROOT / "src" / "exosci").as_posix()
        lines = _reads_environment(ast.parse(path.read_text(encoding="utf-8")))
        if lines and rel not in allowed:
            offenders[rel] = lines
    assert not offenders, f"read the environment through exosci.settings: {offenders}"
    worker = (ROOT / "src/exosci/cli/_plot_worker.py").read_text(encoding="utf-8")
    assert "os.environ.get" not in worker and "getenv" not in worker


def test_the_docs_table_is_the_settings_table() -> None:
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    start = page.index("-->\n", page.index("<!-- settings-table")) + 4
    assert page[start : page.index("<!-- /settings-table -->")] == settings_table_markdown()


def test_every_variable_the_readme_names_is_a_setting() -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"EXOSCI_[A-Z_]+[A-Z]", readme))
    known = {o.env for o in Settings.options()}
    assert named <= known, f"README names variables that are no setting: {named - known}"
    assert "EXOSCI_WEB_WORKERS" in named  # was undocumented (issue 25)


def test_a_variable_applies_when_read_and_an_assignment_wins_until_reset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = Settings()
    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path / "a"))
    assert s.cache_dir == tmp_path / "a"
    s.cache_dir = tmp_path / "b"
    assert s.cache_dir == tmp_path / "b"
    s.reset()
    assert s.cache_dir == tmp_path / "a"


def test_the_three_cache_folders_follow_one_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from exosci.kb.cache import cache_dir
    from exosci.model.compiled import jit_dir

    monkeypatch.setenv("EXOSCI_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("EXOSCI_NO_CACHE", raising=False)
    assert cache_dir() == tmp_path
    assert jit_dir() == tmp_path / "jit"
    monkeypatch.setenv("EXOSCI_NO_CACHE", "1")
    assert cache_dir() is None
    monkeypatch.delenv("EXOSCI_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ex.settings.data_dir == tmp_path / "xdg" / "exosci" / "data"


def test_a_bad_cap_is_an_input_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from exosci.limits import UPLOAD_BYTES_CEILING, max_upload_bytes

    monkeypatch.setenv("EXOSCI_MAX_UPLOAD_BYTES", "lots")
    with pytest.raises(UserInputError, match="EXOSCI_MAX_UPLOAD_BYTES='lots'"):
        max_upload_bytes()
    monkeypatch.setenv("EXOSCI_MAX_UPLOAD_BYTES", str(10 * UPLOAD_BYTES_CEILING))
    assert max_upload_bytes() == UPLOAD_BYTES_CEILING  # lowers, never raises
    monkeypatch.setenv("EXOSCI_LOCK_TIMEOUT", "-3")
    assert ex.settings.lock_timeout == 120.0


def test_the_settings_repr_lists_every_setting_and_hides_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EXOSCI_TOKEN", "s3cret-token-value")
    text = repr(Settings())
    assert "s3cret" not in text
    assert all(o.name in text for o in Settings.options())
    assert "settings" in dir(ex)
