"""Reasoning over the knowledge graph: signed paths, explanations and mechanism profiles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from exosci._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:  # the names as mypy sees them; at run time they load on first use
    from exosci.reason.graph import SignedGraph, build_signed_graph, kb_from_records, signed_graph
    from exosci.reason.profile import AXES, AxisScore, MechanismProfile, mechanism_profile

# Imported on first use: ``exosci explain`` loads only the modules its query needs.
_EXPORTS = {
    "AXES": "exosci.reason.profile",
    "AxisScore": "exosci.reason.profile",
    "MechanismProfile": "exosci.reason.profile",
    "mechanism_profile": "exosci.reason.profile",
    "SignedGraph": "exosci.reason.graph",
    "build_signed_graph": "exosci.reason.graph",
    "kb_from_records": "exosci.reason.graph",
    "signed_graph": "exosci.reason.graph",
}

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


__getattr__ = lazy_getattr(__name__, _EXPORTS)

__dir__ = lazy_dir([*_EXPORTS, *__all__])
