"""Read an effect table (CSV/TSV/DataFrame) in one of three shapes, with errors by line and column.

Accepted shapes (other columns are kept as covariates for ``--by`` and ``--mods``):

- precomputed effects: ``study, yi, vi`` (or ``sei`` instead of ``vi``);
- two-arm summaries: ``study, n1, mean1, sd1, n2, mean2, sd2`` (arm 1 treated, arm 2 control);
  standard errors of the mean as ``sem1``/``sem2`` columns, or ``sd1``/``sd2`` flagged as SEMs
  with ``sem=True`` (``--sem``), are converted with SD = SEM·√n;
- 2×2 counts: ``study, ai, bi, ci, di`` (events and non-events, treated then control; metafor's
  ``tpos, tneg, cpos, cneg`` are accepted as aliases).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from exosci.errors import FileFormatError, UserInputError

SHAPES = {
    "effects": ("yi", "vi"),
    "arms": ("n1", "mean1", "sd1", "n2", "mean2", "sd2"),
    "counts": ("ai", "bi", "ci", "di"),
}
ALIASES = {"tpos": "ai", "tneg": "bi", "cpos": "ci", "cneg": "di"}
ACCEPTED = (
    "study, yi, vi (or sei) | study, n1, mean1, sd1, n2, mean2, sd2 (or sem1/sem2) | "
    "study, ai, bi, ci, di (2×2 counts)"
)


def read_text_table(path: Path, *, what: str) -> pd.DataFrame:
    """A CSV (or TSV/TXT by extension) as text cells; unreadable files raise FileFormatError."""
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab", ".txt") else ","
    kind = "TSV" if sep == "\t" else "CSV"
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise FileFormatError(f"{path}: the file is empty; expected {what}.") from None
    except UnicodeDecodeError:
        raise FileFormatError(f"{path}: not UTF-8 text; save the table as UTF-8 {kind}.") from None
    except pd.errors.ParserError as exc:
        reason = str(exc).splitlines()[0]
        raise FileFormatError(f"{path}: not a readable {kind} table ({reason}).") from None


def _load(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str, int]:
    """The raw table as text cells, its name, and the file line of its first data row."""
    if isinstance(source, pd.DataFrame):
        return source.copy(), "table", 1
    path = Path(source)
    if not path.is_file():
        raise UserInputError(f"{path}: no such file.")
    frame = read_text_table(path, what=f"a header row: {ACCEPTED}")
    frame = frame.replace({"": np.nan, "NA": np.nan, "na": np.nan})
    return frame, str(path), 2


def read_effects(source: str | Path | pd.DataFrame, *, sem: bool = False) -> pd.DataFrame:
    """Validate a table and tag its shape in ``frame.attrs["shape"]``.

    Raises :class:`~exosci.errors.FileFormatError` naming the line and column of the first bad
    cell and what would be accepted.
    """
    frame, name, first_line = _load(source)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.rename(columns={k: v for k, v in ALIASES.items() if k in frame.columns})
    if "sei" in frame.columns and "vi" not in frame.columns:
        frame["vi"] = pd.to_numeric(frame["sei"], errors="coerce") ** 2
    for arm in ("1", "2"):
        if f"sem{arm}" in frame.columns and f"sd{arm}" not in frame.columns:
            frame[f"sd{arm}"] = frame[f"sem{arm}"]
            frame.attrs[f"sem{arm}"] = True
    shape = _shape(frame, name)
    if len(frame) == 0:
        raise FileFormatError(f"{name}: no data rows under the header.")
    if "study" not in frame.columns:
        frame.insert(0, "study", [f"study {i + 1}" for i in range(len(frame))])
    frame["study"] = frame["study"].astype(str)
    for col in SHAPES[shape]:
        frame[col] = _numeric(frame[col], col, name, first_line)
    _check_values(frame, shape, name, first_line)
    if shape == "arms":
        for arm in ("1", "2"):
            if sem or frame.attrs.get(f"sem{arm}"):
                frame[f"sd{arm}"] = frame[f"sd{arm}"] * np.sqrt(frame[f"n{arm}"])
        frame.attrs["sd_from_sem"] = bool(sem or frame.attrs.get("sem1") or frame.attrs.get("sem2"))
    frame.attrs["shape"] = shape
    frame.attrs["source"] = name
    return frame


def _shape(frame: pd.DataFrame, name: str) -> str:
    cols = set(frame.columns)
    for shape, needed in SHAPES.items():
        if set(needed) <= cols:
            return shape
    # the closest shape: the one with most of its columns present
    best = max(SHAPES, key=lambda s: len(set(SHAPES[s]) & cols))
    missing = [c for c in SHAPES[best] if c not in cols]
    raise FileFormatError(
        f"{name}: the header ({', '.join(frame.columns)}) matches no accepted shape; closest is "
        f"{best!r}, missing {', '.join(missing)}. Accepted: {ACCEPTED}."
    )


def _numeric(col: pd.Series, cname: str, name: str, first_line: int) -> pd.Series:
    values = pd.to_numeric(col, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.astype(float))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        cell = col.iloc[i]
        what = "is empty" if pd.isna(cell) else f"has {cell!r}, not a number"
        raise FileFormatError(
            f"{name}, line {i + first_line}, column {cname!r}: {what}; every row needs a finite "
            "number there."
        )
    return values.astype(float)


def _check_values(frame: pd.DataFrame, shape: str, name: str, first_line: int) -> None:
    def fail(col: str, i: int, accepted: str) -> None:
        raise FileFormatError(
            f"{name}, line {i + first_line}, column {col!r}: {frame[col].iloc[i]!r} is not "
            f"accepted; {accepted}."
        )

    rules: list[tuple[str, str, object]] = []
    if shape == "effects":
        rules = [("vi", "vi must be > 0 (a sampling variance)", lambda x: x > 0)]
    elif shape == "arms":
        for arm in ("1", "2"):
            rules.append(
                (
                    f"n{arm}",
                    "group size n must be a whole number >= 1",
                    lambda x: (x >= 1) & (x == np.round(x)),
                )
            )
            rules.append((f"sd{arm}", "SD/SEM must be >= 0", lambda x: x >= 0))
    else:
        for col in SHAPES["counts"]:
            rules.append(
                (col, "counts must be whole numbers >= 0", lambda x: (x >= 0) & (x == np.round(x)))
            )
    for col, accepted, ok in rules:
        good = ok(frame[col])  # type: ignore[operator]
        if not good.all():
            fail(col, int(np.flatnonzero(~good.to_numpy())[0]), accepted)
