"""Malvern NanoSight NTA 3.x ``ExperimentSummary.csv`` (Windows-1252, sectioned CSV).

Layout: ``[Experiment Details]`` key/value rows; ``[Results]`` with one column per video then
``Average`` and ``Standard Error`` (dilution factor, concentration); ``[Size Data]`` with one block
per weighting (Number, Surface Area, Volume), each holding summary rows (Mean, Mode, SD, D10, D50,
D90), ``Graph Data`` with 1-nm bins and a 0-100 percentile table. Only the Number block is used.
NTA's ``Average`` column is the unweighted mean of the per-video values.
"""

from __future__ import annotations

import csv
from collections.abc import Callable

import numpy as np

from exosci.qc.formats import MAX_COUNT, MAX_DILUTION, MAX_SIZE_NM, bounded
from exosci.qc.nta_formats import NTAFormat, ParsedNTA, Run, register
from exosci.qc.textfile import TextFile, parse_float

_SUMMARY_ROWS = {
    "Mean": "mean_nm",
    "Mode": "mode_nm",
    "SD": "sd_nm",
    "D10": "d10_nm",
    "D50": "d50_nm",
    "D90": "d90_nm",
}
_QUIET = {"", "OK", "No"}


def _split(line: str) -> list[str]:
    if not line:
        return []
    return line.split(",") if '"' not in line else next(csv.reader([line]))


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def sniff(tf: TextFile) -> bool:
    head = tf.lines[:12]
    return bool(head) and (
        head[0].startswith("NTA Experiment Summary File")
        or (
            any(line.startswith("[Experiment Details]") for line in head)
            and any(line.startswith("Software Version,NTA") for line in head)
        )
    )


class _Rows:
    def __init__(self, tf: TextFile) -> None:
        self.tf = tf
        self.rows = [_split(line) for line in tf.lines]

    def find_optional(
        self, pred: Callable[[list[str]], bool], start: int, stop: str = ""
    ) -> int | None:
        """Index of the first row at or after ``start`` matching ``pred`` (before a ``stop`` row)."""
        for i in range(start, len(self.rows)):
            row = self.rows[i]
            if stop and row and row[0].startswith(stop) and i > start:
                break
            if row and pred(row):
                return i
        return None

    def find(self, pred: Callable[[list[str]], bool], start: int, what: str, stop: str = "") -> int:
        """Like :meth:`find_optional`, but a missing row is a FileFormatError."""
        found = self.find_optional(pred, start, stop)
        if found is not None:
            return found
        raise self.tf.error(
            min(start + 1, len(self.rows)),
            f"no {what} found after this line (truncated or not an NTA 3.x summary?)",
            what,
        )

    def numbers(self, i: int, cols: range, what: str) -> list[float]:
        row = self.rows[i]
        if len(row) <= cols.stop - 1:
            raise self.tf.error(
                i + 1, f"{what} row has {len(row)} fields", f"at least {cols.stop} fields"
            )
        return [parse_float(self.tf, i + 1, row[c], f"{what} (column {c + 1})") for c in cols]


