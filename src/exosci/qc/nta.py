"""Read NTA exports into one report shape, whatever the instrument.

>>> from exosci.qc import read_nta, nta_table
>>> report = read_nta("sample-ExperimentSummary.csv")      # doctest: +SKIP
>>> report.d50_nm, report.concentration_per_ml             # doctest: +SKIP
>>> nta_table([report]), report.bins_frame()               # pandas DataFrames  # doctest: +SKIP

Statistics are computed here from the exported bins with the instrument's own conventions (see
``exosci.qc.sizestats``), per run (video) and then averaged without weights as NTA 3.x does;
``instrument_values`` keeps the numbers the instrument wrote, and a warning is added when the two
disagree. Concentrations are dilution-corrected whenever the dilution is known (from the file or
from the caller) and ``concentration_basis`` says which.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from exosci.errors import FileFormatError, UserInputError
from exosci.limits import MAX_BINS
from exosci.qc.nta_formats import NTAFormat, ParsedNTA, detect_format, get_format
from exosci.qc.sizestats import SizeStats, fraction_between, size_stats
from exosci.qc.textfile import TextFile, decode_bytes, read_text

OnEmpty = Literal["raise", "report"]
DilutionSource = Literal["file", "caller", "inferred", "none"]

# Tolerances of the self-check against the instrument's own summary rows (rounding of the export).
_SELF_CHECK_NM = 1.0
_SELF_CHECK_REL = 0.02
_STAT_FIELDS = ("mean_nm", "sd_nm", "mode_nm", "d10_nm", "d50_nm", "d90_nm")


class EmptyRunError(FileFormatError):
    """The export is well formed but the run recorded no particles."""


class Bins(BaseModel):
    """The number-weighted size distribution, concentration per bin (particles/mL)."""

    model_config = ConfigDict(frozen=True)
    size_nm: list[float]
    concentration: list[float]


class RunStats(BaseModel):
    """Statistics of one run (a NanoSight video, a ZetaView measurement), as measured."""

    model_config = ConfigDict(frozen=True)
    label: str
    concentration_per_ml: float
    mean_nm: float
    sd_nm: float
    mode_nm: float
    d10_nm: float
    d50_nm: float
    d90_nm: float


class NTAReport(BaseModel):
    """One sample's NTA result; the JSON of ``exosci qc nta`` is this model's dump."""

    model_config = ConfigDict(frozen=True)
    file: str
    format: str
    instrument: str
    sample: str
    dilution: float | None
    dilution_source: DilutionSource
    concentration_per_ml: float | None
    concentration_corrected_for_dilution: bool
    concentration_basis: str
    mean_nm: float | None
    mode_nm: float | None
    sd_nm: float | None
    d10_nm: float | None
    d50_nm: float | None
    d90_nm: float | None
    span: float | None
    fraction_in_30_150_nm: float | None
    fraction_below_200_nm: float | None
    bins: Bins
    empty: bool = False
    statistics_method: str
    runs: list[RunStats]
    instrument_values: dict[str, float]
    positions: list[dict[str, Any]]
    metadata: dict[str, str]
    warnings: list[str]

    def bins_frame(self) -> pd.DataFrame:
        """The distribution as a DataFrame (``size_nm``, ``concentration``, ``sample``)."""
        return pd.DataFrame(
            {"size_nm": self.bins.size_nm, "concentration": self.bins.concentration}
        ).assign(sample=self.sample)

    def runs_frame(self) -> pd.DataFrame:
        """Per-run (per-video) statistics as a DataFrame."""
        return pd.DataFrame([r.model_dump() for r in self.runs]).assign(sample=self.sample)

    def summary(self) -> dict[str, Any]:
        """The scalar fields (no bins, runs or positions) as one flat dict."""
        skip = {"bins", "runs", "positions", "instrument_values", "metadata", "warnings"}
        return {k: v for k, v in self.model_dump().items() if k not in skip}

    # -- notebook display ------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The size distribution as a DataFrame (``size_nm``, ``concentration``, ``sample``);
        the scalar summary is ``summary``, one row per run ``runs_frame``."""
        return self.bins_frame()

    def plot(self, ax: Any = None, *, max_nm: float = 500.0) -> Any:
        """The size distribution (particles per mL per nm, or the share per nm when the file
        gives no concentration) on ``ax`` (a new figure when ``None``); returns the Axes."""
        from exosci._display import axes
        from exosci.qc.sizestats import bin_edges

        target = axes(ax)
        target.axvspan(30, 150, color="0.92", zorder=0, label="30-150 nm")
        if self.bins.size_nm:
            size = np.asarray(self.bins.size_nm)
            density = np.asarray(self.bins.concentration) / np.diff(bin_edges(size))
            keep = size <= max_nm
            target.plot(size[keep], density[keep], lw=1.2, drawstyle="steps-mid", label=self.sample)
        else:
            target.text(0.5, 0.5, "no size distribution in this file", ha="center")
        basis = "" if self.concentration_corrected_for_dilution else " (not dilution-corrected)"
        target.set_xlabel("diameter (nm)")
        target.set_ylabel("particles / mL / nm" + basis)
        target.set_xlim(0, max_nm)
        target.set_title(f"NTA size distribution: {self.sample} [{self.instrument}]", fontsize=10)
        target.legend(fontsize=7, frameon=False)
        return target

    def _display_lines(self) -> list[str]:
        from exosci._display import fmt

        conc = (
            f"{self.concentration_per_ml:.3g} particles/mL ({self.concentration_basis})"
            if self.concentration_per_ml is not None
            else "no concentration"
        )
        return [
            f"{self.instrument} · {self.format} · {Path(self.file).name}",
            f"mode {fmt(self.mode_nm, '.0f')} nm, mean {fmt(self.mean_nm, '.0f')} nm, "
            f"D10/D50/D90 {fmt(self.d10_nm, '.0f')}/{fmt(self.d50_nm, '.0f')}/"
            f"{fmt(self.d90_nm, '.0f')} nm; {fmt(self.fraction_in_30_150_nm, '.0%')} in 30-150 nm",
            conc,
        ]

    def __repr__(self) -> str:
        from exosci._display import text

        return text(f"NTAReport {self.sample!r}", self._display_lines(), self.warnings)

    def _repr_html_(self) -> str:
        from exosci._display import card

        return card(
            f"NTAReport {self.sample}",
            self._display_lines(),
            self.warnings,
            pd.DataFrame([{**self.summary(), "file": Path(self.file).name}]).T.rename(
                columns={0: "value"}
            ),
            rows=30,
            hint=".to_frame() the size distribution · .plot() · .runs_frame() · .summary()",
        )

    def __dir__(self) -> list[str]:
        """The report's fields and its own methods (not pydantic's ~40 model helpers)."""
        own = ["to_frame", "plot", "summary", "bins_frame", "runs_frame", "model_dump"]
        return sorted([*type(self).model_fields, *own])


