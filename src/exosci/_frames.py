"""One missing-value convention for every DataFrame the API returns: the column type's own
missing value (``pd.NA`` in object columns, NaN in text and float columns), never ``''`` or
``None``."""

from __future__ import annotations

from typing import Any

import pandas as pd


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and value != value  # NaN


def tidy_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``''``, ``None`` and NaN in object columns replaced by ``pd.NA`` (in place
    on a copy; ``.attrs`` kept)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            values = out[col]
            mask = values.map(_missing).astype(bool)
            if mask.any():
                out[col] = values.where(~mask, pd.NA)
    out.attrs.update(frame.attrs)
    return out
