"""Therapy specs: parse, validate against the knowledge graph, profile, and map to the model."""

from __future__ import annotations

from exosci.therapy.resolve import (
    ResolveCache,
    ResolvedTherapy,
    resolve_spec,
    spec_profile,
    to_design,
)
from exosci.therapy.spec import TherapySpec, load_spec, parse_spec

__all__ = [
    "ResolveCache",
    "ResolvedTherapy",
    "TherapySpec",
    "load_spec",
    "parse_spec",
    "resolve_spec",
    "spec_profile",
    "to_design",
]