def _dilution(
    parsed: ParsedNTA, dilution: float | None, fmt: NTAFormat
) -> tuple[float | None, float, DilutionSource, bool, str]:
    """(dilution, factor to apply, source, corrected?, basis text)."""
    if dilution is not None and dilution <= 0:
        raise UserInputError(f"dilution must be a positive factor (e.g. 1000), got {dilution}.")
    stated = parsed.dilution
    if stated is not None and dilution is not None and not np.isclose(stated, dilution, rtol=1e-6):
        raise UserInputError(
            f"the file states dilution {stated:g} but dilution={dilution:g} was given; drop the "
            "option or fix the file."
        )
    if parsed.written_concentration_is_corrected:
        source: DilutionSource = "inferred" if fmt.name == "zetaview-positions" else "file"
        return stated, 1.0, source, True, f"dilution-corrected by the instrument (x{stated:g})"
    if stated is not None:
        return (
            stated,
            stated,
            "file",
            True,
            f"dilution-corrected: measured x {stated:g} (from file)",
        )
    if dilution is not None:
        return (
            dilution,
            dilution,
            "caller",
            True,
            f"dilution-corrected: measured x {dilution:g} (given)",
        )
    return (
        None,
        1.0,
        "none",
        False,
        "as measured (NOT dilution-corrected): the file records no dilution; pass dilution=",
    )


def _mean_stats(stats: Sequence[SizeStats]) -> dict[str, float]:
    return {k: float(np.mean([getattr(s, k) for s in stats])) for k in _STAT_FIELDS}


