"""Release profiles: read and validate cumulative-release data (CSV file or pandas DataFrame).

A profile is a time column with a unit, then either one column of cumulative % released, a mean
and an SD column (header ``sd``/``std``/``stdev``), or several replicate columns (mean ± SD are
computed). Time is converted to days. Anything that would give a wrong number instead of an error
(non-numeric cells, truncated rows, negative time, > 100 %, a curve falling beyond replicate noise)
raises ``FileFormatError`` naming the source, the line and what was expected.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from exosci.errors import FileFormatError, UserInputError
from exosci.limits import MAX_RELEASE_HOURS, MAX_ROWS, read_capped

FloatArray = NDArray[np.float64]
TimeUnit = Literal["min", "h", "d", "w"]

DAYS_PER_UNIT: dict[str, float] = {"min": 1.0 / 1440.0, "h": 1.0 / 24.0, "d": 1.0, "w": 7.0}
UNIT_NAMES: dict[str, str] = {"min": "minute", "h": "hour", "d": "day", "w": "week"}
_UNIT_ALIASES: dict[str, str] = {
    **{a: "min" for a in ("min", "mins", "minute", "minutes", "m")},
    **{a: "h" for a in ("h", "hr", "hrs", "hour", "hours")},
    **{a: "d" for a in ("d", "day", "days")},
    **{a: "w" for a in ("w", "wk", "wks", "week", "weeks")},
}
_TIME_HEADER = re.compile(r"^\s*(?:time|t)\s*(?:[_\s]*[(\[]?\s*([a-z]+)\s*[)\]]?)?\s*$", re.I)
_SD_HEADER = re.compile(r"(^|[\s_(])(sd|std|stdev|std_dev)([\s_)]|$)", re.I)

#: Without replicates, a drop of more than this many percentage points between a point and the
#: highest earlier point is taken as an error rather than measurement noise.
DROP_TOLERANCE_PCT = 1.0
#: With replicates, the allowed drop is this many combined SDs: k·sqrt(sd_i² + sd_j²).
DROP_TOLERANCE_SDS = 2.0


@dataclass(frozen=True)
class ReleaseProfile:
    """A validated cumulative-release profile (time in days, release in % of the load)."""

    t_days: FloatArray
    percent: FloatArray
    sd: FloatArray | None
    n_replicates: int | None  # None: mean and SD were given, not replicates
    time_unit: str
    source: str
    where: tuple[str, ...]

    @property
    def n_points(self) -> int:
        return len(self.t_days)

    def to_frame(self) -> pd.DataFrame:
        """The profile as a DataFrame: ``time_d``, ``percent`` and ``sd`` (when replicated)."""
        cols: dict[str, Any] = {"time_d": self.t_days, "percent": self.percent}
        if self.sd is not None:
            cols["sd"] = self.sd
        return pd.DataFrame(cols)


def parse_time_unit(text: str, *, where: str = "--time-unit") -> str:
    """Normalise a time unit (``h``, ``hours``, ``d`` ...) to one of min/h/d/w."""
    unit = _UNIT_ALIASES.get(text.strip().lower())
    if unit is None:
        raise UserInputError(
            f"{where}: unknown time unit {text!r}; expected one of min, h, d, w "
            "(or minutes, hours, days, weeks)."
        )
    return unit


def read_profile(
    path: str | Path, *, time_unit: str | None = None, allow_over_100: bool = False
) -> ReleaseProfile:
    """Read a release CSV (comma, semicolon or tab separated; ``#`` lines are comments)."""
    p = Path(path)
    raw = read_capped(p, what="release table (CSV)")
    return parse_profile(raw, source=str(p), time_unit=time_unit, allow_over_100=allow_over_100)


def parse_profile(
    data: bytes | str,
    *,
    source: str = "<data>",
    time_unit: str | None = None,
    allow_over_100: bool = False,
) -> ReleaseProfile:
    """Parse release-CSV text or bytes; see the module docstring for the accepted layout."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"{source}: not UTF-8 text (bad byte at offset {exc.start}); expected a CSV file."
            ) from None
    else:
        text = data
    rows: list[tuple[int, list[str]]] = []
    delimiter: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if delimiter is None:
            delimiter = max((",", ";", "\t"), key=line.count)
            if line.count(delimiter) == 0:
                raise FileFormatError(
                    f"{source}, line {lineno}: header {line.strip()!r} has a single column; "
                    "expected a time column and at least one cumulative-% column separated by "
                    "commas, semicolons or tabs."
                )
        fields = next(csv.reader([line], delimiter=delimiter), [])
        rows.append((lineno, [f.strip() for f in fields]))
        if len(rows) > MAX_ROWS + 1:
            raise FileFormatError(
                f"{source}, line {lineno}: more than {MAX_ROWS} data rows; a release table has "
                "one row per time point (tens, not millions)."
            )
    if not rows:
        raise FileFormatError(
            f"{source}: no header and no data; expected a header such as 'time_h,released_pct' "
            "followed by one row per time point."
        )
    (hline, header), body = rows[0], rows[1:]
    for lineno, fields in body:
        if len(fields) != len(header):
            hint = " (the file may be truncated)" if len(fields) < len(header) else ""
            raise FileFormatError(
                f"{source}, line {lineno}: {len(fields)} fields, expected {len(header)} as in the "
                f"header on line {hline} ({', '.join(header)}){hint}."
            )
    return _build(
        header,
        [f for _, f in body],
        [f"line {n}" for n, _ in body],
        header_where=f"line {hline}",
        source=source,
        time_unit=time_unit,
        allow_over_100=allow_over_100,
    )


def profile_from_frame(
    frame: pd.DataFrame | Mapping[str, Sequence[Any]],
    *,
    source: str = "DataFrame",
    time_unit: str | None = None,
    allow_over_100: bool = False,
) -> ReleaseProfile:
    """Build a profile from a DataFrame laid out like the CSV (first column time)."""
    df = pd.DataFrame(frame)
    header = [str(c) for c in df.columns]
    cells = [["" if _missing(v) else str(v) for v in row] for row in df.itertuples(index=False)]
    return _build(
        header,
        cells,
        [f"row {i!r}" for i in df.index],
        header_where="columns",
        source=source,
        time_unit=time_unit,
        allow_over_100=allow_over_100,
    )


def as_profile(
    data: ReleaseProfile | pd.DataFrame | Mapping[str, Sequence[Any]] | str | Path,
    *,
    time_unit: str | None = None,
    allow_over_100: bool = False,
) -> ReleaseProfile:
    """Accept a profile, a DataFrame (or dict of columns) or a CSV path."""
    if isinstance(data, ReleaseProfile):
        return data
    if isinstance(data, str | Path):
        return read_profile(data, time_unit=time_unit, allow_over_100=allow_over_100)
    if isinstance(data, pd.DataFrame | Mapping):
        return profile_from_frame(data, time_unit=time_unit, allow_over_100=allow_over_100)
    raise UserInputError(
        f"release data of type {type(data).__name__} not understood; expected a CSV path, a "
        "pandas DataFrame (first column time) or a ReleaseProfile."
    )


def _missing(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _time_unit(header: str, given: str | None, *, source: str, where: str) -> str:
    m = _TIME_HEADER.match(header)
    if m is None:
        raise FileFormatError(
            f"{source}, {where}: first column {header!r} is not a time column; expected a header "
            "such as time_h, time_d, time (min) or time (with --time-unit)."
        )
    in_header = parse_time_unit(m.group(1), where=f"{source}, {where}") if m.group(1) else None
    flag = parse_time_unit(given, where=f"{source}: --time-unit") if given else None
    if in_header and flag and in_header != flag:
        raise UserInputError(
            f"{source}, {where}: the header says time is in {UNIT_NAMES[in_header]}s "
            f"({header!r}) but --time-unit says {UNIT_NAMES[flag]}s; drop one or make them agree."
        )
    unit = in_header or flag
    if unit is None:
        raise FileFormatError(
            f"{source}, {where}: time column {header!r} has no unit; name it time_min, time_h, "
            "time_d or time_w, or pass --time-unit (time_unit=...)."
        )
    return unit


def _number(cell: str, *, source: str, where: str, column: str) -> float:
    what = (
        f"{source}, {where}, column {column!r}: "
        + ("empty cell" if not cell else f"{cell!r} is not a number")
        + "; expected a finite decimal number such as 12.5 (decimal point '.')."
    )
    try:
        value = float(cell)
    except ValueError:
        raise FileFormatError(what) from None
    if not np.isfinite(value):
        raise FileFormatError(what)
    return value


def _build(
    header: list[str],
    cells: list[list[str]],
    where: list[str],
    *,
    header_where: str,
    source: str,
    time_unit: str | None,
    allow_over_100: bool,
) -> ReleaseProfile:
    if len(header) < 2:
        raise FileFormatError(
            f"{source}, {header_where}: {len(header)} column(s); expected a time column and at "
            "least one cumulative-% column."
        )
    unit = _time_unit(header[0], time_unit, source=source, where=header_where)
    if not cells:
        raise FileFormatError(f"{source}: a header but no data rows; expected one row per time.")
    values = np.array(
        [
            [_number(c, source=source, where=w, column=h) for c, h in zip(row, header, strict=True)]
            for row, w in zip(cells, where, strict=True)
        ],
        dtype=float,
    ).reshape(len(cells), len(header))
    t = values[:, 0]
    mean_sd = len(header) == 3 and _SD_HEADER.search(header[2]) is not None
    reps = values[:, 1:2] if mean_sd else values[:, 1:]
    for i, w in enumerate(where):
        if t[i] < 0:
            raise FileFormatError(
                f"{source}, {w}: time {t[i]:g} is negative; expected time since the start of the "
                "release experiment (>= 0)."
            )
        if i and t[i] <= t[i - 1]:
            raise FileFormatError(
                f"{source}, {w}: time {t[i]:g} does not come after {t[i - 1]:g} ({where[i - 1]}); "
                "expected strictly increasing time points, one row per time."
            )
        for j, v in enumerate(reps[i]):
            if v < 0 or (v > 100 and not allow_over_100):
                more = "" if v < 0 else " (pass --allow-over-100 if your normalisation allows it)"
                raise FileFormatError(
                    f"{source}, {w}, column {header[1 + j]!r}: {v:g} % released; expected a "
                    f"cumulative release between 0 and 100 % of the load{more}."
                )
    if mean_sd:
        percent, sd, n_rep = values[:, 1], values[:, 2], None
        if np.any(sd < 0):
            i = int(np.argmax(sd < 0))
            raise FileFormatError(
                f"{source}, {where[i]}, column {header[2]!r}: SD {sd[i]:g} is negative."
            )
    elif reps.shape[1] > 1:
        percent, sd, n_rep = reps.mean(axis=1), reps.std(axis=1, ddof=1), reps.shape[1]
    else:
        percent, sd, n_rep = reps[:, 0], None, 1
    t_days = t * DAYS_PER_UNIT[unit]
    if t_days[-1] > MAX_RELEASE_HOURS / 24:
        raise FileFormatError(
            f"{source}, {where[-1]}: time {t[-1]:g} {UNIT_NAMES[unit]}s is beyond "
            f"{MAX_RELEASE_HOURS / 24 / 365:g} years; expected the time since the start of a "
            "release experiment (check the unit)."
        )
    if not np.any(percent > 0):
        raise FileFormatError(
            f"{source}: every cumulative release value is 0 %, so no release was measured and "
            "no release model can be fitted or ranked; expected at least one value above 0 %."
        )
    _check_monotone(percent, sd, where, source=source)
    return ReleaseProfile(
        t_days=t_days,
        percent=percent,
        sd=sd,
        n_replicates=n_rep,
        time_unit=unit,
        source=source,
        where=tuple(where),
    )


def _check_monotone(y: FloatArray, sd: FloatArray | None, where: list[str], *, source: str) -> None:
    """A cumulative curve may dip by noise, not by more: compare each point with the running peak."""
    peak = 0
    for j in range(1, len(y)):
        if y[j] >= y[peak]:
            peak = j
            continue
        if sd is not None and np.any(sd > 0):
            tol = DROP_TOLERANCE_SDS * float(np.hypot(sd[peak], sd[j]))
            noise = f"{DROP_TOLERANCE_SDS:g} combined replicate SDs ({tol:.3g} points)"
        else:
            tol = DROP_TOLERANCE_PCT
            noise = f"{tol:g} percentage point (no replicates to judge noise)"
        if y[peak] - y[j] > tol:
            raise FileFormatError(
                f"{source}, {where[j]}: cumulative release falls from {y[peak]:.4g} % "
                f"({where[peak]}) to {y[j]:.4g} %, more than {noise}; expected a cumulative "
                "(non-decreasing) release curve. Convert per-interval amounts to cumulative ones."
            )
