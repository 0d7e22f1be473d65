from __future__ import annotations

from pathlib import Path

import pytest

from exosci.cargo import read_mirnas
from exosci.errors import FileFormatError


def test_list_and_counts(tmp_path: Path) -> None:
    lst = tmp_path / "l.txt"
    lst.write_text("# comment\nmiRNA\nmiR-21\n\nhsa-miR-146a-5p\n")
    got = read_mirnas(lst)
    assert got.names == ["miR-21", "hsa-miR-146a-5p"] and got.lines == [3, 5] and got.kind == "list"
    tab = tmp_path / "c.tsv"
    tab.write_text("id\ts1\ts2\nmiR-21\t10\t0\nmiR-146a\t3.5\t7\n")
    got = read_mirnas(tab)
    assert got.kind == "counts" and list(got.counts.columns) == ["s1", "s2"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"line 1: the file is empty"),
        (b"\x00\x01\x02binary", r"line 1: binary content"),
        (b"id,s1\nmiR-21,-3\n", r"line 2, column 's1': negative count"),
        (b"id,s1\nmiR-21,NaN\n", r"line 2, column 's1': 'NaN' is not a count"),
        (b"id,s1\nmiR-21,\n", r"line 2, column 's1': '' is not a count"),
        (b"id,s1,s2\nmiR-21,1\n", r"line 2: 2 fields but the header has 3"),
        (b"miR-21,4,5\nmiR-22,1,2\n", r"line 1: expected a header row"),
        (b"miR 21 is here\n", r"line 1: 'miR 21 is here' has spaces"),
    ],
)
def test_malformed_inputs_name_file_and_line(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=match) as exc:
        read_mirnas(path)
    assert str(path) in str(exc.value)
