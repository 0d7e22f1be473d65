"""Vesicle quality control: NTA import (a registry of instrument formats), MISEV checks, purity."""

from exosci.qc.markers import MarkerHit, known_markers, resolve_marker
from exosci.qc.misev import MisevReport, check_prep
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
from exosci.qc.prep import Prep, load_prep
from exosci.qc.purity import PurityResult, classify_purity, purity
from exosci.qc.rules import misev_rules
from exosci.qc.sizestats import SizeStats, fraction_between, percentile, size_stats

__all__ = [
    "MarkerHit",
    "MisevReport",
    "Prep",
    "PurityResult",
    "check_prep",
    "classify_purity",
    "known_markers",
    "load_prep",
    "misev_rules",
    "purity",
    "resolve_marker",
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