def parse(tf: TextFile) -> ParsedNTA:
    r = _Rows(tf)
    meta: dict[str, str] = {}
    det = r.find(lambda row: row[0] == "[Experiment Details]", 0, "[Experiment Details] section")
    for row in r.rows[det + 1 :]:
        if _blank(row):
            break
        meta[row[0].rstrip(":")] = row[1] if len(row) > 1 else ""

    res = r.find(lambda row: row[0] == "[Results]", det, "[Results] section")
    header = r.rows[res]
    if "Average" not in header:
        raise tf.error(
            res + 1, "[Results] header has no 'Average' column", "video columns, Average"
        )
    avg = header.index("Average")
    n_videos = avg - 1
    if n_videos < 1:
        raise tf.error(res + 1, "[Results] lists no video columns", "at least one video")
    dil_i = r.find(
        lambda row: row[0].startswith("Dilution factor"), res, "Dilution factor row", "["
    )
    conc_i = r.find(
        lambda row: row[0].startswith("Concentration (Particles / ml)"),
        res,
        "Concentration (Particles / ml) row",
        "[",
    )
    dil_cells = {c.strip() for c in r.rows[dil_i][1 : 1 + n_videos]}
    dilution: float | None = None
    if dil_cells != {"Not recorded"}:
        values = {
            bounded(
                tf,
                dil_i + 1,
                parse_float(tf, dil_i + 1, c, "dilution factor"),
                "dilution factor",
                MAX_DILUTION,
            )
            for c in dil_cells
        }
        if len(values) != 1:
            raise tf.error(dil_i + 1, f"videos differ in dilution factor {sorted(values)}", "one")
        dilution = values.pop()
    written_conc = r.numbers(conc_i, range(avg, avg + 1), "Concentration average")[0]
    bounded(tf, conc_i + 1, written_conc, "Concentration average", MAX_COUNT)

    warnings: list[str] = []
    warn_i = r.find_optional(lambda row: row[0] == "[Concentration Warnings]", res, "[Size Data]")
    if warn_i is not None:
        for row in r.rows[warn_i + 1 :]:
            if _blank(row):
                break
            for v, cell in enumerate(row[1 : 1 + n_videos], start=1):
                if cell.strip() not in _QUIET:
                    warnings.append(f"instrument: {row[0]}, video {v}: {cell.strip()}")

    size = r.find(lambda row: row[0] == "[Size Data]", res, "[Size Data] section")
    weight_i = r.find(lambda row: row[0] == "Weighting", size, "Weighting row")
    if len(r.rows[weight_i]) < 2 or r.rows[weight_i][1] != "Number":
        raise tf.error(weight_i + 1, "first [Size Data] block is not number-weighted", "Number")
    names_i = r.find(lambda row: row[0] == "Filename", weight_i, "Filename row")
    labels = [c for c in r.rows[names_i][1 : 1 + n_videos]]
    graph = r.find(lambda row: row[0] == "Graph Data", names_i, "Graph Data row")
    instrument: dict[str, float] = {"concentration_per_ml": written_conc}
    for i in range(names_i + 1, graph):
        key = r.rows[i][0] if r.rows[i] else ""
        if key in _SUMMARY_ROWS:
            value = r.numbers(i, range(avg, avg + 1), key)[0]
            instrument[_SUMMARY_ROWS[key]] = bounded(tf, i + 1, value, key, MAX_SIZE_NM)
    missing = sorted(set(_SUMMARY_ROWS) - {k for k, v in _SUMMARY_ROWS.items() if v in instrument})
    if missing:
        raise tf.error(
            graph + 1, f"summary rows {missing} missing before Graph Data", "all of them"
        )

    head = r.rows[graph + 1] if graph + 1 < len(r.rows) else []
    if not head or not head[0].startswith("Bin centre (nm)"):
        raise tf.error(graph + 2, f"found {head[:1]}", "the 'Bin centre (nm)' header of Graph Data")
    data: list[list[float]] = []
    i = graph + 2
    while i < len(r.rows) and not _blank(r.rows[i]):
        numbers = r.numbers(i, range(0, n_videos + 1), "Graph Data")
        bounded(tf, i + 1, numbers[0], "bin centre (nm)", MAX_SIZE_NM)
        for value in numbers[1:]:
            bounded(tf, i + 1, value, "concentration", MAX_COUNT)
        data.append(numbers)
        i += 1
    if i >= len(r.rows) or not any(row and row[0] == "Percentile" for row in r.rows[i + 1 : i + 3]):
        raise tf.error(
            i,
            "Graph Data is not followed by a blank line and the Percentile table",
            "a complete export (the file looks truncated)",
        )
    if len(data) < 3:
        raise tf.error(graph + 3, f"Graph Data has {len(data)} rows", "at least 3 size bins")
    table = np.array(data)
    sizes = table[:, 0]
    if np.any(np.diff(sizes) <= 0):
        bad = int(np.argmax(np.diff(sizes) <= 0)) + graph + 4
        raise tf.error(bad, "bin centres are not increasing", "strictly increasing bin centres")
    if np.any(table[:, 1:] < 0):
        bad = int(np.argmax(np.any(table[:, 1:] < 0, axis=1))) + graph + 3
        raise tf.error(bad, "negative concentration", "concentrations >= 0")
    runs = tuple(
        Run(
            label=labels[v] or f"video {v + 1}",
            concentration=table[:, v + 1],
            weights=table[:, v + 1],
        )
        for v in range(n_videos)
    )
    sample = meta.get("Experiment Name", "").removesuffix(".nano") or meta.get(
        "Sample Description", tf.path.stem
    )
    keep = ("Software Version", "Operator Name", "Time Captured", "Sample Description", "Diluent")
    return ParsedNTA(
        format=FORMAT.name,
        sample=sample,
        size_nm=sizes,
        runs=runs,
        dilution=dilution,
        written_concentration_is_corrected=dilution is not None,
        instrument_values=instrument,
        metadata={k: meta[k] for k in keep if meta.get(k)},
        warnings=tuple(warnings),
    )


FORMAT = register(
    NTAFormat(
        name="nanosight-nta3",
        instrument="Malvern NanoSight (NTA 3.x)",
        description="ExperimentSummary.csv: per-video columns, 1-nm Graph Data bins, number weighting",
        extensions=(".csv",),
        percentile_rule="bin-edges",
        sniff=sniff,
        parse=parse,
    )
)