def _self_check(values: dict[str, float], written: dict[str, float]) -> list[str]:
    out = []
    for key, mine in values.items():
        theirs = written.get(key)
        if theirs is None:
            continue
        tol = _SELF_CHECK_REL * abs(theirs) if key == "concentration_per_ml" else _SELF_CHECK_NM
        if abs(mine - theirs) > tol:
            out.append(f"computed {key} {mine:.4g} differs from the instrument's {theirs:.4g}")
    return out


def report_from_parsed(
    parsed: ParsedNTA,
    fmt: NTAFormat,
    path: Path,
    *,
    dilution: float | None = None,
    on_empty: OnEmpty = "raise",
) -> NTAReport:
    """Turn a parser's output into an ``NTAReport`` (statistics, dilution, checks)."""
    if len(parsed.size_nm) > MAX_BINS:
        raise FileFormatError(
            f"{path}: {len(parsed.size_nm)} size bins, more than the {MAX_BINS}-bin limit; "
            "an NTA export has a few hundred to a few thousand bins."
        )
    dil, factor, source, corrected, basis = _dilution(parsed, dilution, fmt)
    base: dict[str, Any] = {
        "file": str(path),
        "format": fmt.name,
        "instrument": fmt.instrument,
        "sample": parsed.sample,
        "dilution": dil,
        "dilution_source": source,
        "concentration_corrected_for_dilution": corrected,
        "concentration_basis": basis,
        "instrument_values": parsed.instrument_values,
        "metadata": parsed.metadata,
        "positions": list(parsed.positions),
        "runs": [],
    }
    none: dict[str, Any] = dict.fromkeys(_STAT_FIELDS + ("span", "concentration_per_ml"))
    none |= {"fraction_in_30_150_nm": None, "fraction_below_200_nm": None}
    no_bins = {"bins": Bins(size_nm=[], concentration=[])}
    if parsed.empty_line is not None:
        if on_empty == "raise":
            raise EmptyRunError(
                f"{path}, line {parsed.empty_line}: the run recorded 0 particle traces (an empty "
                "measurement), so there is no size distribution or concentration to report; "
                "expected at least one trace. Re-measure, or use on_empty='report' "
                "(CLI: --allow-empty) to list it as empty."
            )
        return NTAReport.model_validate(
            base
            | none
            | no_bins
            | {
                "empty": True,
                "statistics_method": "none: empty run",
                "warnings": [*parsed.warnings, f"empty run (0 traces, line {parsed.empty_line})"],
            }
        )
    if parsed.summary_only:
        values = {
            k: v * (factor if k == "concentration_per_ml" else 1)
            for k, v in parsed.summary_only.items()
        }
        return NTAReport.model_validate(
            base
            | none
            | values
            | no_bins
            | {
                "statistics_method": "instrument's means over kept positions (no bins in file)",
                "warnings": list(parsed.warnings),
            }
        )
    return NTAReport.model_validate(base | _distribution_fields(parsed, fmt, factor))


def _distribution_fields(parsed: ParsedNTA, fmt: NTAFormat, factor: float) -> dict[str, Any]:
    sizes = parsed.size_nm
    run_stats = [size_stats(sizes, run.weights, rule=fmt.percentile_rule) for run in parsed.runs]
    run_conc = [float(run.concentration.sum()) for run in parsed.runs]
    agg = _mean_stats(run_stats) | {"concentration_per_ml": float(np.mean(run_conc))}
    warnings = [*parsed.warnings, *_self_check(agg, parsed.instrument_values)]
    mean_bins = np.mean([run.concentration for run in parsed.runs], axis=0)
    runs = [
        RunStats(
            label=run.label,
            concentration_per_ml=c,
            **{k: getattr(s, k) for k in _STAT_FIELDS},
        )
        for run, s, c in zip(parsed.runs, run_stats, run_conc, strict=True)
    ]
    if parsed.positions:
        used = [p["concentration_per_ml"] for p in parsed.positions if p.get("used")]
        if used and factor * agg["concentration_per_ml"] > 0:
            ratio = np.mean(used) / (factor * agg["concentration_per_ml"])
            if abs(ratio - 1) > 0.1:
                warnings.append(f"position table's mean Orig. Conc. differs by {ratio - 1:+.0%}")
    n = len(parsed.runs)
    averaging = f"unweighted mean over {n} runs" if n > 1 else "one run"
    return {k: agg[k] for k in _STAT_FIELDS} | {
        "runs": runs,
        "concentration_per_ml": agg["concentration_per_ml"] * factor,
        "span": (agg["d90_nm"] - agg["d10_nm"]) / agg["d50_nm"],
        "fraction_in_30_150_nm": fraction_between(sizes, mean_bins, 30, 150),
        "fraction_below_200_nm": fraction_between(sizes, mean_bins, 0, 200),
        "bins": Bins(size_nm=sizes.tolist(), concentration=(mean_bins * factor).tolist()),
        "statistics_method": (
            f"from the exported bins: percentiles by the {fmt.percentile_rule} rule, parabolic "
            f"mode; {averaging}; fractions from the run-averaged distribution"
        ),
        "warnings": warnings,
    }


