"""Particle Metrix ZetaView per-position table (``*_11pos.txt``): one row per cell position.

Columns: ``Use`` (``X`` = kept), ``Position``, ``Mean Int.``, ``Av. No of Particles``,
``Conc. (p./mL)`` (in the cell), ``Orig. Conc. (p./cm^3)`` (times the dilution), ``No. of Traces``,
``X50 (nm)``, ``Peak (nm)``, ``Span``, ``Drift``, ``Removal`` (why a position was dropped); then
``Mean``, ``St.Dev.`` and ``Rel.St.Dev.`` rows over the kept positions. The table has no size
bins: read on its own it gives the instrument's position means; next to a size export it is
attached to that export's report.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from exosci.errors import FileFormatError
from exosci.qc.formats import MAX_COUNT, MAX_SIZE_NM, bounded
from exosci.qc.nta_formats import NTAFormat, ParsedNTA, register
from exosci.qc.textfile import TextFile, parse_float, read_text

_NUMERIC = {
    "Position": "position",
    "Mean Int.": "mean_intensity",
    "Av. No of Particles": "particles",
    "Conc. (p./mL)": "concentration_in_cell_per_ml",
    "Orig. Conc. (p./cm^3)": "concentration_per_ml",
    "No. of Traces": "traces",
    "X50 (nm)": "x50_nm",
    "Span": "span",
}
#: Magnitude bound of each column (sizes in nm; counts, intensities, concentrations, span).
_LIMITS = {"x50_nm": MAX_SIZE_NM, "peak_nm": MAX_SIZE_NM}
_PEAK = re.compile(r"^Peak .*\(nm\)$")


def sniff(tf: TextFile) -> bool:
    return bool(tf.lines) and tf.lines[0].startswith("Use\tPosition\t")


def _columns(tf: TextFile) -> dict[str, int]:
    header = [h.strip() for h in tf.lines[0].split("\t")]
    cols = {name: header.index(col) for col, name in _NUMERIC.items() if col in header}
    peak = next((j for j, h in enumerate(header) if _PEAK.match(h)), None)
    missing = [c for c, n in _NUMERIC.items() if n not in cols]
    if missing or peak is None:
        raise tf.error(
            1, f"columns {missing or ['Peak (nm)']} are missing", "the 11-position table"
        )
    cols["peak_nm"] = peak
    if "Removal" in header:
        cols["removal"] = header.index("Removal")
    return cols


def _table(tf: TextFile) -> tuple[list[dict[str, Any]], dict[str, float], int]:
    cols = _columns(tf)
    positions: list[dict[str, Any]] = []
    mean: dict[str, float] = {}
    mean_line = 0
    for i, line in enumerate(tf.lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) < 10:
            raise tf.error(i, f"{len(cells)} fields", "a full row of the position table")
        label = cells[cols["position"]].strip()
        numeric = {k: v for k, v in cols.items() if k not in ("removal", "position")}
        values = {
            k: bounded(tf, i, parse_float(tf, i, cells[j], k), k, _LIMITS.get(k, MAX_COUNT))
            for k, j in numeric.items()
        }
        if label == "Mean":
            mean, mean_line = values, i
            continue
        if label in ("St.Dev.", "Rel.St.Dev."):
            continue
        values["position"] = parse_float(tf, i, label, "position")
        row: dict[str, Any] = dict(values)
        row["used"] = cells[0].strip() == "X"
        row["removal"] = cells[cols["removal"]].strip() if "removal" in cols else ""
        positions.append(row)
    if not positions or not mean:
        raise tf.error(len(tf.lines), "no position rows or no 'Mean' row", "a complete table")
    return positions, mean, mean_line


def parse(tf: TextFile) -> ParsedNTA:
    positions, mean, _ = _table(tf)
    used = [p for p in positions if p["used"]] or positions
    # a ratio of two bounded values can still overflow (1e30 / 1e-300): keep finite ones
    with np.errstate(over="ignore"):
        ratios = [
            r
            for p in used
            if p["concentration_in_cell_per_ml"] > 0
            and np.isfinite(
                r := np.float64(p["concentration_per_ml"]) / p["concentration_in_cell_per_ml"]
            )
        ]
    dilution = float(f"{np.median(ratios):.2g}") if ratios else None
    summary = {
        "concentration_per_ml": mean["concentration_per_ml"],
        "d50_nm": mean["x50_nm"],
        "mode_nm": mean["peak_nm"],
        "span": mean["span"],
    }
    sample = re.sub(r"_\d+pos$", "", tf.path.stem)
    return ParsedNTA(
        format=FORMAT.name,
        sample=sample,
        size_nm=np.array([]),
        runs=(),
        dilution=dilution,
        written_concentration_is_corrected=True,
        instrument_values=dict(summary),
        metadata={"positions_used": str(sum(p["used"] for p in positions))},
        warnings=(
            "per-position table only: concentration and X50/peak/span are the instrument's means "
            "over kept positions; no size bins (read the *_size_*.txt export for a distribution)",
            "dilution inferred from Orig. Conc. / Conc. columns",
        ),
        summary_only=summary,
        positions=tuple(positions),
    )


def companion(size_path: Path) -> tuple[dict[str, Any], ...]:
    """The per-position rows of the ``<stem>_<N>pos.txt`` next to a size export, if there is one."""
    hits = sorted(size_path.parent.glob(f"{size_path.stem}_*pos.txt"))
    if not hits:
        return ()
    tf = read_text(hits[0])
    if not sniff(tf):
        raise FileFormatError(f"{hits[0]}: not a ZetaView position table (line 1).")
    return tuple(_table(tf)[0])


FORMAT = register(
    NTAFormat(
        name="zetaview-positions",
        instrument="Particle Metrix ZetaView (8.x)",
        description="*_11pos.txt per-position table: concentration, X50, peak, span per position",
        extensions=(".txt",),
        percentile_rule="bin-centres",
        sniff=sniff,
        parse=parse,
    )
)
