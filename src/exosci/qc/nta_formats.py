"""The registry of NTA export formats: each format is one module in ``exosci.qc.formats``.

A format module builds an :class:`NTAFormat` (name, instrument, how to recognise the file from its
content, how to parse it, which percentile convention its software uses) and calls
:func:`register`. Modules in the ``formats`` package are discovered on first use, so adding a
format is adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from exosci.qc.sizestats import PercentileRule
from exosci.qc.textfile import TextFile
from exosci.registry import Registry


@dataclass(frozen=True)
class Run:
    """One measurement of a sample (a NanoSight video, a ZetaView multi-position run)."""

    label: str
    concentration: NDArray[np.float64]  # particles/mL per bin, as the instrument wrote it
    weights: NDArray[np.float64]  # what the statistics are weighted by (counts or concentration)


@dataclass(frozen=True)
class ParsedNTA:
    """What a format parser extracts, before any statistics are computed."""

    format: str
    sample: str
    size_nm: NDArray[np.float64]  # bin centres; empty for summary-only tables
    runs: tuple[Run, ...]
    dilution: float | None  # as stated in the file; None when the file records none
    written_concentration_is_corrected: bool  # True when the instrument already applied it
    instrument_values: dict[str, float]  # summary numbers the instrument itself wrote
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    summary_only: dict[str, float] = field(default_factory=dict)  # tables without bins
    positions: tuple[dict[str, Any], ...] = ()
    empty_line: int | None = None  # set when the run recorded no particles (line that says so)


Sniffer = Callable[[TextFile], bool]
Parser = Callable[[TextFile], ParsedNTA]


@dataclass(frozen=True)
class NTAFormat:
    """One instrument export format, declared once with its metadata."""

    name: str
    instrument: str
    description: str
    extensions: tuple[str, ...]
    percentile_rule: PercentileRule
    sniff: Sniffer
    parse: Parser

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "instrument": self.instrument,
            "description": self.description,
            "extensions": list(self.extensions),
            "percentile_rule": self.percentile_rule,
        }


def _discover() -> None:
    from exosci.qc import formats

    for info in pkgutil.iter_modules(formats.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{formats.__name__}.{info.name}")


#: Every NTA export format (the modules of ``exosci.qc.formats`` register on first lookup).
NTA_FORMATS: Registry[NTAFormat] = Registry(
    "NTA format",
    description="Nanoparticle-tracking exports that `exosci qc nta` reads (--format).",
    discover=_discover,
)


def register(fmt: NTAFormat) -> NTAFormat:
    """Add a format to the registry (called once by each format module at import)."""
    return NTA_FORMATS.register(
        fmt.name,
        fmt,
        description=fmt.description,
        instrument=fmt.instrument,
        extensions=list(fmt.extensions),
    )


def nta_formats() -> dict[str, NTAFormat]:
    """All registered formats by name."""
    return dict(sorted(NTA_FORMATS.items()))


def get_format(name: str) -> NTAFormat:
    """A format by name, or a UserInputError listing the known ones and the closest."""
    return NTA_FORMATS.get(name)


def known_formats_text() -> str:
    return "; ".join(
        f"{f.name} ({f.instrument}, {'/'.join(f.extensions)})" for f in nta_formats().values()
    )


def detect_format(tf: TextFile) -> NTAFormat:
    """The one format whose content sniffer accepts the file, or a FileFormatError."""
    hits = [f for f in nta_formats().values() if f.sniff(tf)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        first = tf.lines[0][:60] if tf.lines else ""
        raise tf.error(
            1,
            f"unknown instrument export (starts with {first!r})",
            f"one of the known formats: {known_formats_text()}",
        )
    raise tf.error(
        1,
        f"ambiguous: matches {', '.join(f.name for f in hits)}",
        "exactly one format; pass format=",
    )
