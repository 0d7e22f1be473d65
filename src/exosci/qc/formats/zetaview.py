"""Particle Metrix ZetaView 8.x size-distribution export (``*_size_<laser>.txt``).

Layout: tab-separated ``Key:<TAB>value`` header (the dilution hides inside the ``Number of Traces``
line as ``Dilution::<TAB>1000``); ``Results`` with ``Median Number (D50)``; ``Size Distribution``
with 5-nm bins (``Size / nm, Number, Concentration / cm-3, Volume / nm^3, Area / nm^2``) ended by a
``-1.000E+0`` sentinel row, then a log-spaced copy of the same counts that is not used here.
Concentrations in the bins are those in the measuring cell (not multiplied by the dilution); the
companion ``*_11pos.txt`` table calls the dilution-corrected value ``Orig. Conc.``.
"""

from __future__ import annotations

import numpy as np

from exosci.errors import FileFormatError
from exosci.qc.formats import MAX_COUNT, MAX_DILUTION, MAX_SIZE_NM, bounded, zetaview_positions
from exosci.qc.nta_formats import NTAFormat, ParsedNTA, Run, register
from exosci.qc.textfile import TextFile, parse_float

_COLUMNS = ["Size / nm", "Number", "Concentration / cm-3", "Volume / nm^3", "Area / nm^2"]
_LIMITS = (MAX_SIZE_NM, MAX_COUNT, MAX_COUNT)
_FEW_TRACES = 100
_META = {
    "Software": "software",
    "Date": "date",
    "Time": "time",
    "Operator": "operator",
    "Temperature": "temperature_c",
    "Positions": "positions",
    "Laser Wavelength nm": "laser_nm",
    "Type of Measurement": "measurement",
}


def sniff(tf: TextFile) -> bool:
    head = tf.lines[:12]
    return (
        bool(head)
        and head[0].startswith("Original File:")
        and any(line.startswith(("ZetaView S/N:", "Software:\tZetaView")) for line in head)
    )


def _header(tf: TextFile) -> tuple[dict[str, tuple[int, list[str]]], int]:
    """``Key:`` lines (key -> line number, values) up to the ``Size Distribution`` line."""
    fields: dict[str, tuple[int, list[str]]] = {}
    for i, line in enumerate(tf.lines):
        if line.strip() == "Size Distribution":
            return fields, i
        key, sep, rest = line.partition(":")
        if sep:
            fields.setdefault(
                key.strip(), (i + 1, [v.strip() for v in rest.lstrip("\t ").split("\t")])
            )
    raise tf.error(len(tf.lines), "no 'Size Distribution' line", "a ZetaView size export")


def _value(tf: TextFile, fields: dict[str, tuple[int, list[str]]], key: str) -> tuple[int, float]:
    if key not in fields:
        raise tf.error(None, f"header line {key!r} is missing", f"a '{key}:' line")
    lineno, values = fields[key]
    cell = next((v for v in values if v), "")
    return lineno, parse_float(tf, lineno, cell, key)


def _traces_and_dilution(
    tf: TextFile, fields: dict[str, tuple[int, list[str]]]
) -> tuple[int, int, float]:
    lineno, traces = _value(tf, fields, "Number of Traces")
    bounded(tf, lineno, traces, "Number of Traces", MAX_COUNT)
    cells = fields["Number of Traces"][1]
    for j, cell in enumerate(cells):
        if cell.startswith("Dilution") and j + 1 < len(cells):
            dilution = parse_float(tf, lineno, cells[j + 1], "dilution")
            bounded(tf, lineno, dilution, "dilution", MAX_DILUTION)
            if dilution <= 0:
                raise tf.error(lineno, f"dilution is {dilution}", "a positive dilution factor")
            return lineno, int(traces), dilution
    raise tf.error(lineno, "no 'Dilution::' value in the Number of Traces line", "Dilution::<TAB>N")


def parse(tf: TextFile) -> ParsedNTA:
    fields, sd = _header(tf)
    traces_line, traces, dilution = _traces_and_dilution(tf, fields)
    head = tf.lines[sd + 1].split("\t") if sd + 1 < len(tf.lines) else []
    if [h.strip() for h in head[:5]] != _COLUMNS:
        raise tf.error(sd + 2, f"column header {head[:5]}", "\t".join(_COLUMNS))
    rows: list[list[float]] = []
    end = None
    for i in range(sd + 2, len(tf.lines)):
        cells = tf.lines[i].split("\t")
        if len(cells) < 3:
            raise tf.error(i + 1, f"{len(cells)} fields", "size, number and concentration columns")
        values = [
            bounded(tf, i + 1, parse_float(tf, i + 1, c, col), col, limit)
            for c, col, limit in zip(cells[:3], _COLUMNS[:3], _LIMITS, strict=True)
        ]
        if values[0] == -1.0:  # the sentinel that ends the linear-bin table
            end = i
            break
        rows.append(values)
    if end is None:
        raise tf.error(
            len(tf.lines),
            "the size table has no '-1.000E+0' end row",
            "a complete export (the file looks truncated)",
        )
    meta = {
        name: fields[key][1][0] for key, name in _META.items() if key in fields and fields[key][1]
    }
    instrument: dict[str, float] = {}
    if "Median Number (D50)" in fields:
        d50_line, d50 = _value(tf, fields, "Median Number (D50)")
        instrument["d50_nm"] = bounded(tf, d50_line, d50, "Median Number (D50)", MAX_SIZE_NM)
    sample = fields.get("Sample", (0, [""]))[1][0] or tf.path.stem
    if traces == 0 or not rows or sum(r[1] for r in rows) == 0:
        return ParsedNTA(
            format=FORMAT.name,
            sample=sample,
            size_nm=np.array([]),
            runs=(),
            dilution=dilution,
            written_concentration_is_corrected=False,
            instrument_values=instrument,
            metadata=meta,
            empty_line=traces_line,
        )
    table = np.array(rows)
    if np.any(np.diff(table[:, 0]) <= 0) or np.any(table[:, 1:] < 0):
        raise tf.error(sd + 3, "bins not increasing or negative counts", "a valid size table")
    warnings: list[str] = []
    if traces < _FEW_TRACES:
        warnings.append(
            f"only {traces} traces (line {traces_line}): size statistics are imprecise "
            f"(exosci heuristic: fewer than {_FEW_TRACES})"
        )
    counted = int(table[:, 1].sum())  # finite: each count is bounded above
    if counted != traces:
        warnings.append(
            f"size table holds {counted} traces, header says {traces} (line {traces_line})"
        )
    try:
        positions = zetaview_positions.companion(tf.path)
    except FileFormatError as exc:
        positions = ()
        warnings.append(f"position table next to this file was not read: {exc}")
    run = Run(label=meta.get("date", "run"), concentration=table[:, 2], weights=table[:, 1])
    return ParsedNTA(
        format=FORMAT.name,
        sample=sample,
        size_nm=table[:, 0],
        runs=(run,),
        dilution=dilution,
        written_concentration_is_corrected=False,
        instrument_values=instrument,
        metadata=meta | {"traces": str(traces)},
        warnings=tuple(warnings),
        positions=positions,
    )


FORMAT = register(
    NTAFormat(
        name="zetaview-size",
        instrument="Particle Metrix ZetaView (8.x)",
        description="size-distribution .txt: Key: header, 5-nm bins, -1.000E+0 end row",
        extensions=(".txt",),
        percentile_rule="bin-centres",
        sniff=sniff,
        parse=parse,
    )
)
