from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
MTI_HEADER = [
    "miRTarBase ID",
    "miRNA",
    "Species (miRNA)",
    "Target Gene",
    "Target Gene (Entrez Gene ID)",
    "Species (Target Gene)",
    "Experiments",
    "Support Type",
    "References (PMID)",
]


def write_mti(path: Path, n: int, *, tag: str = "A") -> Path:
    """A miRTarBase-schema CSV with ``n`` distinct human miRNA-target rows."""
    rows = [
        [
            f"MIRT{tag}{i}",
            f"hsa-miR-{100 + i % 500}-5p",
            "Homo sapiens",
            f"G{tag}{i}",
            str(100000 + i),
            "Homo sapiens",
            "Luciferase reporter assay",
            "Functional MTI",
            str(i),
        ]
        for i in range(n)
    ]
    pd.DataFrame(rows, columns=MTI_HEADER).to_csv(path, index=False)
    return path


def exosci_cmd(*args: str) -> list[str]:
    """The CLI run in a fresh interpreter with this checkout's sources first."""
    return [sys.executable, "-c", "from exosci.cli import main; main()", *args]


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def run_cli(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        exosci_cmd(*args), capture_output=True, text=True, timeout=timeout, env=cli_env(**env)
    )


class Cli:
    """Run the CLI in fresh interpreters (the tests need real processes: locks, kill -9)."""

    cmd = staticmethod(exosci_cmd)
    env = staticmethod(cli_env)
    run = staticmethod(run_cli)


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def mti_file() -> object:
    """``write_mti(path, n, tag=...)``: a miRTarBase-schema CSV of ``n`` distinct rows."""
    return write_mti


@pytest.fixture
def mti(tmp_path: Path) -> Path:
    return write_mti(tmp_path / "mti_small.csv", 4)
