"""Reading delimited and Excel tables the way public databases write them, with clear errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from exosci.errors import FileFormatError

TARGET_COLUMNS = ["mirna", "gene", "gene_entrez", "species", "support", "experiments", "pmids"]
TARGET_COLUMNS += ["score", "source"]

ORGANISMS = {
    "homo sapiens": "human",
    "mus musculus": "mouse",
    "rattus norvegicus": "rat",
    "9606": "human",
    "10090": "mouse",
    "10116": "rat",
    "human": "human",
    "mouse": "mouse",
    "rat": "rat",
}
TAX_IDS = {"human": 9606, "mouse": 10090, "rat": 10116}


def species_of(organism: object) -> str:
    """``human``/``mouse``/``rat`` for those organisms, else the lower-case organism name."""
    text = str(organism).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return ORGANISMS.get(text.lower(), text.lower())


def check_not_binary(path: Path) -> bytes:
    """The file's first bytes; raises when the file is missing, empty or binary."""
    if not path.is_file():
        raise FileFormatError(f"{path}: no such file")
    head = path.open("rb").read(4096)
    if not head.strip():
        raise FileFormatError(f"{path}, line 1: the file is empty; expected a table with a header")
    return head


def read_table(path: Path, *, sheet: int | str = 0) -> pd.DataFrame:
    """A CSV/TSV/XLSX file as strings (header row kept as columns; tab, comma or ';' sniffed)."""
    path = Path(path)
    head = check_not_binary(path)
    if head[:4] == b"PK\x03\x04":  # xlsx is a zip archive
        try:
            return pd.read_excel(path, sheet_name=sheet, dtype=str)
        except Exception as exc:  # any reader failure is a format problem
            raise FileFormatError(f"{path}: not a readable Excel workbook ({exc})") from None
    if b"\x00" in head:
        raise FileFormatError(
            f"{path}, line 1: binary content; expected a text table (CSV/TSV) or an .xlsx workbook"
        )
    text = head.decode("utf-8", errors="replace")
    first = text.splitlines()[0] if text.splitlines() else ""
    sep = "\t" if "\t" in first else ("," if first.count(",") >= first.count(";") else ";")
    try:
        return pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
            encoding_errors="replace",
            comment=None,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise FileFormatError(f"{path}: not a readable {sep!r}-separated table ({exc})") from None


def require_columns(
    path: Path, frame: pd.DataFrame, options: dict[str, list[str]], *, what: str
) -> dict[str, str]:
    """Map each wanted column to the header the file uses (first of the accepted spellings)."""
    have = {str(c).strip().lower(): str(c) for c in frame.columns}
    found: dict[str, str] = {}
    missing: list[str] = []
    for key, spellings in options.items():
        hit = next((have[s.lower()] for s in spellings if s.lower() in have), None)
        if hit is None:
            missing.append(" or ".join(repr(s) for s in spellings))
        else:
            found[key] = hit
    if missing:
        got = ", ".join(repr(str(c)) for c in list(frame.columns)[:12])
        raise FileFormatError(
            f"{path}, line 1: not a {what} header: missing column(s) {'; '.join(missing)}; "
            f"the header has {got}"
        )
    return found


def as_entrez(path: Path, values: pd.Series, *, column: str) -> pd.Series:
    """Entrez ids as nullable integers; ids that loaded as floats ('3091.0') are accepted."""
    text = values.astype(str).str.strip()
    text = text.where(~text.isin(["", "nan", "NULL", "None", "<NA>"]))
    num = pd.to_numeric(text, errors="coerce")
    bad = num.isna() & text.notna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise FileFormatError(
            f"{path}, line {row + 2}: column {column!r}: {values.iloc[row]!r} is not an Entrez id "
            "(expected a whole number)"
        )
    frac = num.notna() & (num % 1 != 0)
    if frac.any():
        row = int(frac.to_numpy().nonzero()[0][0])
        raise FileFormatError(
            f"{path}, line {row + 2}: column {column!r}: {values.iloc[row]!r} is not a whole number"
        )
    return num.astype("Int64")


def text_stream(path: Path) -> io.TextIOWrapper:
    check_not_binary(path)
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8", errors="replace", newline="")
