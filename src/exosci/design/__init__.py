"""Design search (``ex.design.search``, ``exosci design search``): the front of exosome therapy
designs a lab can make, judged by paired gain over a baseline, certainty of the evidence,
translational feasibility and risks, with uncertainty kept in the dominance relation."""

from __future__ import annotations

from exosci.design.constraints import Constraints, load_constraints, parse_constraints
from exosci.design.result import DesignSearch
from exosci.design.search import search

__all__ = ["Constraints", "DesignSearch", "load_constraints", "parse_constraints", "search"]
