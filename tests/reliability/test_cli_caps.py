"""Issue 26, item 9: the CLI's caps equal the API's unless a flag raises them; a huge value is
never echoed whole (a 15 MB miRNA name was printed in full after 104 s of resolving)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exosci.cli import app
from exosci.limits import MAX_MIRNAS, MAX_NAME_CHARS

runner = CliRunner()


@pytest.mark.slow
def test_cargo_enrich_caps_names_at_the_apis_limit_unless_raised(tmp_path: Path) -> None:
    listing = tmp_path / "many.txt"
    listing.write_text("".join(f"hsa-miR-{i}-5p\n" for i in range(MAX_MIRNAS + 1)))
    capped = runner.invoke(app, ["cargo", "enrich", str(listing)])
    assert capped.exit_code == 2, capped.output
    text = " ".join(capped.output.split())
    assert f"more than the {MAX_MIRNAS:,} accepted" in text and "--max-names" in text
    raised = runner.invoke(app, ["cargo", "enrich", str(listing), "--max-names", "2000"])
    assert "--max-names" not in raised.output and "internal error" not in raised.output
    assert raised.exit_code == 0, raised.output


def test_a_15_mb_name_is_refused_quickly_and_echoed_short(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_text("hsa-miR-" + "x" * 15_000_000 + "\n")
    start = time.perf_counter()
    result = runner.invoke(app, ["cargo", "enrich", str(huge)])
    assert time.perf_counter() - start < 20
    assert result.exit_code == 2
    assert len(result.output) < 1000, len(result.output)
    assert f"longer than {MAX_NAME_CHARS} characters" in " ".join(result.output.split())
    assert "15000008 characters" in result.output  # says how long it was


def test_a_long_error_message_is_cut_by_the_cli(tmp_path: Path) -> None:
    from exosci.cli._common import MAX_MESSAGE_CHARS, _clip

    assert _clip("x" * 10) == "x" * 10
    cut = _clip("y" * 1_000_000)
    assert len(cut) < MAX_MESSAGE_CHARS + 100 and "1,000,000 characters" in cut
