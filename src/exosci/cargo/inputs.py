"""Reading what users bring: a miRNA list (one a line) or a small-RNA-seq count table.

A count table is CSV/TSV with a header; the first column holds the IDs (miRBase names, MIMAT
accessions or exceRpt ids), every other column is a sample of non-negative counts. A file whose
lines have a single field is a list (``#`` comments, blank lines and a header such as ``miRNA``
are skipped). The delimiter is sniffed (tab, semicolon as European Excel writes it, with decimal
commas, or comma). Control and spike-in probes (U6, RNU44/48, SNORDs, cel-miR-39, ath-miR159a,
UniSp ...) are set aside and reported (:mod:`exosci.cargo.probes`); a name listed twice counts
once and a count-table row listed twice is summed, both said in ``notes``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from exosci.cargo.probes import Probe, split_probes
from exosci.errors import FileFormatError, UserInputError

_HEADER_WORDS = {"mirna", "mirnas", "name", "names", "id", "ids", "mirna_id", "mirna id", "mature"}


@dataclass(frozen=True)
class MirnaInput:
    """Names in file order with their line numbers; ``counts`` (names x samples) for tables."""

    path: str
    names: list[str]
    lines: list[int]
    counts: pd.DataFrame | None = None
    probes: tuple[Probe, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "list" if self.counts is None else "counts"


def read_mirnas(path: Path | str) -> MirnaInput:
    """Read a miRNA list or a count table; malformed input raises ``FileFormatError``."""
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"{path}: no such file")
    data = path.read_bytes()
    if not data.strip():
        raise FileFormatError(
            f"{path}, line 1: the file is empty; expected miRNA names one per line or a count "
            "table (CSV/TSV, miRNAs x samples)"
        )
    if b"\x00" in data[:8192] or data[:4] == b"PK\x03\x04":
        raise FileFormatError(
            f"{path}, line 1: binary content; expected a text file (miRNA list or CSV/TSV counts)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        raise FileFormatError(f"{path}, line {bad_line}: not UTF-8 text") from None
    rows: list[tuple[int, list[str]]] = []
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    delim = _delimiter(first)
    if delim is None:  # a plain list: keep each distinct name once, as it is read
        seen: dict[str, int] = {}
        total = 0
        for line_no, line in enumerate(text.splitlines(), start=1):
            name = line.strip()
            if name and not name.startswith("#"):
                total += 1
                seen.setdefault(name, line_no)
        return _as_list(path, [(ln, [n]) for n, ln in seen.items()], repeated=total - len(seen))
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if delim is None:
            rows.append((line_no, [line.strip()]))
        else:
            rows.append((line_no, next(csv.reader(io.StringIO(line), delimiter=delim))))
    if delim is None or all(len(r) == 1 for _, r in rows):
        return _as_list(path, rows)
    return _as_table(path, rows, decimal_comma=delim == ";")


def _delimiter(first: str) -> str | None:
    """Tab, then semicolon (European Excel: ``;`` between fields, ``,`` in decimals), then comma."""
    for delim in ("\t", ";", ","):
        if delim in first:
            return delim
    return None


def _as_list(path: Path, rows: list[tuple[int, list[str]]], *, repeated: int = 0) -> MirnaInput:
    if rows and rows[0][1][0].strip().lower() in _HEADER_WORDS:
        rows = rows[1:]
    names, lines = [], []
    for line_no, fields in rows:
        name = fields[0].strip().strip('"')
        if not name:
            continue
        if any(ch.isspace() for ch in name) and split_probes([name], [line_no])[2] == []:
            raise FileFormatError(
                f"{path}, line {line_no}: {name!r} has spaces; expected one miRNA name per line"
            )
        names.append(name)
        lines.append(line_no)
    if not names:
        raise FileFormatError(f"{path}: no miRNA names found; expected one name per line")
    inp = _tidy(MirnaInput(str(path), names, lines))
    if not repeated:
        return inp
    dup = repeated + len(names) - len(set(names))  # lines read twice, as read or once unquoted
    kept = [n for n in inp.notes if "repeated name(s)" not in n]
    note = f"{dup} repeated name(s): lines counted once ({len(set(names))} distinct names)"
    return replace(inp, notes=(*kept, note))


def _tidy(inp: MirnaInput) -> MirnaInput:
    """Set control/spike-in probes aside; count a repeated name once (a table's rows summed)."""
    names, lines, probes, kept = split_probes(inp.names, inp.lines)
    notes = list(inp.notes)
    if probes:
        shown = ", ".join(p.name for p in probes[:5]) + (" ..." if len(probes) > 5 else "")
        notes.append(f"{len(probes)} control/spike-in probe(s) set aside, not enriched: {shown}")
    counts = None if inp.counts is None else inp.counts.iloc[kept]
    first: dict[str, int] = {}
    for name, line in zip(names, lines, strict=True):
        first.setdefault(name, line)
    if len(first) < len(names):
        dup = len(names) - len(first)
        what = "rows summed" if counts is not None else "lines counted once"
        notes.append(f"{dup} repeated name(s): {what} ({len(first)} distinct names)")
        if counts is not None:
            counts = counts.groupby(level=0, sort=False).sum()
    return MirnaInput(
        inp.path, list(first), list(first.values()), counts, (*inp.probes, *probes), tuple(notes)
    )


def _as_table(
    path: Path, rows: list[tuple[int, list[str]]], *, decimal_comma: bool = False
) -> MirnaInput:
    header_line, header = rows[0]
    width = len(header)
    if width < 2:
        raise FileFormatError(
            f"{path}, line {header_line}: a count table needs an ID column and at least one "
            "sample column"
        )
    if _number(header[1]) is not None:
        raise FileFormatError(
            f"{path}, line {header_line}: expected a header row (ID, sample names...), "
            f"got numbers {header[:3]}"
        )
    samples = [h.strip() or f"sample{i}" for i, h in enumerate(header[1:], start=1)]
    names, lines, values = [], [], []
    for line_no, fields in rows[1:]:
        if len(fields) != width:
            raise FileFormatError(
                f"{path}, line {line_no}: {len(fields)} fields but the header has {width}; "
                "expected an ID then one count per sample"
            )
        counts = []
        for col, cell in zip(samples, fields[1:], strict=True):
            value = _number(cell.replace(",", ".") if decimal_comma else cell)
            if value is None or math.isnan(value) or math.isinf(value):
                raise FileFormatError(
                    f"{path}, line {line_no}, column {col!r}: {cell!r} is not a count; expected a "
                    "non-negative number (no NA/NaN)"
                )
            if value < 0:
                raise FileFormatError(
                    f"{path}, line {line_no}, column {col!r}: negative count {cell!r}; expected "
                    "a non-negative number"
                )
            counts.append(value)
        names.append(fields[0].strip())
        lines.append(line_no)
        values.append(counts)
    if not names:
        raise FileFormatError(f"{path}: header but no rows; expected one row per miRNA")
    frame = pd.DataFrame(np.asarray(values, dtype=np.float64), index=names, columns=samples)
    return _tidy(MirnaInput(str(path), names, lines, frame))


def _number(cell: str) -> float | None:
    try:
        return float(cell.strip())
    except ValueError:
        return None


def mirna_input(
    mirnas: Sequence[str] | None = None, *, counts: pd.DataFrame | None = None
) -> MirnaInput:
    """In-memory input (a list of names, or a miRNAs x samples count DataFrame), checked as files are.

    Raises ``UserInputError`` naming the row and column of a bad value; nothing is dropped.
    """
    if (mirnas is None) == (counts is None):
        raise UserInputError("give exactly one of mirnas=[...] (names) or counts=DataFrame")
    if mirnas is not None:
        if isinstance(mirnas, str):
            raise UserInputError("mirnas: expected a list of names, got one string")
        names = [str(n).strip() for n in mirnas]
        empty = [i for i, n in enumerate(names) if not n]
        if empty:
            raise UserInputError(f"mirnas: empty name at position {empty[0]}")
        if not names:
            raise UserInputError("mirnas: the list is empty; expected miRNA names")
        return _tidy(MirnaInput("mirnas", names, list(range(1, len(names) + 1))))
    assert counts is not None
    counts, oriented = _mirnas_as_rows(counts)
    if counts.empty:
        raise UserInputError("counts: the table is empty; expected miRNAs x samples")
    values = counts.apply(pd.to_numeric, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float)) | (values < 0)
    if bad.to_numpy().any():
        r, c = np.argwhere(bad.to_numpy())[0]
        raise UserInputError(
            f"counts, row {counts.index[r]!r}, column {counts.columns[c]!r}: "
            f"{str(counts.iat[r, c])[:40]!r} is not a count; expected a non-negative number"
        )
    frame = values.astype(np.float64)
    frame.index = [str(i).strip() for i in frame.index]
    frame.columns = [str(c) for c in frame.columns]
    names = list(frame.index)
    return _tidy(MirnaInput("counts", names, list(range(2, len(names) + 2)), frame, (), oriented))


