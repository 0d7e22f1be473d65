"""The knowledge-graph queries stay cheap: each CLI process imports only what its query needs.

``kb show``, ``kb search``, ``kb ref``, ``kb profile`` and ``explain`` read the cached curated records; they
must not load the data-frame, graph-library or numeric stacks (each costs 0.1-0.5 s of CPU per
call). A fresh interpreter runs the real entry point and reports what it imported, so an eager
import added anywhere on these paths fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Modules no knowledge-graph query needs (DuckDB and YAML: only building the store does).
HEAVY = ("pandas", "numpy", "scipy", "networkx", "pyarrow", "matplotlib", "duckdb", "yaml")

_PROBE = """
import json, sys
args, watched = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
from exosci.cli import main
sys.argv = ["exosci", *args]
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
else:
    code = 0
heavy = sorted({m.split(".")[0] for m in sys.modules} & watched)
sys.stderr.write("\\nPROBE " + json.dumps({"code": code, "heavy": heavy}) + "\\n")
"""


def _run(args: list[str]) -> tuple[str, dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = proc.stderr.rsplit("PROBE ", 1)
    assert len(line) == 2, proc.stderr[-2000:]
    return proc.stdout, json.loads(line[1])


@pytest.fixture(scope="module", autouse=True)
def _warm_cache() -> None:
    """The first query of a fresh cache builds the store (that may import anything)."""
    subprocess.run(
        [sys.executable, "-c", "from exosci.kb.store import default_kb; default_kb()"],
        check=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["kb", "show", "BMSC-Exos"], "BMSC-Exos"),
        (["kb", "show", "BMSC-Exos", "--json"], '"statements"'),
        (["kb", "search", "BMSC"], "BMSC"),
        (["kb", "ref", "12"], "12."),
        (["explain", "BMSC-Exos", "--to", "angiogenesis"], "angiogenesis"),
        (["explain", "BMSC-Exos", "--to", "angiogenesis", "--json"], '"paths"'),
    ],
)
def test_kb_queries_and_explain_import_no_dataframe_graph_or_numeric_stack(
    args: list[str], expect: str
) -> None:
    out, probe = _run(args)
    assert probe["code"] == 0 and expect in out  # the query ran and answered
    assert probe["heavy"] == [], f"`exosci {' '.join(args)}` imported {probe['heavy']}"


def test_kb_profile_imports_no_dataframe_graph_or_numeric_stack() -> None:
    """The profile also reads the outcome table (YAML, parsed with libyaml), but no pandas."""
    out, probe = _run(["kb", "profile", "BMSC-Exos"])
    assert probe["code"] == 0 and "mechanism profile" in out
    assert probe["heavy"] in ([], ["yaml"]), probe["heavy"]


def test_an_unknown_name_suggests_close_names_without_the_heavy_stack() -> None:
    _, probe = _run(["kb", "show", "BMSC-Exoz"])
    assert probe["code"] == 2
    assert probe["heavy"] == []
