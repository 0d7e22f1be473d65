"""Huge numbers in an NTA export: a clear FileFormatError or finite statistics, never a crash.

Each parser is fed its real export with one number at a time replaced by an extreme value
(1e308, -1e308, 1e-308, 1e30); the reader must either refuse the file naming the line or
return a report whose every number is finite (issue 26, item 1: ``Number`` = 1e308 in a
ZetaView export raised ``OverflowError`` from ``int(inf)``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from exosci.errors import FileFormatError
from exosci.qc import read_nta

ZV = "data/nta/zetaview/20250219_0007_EV_ip_p1_F7-5000_size_488.txt"
ZV_POS = "data/nta/zetaview/20250219_0007_EV_ip_p1_F7-5000_size_488_11pos.txt"
NS = "data/nta/nanosight/EMT3_d200_2021-04-07_16-01-58-ExperimentSummary.csv"
EXTREMES = ("1e308", "-1e308", "1e-308", "1.7E+308")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")


def _numbers(obj: Any) -> list[float]:
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return []
    if isinstance(obj, int | float):
        return [float(obj)]
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _numbers(v)]
    if isinstance(obj, list | tuple):
        return [x for v in obj for x in _numbers(v)]
    return []


def _variants(text: str, line_filter: Any, per_line: int = 6) -> list[tuple[int, str]]:
    """(line number, text with one number on that line replaced by a marker) pairs."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        if not line_filter(i, line):
            continue
        for m in list(_NUMBER.finditer(line))[:per_line]:
            new = line[: m.start()] + "{X}" + line[m.end() :]
            out.append((i + 1, "\n".join([*lines[:i], new, *lines[i + 1 :]])))
    return out


def _check(path: Path) -> None:
    try:
        report = read_nta(path)
    except FileFormatError:
        return
    bad = [x for x in _numbers(report.model_dump()) if not math.isfinite(x)]
    assert not bad, f"{path}: non-finite numbers in the report: {bad[:5]}"


def test_zetaview_number_1e308_is_refused_naming_the_line(shared: Path, tmp_path: Path) -> None:
    lines = (shared / ZV).read_text(encoding="latin-1").split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("Size / nm")) + 3
    for row in (at, at + 1):  # two of them: their sum overflows to inf
        cells = lines[row].split("\t")
        cells[1] = "1e308"
        lines[row] = "\t".join(cells)
    path = tmp_path / "big_size_488.txt"
    path.write_text("\n".join(lines), encoding="latin-1")
    with pytest.raises(FileFormatError, match=rf"line {at + 1}: Number is 1e\+308; expected"):
        read_nta(path)


@pytest.mark.parametrize("rel", [ZV, ZV_POS, NS])
def test_every_parser_gives_finite_statistics_or_an_error_for_extreme_values(
    shared: Path, tmp_path: Path, rel: str
) -> None:
    text = (shared / rel).read_text(encoding="latin-1")
    lines = text.split("\n")
    if rel == NS:  # header, results and summary rows, and the first Graph Data rows
        graph = next(i for i, ln in enumerate(lines) if ln.startswith("Bin centre (nm)"))

        def keep(i: int, line: str) -> bool:
            return i < graph + 4 and not line.startswith(("Time", "Date"))
    elif rel == ZV:
        table = next(i for i, ln in enumerate(lines) if ln.startswith("Size / nm"))

        def keep(i: int, line: str) -> bool:
            return line.startswith(("Number of Traces", "Median Number")) or (table < i < table + 4)
    else:

        def keep(i: int, line: str) -> bool:
            return 0 < i < 3 or line.startswith(("\tMean", "Mean"))

    variants = _variants(text, keep)
    assert len(variants) > 10
    folder = tmp_path / "x"
    folder.mkdir()
    name = Path(rel).name
    for k, (_lineno, template) in enumerate(variants):
        value = EXTREMES[k % len(EXTREMES)]
        path = folder / name
        path.write_text(template.replace("{X}", value), encoding="latin-1")
        _check(path)
