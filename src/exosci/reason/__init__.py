"""Reasoning over the knowledge graph: signed paths, explanations and mechanism profiles."""

from __future__ import annotations

from exosci.reason.graph import SignedGraph, build_signed_graph, kb_from_records, signed_graph
from exosci.reason.profile import AXES, AxisScore, MechanismProfile, mechanism_profile

__all__ = [
    "AXES",
    "AxisScore",
    "MechanismProfile",
    "SignedGraph",
    "build_signed_graph",
    "kb_from_records",
    "mechanism_profile",
    "signed_graph",
]
