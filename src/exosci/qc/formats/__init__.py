"""NTA export formats, one module each; every module registers itself on import.

Every number a parser keeps passes :func:`bounded` first: finite and within a magnitude no
instrument writes, so the statistics computed from it (sums over bins, size x weight, squares,
times the dilution) stay finite floats instead of overflowing (``OverflowError``/``inf``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exosci.qc.textfile import TextFile

__all__: list[str] = ["MAX_COUNT", "MAX_DILUTION", "MAX_SIZE_NM", "bounded"]

#: Largest count or concentration (particles/mL) accepted; NTA reads ~1e6-1e13 /mL, so this
#: refuses corruption, not samples; sums over the 10,000-bin limit stay far below 1.8e308.
MAX_COUNT = 1e30
#: Largest bin centre or size statistic in nm (NTA sees ~10-2000 nm; 1 mm is not a vesicle).
MAX_SIZE_NM = 1e6
#: Largest dilution factor (NTA samples are diluted up to ~1e6 fold).
MAX_DILUTION = 1e12


def bounded(tf: TextFile, lineno: int, value: float, what: str, limit: float) -> float:
    """``value`` when ``|value| <= limit``; else a FileFormatError naming the line and field."""
    if not abs(value) <= limit:  # also refuses NaN
        raise tf.error(
            lineno, f"{what} is {value:g}", f"a value of magnitude at most {limit:g} for {what}"
        )
    return value