def _looks_like_mirnas(labels: Iterable[object]) -> float:
    from exosci.cargo.mirna_names import parse_name

    sample = [str(x).strip() for x in list(labels)[:200]]
    hits = sum(
        1
        for x in sample
        if parse_name(x.split(":")[0]) is not None or x.upper().startswith("MIMAT")
    )
    return hits / max(len(sample), 1)


def _mirnas_as_rows(counts: object) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """miRNAs x samples, whatever the notebook holds: AnnData (obs x var = samples x miRNAs)
    and ``adata.to_df()`` frames are transposed (and said); an orientation that cannot be told
    is refused rather than read as zero recognised miRNAs."""
    note: tuple[str, ...] = ()
    if not isinstance(counts, pd.DataFrame) and hasattr(counts, "to_df"):
        counts = counts.to_df()  # AnnData: samples (obs) x miRNAs (var)
        note = ("AnnData read as samples (obs) x miRNAs (var)",)
    if not isinstance(counts, pd.DataFrame):
        raise UserInputError(
            f"counts: expected a pandas DataFrame (miRNAs x samples) or an AnnData object, got "
            f"{type(counts).__name__}"
        )
    rows, cols = _looks_like_mirnas(counts.index), _looks_like_mirnas(counts.columns)
    if cols > 0.5 and cols > rows:
        return counts.T, (
            *note,
            "counts given as samples x miRNAs (as adata.to_df() gives): "
            "transposed to miRNAs x samples",
        )
    if rows == 0 and cols == 0 and len(counts.index) and len(counts.columns):
        raise UserInputError(
            f"counts: neither the row labels ({list(map(str, counts.index[:3]))}) nor the column "
            f"labels ({list(map(str, counts.columns[:3]))}) are miRNA names; expected miRNAs "
            "(miRBase names or MIMAT accessions) as the index and samples as columns"
        )
    return counts, note
