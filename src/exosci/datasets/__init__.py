"""Public resources (miRTarBase, TargetScan, Reactome, MSigDB, miRBase, ...): fetch, verify,
cache and prepare them once; analyses then read the prepared DuckDB stores by name.

``ex.datasets.list()`` and ``ex.datasets.example(name)`` give the small sample files shipped
with the package (:mod:`exosci.samples`)."""

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
from exosci.samples import example
from exosci.samples import samples_frame as list  # noqa: A004  (``ex.datasets.list()``)

__all__ = [
    "DataError",
    "Resource",
    "add",
    "available",
    "data_dir",
    "ensure_prepared",
    "example",
    "fetch",
    "get_resource",
    "how_to_fetch",
    "list",
    "path",
    "prepare",
    "prepared_table",
    "read_manifest",
    "registry",
    "status",
    "verify",
]
