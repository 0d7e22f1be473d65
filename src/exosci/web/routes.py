"""API routes over reasoning, cargo, therapy, evaluation, QC and release fitting."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def mount(app: FastAPI, get_kb: Any) -> None:
    """Attach the analysis routes to ``app``."""
    return None