def _parse(tf: TextFile, fmt_name: str | None) -> tuple[NTAFormat, ParsedNTA]:
    fmt = get_format(fmt_name) if fmt_name else detect_format(tf)
    return fmt, fmt.parse(tf)


def read_nta(
    path: str | Path,
    *,
    format: str | None = None,
    dilution: float | None = None,
    on_empty: OnEmpty = "raise",
) -> NTAReport:
    """Read one NTA export (format detected from its content) into an ``NTAReport``.

    Parameters
    ----------
    path
        A NanoSight ``ExperimentSummary.csv``, a ZetaView ``*_size_*.txt`` or ``*_11pos.txt``.
    format
        Skip detection and use this registered format (see ``nta_formats``).
    dilution
        The dilution used, for files that do not record it; must agree when the file does.
    on_empty
        ``"raise"`` (default) an ``EmptyRunError`` for a run with no particles, or
        ``"report"`` an explicit empty report (``empty=True``, statistics ``None``).

    Returns
    -------
    NTAReport
        Concentration (dilution-corrected, with its source), mean/mode/SD and D10/D50/D90 in
        nm, span, fractions in 30-150 nm and below 200 nm, per-run statistics, the size bins
        and the values the instrument itself wrote (``.model_dump()`` is the JSON of
        ``exosci qc nta``).

    Examples
    --------
    >>> import exosci as ex
    >>> report = ex.qc.read_nta("ExperimentSummary.csv", dilution=1000)  # doctest: +SKIP
    >>> report.d50_nm, report.concentration_per_ml  # doctest: +SKIP
    """
    p = Path(path)
    fmt, parsed = _parse(read_text(p), format)
    return report_from_parsed(parsed, fmt, p, dilution=dilution, on_empty=on_empty)


def read_nta_bytes(
    data: bytes,
    *,
    name: str = "<bytes>",
    format: str | None = None,
    dilution: float | None = None,
    on_empty: OnEmpty = "raise",
) -> NTAReport:
    """Like ``read_nta`` for content already in memory (uploads, tests)."""
    p = Path(name)
    fmt, parsed = _parse(decode_bytes(p, data), format)
    return report_from_parsed(parsed, fmt, p, dilution=dilution, on_empty=on_empty)


def nta_table(reports: Iterable[NTAReport | str | Path] | str | Path) -> pd.DataFrame:
    """One row per run with its scalar fields (sample, mode, mean, D10/D50/D90, concentration).

    ``reports`` are ``NTAReport`` objects or paths of NTA exports (read with
    ``read_nta``, format detected); anything else is refused with a message.
    """
    from exosci._frames import tidy_missing
    from exosci.errors import UserInputError

    if isinstance(reports, str | Path):
        reports = [reports]
    rows = []
    for i, r in enumerate(reports):
        if isinstance(r, str | Path):
            r = read_nta(r)
        if not isinstance(r, NTAReport):
            raise UserInputError(
                f"nta_table: item {i} is a {type(r).__name__}; expected an NTAReport "
                "(ex.qc.read_nta(path)) or the path of an NTA export"
            )
        rows.append(r.summary())
    return tidy_missing(pd.DataFrame(rows))


def nta_bins(reports: Iterable[NTAReport]) -> pd.DataFrame:
    """All distributions in long form (``sample``, ``size_nm``, ``concentration``)."""
    frames = [r.bins_frame() for r in reports if r.bins.size_nm]
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["size_nm", "concentration", "sample"])
    )
