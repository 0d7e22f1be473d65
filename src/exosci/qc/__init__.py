"""Vesicle quality control: NTA import (a registry of instrument formats), MISEV checks, purity."""

from exosci.qc.nta import (
    Bins,
    EmptyRunError,
    NTAReport,
    RunStats,
    nta_bins,
    nta_table,
    read_nta,
    read_nta_bytes,
)
from exosci.qc.nta_formats import NTAFormat, detect_format, get_format, nta_formats, register
from exosci.qc.nta_plot import plot_nta
from exosci.qc.sizestats import SizeStats, fraction_between, percentile, size_stats

__all__ = [
    "Bins",
    "EmptyRunError",
    "NTAFormat",
    "NTAReport",
    "RunStats",
    "SizeStats",
    "detect_format",
    "fraction_between",
    "get_format",
    "nta_bins",
    "nta_formats",
    "nta_table",
    "percentile",
    "plot_nta",
    "read_nta",
    "read_nta_bytes",
    "register",
    "size_stats",
]
