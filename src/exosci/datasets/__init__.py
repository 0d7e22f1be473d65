"""Public resources (miRTarBase, TargetScan, Reactome, MSigDB, miRBase, ...): fetch, verify,
cache and prepare them once; analyses then read the prepared DuckDB stores by name."""

from __future__ import annotations

from exosci.datasets.manager import (
    DataError,
    add,
    available,
    data_dir,
    ensure_prepared,
    fetch,
    how_to_fetch,
    path,
    prepare,
    prepared_table,
    read_manifest,
    status,
    verify,
)
from exosci.datasets.registry import Resource, get_resource, registry

__all__ = [
    "DataError",
    "Resource",
    "add",
    "available",
    "data_dir",
    "ensure_prepared",
    "fetch",
    "get_resource",
    "how_to_fetch",
    "path",
    "prepare",
    "prepared_table",
    "read_manifest",
    "registry",
    "status",
    "verify",
]
