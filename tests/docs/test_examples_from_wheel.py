"""Issue 21, "done when": every code line of the README's Python section and of each tutorial
runs from an installed wheel in a fresh venv, in a temporary folder, with no checkout path on
``sys.path`` (the sample files come from ``ex.datasets``, not from examples/).

The wheel is built with ``pip wheel --no-deps``; the venv sees the dependencies through a ``.pth``
line naming this interpreter's site-packages (a plain path: the editable install's own ``.pth``
hooks there are not run, so ``import exosci`` must find the wheel)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# docs/tutorials/meta.md reads the user's own studies.csv (its owner documents the file format)
TUTORIALS = ("cargo.md", "evaluate.md", "evidence.md", "qc-release.md")


def _python_blocks(path: Path, section: str | None = None) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if section is not None:
        start = text.index(section)
        nxt = text.find("\n## ", start + len(section))
        text = text[start : nxt if nxt != -1 else None]
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _blocks() -> list[tuple[str, str]]:
    out = [("README", b) for b in _python_blocks(ROOT / "README.md", "## From Python")]
    for name in TUTORIALS:
        out += [(name, b) for b in _python_blocks(ROOT / "docs" / "tutorials" / name)]
    return out


def test_the_readme_and_tutorials_have_python_to_run() -> None:
    names = {n for n, _ in _blocks()}
    assert names == {"README", *TUTORIALS}


@pytest.fixture(scope="module")
def wheel_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp / "dist").glob("exosci-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # install the wheel by unpacking it (pip is not in the venv; --no-deps either way)
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(purelib)
    Path(purelib, "zz_shared_deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return py


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(_blocks())))
def test_every_line_runs_from_the_installed_wheel(
    wheel_python: Path, tmp_path: Path, index: int
) -> None:
    where, code = _blocks()[index]
    probe = (
        "import exosci, sys\n"
        f"assert not exosci.__file__.startswith({str(ROOT)!r}), exosci.__file__\n"
        # the dependencies' site-packages may sit inside the checkout (CI's .venv); the
        # checkout's code and examples must not be on the path
        f"assert not any(p.startswith({str(ROOT)!r}) and 'site-packages' not in p "
        "for p in sys.path), sys.path\n"
    )
    script = tmp_path / "block.py"
    script.write_text(probe + code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    run = subprocess.run(
        [str(wheel_python), str(script)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, f"{where}:\n{code}\n{run.stderr[-3000:]}"
